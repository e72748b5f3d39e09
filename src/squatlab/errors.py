"""Domain errors. The CLI turns each into a one-line message and exit code 2."""


class SquatlabError(Exception):
    """Base of every error squatlab raises on purpose."""


class InputError(SquatlabError):
    """The input cannot be analysed: unreadable, wrong format, missing data."""


class NoPersonError(InputError):
    """No person was found in the video."""


class OutputExistsError(SquatlabError):
    """The output folder exists and ``--force`` was not given."""
