"""Marker and keypoint names: from what files call them to the canonical names the
angle code uses (:mod:`squatlab.kinematics.markers`).

Canonical names are Vicon Plug-in Gait's where Plug-in Gait has the landmark, plus
``LHJC``/``RHJC`` (explicit hip-joint centres), ``LHIP``/``RHIP`` (keypoint hips from a
pose model), ``LKNM``/``RKNM`` and ``LMED``/``RMED`` (medial knee and ankle), ``L1``,
``T12`` and ``NECK``. Built in: Plug-in Gait and common lab variants, OpenCap's
``*_study`` markers, OpenPose/HALPE_26 keypoints (Pose2Sim, Sports2D) and BlazePose's
landmark names. Anything else goes through a user marker map (JSON or TOML file of
``canonical = "label in the file"``).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from squatlab.errors import InputError
from squatlab.io._messages import one_line

# Templates: {S} = L/R, {s} = l/r, {side} = left/right. Matching ignores case, so
# OpenCap's "r.ASIS_study" and "L.ASIS_study" both match "{s}.ASIS_study".
_SIDED: dict[str, tuple[str, ...]] = {
    "ASI": ("{S}ASI", "{S}ASIS", "{S}_ASIS", "{s}.ASIS", "{s}.ASIS_study", "{side}_asis"),
    "PSI": ("{S}PSI", "{S}PSIS", "{S}_PSIS", "{s}.PSIS", "{s}.PSIS_study", "{side}_psis"),
    "HJC": ("{S}HJC", "{S}HJC_study", "{S}_HJC", "{S}HipJC", "{side}_hjc"),
    "HIP": ("{S}Hip", "{side}_hip", "{S}_hip"),
    "KNE": ("{S}KNE", "{S}Knee", "{s}_knee_study", "{side}_knee", "{S}LFC", "{S}LEK", "{S}_knee"),
    "KNM": ("{S}KNM", "{S}MKNE", "{S}KNEM", "{s}_mknee_study", "{S}MFC", "{S}MEK"),
    "ANK": ("{S}ANK", "{S}Ankle", "{s}_ankle_study", "{side}_ankle", "{S}LMAL", "{S}LM", "{S}_ankle"),
    "MED": ("{S}MED", "{S}MMA", "{S}MMAL", "{S}ANKM", "{s}_mankle_study", "{S}MM"),
    "HEE": ("{S}HEE", "{S}Heel", "{S}HEEL", "{s}_calc_study", "{side}_heel", "{S}CAL"),
    "TOE": ("{S}TOE", "{S}BigToe", "{s}_toe_study", "{side}_foot_index", "{S}MT2"),
    "SHO": ("{S}SHO", "{S}Shoulder", "{s}_shoulder_study", "{side}_shoulder", "{S}ACR"),
}
_CENTRAL: dict[str, tuple[str, ...]] = {
    "SACR": ("SACR", "SACRUM", "SAC", "S2"),
    "L1": ("L1", "L1_study"),
    "T12": ("T12",),
    "T10": ("T10",),
    "C7": ("C7", "C7_study"),
    "CLAV": ("CLAV", "IJ", "JN"),
    "STRN": ("STRN", "PX", "XP", "XIPH"),
    "NECK": ("Neck", "NECK"),
}


def _expand(template: str, side: str) -> str:
    s = side.lower()
    return template.format(S=side, s=s, side="left" if side == "L" else "right")


def builtin_aliases() -> dict[str, tuple[str, ...]]:
    """Canonical name -> the labels recognised for it, in order of preference.

    >>> builtin_aliases()["RASI"][:3]
    ('RASI', 'RASIS', 'R_ASIS')
    """
    out: dict[str, tuple[str, ...]] = dict(_CENTRAL)
    for stem, templates in _SIDED.items():
        for side in ("L", "R"):
            out[f"{side}{stem}"] = tuple(_expand(t, side) for t in templates)
    return out


CANONICAL: tuple[str, ...] = tuple(sorted(builtin_aliases()))


def _strip_prefix(label: str) -> str:
    # Vicon writes "Subject:LASI"; keep what follows the last colon.
    return label.rsplit(":", 1)[-1].strip()


def match_labels(labels: Iterable[str], marker_map: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map canonical names to the labels present in a file.

    Parameters
    ----------
    labels : iterable of str
        Marker or keypoint labels as the file writes them.
    marker_map : mapping, optional
        ``canonical -> label`` entries that take precedence over the built-in names.

    Returns
    -------
    dict
        ``canonical -> label`` for every canonical name found.

    Examples
    --------
    >>> match_labels(["S1:LASI", "r.ASIS_study", "LKnee", "Foo"])
    {'LASI': 'S1:LASI', 'LKNE': 'LKnee', 'RASI': 'r.ASIS_study'}
    >>> match_labels(["LeftFrontPelvis"], {"LASI": "LeftFrontPelvis"})
    {'LASI': 'LeftFrontPelvis'}
    """
    labels = list(labels)
    by_key = {}
    for label in labels:
        by_key.setdefault(_strip_prefix(label).casefold(), label)
    found: dict[str, str] = {}
    for canonical, aliases in builtin_aliases().items():
        for alias in aliases:
            if alias.casefold() in by_key:
                found[canonical] = by_key[alias.casefold()]
                break
    for canonical, label in (marker_map or {}).items():
        key = _strip_prefix(label).casefold()
        if key not in by_key:
            raise InputError(f"marker map names {label!r} for {canonical}, but the file has no such marker")
        found[canonical] = by_key[key]
    return dict(sorted(found.items()))


def load_marker_map(path: str | Path) -> dict[str, str]:
    """Read a user marker map (``.json`` or ``.toml``): ``{canonical: label in the file}``.

    Raises :class:`InputError` for an unreadable file or a key that is not a canonical name.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read marker map {path}: {one_line(exc)}") from exc
    if isinstance(data, dict) and "markers" in data and isinstance(data["markers"], dict):
        data = data["markers"]
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(f"marker map {path} must map canonical names to marker labels (strings)")
    unknown = sorted(set(data) - set(CANONICAL))
    if unknown:
        raise InputError(f"marker map {path}: unknown canonical names {unknown}; allowed: {', '.join(CANONICAL)}")
    return {str(k): str(v) for k, v in data.items()}
