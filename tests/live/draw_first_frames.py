"""Run `frankenstein draw ARGS...` (headless) in this fresh interpreter until its model
has loaded, or the command ends first, and print one JSON line of what it showed:
whether torch was imported by the time its window was made and by its first frame on
screen, the panel's model line and error then and once the load was done, and the
command's exit status if it ended without a window.

    PYGLET_HEADLESS=1 python -m tests.live.draw_first_frames [DRAW ARGS ...]
"""

from __future__ import annotations

import json
import os
import sys

import pyglet.window

seen: dict = {}


def _panel(window) -> dict:
    view = window.scene_view
    return {"model": " ".join(view.model.text.split()), "error": view.error.text}


def _watch() -> None:
    """Note what each window's creation and buffer flips show; at the first flip after
    the load, print it all and end the process (the event loop would run on)."""
    window_class = pyglet.window.Window
    init, flip = window_class.__init__, window_class.flip

    def watched_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        seen.setdefault("torch_at_window", "torch" in sys.modules)

    def watched_flip(self):
        flip(self)
        controller = getattr(self, "controller", None)
        if controller is None or getattr(self, "scene_view", None) is None:
            return
        if "first_frame" not in seen:
            seen["torch_at_first_frame"] = "torch" in sys.modules
            seen["first_frame"] = _panel(self)
        if not controller.loading:
            seen["loaded"] = {**_panel(self), "guessing": controller.classifier is not None}
            print(json.dumps(seen), flush=True)
            sys.stderr.flush()
            os._exit(0)

    window_class.__init__, window_class.flip = watched_init, watched_flip


if __name__ == "__main__":
    _watch()
    from ui.cli import main

    status = main(["draw", *sys.argv[1:]])
    print(json.dumps({**seen, "status": status}))
