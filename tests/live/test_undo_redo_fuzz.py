"""Undo and redo under random sequences of what a person does in the window.

Whatever came before, redo puts back exactly the canvas the undo took (until
something new is done), and every shape's guesses are always those the model in use
gives its ink, whichever model made them first."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.classifier import StrokeClassifier
from core.strokes import normalize_strokes
from live.controller import Controller
from live.settings import LiveSettings
from tests.live.helpers import biased, circle, draw, line, loader_of

H = 600

stroke = st.tuples(
    st.sampled_from(["line", "circle"]),
    st.integers(80, 720),  # x
    st.integers(80, 520),  # y
    st.integers(20, 140),  # size
).map(lambda s: ("draw", *s))
action = st.one_of(
    stroke,
    stroke,
    st.sampled_from(
        [("undo",), ("undo",), ("redo",), ("redo",), ("clear",), ("switch",), ("rest",), ("snap",)]
    ),
)


def canvas(c):
    return [(s.id, s.state, s.snap and s.snap.cls, tuple(map(id, s.strokes))) for s in c.shapes]


def points(kind, x, y, size):
    return circle(x, y, size) if kind == "circle" else line(x, y, x + size, y + size // 2)


@pytest.fixture(scope="module")
def make(tiny_models, tmp_path_factory):
    models = dict(tiny_models, frankenstein=biased(tiny_models["frankenstein"], "circle"))
    save_dir = tmp_path_factory.mktemp("drawings")

    def controller():
        s = LiveSettings(save_dir=save_dir, steady_override=0.99, max_fit_error=0.3)
        return Controller(s, loader=loader_of(models))

    return controller


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, max_size=25))
@example(  # two eyes, an outline gathering them, the model switched, the outline undone
    [
        ("draw", "circle", 250, 300, 15),
        ("draw", "circle", 350, 300, 15),
        ("draw", "circle", 300, 300, 120),
        ("switch",),
        ("undo",),
    ]
)
@example(  # a stroke reopens a snapped circle; undone, the circle snaps back with one stroke
    [("draw", "circle", 300, 300, 100), ("draw", "line", 250, 300, 100), ("undo",)]
)
@example(  # two shapes cleared, the model switched, the clear undone: both re-read
    [
        ("draw", "line", 100, 100, 60),
        ("draw", "line", 600, 400, 60),
        ("clear",),
        ("switch",),
        ("undo",),
    ]
)
def test_redo_restores_what_undo_took_and_guesses_follow_the_model(make, actions):
    c = make()
    undone = []  # the canvas before each undo that redo should put back, newest last
    t = 0.0
    for act in actions:
        t += 2.0  # every action after the pause: a rest is judged when asked for
        records = (len(c.undo_stack), c.undo_stack[-1] if c.undo_stack else None)
        if act[0] == "undo":
            before = canvas(c)
            if c.undo():
                undone.append(before)
            else:
                assert not c.undo_stack
        elif act[0] == "redo":
            if undone:
                assert c.redo() and canvas(c) == undone.pop()
            else:
                assert not c.redo()
        elif act[0] == "draw":
            draw(c, points(*act[1:]), t0=t)
        elif act[0] == "clear":
            c.clear()
        elif act[0] == "switch":
            c.switch_model()
        elif act[0] == "rest":
            c.tick(t + 1.6)
        else:
            c.classify_now()
        if (
            act[0] not in ("undo", "redo")
            and (len(c.undo_stack), c.undo_stack[-1] if c.undo_stack else None) != records
        ):
            undone.clear()  # something new was done: nothing to redo
        for shape in c.shapes:
            fresh = StrokeClassifier(c.classifier.model).replay(
                normalize_strokes(shape.screen_ink(H))
            )
            np.testing.assert_allclose(shape.history[-1].probs, fresh.probs, atol=1e-5)
