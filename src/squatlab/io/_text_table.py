"""Pieces shared by the text-table readers (TRC, OpenSim .mot/.sto)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from squatlab.errors import InputError

# A number as the readers accept it: decimal or exponent notation, or nan/inf with a sign.
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(nan|inf)$", re.IGNORECASE)


def split_fields(line: str) -> list[str]:
    """The fields of a line: split on tabs when there are any, else on whitespace."""
    line = line.rstrip("\r\n")
    return line.split("\t") if "\t" in line else line.split()


def require_increasing(time_s: np.ndarray, path: Path, where: str) -> None:
    """Raise when time goes backwards or repeats; ``where`` names a row ("frame", "data row")."""
    steps = np.diff(time_s)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(
            f"{path}: time goes backwards or repeats at {where} {i + 2} ({time_s[i + 1]:g} s after {time_s[i]:g} s)"
        )
