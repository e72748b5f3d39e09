"""The athlete page's trend plots: an inline SVG drawn by matplotlib on the server (no script)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from squatlab.web.results import TREND_METRICS


def trend_svg(points: list[dict[str, Any]]) -> str:
    """Small multiples, one per trend metric, against the session date; "" when there is no point.

    Each metric's markers sit in an SVG group ``trend-<key>`` (one ``<use>`` or path per point).
    """
    if not points:
        return ""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True).ravel()
    days = [date.fromisoformat(p["date"]) for p in points]
    # A single day has no range to scale the axis by: show a week around it.
    span = (min(days) - timedelta(days=3), max(days) + timedelta(days=3)) if min(days) == max(days) else None
    for ax, metric in zip(axes, TREND_METRICS, strict=True):
        pairs = [(d, p[metric.key]) for d, p in zip(days, points, strict=True) if p[metric.key] is not None]
        if pairs:
            xs, ys = zip(*pairs, strict=True)
            (line,) = ax.plot(xs, ys, marker="o", color="#1f6f8b", linewidth=1.5, markersize=6)
            line.set_gid(f"trend-{metric.key}")
        else:
            ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center", color="#777")
        ax.set_title(f"{metric.label} ({metric.unit})", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if span is not None:
            ax.set_xlim(*span)
        locator = AutoDateLocator(maxticks=4)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg") :]
