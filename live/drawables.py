"""Pyglet drawables that mirror a `Scene` into the window's one batch.

`SceneView.show(scene, layout)` updates the batch to match: strokes become `InkLine`
shapes, kept by the identity of their points (which never change): only new strokes
are built, a fading one is recoloured in place, and a scene of the same lines costs
nothing a stroke. The stroke being drawn grows by pieces, `GrowingLine`, so only
its new points are built, and its pieces stay as the finished stroke's.
The side panel and the help overlay are labels and rectangles positioned from the
layout. The panel's text is broken into lines here, once, by the pixel width of its
glyphs (`show_text`), and shortened in the middle with "..." where the panel has no
room for it (a path's middle: its file name and the error after it stay). Layers
are ordered groups: canvas, the completion preview, ink, templates, panel, overlay;
the preview, ink and templates are cut to the canvas's rectangle (`live.clip`).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable

import numpy as np
import pyglet
from pyglet.gl import GL_ONE_MINUS_SRC_ALPHA, GL_SRC_ALPHA
from pyglet.graphics import Batch, Group
from pyglet.shapes import Rectangle, ShapeBase

from live.clip import CanvasClip
from live.geometry import Layout, Rect
from live.scene import Panel, Polyline, Scene
from live.settings import Colours

_DISC = 8  # triangles of the round cap drawn at every point


_OPENING = "([{<\"'"  # a word broken across lines never leaves these alone at a line's end


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` in lines narrower than `width` pixels as `measure` (a label's font) gives
    them: broken at spaces, and a word wider than a line (a long path) where the line
    is full; its own newlines kept. Each line is narrower than `width` itself, so the
    label's own wrapping (by the same glyphs) never breaks it again: breaking once by
    a character estimate and again by pixels left one-word lines ("below"). A long word
    of which only a bracket would end a line starts on the next one ("(CNN+LSTM) (" /
    "frankenstein_trained_on_...")."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        tokens = re.split(r"( +)", paragraph)  # words, and the spaces between them
        for space, word in zip(["", *tokens[1::2]], tokens[::2], strict=True):
            joined = f"{line}{space}{word}" if line else word
            if not word or measure(joined) < width:
                line = joined
            elif measure(word) < width:
                lines.append(line)
                line = word
            else:
                line = f"{line}{space}" if line else ""
                piece = ""  # the word's characters on this line
                for char in word:  # too wide for any line: broken where the line is full
                    if (line + piece).strip() and measure(line + piece + char) >= width:
                        if line.strip() and not piece.strip(_OPENING):  # the word moves on
                            lines.append(line.rstrip())
                            line = ""
                        else:
                            lines.append((line + piece).rstrip())
                            line, piece = "", ""
                    piece += char
                line += piece
        lines.append(line)
    return lines


def text_width(label, text: str) -> float:
    """How wide one line of `text` is in `label`'s font, as its layout places the glyphs."""
    glyphs, offsets = label.document.get_font(0, dpi=label.dpi).get_glyphs(text)
    return sum(g.advance + o.x_advance for g, o in zip(glyphs, offsets, strict=True))


def lines_of(label, text: str, width: float) -> int:
    """How many lines `show_text` breaks `text` into at `width`, in `label`'s font."""
    return len(wrap(text, width, functools.partial(text_width, label))) if text else 0


def line_height(label) -> float:
    """The height of a line of `label`'s text, in its font and size as set."""
    font = label.document.get_font(0, dpi=label.dpi)
    return font.ascent - font.descent


