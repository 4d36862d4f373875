"""The drawing window: a pyglet Window that forwards input to a `Controller` and draws
the controller's `Scene` with one batch.

Handlers only translate events (mouse or pen, keys, resize) into controller calls and
then mirror the new scene into the batch; `on_draw` is clear + `batch.draw()`.
Scheduling (the 60 Hz tick that runs snap transitions) lives in `live.app.run`.
For headless use set `PYGLET_HEADLESS=1` before pyglet is imported.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyglet
from pyglet.graphics import Batch
from pyglet.math import Mat4, Vec3
from pyglet.window import key, mouse

from core.errors import FrankensteinError
from live.controller import Controller, default_clock
from live.drawables import SceneView
from live.geometry import fit_window
from live.settings import MIN_WINDOW_SIZE, KeyBindings

_MODIFIERS = {"ctrl": key.MOD_CTRL, "shift": key.MOD_SHIFT, "alt": key.MOD_ALT}
_MODIFIERS["command"] = key.MOD_COMMAND
# The modifiers a key is bound with, or without: a key pressed with one that no binding
# names does nothing (Super+C is not C). Super / the Windows key is MOD_WINDOWS (X11's
# Mod4, win32), Cmd is MOD_COMMAND (macOS only). Left out: the locks; MOD_OPTION, which
# macOS sets with MOD_ALT (so Option+key is "alt+key"); and MOD_FUNCTION, which macOS
# sets on F1 and the arrow keys themselves.
_ANY_MODIFIER = key.MOD_CTRL | key.MOD_SHIFT | key.MOD_ALT | key.MOD_COMMAND | key.MOD_WINDOWS


def keymap(keys: KeyBindings) -> dict[tuple[int, int], str]:
    """(pyglet key symbol, modifier bits) -> action name, from the settings' key names."""
    table: dict[tuple[int, int], str] = {}
    for action, names in keys.actions().items():
        for name in names:
            *mods, sym = name.split("+")
            symbol = getattr(key, f"_{sym}" if sym.isdigit() else sym.upper(), None)
            if not isinstance(symbol, int) or any(m not in _MODIFIERS for m in mods):
                raise FrankensteinError(f"key {name!r} of action {action!r} is not a pyglet key")
            bits = 0
            for m in mods:
                bits |= _MODIFIERS[m]
            table[(symbol, bits)] = action
    return table


def colour_config(screen=None) -> pyglet.gl.Config | None:
    """A GL config with at least 8 bits a colour channel, else None (pyglet's choice).
    Headless (EGL on Mesa), pyglet's first choice was RGB565: 5 bits of red and blue,
    6 of green, so a grey came out tinted ((247, 243, 247) for ink fading out) and every
    colour of a --screenshot banded."""
    screen = screen or pyglet.display.get_display().get_default_screen()
    eight = dict(red_size=8, green_size=8, blue_size=8, major_version=3, minor_version=3)
    for template in (
        pyglet.gl.Config(double_buffer=True, depth_size=24, **eight),
        pyglet.gl.Config(**eight),
    ):
        try:
            return screen.get_best_config(template)
        except pyglet.window.NoSuchConfigException:
            pass
    return None


