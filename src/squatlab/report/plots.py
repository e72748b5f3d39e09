"""Plots for the report, as PNG bytes (matplotlib's object API: no global state)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from squatlab import conventions as cv
from squatlab.trial import Trial

_REP_COLOUR = {True: "#7fc97f", False: "#bbbbbb"}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


def _shade_reps(ax, trial: Trial) -> None:
    for r in trial.reps:
        ax.axvspan(r.start_s, r.end_s, color=_REP_COLOUR[r.measurable], alpha=0.25, lw=0)
        ax.axvline(r.bottom_s, color="#555555", lw=0.6, ls=":")
        top = ax.get_ylim()[1] if ax.has_data() else 1.0
        ax.text(r.bottom_s, top, f"{r.index}{' (partial)' if r.partial else ''}", ha="center", va="bottom", fontsize=7)


def _plot_channel(ax, trial: Trial, name: str, colour: str) -> None:
    # Frames below the confidence floor carry no value (kinematics.withhold): they are gaps.
    ax.plot(trial.time_s, trial.channels[name].values, color=colour, lw=1.4, label=cv.CHANNELS[name].label)


def time_series_png(trial: Trial) -> bytes:
    """Three panels sharing time: rep signal, joint angles, pelvis tilt and lumbar flexion."""
    fig = Figure(figsize=(10, 7.5))
    axes = fig.subplots(3, 1, sharex=True)
    depth = trial.extras.get("depth_signal")
    if cv.HIP_HEIGHT in trial.channels and not trial.channels[cv.HIP_HEIGHT].is_absent:
        _plot_channel(axes[0], trial, cv.HIP_HEIGHT, "#1f77b4")
        axes[0].set_ylabel("hip height\n(leg lengths)")
    elif depth is not None:
        axes[0].plot(trial.time_s, depth, color="#1f77b4")
        axes[0].set_ylabel("depth signal")
    colours = ("#d62728", "#2ca02c", "#9467bd", "#8c564b")
    for name, colour in zip(cv.JOINT_ANGLES, colours, strict=True):
        if name in trial.channels and not trial.channels[name].is_absent:
            _plot_channel(axes[1], trial, name, colour)
    axes[1].set_ylabel("degrees")
    axes[1].legend(fontsize=7, loc="upper right", ncol=4)
    measured = [n for n in cv.LUMBO_PELVIC if n in trial.channels and not trial.channels[n].is_absent]
    for name, colour in zip(measured, ("#ff7f0e", "#17becf"), strict=False):
        _plot_channel(axes[2], trial, name, colour)
    axes[2].axhline(0, color="#444444", lw=0.8)
    axes[2].set_ylabel("degrees vs standing")
    if measured:
        axes[2].legend(fontsize=7, loc="upper right")
        axes[2].set_title("+ = anterior tilt / flexion", fontsize=8, loc="left")
    else:
        axes[2].text(0.5, 0.5, "pelvis tilt and lumbar flexion not measured", transform=axes[2].transAxes,
                     ha="center", va="center", color="#777777")  # fmt: skip
    for ax in axes:
        ax.grid(alpha=0.3)
        _shade_reps(ax, trial)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(
        "Reps shaded (green: measured, grey: not measurable); gaps: not measured with enough confidence", fontsize=9
    )
    return _png(fig)
