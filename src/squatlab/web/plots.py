"""The athlete page's trend plots: inline SVGs drawn by matplotlib on the server (no script)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from squatlab.web.results import TREND_METRICS, Metric

# Smallest y range shown, deg: a few degrees of session-to-session noise must not fill the plot
# as if it were a trend (the video's pelvis error alone is about 4 deg).
_MIN_SPAN_DEG = 10.0
_SIZES = {"wink_deg", "arch_deg"}  # magnitudes: the axis starts at zero


def trend_svgs(points: list[dict[str, Any]]) -> list[tuple[Metric, str]]:
    """One small plot per trend metric against the session date; [] when there is no point.

    Each metric's line and markers sit in an SVG group with the id ``trend-<key>``.
    """
    if not points:
        return []
    days = [date.fromisoformat(p["date"]) for p in points]
    return [(metric, _plot(metric, days, points)) for metric in TREND_METRICS]


def _plot(metric: Metric, days: list[date], points: list[dict[str, Any]]) -> str:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.0, 2.3), layout="constrained")
    ax = fig.subplots()
    pairs = [(d, p[metric.key]) for d, p in zip(days, points, strict=True) if p[metric.key] is not None]
    if pairs:
        xs, ys = zip(*pairs, strict=True)
        (line,) = ax.plot(xs, ys, marker="o", color="#1f6f8b", linewidth=1.5, markersize=6)
        line.set_gid(f"trend-{metric.key}")
        ax.set_ylim(*_y_range(metric, min(ys), max(ys)))
    else:
        ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center", color="#777")
    ax.set_title(f"{metric.label} ({metric.unit})", fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if min(days) == max(days):  # one day has no range to scale the axis by: show a week around it
        ax.set_xlim(min(days) - timedelta(days=3), max(days) + timedelta(days=3))
    locator = AutoDateLocator(minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    return svg[svg.index("<svg") :]


def _y_range(metric: Metric, low: float, high: float) -> tuple[float, float]:
    if metric.key in _SIZES:
        return 0.0, max(_MIN_SPAN_DEG, high * 1.2)
    pad = max(2.0, (_MIN_SPAN_DEG - (high - low)) / 2)
    return low - pad, high + pad
