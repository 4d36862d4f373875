"""`frankenstein draw` opens its window before the model loads (torch's import and the
checkpoint take seconds): the real window (headless) on pyglet's clock stepped by hand,
`live.app.start` as `run` calls it, the real classifier and loader."""

import gc
import json
import os
import subprocess
import sys

import numpy as np
import pyglet
import pytest

from core.checkpoint import save_checkpoint
from core.strokes import Drawing
from live import app
from live.controller import load_classifier
from live.replay import ManualClock
from tests.conftest import ROOT
from tests.live.helpers import biased, circle, loader_of
from tests.live.window_helpers import stroke


@pytest.fixture
def started():
    """started(settings, loader=..., report=..., replay=...) -> (window, step): the window
    `app.start` opened, and `step(seconds)`, which moves pyglet's clock (its own here)
    and runs what it has scheduled by then."""
    windows, now = [], [0.0]
    clock = pyglet.clock.Clock(time_function=lambda: now[0])

    def make(settings, **kwargs):
        window = app.start(settings, clock=clock, **kwargs)
        window.clock = ManualClock()  # the pen's times, moved by `stroke`
        windows.append(window)

        def step(seconds: float) -> None:
            now[0] += seconds
            clock.tick()

        return window, step

    yield make
    gc.unfreeze()  # the load froze what it had loaded, as `run` thaws at its end
    for window in windows:
        clock.unschedule(window.update)
        window.close()


def _watched(loader):
    """`loader`, noting each model it loads."""
    calls = []

    def load(name, checkpoint):
        calls.append(name)
        return loader(name, checkpoint)

    return load, calls


def test_the_window_says_the_model_is_loading_and_guesses_what_was_drawn_meanwhile(
    started, settings, tiny_models
):
    loader, calls = _watched(
        loader_of({"frankenstein": biased(tiny_models["frankenstein"], "fish")})
    )
    w, step = started(settings.model_copy(update={"auto_snap": False}), loader=loader)
    view = w.scene_view
    assert calls == [] and w.controller.loading
    assert " ".join(view.model.text.split()) == "model: loading Frankenstein (CNN+LSTM)…"
    stroke(w, circle(400, 300, 100))  # drawn before the load: ink, no guess yet
    assert w.controller.shapes[0].history == [] and view.guess_names[0].text == ""
    step(app.LOAD_AFTER_S / 2)
    assert calls == []
    step(app.LOAD_AFTER_S)
    assert calls == ["frankenstein"] and not w.controller.loading
    assert " ".join(view.model.text.split()) == "model: Frankenstein (CNN+LSTM)"
    assert view.guess_names[0].text == "fish" and len(w.controller.shapes[0].history) == 1
    stroke(w, circle(400, 300, 40))  # and strokes after it are guessed as they end
    assert len(w.controller.shapes[0].history) == 2


def test_a_broken_checkpoint_shows_its_error_once_the_window_has_opened(
    started, settings, tmp_path
):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a checkpoint")
    loader, calls = _watched(load_classifier)
    said = []
    w, step = started(
        settings.model_copy(update={"checkpoint": garbage}), loader=loader, report=said.append
    )
    assert w.scene_view.error.text == "" and said == []
    step(app.LOAD_AFTER_S)
    assert calls == ["frankenstein"] and w.controller.classifier is None
    assert str(garbage) in w.scene_view.error.text.replace("\n", "")
    model_line = w.scene_view.model.text.replace("\n", " ")
    assert model_line.startswith("model: none") and "no guesses" in model_line
    assert len(said) == 1 and said[0].endswith("(the window draws without guesses)")
    assert str(garbage) in said[0]
    stroke(w, circle(400, 300, 100))  # drawing works, unguessed
    assert w.controller.shapes[0].n_strokes == 1 and w.scene_view.guess_names[0].text == ""


def test_a_replay_is_drawn_once_the_model_is_loaded(started, settings, tiny_models):
    a = np.linspace(0, 2 * np.pi, 40)
    ring = np.stack([128 + 100 * np.cos(a), 128 + 100 * np.sin(a)], 1).astype(np.float32)
    model = biased(tiny_models["frankenstein"], "circle")
    w, step = started(
        settings, loader=loader_of({"frankenstein": model}), replay=[Drawing((ring,))]
    )
    assert w.controller.shapes == []
    step(app.LOAD_AFTER_S)
    shape = w.controller.shapes[0]
    assert shape.history and shape.snap is not None and shape.snap.cls == "circle"


