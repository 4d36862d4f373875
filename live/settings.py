"""Settings of the drawing window: model, threshold, keys, sizes, colours, where saves go.

One frozen pydantic object (unknown keys are an error that names the key); the command
line builds it from its flags, the TUI from its form. Key names are pyglet's key symbol
names in lower case ("z", "space", "bracketleft", "f1"), optionally prefixed with
modifiers ("ctrl+z"); the window turns them into pyglet symbols.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from core.classes import CLASSES, class_index
from core.paths import data_dir

ModelName = Literal["frankenstein", "cnn"]
Colour = tuple[int, int, int]

_KEY = re.compile(r"^((ctrl|shift|alt|command)\+)*[a-z0-9_]+$")

# What each action is called in the help overlay, in the order it lists them.
ACTION_HELP: dict[str, str] = {
    "undo": "undo (a snap first, then strokes)",
    "redo": "redo what undo took back",
    "clear": "clear the canvas",
    "switch_model": "switch model (Frankenstein / CNN-only)",
    "classify_now": "snap the current shape to its top guess",
    "toggle_auto_snap": "auto-snap on / off",
    "toggle_preview": "completion preview on / off (the top guess's template, faint)",
    "threshold_down": "lower the snap threshold",
    "threshold_up": "raise the snap threshold",
    "save": "save the drawing (raw + simplified ndjson)",
    "export": "export the canvas as PNG",
    "help": "show / hide this help",
}


class KeyBindings(BaseModel):
    """The keys of each action (any one of them triggers it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    undo: tuple[str, ...] = ("ctrl+z", "command+z", "backspace")
    redo: tuple[str, ...] = ("ctrl+y", "ctrl+shift+z", "command+shift+z")
    clear: tuple[str, ...] = ("c",)
    switch_model: tuple[str, ...] = ("m",)
    classify_now: tuple[str, ...] = ("space",)
    toggle_auto_snap: tuple[str, ...] = ("a",)
    toggle_preview: tuple[str, ...] = ("p",)
    threshold_down: tuple[str, ...] = ("bracketleft",)
    threshold_up: tuple[str, ...] = ("bracketright",)
    save: tuple[str, ...] = ("s", "ctrl+s", "command+s")
    export: tuple[str, ...] = ("e",)
    help: tuple[str, ...] = ("h", "f1")

    @field_validator("*")
    @classmethod
    def _key_names(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        keys = tuple(k.strip().lower() for k in keys)
        for k in keys:
            if not _KEY.match(k):
                raise ValueError(f"{k!r} is not a key name like 'z', 'ctrl+z' or 'f1'")
        return keys

    def actions(self) -> dict[str, tuple[str, ...]]:
        """Action name -> its keys, in the help overlay's order."""
        return {name: getattr(self, name) for name in ACTION_HELP}


class Colours(BaseModel):
    """RGB colours of everything the window draws."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    background: Colour = (52, 56, 64)  # around the canvas (letterbox)
    canvas: Colour = (255, 255, 255)
    ink: Colour = (20, 20, 30)
    template: Colour = (30, 110, 230)
    panel: Colour = (236, 238, 242)
    text: Colour = (30, 30, 36)
    bar: Colour = (90, 170, 90)
    bar_back: Colour = (205, 208, 214)
    error: Colour = (200, 40, 40)


POLICY_FIELDS = ("threshold", "steady_steps", "steady_override")  # None: SnapPolicy's default
# The smallest window the panel and the help fit in (the window's minimum size too): a
# smaller one, where the window manager ignores the hint or headless, cut the title at
# the edge and laid labels out below the window.
MIN_WINDOW_SIZE = (320, 240)


class LiveSettings(BaseModel):
    """Everything the drawing window can be told."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: ModelName = "frankenstein"
    checkpoint: Path | None = Field(
        None,
        description="checkpoint of `model` (default: the bundled one); M switches to "
        "the other model's bundled checkpoint",
    )
    threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="snap threshold; None = the SnapPolicy default"
    )
    threshold_step: float = Field(0.05, gt=0.0, le=0.5)
    steady_steps: int | None = Field(
        None,
        ge=1,
        description="mid-drawing, the top class must lead for this many strokes running; "
        "None = the SnapPolicy default",
    )
    steady_override: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="...unless its probability reaches this (1 = never); None = the "
        "SnapPolicy default",
    )
    heed_familiarity: bool = Field(
        True,
        description="snap only to a class whose training doodles the ink looks like "
        "(the checkpoint's familiarity statistics, core/familiar.py)",
    )
    auto_snap: bool = True
    preview: bool = Field(
        True,
        description="under the shape being drawn, while it is ink, its top guess's template "
        "fitted to it, faint: what Space (or the next snap) would make of it",
    )
    preview_min: float = Field(
        0.5, ge=0.0, le=1.0, description="...once the top guess is at least this sure"
    )
    max_fit_error: float = Field(
        0.15, gt=0.0, description="a snap whose template fits the ink worse is refused"
    )
    new_shape_gap: float = Field(
        0.35,
        ge=0.0,
        description="a stroke whose bounding box stays farther than this fraction of the "
        "larger one's size (at least min_gap_px on screen) from the current shape's starts a new "
        "shape; a shape that comes this near earlier ink shapes gathers them",
    )
    min_gap_px: float = Field(
        24.0,
        ge=0.0,
        description="the least gap of new_shape_gap and reopen_gap, in screen pixels (canvas "
        "units times the window's scale when the stroke is drawn): the hand's precision",
    )
    reopen_gap: float = Field(
        0.1,
        ge=0.0,
        description="a stroke reopens a snapped shape only when its bounding box comes "
        "within this fraction of the larger one's size (at least min_gap_px on screen)",
    )
    reopen_snaps: bool = Field(
        True,
        description="a stroke that comes near a snapped shape (reopen_gap) lifts its "
        "snap and is classified with its ink: the square was a house's walls",
    )
    canvas_size: tuple[int, int] = (800, 600)  # logical canvas units, scaled to the window
    panel_width: int = Field(260, ge=120)
    window_size: tuple[int, int] = (1060, 600)
    ink_width: float = Field(3.0, gt=0.0)
    template_width: float = Field(3.5, gt=0.0)
    preview_alpha: float = Field(0.3, gt=0.0, le=1.0)  # the preview's opacity
    # 1.5 s: in the real dev doodles' timing, 17 % of drawings hold a pause over 1 s
    # between two strokes, 6 % one over 1.5 s; a shorter wait snaps drawings mid-way.
    pause_s: float = Field(
        1.5,
        gt=0.0,
        description="no new stroke for this long: the shape counts as finished, and the "
        "snap policy's completeness rules are waived",
    )
    transition_s: float = Field(0.35, ge=0.0, description="ink -> template morph duration")
    keys: KeyBindings = KeyBindings()
    colours: Colours = Colours()
    save_dir: Path = Field(default_factory=lambda: data_dir() / "drawings")
    save_label: str | None = Field(
        None,
        description="S saves every shape under this class (the person's word for what "
        "they draw: collecting doodles of one class), not the snap's or the guess's",
    )

    @field_validator("save_label")
    @classmethod
    def _a_class(cls, v: str | None) -> str | None:
        """A class name, canonical ('Hockey_Stick' -> 'hockey stick'); a slip is refused
        with the nearest name, before the window opens."""
        return None if v is None else CLASSES[class_index(v)]

    @field_validator("save_dir")
    @classmethod
    def _home(cls, v: Path) -> Path:
        """`~/drawings` is under the home folder (as --checkpoint's is), not `./~`; a
        file there, or above it, is refused before the window opens (S failed on it,
        after the drawing: "cannot save into ...")."""
        v = v.expanduser()
        for folder in (v, *v.parents):  # the nearest one there must be a folder
            if folder.exists() or folder.is_symlink():
                if not folder.is_dir():
                    what = "a file" if folder == v else "a path under a file"
                    # the flag's error says the path: this message has none (nor any
                    # "Value error, " before it, which a ValueError would get)
                    raise PydanticCustomError(
                        "save_dir_file", f"{what}, not a folder to save drawings into"
                    )
                break
        return v

    @field_validator("canvas_size")
    @classmethod
    def _positive_size(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 16 or v[1] < 16:
            raise ValueError(f"size {v[0]}x{v[1]} is too small (at least 16x16)")
        return v

    @field_validator("window_size")
    @classmethod
    def _window_fits_the_panel(cls, v: tuple[int, int]) -> tuple[int, int]:
        """Refused below `MIN_WINDOW_SIZE`, before the window opens: the panel would not
        fit (the window's own minimum is a hint some window managers ignore)."""
        w, h = MIN_WINDOW_SIZE
        if v[0] < w or v[1] < h:
            raise ValueError(
                f"window size {v[0]}x{v[1]} is too small: the panel needs at least {w}x{h}"
            )
        return v

    def other_model(self) -> ModelName:
        return "cnn" if self.model == "frankenstein" else "frankenstein"


_KEY_LABELS = {"bracketleft": "[", "bracketright": "]", "backspace": "Backspace"}
_MODIFIER_LABELS = {"command": "Cmd"}


def key_label(name: str) -> str:
    """A key name as the help overlay shows it: 'ctrl+z' -> 'Ctrl+Z', 'bracketleft' -> '['."""
    parts = name.split("+")
    *mods, key = parts
    key = _KEY_LABELS.get(key, key.upper() if len(key) <= 3 else key.capitalize())
    return "+".join([*(_MODIFIER_LABELS.get(m, m.capitalize()) for m in mods), key])
