"""Error text helpers: an InputError message is one line (the CLI prints it as is)."""


def one_line(exc: BaseException) -> str:
    """The exception's text with line breaks and runs of spaces collapsed.

    >>> one_line(ValueError("Error tokenizing data.\\n  Expected 7 fields\\n"))
    'Error tokenizing data. Expected 7 fields'
    """
    return " ".join(str(exc).split())