def show_text(label, text: str, width: float, room: float, max_lines: int = 99) -> None:
    """Give a multiline `label` `text` wrapped to `width` pixels (`wrap`, in its font and
    size as set), in as many lines (up to `max_lines`) as `room` pixels of height take:
    when it needs more, shortened in the middle (`shorten`), as a long message would
    otherwise run past the panel's bottom or over its other text. Cut at its end, a
    failed save lost its cause ("cannot save /tmp/very_long_fo..."), a checkpoint's
    name its epoch."""
    measure = functools.partial(text_width, label)
    lines = wrap(text, width, measure) if text else []
    _set(label, text="\n".join(lines))
    if not lines:
        return
    keep = min(int(room // (label.content_height / len(lines))), max_lines)
    if keep >= len(lines):
        return
    short = shorten(text, lambda t: len(wrap(t, width, measure)) <= keep) if keep > 0 else ""
    _set(label, text="\n".join(wrap(short, width, measure)) if short else "")


def shorten(text: str, fits: Callable[[str], bool]) -> str:
    """`text` with as few characters as `fits` asks for left out, for "...": from its
    longest word, if that is long and cutting it is enough (a path, a checkpoint's name:
    its start stays, and more of its end: the file name, the epoch, the ")" after it),
    else from the middle of the text; either way the text's start and end stay (what
    failed, and the error's cause). "" if even "..." is too long."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    a, b = max(words, key=lambda w: w[1] - w[0], default=(0, 0))
    keep = 6  # of the word, at either end

    def in_word(n: int) -> str:  # 2 parts of what stays before the cut, 3 after it
        return _cut(text, a + keep + (b - a - 2 * keep - n) * 2 // 5, n)

    def in_text(n: int) -> str:
        return _cut(text, min(max(len(text) // 2 - n // 2, 0), len(text) - n), n)

    for cut, most in ((in_word, b - a - 2 * keep), (in_text, len(text))):
        if most > 0 and fits(cut(most)):
            lo, hi = 1, most  # the fewest characters left out that fit
            while lo < hi:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if fits(cut(mid)) else (mid + 1, hi)
            return cut(hi)
    return ""


def _cut(text: str, start: int, n: int) -> str:
    """`text` without the `n` characters from `start`, "..." in their place."""
    return f"{text[:start].rstrip()}...{text[start + n :].lstrip()}"


class InkLine(ShapeBase):
    """A thick polyline with round joins and caps, built with numpy (one vertex list).

    Each segment is a quad (2 triangles) and each point a small disc, so sharp turns
    and single-point strokes (dots) look like pen ink. Without `first_disc` the first
    point has none: a piece of a longer line whose last point, with its disc, is in
    the piece before, so every disc is drawn once.

    With a `backdrop` colour, a see-through line (opacity under 255: the completion
    preview, ink fading out) is drawn opaque in its colour blended over the backdrop
    (the canvas), as it looks there: its quads and discs overlap at every point, and
    blended each over the other they showed a darker bead at every one.
    """

    def __init__(
        self,
        points: np.ndarray,
        thickness: float,
        colour: tuple[int, int, int, int],
        batch: Batch | None = None,
        group: Group | None = None,
        first_disc: bool = True,
        backdrop: tuple[int, int, int] | None = None,
    ) -> None:
        self._backdrop = backdrop
        self._points = np.asarray(points, np.float32).reshape(-1, 2)
        self._thickness = thickness
        self._rgba = colour
        self._discs = self._points if first_disc else self._points[1:]
        n = len(self._points)
        super().__init__(
            6 * max(n - 1, 0) + 3 * _DISC * len(self._discs),
            GL_SRC_ALPHA,
            GL_ONE_MINUS_SRC_ALPHA,
            batch,
            group,
        )

    def _create_vertex_list(self) -> None:
        """The vertex list, its attributes written with numpy: pyglet's own initial data
        goes through Python a number at a time (250 ms for a 20,000-point stroke)."""
        self._vertex_list = self._program.vertex_list(
            self._num_verts,
            self._draw_mode,
            self._batch,
            self._group,
            position="f",
            colors="Bn",
            translation="f",
            rotation="f",
        )
        self._update_vertices()
        self._update_color()
        for name in ("translation", "rotation"):
            _view(getattr(self._vertex_list, name), np.float32)[:] = 0.0

    def _get_vertices(self) -> np.ndarray:
        p, r = self._points, self._thickness / 2
        a, b = p[:-1], p[1:]  # (S, 2) segment ends
        d = b - a
        length = np.linalg.norm(d, axis=1, keepdims=True)
        nrm = np.where(length > 0, np.stack([-d[:, 1], d[:, 0]], 1) / np.maximum(length, 1e-9), 0)
        nrm = nrm * r
        quads = np.stack([a + nrm, a - nrm, b + nrm, a - nrm, b - nrm, b + nrm], 1)  # (S, 6, 2)
        ang = np.linspace(0, 2 * np.pi, _DISC + 1, dtype=np.float32)
        ring = np.stack([np.cos(ang), np.sin(ang)], 1) * r  # (K+1, 2)
        fan = np.stack(
            [np.zeros_like(ring[:-1]), ring[:-1], ring[1:]], 1
        )  # (K, 3, 2) around the origin
        discs = self._discs[:, None, None, :] + fan[None]  # (n, K, 3, 2)
        return np.concatenate([quads.reshape(-1), discs.reshape(-1)]).astype(np.float32)

    def _update_vertices(self) -> None:
        _view(self._vertex_list.position, np.float32)[:] = self._get_vertices()

    def _update_color(self) -> None:
        """Every vertex's colour written in place, 4 bytes at once (`opacity`, as ink
        fades out): pyglet's own way builds a tuple of 4 numbers a vertex."""
        rgba = np.frombuffer(bytes(_over(self._rgba, self._backdrop)), np.uint32)[0]
        _view(self._vertex_list.colors, np.uint32)[:] = rgba


def _over(rgba: tuple[int, int, int, int], backdrop: tuple[int, int, int] | None) -> tuple:
    """`rgba` blended over `backdrop`, opaque (as it is when there is none)."""
    if backdrop is None or rgba[3] == 255:
        return rgba
    k = rgba[3] / 255
    return (*(round(c * k + b * (1 - k)) for c, b in zip(rgba[:3], backdrop, strict=True)), 255)


def _view(region, dtype) -> np.ndarray:
    """A vertex list's attribute (pyglet's ctypes array of it, which marks it to be sent
    to the GPU) as a numpy array of its memory."""
    return np.frombuffer(region, dtype) if len(region) else np.empty(0, dtype)


class GrowingLine:
    """The stroke being drawn, as `InkLine` pieces of `PIECE` segments each: a new point
    rebuilds only the last piece, so a drag event costs the same at the 6,000th point
    as at the 10th (rebuilding the whole stroke took 40 ms an event there). When the
    stroke ends its pieces stay, as the finished stroke's drawable (`extends`): building
    it again as one line took 300 ms at 20,000 points."""

    PIECE = 64

    def __init__(
        self, key: tuple, thickness: float, colour: tuple, batch, group, backdrop=None
    ) -> None:
        self.key = key  # (stroke number, style): another key needs another GrowingLine
        self._style = (thickness, colour, batch, group)
        self._backdrop = backdrop
        self._pieces: list[InkLine] = []  # finished pieces, the last point of one shared
        self._tail: InkLine | None = None  # with the first of the next, then the tail
        self._start = 0  # the tail's first point
        self.points = np.empty((0, 2), np.float32)  # the canvas points shown

    def show(self, points: np.ndarray, layout: Layout) -> None:
        """Show `points` (canvas), the points shown before plus any new ones."""
        n = len(points)
        if n == len(self.points):
            return
        while n - 1 - self._start > self.PIECE:  # the tail is full: it becomes a piece
            end = self._start + self.PIECE
            self._pieces.append(self._line(points[self._start : end + 1], layout))
            self._start = end
        if self._tail is not None:
            self._tail.delete()
        self._tail = self._line(points[self._start :], layout)
        self.points = points  # a view the stroke's later points do not change

    def extends(self, points: np.ndarray) -> bool:
        """Whether `points` are the points shown, maybe with more after them."""
        n = len(self.points)
        return n > 0 and len(points) >= n and np.array_equal(points[:n], self.points)

    def _line(self, points: np.ndarray, layout: Layout) -> InkLine:
        first = self._start == 0  # a later piece's first disc is the last of the one before
        return InkLine(
            layout.to_view(points), *self._style, first_disc=first, backdrop=self._backdrop
        )

    @property
    def opacity(self) -> int:
        return self._style[1][3]

    @opacity.setter
    def opacity(self, value: int) -> None:
        thickness, colour, batch, group = self._style
        self._style = (thickness, (*colour[:3], value), batch, group)
        for piece in [*self._pieces, self._tail]:
            if piece is not None:
                piece.opacity = value

    @property
    def group(self) -> Group:
        return self._style[3]

    @group.setter
    def group(self, value: Group) -> None:
        thickness, colour, batch, _ = self._style
        self._style = (thickness, colour, batch, value)
        for piece in [*self._pieces, self._tail]:
            if piece is not None:
                piece.group = value

    def delete(self) -> None:
        for piece in [*self._pieces, self._tail]:
            if piece is not None:
                piece.delete()
        self._pieces, self._tail = [], None


def _same(a: tuple, b: tuple) -> bool:
    """Whether two tuples hold the same objects (by identity: arrays have no `==`)."""
    return len(a) == len(b) and all(map(operator.is_, a, b))


class SceneView:
    """The batch's content for a scene: canvas, strokes, panel, help overlay."""

    def __init__(self, batch: Batch, colours: Colours) -> None:
        self.batch, self.colours = batch, colours
        # canvas, ink, panel, panel text, overlay; the completion preview (order 1) lies
        # over the canvas and under every stroke, templates (3) over the ink: a snap's
        # template over its fading ink, as the scene orders them, whatever the places
        # of their vertices (a batch draws one group's strokes in that order). The
        # three are cut to the canvas (`clip`); the canvas itself and the panel are not.
        # The preview and ink fading out are drawn opaque, as they look on the canvas
        # (`InkLine`'s backdrop): ink fading out goes under the ink that is not
        # (`faded`, then `ink`, in the ink's group), so it never covers it
        self.clip = CanvasClip(order=1)
        self.groups = [
            Group(order=0),
            Group(order=2, parent=self.clip),
            *(Group(order=o) for o in (4, 5, 6)),
        ]
        self.under = Group(order=1, parent=self.clip)
        self.faded = Group(order=0, parent=self.groups[1])
        self.ink = Group(order=1, parent=self.groups[1])
        self.templates = Group(order=3, parent=self.clip)
        c = colours
        self.canvas = Rectangle(0, 0, 1, 1, color=c.canvas, batch=batch, group=self.groups[0])
        self.panel_back = Rectangle(0, 0, 1, 1, color=c.panel, batch=batch, group=self.groups[2])
        # (id(points), kind, colour, width) -> (points, drawable): the strokes drawn, by
        # the identity of their points (never changed; held here, so the id is not reused)
        self._lines: dict[tuple, tuple[np.ndarray, InkLine | GrowingLine]] = {}
        self._shown: tuple[Polyline, ...] = ()  # the lines they show, but the growing one
        self._view: tuple | None = None  # the layout they are drawn for
        self._growing: GrowingLine | None = None
        text = dict(color=(*c.text, 255), batch=batch, group=self.groups[3])
        top = dict(anchor_y="top", **text)
        self.title = pyglet.text.Label("Frankenstein", font_size=16, weight="bold", **top)
        self.model = pyglet.text.Label("", font_size=10, multiline=True, width=200, **top)
        self.guess_names = [pyglet.text.Label("", font_size=12, **top) for _ in range(3)]
        self.guess_probs = [
            pyglet.text.Label("", font_size=11, anchor_x="right", **top) for _ in range(3)
        ]
        self.bar_backs = [
            Rectangle(0, 0, 1, 1, color=c.bar_back, batch=batch, group=self.groups[2])
            for _ in range(3)
        ]
        self.bars = [
            Rectangle(0, 0, 1, 1, color=c.bar, batch=batch, group=self.groups[3]) for _ in range(3)
        ]
        self.info = pyglet.text.Label("", font_size=10, multiline=True, width=200, **top)
        self.status = pyglet.text.Label("", font_size=10, multiline=True, width=200, **top)
        self.error = pyglet.text.Label(
            "",
            font_size=10,
            multiline=True,
            width=200,
            anchor_y="top",
            color=(*c.error, 255),
            batch=batch,
            group=self.groups[3],
        )
        self.hint = pyglet.text.Label("H: help", font_size=9, **text)
        self._full_height = self._height_at_full_size()
        self.overlay = Rectangle(
            0, 0, 1, 1, color=(20, 22, 28, 225), batch=batch, group=self.groups[3]
        )
        over = dict(color=(245, 245, 245, 255), batch=batch, group=self.groups[4], font_size=12)
        self.help_title = pyglet.text.Label("Keys", weight="bold", **over)
        self.help_keys: list[pyglet.text.Label] = []
        self.help_what: list[pyglet.text.Label] = []
        self._over = over
        self._panel_shown: tuple | None = None

    # ---------------------------------------------------------------- strokes

    def _show_lines(self, lines: tuple[Polyline, ...], layout: Layout) -> None:
        """Strokes drawn stay while their points do (an alpha that changes, ink fading
        out, is written into them); only new ones are built. The lines held by the
        scene before, the same objects (`CanvasLines`), cost nothing."""
        view = (layout.scale, layout.canvas.x, layout.canvas.y)
        if view != self._view:  # another scale or place: everything is built again
            self._clear_lines()
            self._view = view
        growing = lines[-1] if lines and lines[-1].growing is not None else None
        fixed = lines[:-1] if growing is not None else lines
        if not _same(fixed, self._shown):
            self._show_fixed(fixed, layout, stroke_ended=growing is None)
            self._shown = fixed
        if growing is not None:
            self._show_growing(growing, layout)
        elif self._growing is not None:  # the stroke ended, and is no line now
            self._growing.delete()
            self._growing = None

    def _show_fixed(self, lines: tuple[Polyline, ...], layout: Layout, stroke_ended: bool) -> None:
        keep: dict[tuple, tuple[np.ndarray, InkLine | GrowingLine]] = {}
        for line in lines:
            alpha = round(min(max(line.alpha, 0.0), 1.0) * 255)
            key = (id(line.points), line.kind, line.colour, line.width)
            if key in keep:  # the same stroke drawn twice stays two drawables
                key = (*key, len(keep))
            points, drawable = self._lines.pop(key, (line.points, None))
            if drawable is None and stroke_ended and self._adopts(line):
                drawable, self._growing = self._growing, None  # its pieces are drawn
                drawable.show(line.points, layout)  # and a last point, if the pen-up added one
            if drawable is None:
                drawable = InkLine(
                    layout.to_view(line.points),
                    max(line.width * layout.scale, 1.0),
                    (*line.colour, alpha),
                    self.batch,
                    self._group(line.kind, alpha),
                    backdrop=self._backdrop(line.kind),
                )
            elif drawable.opacity != alpha:
                drawable.opacity = alpha
                drawable.group = self._group(line.kind, alpha)
            keep[key] = (points, drawable)
        for _, drawable in self._lines.values():
            drawable.delete()
        self._lines = keep

    def _group(self, kind: str, alpha: int = 255) -> Group:
        ink = self.ink if alpha == 255 else self.faded
        return {"preview": self.under, "template": self.templates}.get(kind, ink)

    def _backdrop(self, kind: str) -> tuple[int, int, int] | None:
        """What a see-through line of `kind` is blended over, drawn opaque: the canvas,
        for the preview and the ink. Not for a template (opaque but mid-morph): over the
        ink it moves away from, that ink shows through it."""
        return None if kind == "template" else self.colours.canvas

    def _adopts(self, line: Polyline) -> bool:
        """Whether `line` is the stroke just drawn, finished: the growing line shows it."""
        g = self._growing
        return (
            g is not None
            and line.kind == "ink"
            and g.key[1:3] == (line.colour, line.width)
            and g.extends(line.points)
        )

    def _clear_lines(self) -> None:
        for _, drawable in self._lines.values():
            drawable.delete()
        self._lines, self._shown = {}, ()
        if self._growing is not None:
            self._growing.delete()
            self._growing = None

    def _show_growing(self, line: Polyline, layout: Layout) -> None:
        """The stroke being drawn: only its new points are built."""
        key = (line.growing, line.colour, line.width, line.alpha)
        if self._growing is None or self._growing.key != key:
            if self._growing is not None:
                self._growing.delete()
            thickness = max(line.width * layout.scale, 1.0)
            colour = (*line.colour, round(min(max(line.alpha, 0.0), 1.0) * 255))
            group = self._group("ink", colour[3])
            backdrop = self._backdrop("ink")
            self._growing = GrowingLine(key, thickness, colour, self.batch, group, backdrop)
        self._growing.show(line.points, layout)

    # ------------------------------------------------------------------ panel

    def _height_at_full_size(self) -> float:
        """How tall the panel's text is at full size, as `_show_panel` lays it out: the
        title, a line of model, the three guesses with their bars, the info's two lines,
        two lines of status, the hint; and the padding above and below."""
        h = line_height
        guesses = 3 * (h(self.guess_names[0]) + 2 + 8 + 19)
        text = h(self.title) + 4 + h(self.model) + 12 + guesses + 2 * h(self.info) + 8
        return 2 * 14 + text + 2 * h(self.status) + 6 + h(self.hint)

    def _show_panel(self, panel: Panel, layout: Layout, hidden: bool = False) -> None:
        """Top down: title, model, the guesses with bars, info, status, error; "H: help"
        at the bottom. In a small window everything shrinks (`panel_scale`). `hidden`:
        none of it shows (the help lies over the panel: its rows ran into the panel's
        text, dimmed under it)."""
        r = layout.panel
        k = panel_scale(r, self._full_height)
        pad = round(14 * k)
        left, right, width = r.x + pad, r.x + r.w - pad, max(r.w - 2 * pad, 10)
        _set(self.panel_back, position=(r.x, r.y), width=r.w, height=r.h)
        y = r.y + r.h - pad
        _set(self.title, font_size=16 * k, position=(left, y, 0))
        y -= self.title.content_height + 4 * k
        bottom = r.y + pad  # what runs lower is cut (`show_text`)
        _set(self.model, font_size=10 * k, width=width, position=(left, y, 0))
        model = f"model: {panel.model}"
        if panel.no_model:  # said here, where the guesses would be, while the status moves on
            model += " (drawing works, but no guesses)"
        show_text(self.model, model, width, y - bottom, max_lines=3)
        y -= self.model.content_height + 12 * k
        for i in range(3):
            name, prob = panel.guesses[i] if i < len(panel.guesses) else ("", 0.0)
            if panel.no_model:  # no rows kept for guesses that will not come
                _set(self.guess_names[i], text="")
                _set(self.guess_probs[i], text="")
                _set(self.bar_backs[i], visible=False)
                _set(self.bars[i], visible=False)
                continue
            prob_text = f"{prob:.0%}" if name else ""
            _set(self.guess_names[i], text=name, font_size=12 * k, position=(left, y, 0))
            _set(self.guess_probs[i], text=prob_text, font_size=11 * k, position=(right, y, 0))
            bar_h = 8 * k
            bar_y = y - self.guess_names[i].content_height - 2 * k - bar_h  # its bottom
            if not name:  # an empty label has no height: keep the rows where they are
                bar_y = y - 27 * k
            _set(self.bar_backs[i], position=(left, bar_y), width=width, height=bar_h)
            _set(self.bar_backs[i], visible=bool(name) and not hidden)
            bar_w = max(width * prob, 0.0)
            _set(self.bars[i], position=(left, bar_y), width=bar_w, height=bar_h)
            _set(self.bars[i], visible=bool(name) and prob > 0 and not hidden)
            y = bar_y - 19 * k
        threshold = "-" if panel.threshold is None else f"{panel.threshold:.2f}"
        info = (
            f"strokes: {panel.n_strokes}    shapes: {panel.n_shapes}\n"
            f"threshold: {threshold}    auto-snap: {'on' if panel.auto_snap else 'off'}"
        )
        _set(self.info, font_size=10 * k, width=width, position=(left, y, 0))
        show_text(self.info, info, width, y - bottom)
        y -= self.info.content_height + 8 * k
        colour = self.colours.error if panel.status_error else self.colours.text
        _set(self.status, font_size=10 * k, width=width, position=(left, y, 0))
        _set(self.status, color=(*colour, 255))
        room = y - bottom  # what the error does not need, and at least half of it
        if panel.error:
            _set(self.error, font_size=10 * k, width=width)
            need = lines_of(self.error, panel.error, width) * line_height(self.error) + 6 * k
            room = max(room / 2, room - need)
        show_text(self.status, panel.status, width, room)
        if self.status.text:
            y -= self.status.content_height + 6 * k
        _set(self.error, font_size=10 * k, width=width, position=(left, y, 0))
        show_text(self.error, panel.error or "", width, y - bottom)
        if self.error.text:
            y -= self.error.content_height
        _set(self.hint, font_size=9 * k, position=(left, r.y + pad, 0))
        fits = y > r.y + pad + self.hint.content_height  # else it overlaps
        _set(self.hint, visible=fits and not hidden)
        texts = [self.title, self.model, *self.guess_names, *self.guess_probs, self.info]
        for drawable in [self.panel_back, *texts, self.status, self.error]:
            _set(drawable, visible=not hidden)

    def _show_help(self, panel: Panel, layout: Layout) -> Rect | None:
        """The keys over the canvas; in a window too small for them at full size, over the
        whole window, smaller, descriptions cut to fit and the rows that do not fit left
        out: from the middle, so the last two (the help's key, and Escape to close it)
        always show. The rectangle the help darkens (None while it is hidden)."""
        visible = panel.help_visible
        while len(self.help_keys) < len(panel.help):
            self.help_keys.append(pyglet.text.Label("", **self._over))
            self.help_what.append(pyglet.text.Label("", **self._over))
        if not visible:
            _set(self.overlay, visible=False)
            for label in [self.help_title, *self.help_keys, *self.help_what]:
                _set(label, text="")
            return None
        for label, text in [
            *zip(self.help_keys, (keys for keys, _ in panel.help), strict=False),
            *zip(self.help_what, (what for _, what in panel.help), strict=False),
        ]:
            _set(label, text=text, font_size=12)  # measured at full size
        n = len(panel.help)
        rows = list(panel.help)
        key_w = max((lb.content_width for lb in self.help_keys[:n]), default=0)
        what_w = max((lb.content_width for lb in self.help_what[:n]), default=0)
        need_w, need_h = 60 + key_w + 24 + what_w, 70 + 30 * n
        c = layout.canvas
        if need_w > c.w or need_h > c.h:
            c = Rect(0, 0, *layout.window)
        if need_w > c.w:  # each action's first key only, to leave room for what it does
            rows = [(keys.split(" / ")[0], what) for keys, what in rows]
            for label, (keys, _) in zip(self.help_keys, rows, strict=False):
                _set(label, text=keys, font_size=12)
            key_w = max((lb.content_width for lb in self.help_keys[:n]), default=0)
            need_w = 60 + key_w + 24 + what_w
        k = min(max(min(c.w / need_w, c.h / need_h), 0.6), 1.0)
        _set(self.overlay, visible=True, position=(c.x, c.y), width=c.w, height=c.h)
        left, top = c.x + 30 * k, c.y + c.h - 40 * k
        _set(self.help_title, text="Keys", font_size=12 * k, position=(left, top, 0))
        x = left + key_w * k + 24 * k
        room = max(int((top - c.y - 4 * k) // (30 * k)), 0)  # rows that fit under the title
        if room < len(rows):
            last = min(2, room)
            rows = rows[: room - last] + rows[len(rows) - last :]
        for i in range(n):
            keys, what = rows[i] if i < len(rows) else ("", "")
            y = top - 30 * k * (i + 1)
            _set(self.help_keys[i], text=keys, font_size=12 * k)
            _set(self.help_keys[i], position=(left, y, 0))
            _set(self.help_what[i], text=what, font_size=12 * k)
            _set(self.help_what[i], position=(x, y, 0))
            _cut_to(self.help_what[i], c.x + c.w - 8 * k - x)
        return c

    def show(self, scene: Scene, layout: Layout) -> None:
        """Make the batch show `scene` laid out by `layout`."""
        self.clip.rect = layout.canvas
        self._show_lines(scene.lines, layout)
        if self._panel_shown != (scene.panel, layout):  # e.g. not while a stroke is drawn
            help_over = self._show_help(scene.panel, layout)
            # help over the whole window: the panel goes, and the canvas's white lies under
            # all of the help (through it, the letterbox band was darker than the rest)
            whole = help_over is not None and help_over.x + help_over.w > layout.panel.x
            self._show_panel(scene.panel, layout, hidden=whole)
            c = help_over if whole else layout.canvas
            _set(self.canvas, position=(c.x, c.y), width=c.w, height=c.h)
            self._panel_shown = (scene.panel, layout)


def panel_scale(panel: Rect, full_height: float) -> float:
    """How much the panel's text and spacing shrink: 1 for a panel as wide as the
    default (260) and as tall as its text at full size (`full_height`), down to 0.6 in
    the smallest window (320 x 240). By what limits the layout: its height was taken
    as 600, so a panel 260 x 300 (a window of 1500 x 300) had its 10-pt lines at 6."""
    return min(max(min(panel.w / 260, panel.h / full_height), 0.6), 1.0)


def _cut_to(label, width: float) -> None:
    """Shorten a one-line label's text, ending it with "...", until it fits `width`."""
    text = label.text
    while text and label.content_width > width:
        text = text[: max(len(text) - 4, 0)].rstrip()
        label.text = f"{text}..." if text else ""


def _set(drawable, **values) -> None:
    """Set attributes that differ: pyglet re-lays out a label on every assignment."""
    for name, value in values.items():
        if getattr(drawable, name) != value:
            setattr(drawable, name, value)
