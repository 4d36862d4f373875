"""Fixtures for the drawing window's tests: tiny real models, controllers, settings.

Models here are real `SketchModel`s with random weights (no trained checkpoint
needed); `helpers.biased` sets a model's output layer so it always answers one class,
which makes snaps happen (or not) on purpose.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGLET_HEADLESS", "1")  # before pyglet.window is imported

import pytest

from live.settings import LiveSettings
from tests.conftest import one_torch_thread
from tests.live.helpers import biased, loader_of


@pytest.fixture(scope="package", autouse=True)
def torch_on_one_thread():
    """As the window runs (live.app): one small frame at a time is fastest on one thread."""
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def tiny_models():
    """{"frankenstein": ..., "cnn": ...}: small random-weight models (seeded)."""
    import torch

    from core.modelconfig import model_config
    from core.models import build_model

    torch.manual_seed(0)
    size = dict(channels=(4, 8, 8), head_hidden=16, dropout=0.0)
    return {
        "frankenstein": build_model(
            model_config("frankenstein", lstm_hidden=16, lstm_proj=8, lstm_layers=2, **size)
        ).eval(),
        "cnn": build_model(model_config("cnn", **size)).eval(),
    }


@pytest.fixture
def settings(tmp_path) -> LiveSettings:
    """Settings where a confident answer snaps at once (`steady_override` 0.99): the
    biased models answer at about 1.0, so each test's snaps come where it draws them.
    The shipped policy (three agreeing strokes, nothing skips the wait) has its own
    tests in test_controller.py and tests/core/test_snap.py."""
    return LiveSettings(save_dir=tmp_path / "drawings", transition_s=0.3, steady_override=0.99)


@pytest.fixture
def make_controller(settings, tiny_models):
    """make_controller(frankenstein=cls or None, cnn=cls or None, **setting overrides)."""
    from live.controller import Controller

    def make(frankenstein: str | None = None, cnn: str | None = None, **overrides):
        models = dict(tiny_models)
        if frankenstein:
            models["frankenstein"] = biased(models["frankenstein"], frankenstein)
        if cnn:
            models["cnn"] = biased(models["cnn"], cnn)
        s = settings.model_copy(update=overrides) if overrides else settings
        return Controller(s, loader=loader_of(models))

    return make


@pytest.fixture
def open_window(settings, tiny_models):
    """open_window(frankenstein=cls, cnn=cls, controller=None, size=None, **settings) ->
    a real headless DrawingWindow (of `size`, else the settings' window size) on a manual
    clock (tests/live/window_helpers.py drives it)."""
    from live.controller import Controller
    from live.replay import ManualClock
    from live.window import DrawingWindow

    windows = []

    def make(frankenstein=None, cnn=None, controller=None, size=None, **overrides):
        if controller is None:
            models = dict(tiny_models)
            if frankenstein:
                models["frankenstein"] = biased(models["frankenstein"], frankenstein)
            if cnn:
                models["cnn"] = biased(models["cnn"], cnn)
            s = settings.model_copy(update=overrides)
            controller = Controller(s, loader=loader_of(models))
        given = {} if size is None else dict(width=size[0], height=size[1])
        w = DrawingWindow(controller, clock=ManualClock(), **given)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
