"""Helpers of the tests that drive the real drawing window (headless): input through its
handlers, pixels read back. The `open_window` fixture is in conftest.py."""

import numpy as np
import pyglet
from pyglet.window import mouse

dispatch = pyglet.event.EventDispatcher.dispatch_event


def stroke(window, points, dt=0.01):
    """Press, drag, release through the window's handlers, the clock moving along."""
    pts = [(round(x), round(y)) for x, y in np.asarray(points, float)]
    dispatch(window, "on_mouse_press", *pts[0], mouse.LEFT, 0)
    for (x, y), (px, py) in zip(pts[1:], pts, strict=False):
        window.clock.t += dt
        dispatch(window, "on_mouse_drag", x, y, x - px, y - py, mouse.LEFT, 0)
    window.clock.t += dt
    dispatch(window, "on_mouse_release", *pts[-1], mouse.LEFT, 0)


def press(window, symbol, modifiers=0):
    return dispatch(window, "on_key_press", symbol, modifiers)


def at(pixels, x, y):
    """The RGB at view point (x, y) (y up) of a frame whose row 0 is the top."""
    return tuple(int(v) for v in pixels[pixels.shape[0] - 1 - y, x, :3])


def dark(rgb):
    return sum(rgb) < 200


def near(rgb, colour, tol=12):
    return all(abs(a - b) <= tol for a, b in zip(rgb, colour, strict=True))