LONG = "frankenstein_trained_on_synthetic_and_real_doodles_best_epoch_12.pt"


def bare(text: str) -> str:
    """`text` without its spaces and line breaks (the panel breaks lines in words)."""
    return "".join(text.split())


def _draw(args: list[str], cwd) -> tuple[dict, str]:
    """`frankenstein draw ARGS` run headless in a fresh interpreter, to the frame after
    its model loaded (tests/live/draw_first_frames.py): what it showed, and its stderr."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYGLET_HEADLESS": "1",
        "PYTHONPATH": str(ROOT),
        "FRANKENSTEIN_CONFIG": str(cwd / "config"),  # no default model marked in the TUI
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.live.draw_first_frames", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.mark.parametrize("given", ["bundled", "checkpoint"])
def test_draw_shows_its_window_before_it_imports_torch(given, tmp_path, tiny_models):
    """With the bundled model the window was on screen before torch was imported (the
    load came three frames later); with `--checkpoint PATH` torch was imported first, to
    read which model the checkpoint holds (2 s). Now that is read without torch, and the
    panel names the file while it loads (shortened to fit)."""
    args, name = [], "Frankenstein (CNN+LSTM)"
    if given == "checkpoint":
        ckpt = save_checkpoint(tmp_path / LONG, tiny_models["cnn"])
        args, name = ["--checkpoint", str(ckpt)], "CNN-only"
    shown, err = _draw(args, tmp_path)
    assert shown["torch_at_window"] is False and shown["torch_at_first_frame"] is False, shown
    first, loaded = shown["first_frame"]["model"], shown["loaded"]["model"]
    assert shown["loaded"]["guessing"] and shown["loaded"]["error"] == ""
    if given == "bundled":
        assert first == f"model: loading {name}…" and loaded == f"model: {name}"
    else:  # the file's name (broken into lines by the panel's width)
        assert bare(first) == bare(f"model: loading {name} ({LONG})…")
        assert bare(loaded) == bare(f"model: {name} ({LONG})")
    assert "Traceback" not in err


def _broken(kind: str, path, tiny_models) -> str:
    """Write a broken checkpoint of `kind` at `path`; what the panel says is wrong."""
    if kind == "garbage":
        path.write_bytes(b"this is not a checkpoint")
        return "not a checkpoint file (not a torch archive)"
    whole = save_checkpoint(path, tiny_models["frankenstein"]).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # a copy cut short
    return "truncated or corrupt checkpoint"


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
def test_a_broken_checkpoint_opens_the_window_and_its_panel_says_why(kind, tmp_path, tiny_models):
    """The window opens before the checkpoint is read (torch not imported yet); once the
    load fails, the panel says why in red and that drawing works without guesses, the
    terminal says so in one line, and the window goes on (no traceback, no exit)."""
    bad = tmp_path / "bad.pt"
    cause = _broken(kind, bad, tiny_models)
    shown, err = _draw(["--checkpoint", str(bad)], tmp_path)
    assert shown["torch_at_first_frame"] is False
    assert shown["first_frame"]["model"].startswith("model: loading")
    loaded = shown["loaded"]
    assert not loaded["guessing"]
    assert loaded["model"] == "model: none (drawing works, but no guesses)"
    assert bare(loaded["error"]).startswith(bare(f"{bad}: {cause}")), loaded["error"]
    assert "Traceback" not in err
    assert f"frankenstein: warning: {bad}: {cause}" in err
    assert err.rstrip().endswith("(the window draws without guesses)")


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_checkpoint_that_is_not_there_is_refused_before_any_window(kind, tmp_path):
    """What can be told without torch is told before the window opens: a checkpoint
    that is not there (a slip of the path) is a one-line error, exit status 2, and no
    window is made (it opened, said so in its panel, and drew on). (A file it cannot
    read is refused the same way, core.checkpoint_file.held_model; these tests run as
    root, who reads any file, so tests/core/test_checkpoint_file.py holds that case.)"""
    path = tmp_path / "nope.pt"
    said = f"{path}: no such checkpoint (give a file, a run folder, or one of frankenstein, cnn)"
    if kind == "folder":
        path = tmp_path / "run"
        path.mkdir()
        said = f"{path}: a folder with no best.pt or last.pt in it"
    shown, err = _draw(["--checkpoint", str(path)], tmp_path)
    assert shown == {"status": 2}, shown  # no window was made
    assert err.strip() == f"frankenstein: error: {said}"
