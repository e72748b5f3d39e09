"""``squatlab compare RESULT_A RESULT_B``: which per-rep metrics changed beyond their noise.

The command function is registered on the app by the CLI's main module; all logic lives in
:mod:`squatlab.findings.compare` and :mod:`squatlab.findings.compare_html`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from squatlab.errors import OutputExistsError, SquatlabError


def compare(
    result_a: Annotated[Path, typer.Argument(help="First result: an analysis folder or its results.json.")],
    result_b: Annotated[Path, typer.Argument(help="Second result: an analysis folder or its results.json.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML report to write.")] = Path("compare.html"),
    label_a: Annotated[str | None, typer.Option(help="Name of the first set (default: its folder name).")] = None,
    label_b: Annotated[str | None, typer.Option(help="Name of the second set (default: its folder name).")] = None,
    config: Annotated[Path | None, typer.Option(help="Settings TOML ([findings] compare_alpha, ...).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the HTML report if it exists.")] = False,
) -> None:
    """Compare two results (e.g. narrow vs wide stance, before vs after a mobility block)."""
    from squatlab.findings.compare import compare_results, load_results
    from squatlab.findings.compare_html import render_html
    from squatlab.settings import load_settings

    err = Console(stderr=True)
    try:
        if out.exists() and not force:
            raise OutputExistsError(f"{out} exists; pass --force to overwrite it")
        settings = load_settings(config).findings
        a, b = load_results(result_a), load_results(result_b)
        result = compare_results(
            a, b, label_a=label_a or _name(result_a), label_b=label_b or _name(result_b), settings=settings
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(result), encoding="utf-8")
    except (SquatlabError, OSError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    print_summary(result, Console())
    Console().print(f"report: {out}", markup=False, highlight=False)


def _name(path: Path) -> str:
    """A set's default name: its folder (the folder of results.json when a file is given)."""
    path = path.resolve()
    return path.parent.name if path.is_file() else path.name


def print_summary(result: dict, console: Console) -> None:
    """The summary sentences and a table of the metrics (changed ones first)."""
    a, b = result["a"]["label"], result["b"]["label"]
    for line in result["summary"]:
        console.print(line, markup=False, highlight=False)
    table = Table(title=Text(f"{a} vs {b}"), show_lines=False)
    for column, justify in (
        ("metric", "left"),
        (a, "right"),
        (b, "right"),
        ("difference", "right"),
        ("noise floor", "right"),
        ("p (Holm)", "right"),
        ("verdict", "left"),
    ):
        table.add_column(Text(column), justify=justify)
    for m in sorted(result["metrics"], key=lambda m: not m["changed"]):
        table.add_row(
            Text(f"{m['label']} ({m['unit']})" if m["unit"] else m["label"]),
            _cell(m["mean_a"], m["sd_a"], m["n_a"]),
            _cell(m["mean_b"], m["sd_b"], m["n_b"]),
            _num(m["difference"]),
            _num(m["floor"]),
            _num(m["p_holm"], 3),
            m["verdict"],
            style="bold" if m["changed"] else None,
        )
    console.print(table)
    console.print(result["disclaimer"], markup=False, highlight=False)


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cell(mean: float | None, sd: float | None, n: int) -> str:
    return f"{_num(mean)} ± {_num(sd)} (n={n})"
