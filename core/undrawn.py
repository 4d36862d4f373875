"""Where a template's undrawn strokes go: round the ink, no larger than it calls for.

A template placed by the strokes drawn alone (its `Template.optional` strokes left out:
a smiley face's eyes and mouth, no face) would put the rest where the template has
them, and the template's face is twice the size of its eyes and mouth: round a real
drawing of eyes and a mouth it reached off the canvas and into the next doodle, with
nothing drawn to say it was that large. Nothing drawn says how large it is at all, so
an undrawn stroke is shrunk about its own centre to hold the ink no wider or taller
than UNDRAWN_MOST times the ink's larger side (the real dev smiley faces drawn with a
face are 1.5 to 2.4 times as tall or wide as their eyes and mouth: the tightest of
them), but never so far that it cuts through the ink (HOLD: each ink point stays
inside the box the stroke spans, taken as an ellipse, with a tenth to spare).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

UNDRAWN_MOST = 1.5  # an undrawn stroke's larger side, at most, over the ink's larger side
HOLD = 1.1  # how far inside the undrawn stroke (its box as an ellipse) the ink stays


def shrunk(stroke: np.ndarray, ink: np.ndarray, to_ink: Callable[[np.ndarray], np.ndarray]):
    """An undrawn stroke (n, 2), in the template's own (unit box) coordinates as is the
    ink (m, 2), shrunk about the middle of its box to hold the ink, placed by `to_ink`
    (the fit's `apply`) no wider or taller than UNDRAWN_MOST times the ink's larger
    side there. Never made larger. Returns it placed, (n, 2)."""
    stroke = np.asarray(stroke, np.float64)
    ink = np.asarray(ink, np.float64)
    lo, hi = stroke.min(axis=0), stroke.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    placed = to_ink(stroke)
    if len(ink) == 0 or not np.all(half > 0):
        return placed
    drawn = float(np.ptp(to_ink(ink), axis=0).max())
    most = UNDRAWN_MOST * drawn / max(float(np.ptp(placed, axis=0).max()), 1e-300)
    hold = HOLD * float(np.sqrt((((ink - centre) / half) ** 2).sum(axis=1)).max())
    scale = min(1.0, max(most, hold))
    return to_ink(centre + scale * (stroke - centre))
