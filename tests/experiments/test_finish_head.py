"""The learnt finish-head probe: its fit, its features, and its finished guess."""

from __future__ import annotations

import numpy as np
import torch

from core.checkpoint import load_checkpoint, resolve_checkpoint
from core.classifier import StrokeClassifier
from core.raster import rasterize
from experiments.probes.finish_head import (
    FinishHeadClassifier,
    collect,
    fit,
    head_hidden,
    step_features,
)


def test_fit_learns_a_different_ending_rule_per_class():
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(4000, 3, generator=gen)
    y = torch.arange(4000) % 2
    # class 0 ends when feature 0 is positive, class 1 when it is negative
    end = torch.where(y == 0, z[:, 0] > 0, z[:, 0] < 0).float()
    w, b = fit(z, y, end, num_classes=2, weight_decay=1e-4)
    assert w.shape == (2, 3) and b.shape == (2,)
    assert w[0, 0] > 1 and w[1, 0] < -1
    logit = (z * w[y]).sum(1) + b[y]
    assert ((logit > 0).float() == end).float().mean() > 0.95


def test_collect_marks_exactly_one_last_stroke_per_drawing():
    ckpt = load_checkpoint(resolve_checkpoint("cnn"))
    z, y, end = collect(ckpt, per_class=1)  # 18 drawings
    pad_len = ckpt.model.cfg.pad_len
    assert z.shape[1] == ckpt.model.cfg.head_hidden + pad_len
    assert len(z) == len(y) == len(end) >= 18
    assert end.sum() == 18
    assert sorted(y[end == 1].tolist()) == list(range(18))
    assert torch.all(z[:, -pad_len:].sum(1) == 1)  # one stroke number each


def _strokes():
    t = np.linspace(0, 2 * np.pi, 30)
    ring = np.stack([128 + 90 * np.cos(t), 128 + 90 * np.sin(t)], 1)
    return [ring, np.array([[100.0, 100.0], [105.0, 104.0]]), np.array([[90.0, 160], [166, 160]])]


def test_finish_reweights_the_live_guess_by_the_learnt_ending():
    ckpt = load_checkpoint(resolve_checkpoint("frankenstein"))
    cfg = ckpt.model.cfg
    gen = torch.Generator().manual_seed(1)
    w = torch.randn(cfg.num_classes, cfg.head_hidden + cfg.pad_len, generator=gen) * 0.1
    b = torch.randn(cfg.num_classes, generator=gen)
    learnt = FinishHeadClassifier(ckpt, w, b)
    counted = StrokeClassifier(ckpt.model, ckpt.temperature, ckpt.ending)
    strokes = _strokes()
    learnt.replay(strokes)  # a subclass with its own add_stroke: fed stroke by stroke
    for s in strokes:  # so is this one (a replay batches the CNN: other float rounding)
        counted.add_stroke(s)
    for a, c in zip(learnt.history, counted.history, strict=True):
        np.testing.assert_allclose(a.probs, c.probs)  # the live guess is unchanged

    frames = torch.from_numpy(rasterize(strokes, cfg.pad_len, cfg.m))[None]
    with torch.no_grad():
        hidden = head_hidden(ckpt.model.eval(), frames, torch.tensor([len(strokes)]))[0]
    z = step_features(hidden[len(strokes) - 1][None], torch.tensor([len(strokes) - 1]), cfg.pad_len)
    ends = torch.sigmoid(w @ z[0] + b).double().numpy()
    expected = counted.history[-1].probs * ends
    finished = learnt.finish()
    assert finished.finished
    np.testing.assert_allclose(finished.probs, expected / expected.sum(), atol=1e-5)

    learnt.undo()  # the finish after undo reads the earlier stroke's features
    again = FinishHeadClassifier(ckpt, w, b)
    again.replay(strokes[:2])
    np.testing.assert_allclose(learnt.finish().probs, again.finish().probs, atol=1e-9)
