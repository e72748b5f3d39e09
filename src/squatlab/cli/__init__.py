"""The command line: ``squatlab analyze``, ``squatlab demo``."""

from squatlab.cli.main import app

__all__ = ["app"]