class DrawingWindow(pyglet.window.Window):
    """A resizable window: the canvas on the left, the side panel on the right."""

    def __init__(
        self,
        controller: Controller,
        *,
        clock: Callable[[], float] = default_clock,
        **kwargs,
    ) -> None:
        s = controller.settings
        # never below the minimum (settings refuse it; a size given here is raised to it)
        kwargs["width"] = max(kwargs.get("width", s.window_size[0]), MIN_WINDOW_SIZE[0])
        kwargs["height"] = max(kwargs.get("height", s.window_size[1]), MIN_WINDOW_SIZE[1])
        kwargs.setdefault("caption", "Frankenstein: draw a shape")
        if "config" not in kwargs and "context" not in kwargs:
            kwargs["config"] = colour_config(kwargs.get("screen"))
        kwargs.setdefault("resizable", True)
        self.controller = controller
        self.clock = clock
        self.bindings = keymap(s.keys)
        self.scene_view: SceneView | None = None  # made once the GL context exists
        self.zoom = 1.0  # window pixels per layout pixel: below 1 under the minimum size
        self._shown: tuple | None = None
        super().__init__(**kwargs)
        self.batch = Batch()
        self.scene_view = SceneView(self.batch, s.colours)
        self.set_minimum_size(*MIN_WINDOW_SIZE)  # a hint to the window manager: see on_resize
        r, g, b = s.colours.background
        pyglet.gl.glClearColor(r / 255, g / 255, b / 255, 1.0)
        self._lay_out(*self.get_size())

    # ------------------------------------------------------------------ drawing

    def on_draw(self) -> None:
        self.clear()
        self.batch.draw()

    def refresh(self) -> bool:
        """Mirror the controller's scene into the batch if it changed (or is animating)."""
        c = self.controller
        state = (c.version, c.layout)
        if self._shown == state or self.scene_view is None:
            return False
        scene = c.scene(self.clock())
        self.scene_view.show(scene, c.layout)
        self._shown = None if scene.animating else state
        return True

    def update(self, dt: float = 0.0) -> None:
        """The clock's tick (scheduled by `live.app.run`): pauses and transitions."""
        self.controller.tick(self.clock())
        self.refresh()

    # -------------------------------------------------------------------- input

    def on_mouse_press(self, x: int, y: int, button: int, modifiers: int) -> None:
        if button & mouse.LEFT:
            self.controller.pen_down(x / self.zoom, y / self.zoom, self.clock())
            self.refresh()

    def on_mouse_drag(self, x: int, y: int, dx: int, dy: int, buttons: int, modifiers: int):
        if buttons & mouse.LEFT:
            self.controller.pen_move(x / self.zoom, y / self.zoom, self.clock())
            self.refresh()

    def on_mouse_release(self, x: int, y: int, button: int, modifiers: int) -> None:
        if button & mouse.LEFT:
            self.controller.pen_up(x / self.zoom, y / self.zoom, self.clock())
            self.refresh()

    def on_key_press(self, symbol: int, modifiers: int):
        action = self.bindings.get((symbol, modifiers & _ANY_MODIFIER))
        if action is None and symbol == key.ESCAPE:
            if self.controller.help_visible:
                action = "help"  # Escape closes the help first, the window only after
            elif not modifiers & _ANY_MODIFIER and not self.controller.may_quit():
                self.refresh()  # unsaved ink: the status asks for a second Escape
                return pyglet.event.EVENT_HANDLED
        if action is None:
            return super().on_key_press(symbol, modifiers)
        self.controller.perform(action)
        self.refresh()
        return pyglet.event.EVENT_HANDLED

    def on_close(self):
        """The window's close button: as Escape, a second click with unsaved ink."""
        if self.controller.may_quit("close"):
            return super().on_close()
        self.refresh()
        return pyglet.event.EVENT_HANDLED

    def on_resize(self, width: int, height: int) -> None:
        """Lay out at the new size, but never below `MIN_WINDOW_SIZE`: the minimum set at
        creation is a hint a window manager may ignore (or a tiling one override), and
        below it the panel's text ran out of the window. A window smaller still shows a
        layout at least that large zoomed out to fit it (`geometry.fit_window`), all of
        it, smaller, until the window grows again (it showed the minimum's layout
        cropped to its lower-left part: the panel's title and guesses cut off)."""
        super().on_resize(width, height)
        self._lay_out(width, height)

    def on_scale(self, scale: float, dpi: int) -> None:
        """The screen's pixel ratio changed (a HiDPI display): so does the clip's."""
        super().on_scale(scale, dpi)
        if self.scene_view is not None:
            self.scene_view.clip.ratio = self.get_pixel_ratio() * self.zoom

    def _lay_out(self, width: int, height: int) -> None:
        """The controller's layout for a window of `width` x `height`, the view that
        shows it (zoomed out under the minimum size) and the canvas's clip."""
        size, self.zoom = fit_window((width, height), MIN_WINDOW_SIZE)
        self.view = Mat4.from_scale(Vec3(self.zoom, self.zoom, 1.0))  # layout -> window
        if self.scene_view is not None:  # the canvas's clip, in framebuffer pixels
            self.scene_view.clip.ratio = self.get_pixel_ratio() * self.zoom
        self.controller.resize(*size)
        self.refresh()

    # ----------------------------------------------------------------- pixels

    def pixels(self) -> np.ndarray:
        """What is on screen now, (H, W, 4) uint8 RGBA with row 0 at the top."""
        self.switch_to()
        data = pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
        raw = data.get_data("RGBA", data.width * 4)
        return np.frombuffer(bytes(raw), np.uint8).reshape(data.height, data.width, 4)[::-1]

    def frame(self) -> np.ndarray:
        """Step one frame by hand (events, tick, draw) and return its pixels."""
        self.switch_to()
        self.dispatch_events()
        self.update()
        self.on_draw()
        return self.pixels()
