"""The report's plot over time, as SVG (sharp at any screen density) and high-dpi PNG.

matplotlib's object API (no pyplot, no global state). Each rep is shaded; its bottom is a
dotted line, and where a butt wink was found its onset is a dashed orange line with a dot on
the pelvis curve. Values whose confidence is below ``min_conf`` are drawn faint, not as data.
"""

from __future__ import annotations

import io
import re

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from squatlab import conventions as cv
from squatlab.trial import Trial

PNG_DPI = 200  # about 2x a screen's 96 dpi
FONT_PT = 12
_REP_COLOUR = {True: "#7fc97f", False: "#bbbbbb"}
_ONSET_COLOUR = "#e6550d"
_JOINT_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#8c564b")
_LUMBO_COLOURS = {cv.PELVIS_TILT: "#ff7f0e", cv.LUMBAR_FLEXION: "#1f77b4"}


def _measured(trial: Trial, name: str) -> bool:
    return name in trial.channels and not trial.channels[name].is_absent


def _plot_channel(ax, trial: Trial, name: str, colour: str, min_conf: float) -> None:
    ch = trial.channels[name]
    confident = np.where(ch.conf >= min_conf, ch.values, np.nan)
    ax.plot(trial.time_s, ch.values, color=colour, alpha=0.2, lw=1)
    ax.plot(trial.time_s, confident, color=colour, lw=1.6, label=cv.CHANNELS[name].label)


def _wink_onsets(trial: Trial) -> dict[int, float]:
    """Rep index -> the time the pelvis began to tip back, for reps with a butt wink."""
    onsets = {}
    for row in trial.findings.get("reps", []):
        wink = row.get("butt_wink")
        if wink and wink.get("detected") and wink.get("onset_s") is not None:
            onsets[row["index"]] = float(wink["onset_s"])
    return onsets


def _mark_reps(ax, trial: Trial, onsets: dict[int, float], *, label: bool) -> None:
    for r in trial.reps:
        ax.axvspan(r.start_s, r.end_s, color=_REP_COLOUR[r.measurable], alpha=0.22, lw=0)
        ax.axvline(r.bottom_s, color="#333333", lw=1.0, ls=":")
        if r.index in onsets:
            ax.axvline(onsets[r.index], color=_ONSET_COLOUR, lw=1.2, ls="--")
        if label:
            text = f"rep {r.index}" + (" (partial)" if r.partial else "")
            ax.annotate(text, (r.bottom_s, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=FONT_PT - 1)  # fmt: skip


def overview_figure(trial: Trial, *, min_conf: float) -> Figure:
    """Three panels over time: the rep signal, the joint angles, pelvis tilt and lumbar flexion."""
    fig = Figure(figsize=(6.0, 8.6), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    onsets = _wink_onsets(trial)
    depth = trial.extras.get(cv.DEPTH_SIGNAL)
    if _measured(trial, cv.HIP_HEIGHT):
        _plot_channel(axes[0], trial, cv.HIP_HEIGHT, "#1f77b4", min_conf)
        axes[0].set_ylabel("hip height\n(leg lengths)")
    elif depth is not None:
        axes[0].plot(trial.time_s, depth, color="#1f77b4", lw=1.6)
        axes[0].set_ylabel("depth\n(deg of knee flexion)")
    for name, colour in zip(cv.JOINT_ANGLES, _JOINT_COLOURS, strict=True):
        if _measured(trial, name):
            _plot_channel(axes[1], trial, name, colour, min_conf)
    axes[1].set_ylabel("joint angles (deg)")
    _legend_above(axes[1])
    lumbo = [n for n in cv.LUMBO_PELVIC if _measured(trial, n)]
    for name in lumbo:
        _plot_channel(axes[2], trial, name, _LUMBO_COLOURS[name], min_conf)
    _legend_above(axes[2])
    axes[2].axhline(0, color="#444444", lw=0.8)
    axes[2].set_ylabel("vs standing (deg)\n+ = anterior tilt / flexion")
    if not lumbo:
        axes[2].text(0.5, 0.5, "pelvis tilt and lumbar flexion not measured", transform=axes[2].transAxes,
                     ha="center", va="center", color="#777777", fontsize=FONT_PT)  # fmt: skip
    for i, ax in enumerate(axes):
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=FONT_PT - 1)
        ax.yaxis.label.set_size(FONT_PT)
        _mark_reps(ax, trial, onsets, label=i == 0)
    _add_onset_dots(axes[2], trial, onsets)
    axes[-1].set_xlabel("time (s)", fontsize=FONT_PT)
    handles = [
        Patch(color=_REP_COLOUR[True], alpha=0.4, label="rep (measured)"),
        Patch(color=_REP_COLOUR[False], alpha=0.5, label="rep (not measurable)"),
        Line2D([], [], color="#333333", ls=":", label="bottom of a rep"),
        Line2D([], [], color=_ONSET_COLOUR, ls="--", label="butt wink begins"),
    ]
    kept = handles if onsets else handles[:3]
    fig.legend(handles=kept, loc="outside lower center", ncol=2, fontsize=FONT_PT - 1, frameon=False)
    return fig


def _legend_above(ax) -> None:
    """The panel's legend in a row above it, where it hides no data."""
    if ax.lines:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=FONT_PT - 1, frameon=False,
                  borderaxespad=0.2, handlelength=1.5)  # fmt: skip


def _add_onset_dots(ax, trial: Trial, onsets: dict[int, float]) -> None:
    if cv.PELVIS_TILT not in trial.channels or not onsets:
        return
    pelvis = trial.channels[cv.PELVIS_TILT].values
    for t in onsets.values():
        value = pelvis[trial.frame_at(t)]
        if np.isfinite(value):
            ax.plot([t], [value], "o", color=_ONSET_COLOUR, ms=6, zorder=5)


def figure_svg(fig: Figure, *, inline: bool = False) -> str:
    """The figure as an SVG document (text kept as text), or with ``inline`` as an ``<svg>``
    element for a page, without a fixed size: its viewBox keeps the proportions and CSS sets the width."""
    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "squatlab"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    if not inline:
        return svg
    svg = svg[svg.index("<svg") :]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def figure_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def plot_files(trial: Trial, *, min_conf: float) -> dict[str, bytes]:
    """The plots as files: ``over-time.svg`` and ``over-time.png`` (the report shows the same)."""
    fig = overview_figure(trial, min_conf=min_conf)
    return {"over-time.svg": figure_svg(fig).encode("utf-8"), "over-time.png": figure_png(fig)}
