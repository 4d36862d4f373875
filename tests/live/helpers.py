"""Helpers for the drawing window's tests: strokes to draw, models that answer one class."""

from __future__ import annotations

import copy

import numpy as np


def biased(model, cls: str):
    """A copy of `model` whose output layer always puts ~all probability on `cls`."""
    import torch

    from core.classes import class_index

    model = copy.deepcopy(model)
    last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.fill_(0.0)
        last.bias[class_index(cls)] = 25.0
    return model


def loader_of(models: dict, classifier=None):
    """A controller loader that wraps the given models in fresh classifiers."""
    from core.classifier import StrokeClassifier

    classifier = classifier or StrokeClassifier

    def load(name, checkpoint):
        return classifier(models[name])

    return load


def counting_classifier():
    """A StrokeClassifier subclass that records which of its methods the controller calls."""
    from core.classifier import StrokeClassifier

    calls: list[str] = []

    class CountingClassifier(StrokeClassifier):
        _replaying = False

        def add_stroke(self, points):
            if not self._replaying:
                self.calls.append("add_stroke")
            return super().add_stroke(points)

        def replay(self, strokes):
            self.calls.append("replay")
            self._replaying = True
            try:
                return super().replay(strokes)
            finally:
                self._replaying = False

        def undo(self):
            self.calls.append("undo")
            return super().undo()

    CountingClassifier.calls = calls
    return CountingClassifier


def circle(cx: float, cy: float, r: float, n: int = 48) -> np.ndarray:
    """A closed circle of view points (n + 1, 2), drawn counter-clockwise from the right."""
    a = np.linspace(0, 2 * np.pi, n + 1)
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)


def square(cx: float, cy: float, half: float, per_side: int = 12) -> np.ndarray:
    """A closed axis-aligned square of view points."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], float) * half
    pts = [
        corners[i] + (corners[i + 1] - corners[i]) * k / per_side
        for i in range(4)
        for k in range(per_side)
    ]
    return np.array([*pts, corners[-1]]) + np.array([cx, cy])


def random_walk(
    n: int, seed: int, centre=(400.0, 300.0), radius: float = 150.0, step: float = 8.0
) -> np.ndarray:
    """A scribble: n points, each `step` from the last in a random direction, turned
    back where it would leave the disc (a person scrubbing the pen around)."""
    rng = np.random.default_rng(seed)
    centre = np.asarray(centre, float)
    pts = [centre]
    for a in rng.uniform(0, 2 * np.pi, n - 1):
        move = step * np.array([np.cos(a), np.sin(a)])
        nxt = pts[-1] + move
        pts.append(nxt if np.hypot(*(nxt - centre)) <= radius else pts[-1] - move)
    return np.array(pts)


def line(x0: float, y0: float, x1: float, y1: float, n: int = 20) -> np.ndarray:
    return np.linspace([x0, y0], [x1, y1], n)


def draw(controller, points, t0: float = 0.0, dt: float = 0.01):
    """Press, drag through and release at `points` (view coordinates); the Update."""
    pts = np.asarray(points, float).reshape(-1, 2)
    controller.pen_down(*pts[0], t0)
    for i, p in enumerate(pts[1:], start=1):
        controller.pen_move(*p, t0 + i * dt)
    return controller.pen_up(*pts[-1], t0 + (len(pts) - 1) * dt)
