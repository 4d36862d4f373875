"""How far ink lies from a placed template stroke by stroke: each of the ink's strokes
from the one part of the template (one of its strokes) that lies closest to it.

The chamfer distance of `core.registration` takes every ink point to the nearest
point of any part, so one stroke may be explained by several parts at once: a lone
circle runs through a smiley face's two eyes and along its mouth, and the eyes and
mouth placed without the outline, twice the circle's size, fit it about as closely as
the whole face does. A pen lifts between parts, so a stroke is drawn for one part:
measured part by part, the circle is far from the eyes and from the mouth, and lies
on the outline. `core.fit` weighs the forms of a template (with and without the
strokes people leave out, its variants) by this distance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.registration import Shape, nearest


def from_ink_by_stroke(
    parts: Sequence[Shape],
    ink: np.ndarray,
    stroke: np.ndarray,
    z: complex,
    shift: complex,
    mirrored: bool,
    k: float,
) -> float:
    """The ink's mean distance to the template, each stroke's points to the one part
    that is closest to them on average.

    `parts`: the template's strokes (each a `Shape`, in the frame where the whole
    template is placed by ``z * F(T(p)) + shift``, F the mirror where `mirrored`, T the
    stretch k times as tall); `ink`: (N,) complex points; `stroke`: (N,) the stroke
    each point lies on. In ink units (as `Pairs.from_ink`).
    """
    in_frame = (np.asarray(ink) - shift) / z
    if mirrored:
        in_frame = -np.conj(in_frame)
    tall = np.array([k], np.float64)
    d = np.stack([nearest(in_frame[None], part.stretched(tall))[1][0] for part in parts])
    _, which, count = np.unique(stroke, return_inverse=True, return_counts=True)
    per_stroke = np.stack([np.bincount(which, row, len(count)) for row in d]) / count
    return float(abs(z) * (per_stroke.min(axis=0) * count).sum() / count.sum())
