"""What is drawn on the canvas stays on it: a pyglet group that cuts its children to the
canvas's rectangle on screen (GL's scissor test).

A template is fitted to the ink, not to the canvas: an eyes-and-mouth smiley gets a
face around them about twice their size, which can reach past the canvas's edge (50 px
for a real doodle placed as `draw --score` places it). Ink, templates, the completion
preview and the stroke being drawn are drawn under a `CanvasClip`, so such a line ends
at the canvas's edge, as the PNG export cuts it, instead of running over the letterbox
band (the side panel, drawn after them and not under the clip, covered them already).
"""

from __future__ import annotations

import math

from pyglet import gl
from pyglet.graphics import Group

from live.geometry import Rect


def scissor_box(rect: Rect, ratio: float = 1.0) -> tuple[int, int, int, int]:
    """`rect` (view pixels) as GL's scissor box (x, y, width, height) in framebuffer
    pixels, `ratio` of them a view pixel (HiDPI): the pixels whose centres lie in it,
    as the canvas's rectangle itself covers them."""

    def edge(v: float) -> int:  # the first pixel whose centre is at or past v
        return math.ceil(v * ratio - 0.5)

    x0, y0, x1, y1 = edge(rect.x), edge(rect.y), edge(rect.x + rect.w), edge(rect.y + rect.h)
    return x0, y0, max(x1 - x0, 0), max(y1 - y0, 0)


class CanvasClip(Group):
    """Its children are drawn only inside `rect` (view pixels), `ratio` framebuffer
    pixels a view pixel; both are read at every draw, so a resize only sets them."""

    def __init__(self, order: int = 0, parent: Group | None = None) -> None:
        super().__init__(order=order, parent=parent)
        self.rect = Rect(0, 0, 0, 0)
        self.ratio = 1.0

    def set_state(self) -> None:
        gl.glEnable(gl.GL_SCISSOR_TEST)
        gl.glScissor(*scissor_box(self.rect, self.ratio))

    def unset_state(self) -> None:
        gl.glDisable(gl.GL_SCISSOR_TEST)

    def __eq__(self, other: object) -> bool:  # its state is its own: never merged
        return self is other

    def __hash__(self) -> int:
        return id(self)
