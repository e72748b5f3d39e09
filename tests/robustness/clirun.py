"""Running the CLI in-process (fast: MediaPipe and the readers load once) and checking how it ended."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from squatlab.cli import app

_RUNNER = CliRunner()


def squatlab(*args: object, env: dict[str, str] | None = None) -> Result:
    """``squatlab ARGS...`` in this process; exceptions end up in ``result.exception``."""
    return _RUNNER.invoke(app, [str(a) for a in args], env=env)


def one_line_error(result: Result, code: int = 2) -> str:
    """The run's single stderr line, after checking the exit code and that nothing else was printed."""
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def nothing_written(out: Path) -> bool:
    """No output folder and no half-written ``.partial`` or ``.old`` folder beside it."""
    leftovers = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    return not out.exists() and not leftovers
