"""What was measured: frames below the confidence floor and reps that cannot be measured are withheld.

Every angle carries a confidence, but a number left in place with confidence 0 is still a
number: smoothing spreads it to its neighbours, a peak finder picks it, a table prints it.
This stage makes "not measured" hold in the data itself, once, so that every later stage
and every output follows: a frame whose confidence is below ``settings.outline.min_conf``
loses its value (NaN, confidence 0), and so does every frame of a rep marked not measurable
(e.g. filmed from the front), whose reason stays on the rep. :func:`withhold` runs after the
estimators have read the raw channels and before the standing baseline, so that the
baseline, the findings, results.json, timeseries.csv, the report and the overlay see only
measured frames. For video, :func:`withhold_out_of_range` then withholds the frames whose
reported pelvis tilt or lumbar flexion (relative to the final baseline) leave the
physiological ranges of ``settings.outline``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from squatlab import conventions as cv
from squatlab.settings import OutlineSettings
from squatlab.trial import Notice, Trial

# The rep signal stays in not-measurable reps: hip height (in leg lengths) holds in any view
# and is what found and timed the rep; it is not an angle of the sagittal plane.
KEPT_IN_UNMEASURABLE_REPS = (cv.HIP_HEIGHT,)
# The code of the estimator's warning that its own values left the ranges (kinematics.lumbopelvic).
ESTIMATE_OUT_OF_RANGE = "lumbopelvic_implausible"
# Below this share of the rep frames, out-of-range frames are withheld without a warning:
# a few frames at a curve's edge are not worth the reader's attention.
_OUT_OF_RANGE_NOTICE_SHARE = 0.05


def unmeasurable_frames(trial: Trial) -> np.ndarray:
    """Per frame, whether it lies in a rep marked not measurable.

    >>> from squatlab.testing.sets import synthetic_set
    >>> trial = synthetic_set(n_reps=2)
    >>> trial = replace(trial, reps=(trial.reps[0], replace(trial.reps[1], measurable=False, reason="front")))
    >>> mask = unmeasurable_frames(trial)
    >>> bool(mask[trial.reps[0].bottom_frame]), bool(mask[trial.reps[1].bottom_frame])
    (False, True)
    """
    mask = np.zeros(trial.n_frames, dtype=bool)
    for rep in trial.reps:
        if not rep.measurable:
            mask[rep.start_frame : rep.end_frame + 1] = True
    return mask


def withhold(trial: Trial, min_conf: float) -> Trial:
    """The trial with every frame below ``min_conf`` and every not-measurable rep's angles withheld.

    Parameters
    ----------
    trial : Trial
        With its reps found (``Rep.measurable`` set).
    min_conf : float
        The confidence floor, ``settings.outline.min_conf``: frames with a lower confidence
        get NaN and confidence 0 in every channel.

    Returns
    -------
    Trial
        A copy in which, for every present channel, a value is finite exactly where its
        confidence is at or above the floor; channels other than
        :data:`KEPT_IN_UNMEASURABLE_REPS` are NaN throughout the reps marked not measurable.
        Absent channels are kept as they are.

    Examples
    --------
    >>> from squatlab.trial import Channel, Source
    >>> trial = Trial(np.arange(3) / 30, Source("x", "synthetic", 30.0, 0.1, 3),
    ...               {"pelvis_tilt_deg": Channel.measured(np.array([1.0, 50.0, 2.0]), np.array([0.9, 0.0, 0.2]))})
    >>> out = withhold(trial, 0.3).channels["pelvis_tilt_deg"]
    >>> out.values.tolist(), out.conf.tolist()
    ([1.0, nan, nan], [0.9, 0.0, 0.0])
    """
    in_unmeasurable = unmeasurable_frames(trial)
    channels = {}
    for name, channel in trial.channels.items():
        if channel.is_absent:
            channels[name] = channel
            continue
        keep = np.isfinite(channel.values) & (channel.conf >= min_conf)
        if name not in KEPT_IN_UNMEASURABLE_REPS:
            keep &= ~in_unmeasurable
        channels[name] = replace(
            channel, values=np.where(keep, channel.values, np.nan), conf=np.where(keep, channel.conf, 0.0)
        )
    return replace(trial, channels=channels)


def out_of_range(pelvis: np.ndarray, lumbar: np.ndarray, limits: OutlineSettings) -> np.ndarray:
    """Frames where pelvis tilt or lumbar flexion (deg vs standing) leave the ranges of ``limits``; NaN is in range.

    >>> out_of_range(np.array([10.0, 10.0, np.nan]), np.array([-20.0, 5.0, 5.0]), OutlineSettings()).tolist()
    [True, False, False]
    """
    with np.errstate(invalid="ignore"):
        out = (pelvis < limits.pelvis_min_deg) | (pelvis > limits.pelvis_max_deg)
        out |= (lumbar < limits.lumbar_min_deg) | (lumbar > limits.lumbar_max_deg)
    return out


def withhold_out_of_range(trial: Trial, limits: OutlineSettings) -> Trial:
    """The trial with pelvis tilt and lumbar flexion withheld (both) where either leaves the physiological range.

    For the back's-outline estimate (video), after the baseline: the estimator guards its own
    output against the same ranges, but against its own standing reference; the numbers
    reported are relative to the set's baseline, and they are what must stay in range. The
    absolute channels are withheld at the same frames. A warning says how much of the rep
    frames this withheld when it is more than a few, unless the estimator already warned
    that its values left the ranges (``lumbopelvic_implausible``).
    """
    pelvis, lumbar = (trial.channels.get(name) for name in cv.LUMBO_PELVIC)
    n = trial.n_frames
    out = out_of_range(
        pelvis.values if pelvis is not None and not pelvis.is_absent else np.full(n, np.nan),
        lumbar.values if lumbar is not None and not lumbar.is_absent else np.full(n, np.nan),
        limits,
    )
    if not out.any():
        return trial
    channels = {
        name: replace(ch, values=np.where(out, np.nan, ch.values), conf=np.where(out, 0.0, ch.conf))
        for name in (*cv.LUMBO_PELVIC, cv.PELVIS_TILT_ABS, cv.LUMBAR_FLEXION_ABS)
        if (ch := trial.channels.get(name)) is not None and not ch.is_absent
    }
    trial = trial.with_channels(**channels)
    in_reps = np.zeros(n, dtype=bool)
    for rep in trial.reps:
        in_reps[rep.start_frame : rep.end_frame + 1] |= rep.measurable
    share = float(np.mean(out[in_reps])) if in_reps.any() else 0.0
    # The estimator's own range guard may already have said that out-of-range frames are not
    # reported; a second warning in other words would read as a second problem.
    said = any(n.code == ESTIMATE_OUT_OF_RANGE for n in trial.notices)
    if share <= _OUT_OF_RANGE_NOTICE_SHARE or said:
        return trial
    return trial.with_notices(
        Notice(
            "lumbopelvic_out_of_range",
            f"Relative to your standing posture, pelvis tilt or lumbar flexion left the physiological range "
            f"(pelvis {limits.pelvis_min_deg:g} to {limits.pelvis_max_deg:g} deg, lumbar {limits.lumbar_min_deg:g} "
            f"to {limits.lumbar_max_deg:g} deg) in {share:.0%} of the rep frames; those frames are not reported. "
            "The back's outline probably misled the estimate there (loose clothing, an unusual body shape).",
        )
    )
