"""`frankenstein draw` opens its window before the model loads (torch's import and the
checkpoint take seconds): the real window (headless) on pyglet's clock stepped by hand,
`live.app.start` as `run` calls it, the real classifier and loader."""

import gc

import numpy as np
import pyglet
import pytest

from core.strokes import Drawing
from live import app
from live.controller import load_classifier
from live.replay import ManualClock
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
