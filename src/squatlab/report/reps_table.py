"""reps.csv: one row per rep with every per-rep number of results.json, for a spreadsheet.

Columns are the rep's results.json fields, nested names joined with dots
(``butt_wink.magnitude_deg``, ``angles_at_bottom.knee_flexion_deg.value``), plus the likely
cause's per-rep evidence (``cause.*``). Long texts (explanations, evidence lists) stay in
results.json. An empty cell is a number that was not measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

# Texts and lists that do not fit a cell; the numbers they hold are columns of their own.
_LEFT_OUT = ("evidence", "explanation", "rhythm_text")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as ``a.b.c`` columns; a pair of times as ``.start`` / ``.end``.

    >>> flatten({"a": 1, "b": {"c": None, "d": [0.5, 1.5]}, "standing_s": [2.0, 3.5]})
    {'a': 1, 'b.c': None, 'b.d.0': 0.5, 'b.d.1': 1.5, 'standing_s.start': 2.0, 'standing_s.end': 3.5}
    """
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in _LEFT_OUT:
            continue
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(flatten(item, f"{name}."))
        elif isinstance(item, list | tuple):
            labels = ("start", "end") if len(item) == 2 and key.endswith("_s") else range(len(item))
            out.update({f"{name}.{label}": v for label, v in zip(labels, item, strict=True)})
        else:
            out[name] = item
    return out


def reps_frame(results: dict[str, Any]) -> pd.DataFrame:
    """One row per rep of a results document."""
    cause = ((results.get("findings") or {}).get("cause") or {}).get("per_rep") or []
    by_rep = {row["index"]: row for row in cause}
    rows = []
    for rep in results.get("reps", []):
        row = flatten(rep)
        extra = {k: v for k, v in by_rep.get(rep["index"], {}).items() if k != "index"}
        row.update(flatten(extra, "cause."))
        rows.append(row)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    # A finding that is null in one rep and filled in another keeps only its detailed columns.
    columns = [c for c in columns if not any(other.startswith(f"{c}.") for other in columns)]
    return pd.DataFrame(rows, columns=columns or ["index"])


def write_reps_csv(results: dict[str, Any], path: Path) -> None:
    reps_frame(results).to_csv(path, index=False, na_rep="")
