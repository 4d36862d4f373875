"""Which strokes make one shape: the gap rule, gathering, and specks.

**The gap rule.** A stroke starts a new shape when its bounding box stays farther from
the current shape's than `new_shape_gap` times the larger of the two (and at least
`min_gap_px`): someone who draws elsewhere on the canvas is drawing something else,
and mixing it into the unfinished shape would only confuse the classifier. Strokes are
judged whole at pen-up, so a sun's ray that starts outside the disc still joins it.
The proportional rule is the same in any window; its minimum, there for small shapes
(an eye, a dot) whose proportional margin is a hair, is in screen pixels as the hand's
precision is: `min_gap_px` over the window's scale when the stroke was drawn
(`Stroke.scale`), so what is drawn on screen groups alike whatever the window's size
(in canvas units, two 30 px circles 40 px apart were one shape in a 3000 x 2000 window).

**Gathering.** When the shape a stroke went into comes near earlier shapes still in
ink by the same rule, it *gathers* them, the strokes in the order they were drawn: a
smiley face's two eyes drawn first are far apart for their size and start a shape
each, and the outline around them makes them one face again (so do a hexagon's top
and bottom sides, drawn first). Snapped and held shapes are never gathered; a stroke
*reopens* a snapped shape (the controller) only nearer, within `reopen_gap` of it, so
that a shape drawn beside a snapped one is not read with it.

**Specks.** A shape at most `SPECK_PX` screen pixels across is a click or a dot, never
a drawing: the controller does not judge it when the pen rests. The hand's slip is in
screen pixels, so the bound in canvas units is `SPECK_PX` over the window's scale when
the strokes were drawn (`Stroke.scale`): a click that slips 2 px in a 320 x 240 window
(8 canvas units there) is a speck, an 18 px dash in a 3000 x 2000 one (5 units) is not.

Plain functions of shapes and settings, used by the `Controller`; no pyglet.
"""

from __future__ import annotations

from live.canvas import Shape, ShapeState, Stroke
from live.geometry import Box, bbox_gap
from live.settings import LiveSettings

SPECK_PX = 6.0  # screen pixels: a shape no wider is a click or a dot


def joins(shape: Shape | None, stroke: Stroke, settings: LiveSettings) -> bool:
    """Whether `stroke` belongs with `shape`'s ink (the gap rule, module docstring)."""
    if shape is None or not shape.strokes:
        return False
    return near(shape.box(), stroke.box, settings, scale=stroke.scale)


def reopens(shape: Shape, stroke: Stroke, settings: LiveSettings) -> bool:
    """Whether `stroke` comes near enough to snapped `shape` to reopen it: within
    `reopen_gap` of it, nearer than ink must come to join (module docstring)."""
    return near(shape.box(), stroke.box, settings, settings.reopen_gap, scale=stroke.scale)


def near(a: Box, b: Box, settings: LiveSettings, gap: float | None = None, *, scale: float) -> bool:
    """Two bounding boxes (canvas units) no farther apart than `gap` (default
    `new_shape_gap`) times the larger one's size, and at least `min_gap_px` screen
    pixels at `scale` (view pixels per canvas unit)."""
    size = max(a[2] - a[0], a[3] - a[1], b[2] - b[0], b[3] - b[1])
    least = settings.min_gap_px / scale
    margin = max((settings.new_shape_gap if gap is None else gap) * size, least)
    return bbox_gap(a, b) <= margin


def gather(
    shape: Shape, shapes: list[Shape], settings: LiveSettings, scale: float
) -> tuple[tuple[int, Shape], ...]:
    """Merge into `shape` every other ink shape of `shapes` its ink has come near (the
    minimum gap at `scale`, the window's when the stroke that grew it was drawn), again
    while it grows, removing them from `shapes`; the strokes in drawing order. Returns
    (place, shape) of those merged."""
    gathered: list[tuple[int, Shape]] = []
    found = True
    while found:
        found = False
        box = shape.box()
        for other in shapes:
            if other is shape or other.state is not ShapeState.INK or not other.strokes:
                continue
            if near(box, other.box(), settings, scale=scale):
                gathered.append((shapes.index(other), other))
                shapes.remove(other)
                shape.strokes = sorted([*other.strokes, *shape.strokes], key=_start_time)
                found = True
                break
    return tuple(gathered)


def is_speck(shape: Shape) -> bool:
    """Ink too small to be a drawing: a click, a dot (at most SPECK_PX screen pixels
    across, at every window scale its strokes were drawn at)."""
    if not any(len(s.points) for s in shape.strokes):
        return True
    x0, y0, x1, y1 = shape.box()
    scale = max(s.scale for s in shape.strokes)
    return max(x1 - x0, y1 - y0) * scale <= SPECK_PX


def _start_time(stroke: Stroke) -> float:
    return float(stroke.times[0]) if len(stroke.times) else 0.0
