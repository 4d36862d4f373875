"""Outlier exposure: doodles of nothing in the synthetic epochs, trained toward equal odds."""

from __future__ import annotations

import json

import numpy as np
import torch

from core.checkpoint import load_checkpoint
from core.classes import NUM_CLASSES
from training.augment import Augmenter
from training.config import AugmentSection, load_config
from training.dataset import NO_CLASS, SyntheticSource
from training.metrics import Running, final_log_probs, sequence_loss
from training.synth import NOTHING, generate_batch, generate_strokes
from ui.cli import main


def test_doodles_of_nothing_are_valid_simplified_strokes_fixed_by_their_rng():
    drawings = generate_strokes([(NOTHING, np.random.default_rng([3, i])) for i in range(40)])
    for strokes in drawings:
        assert len(strokes) >= 1
        pts = np.concatenate(strokes)
        assert np.array_equal(pts, np.rint(pts)) and pts.min() >= 0 and pts.max() <= 255
        assert pts.min() == 0 and pts.max() >= 250  # aligned to 0, larger side ~255
    again = generate_strokes([(NOTHING, np.random.default_rng([3, 0]))])
    assert [s.tolist() for s in again[0]] == [s.tolist() for s in drawings[0]]
    # scribbles, wandering curves and writing: many points, several strokes on average
    assert np.mean([len(s) for s in drawings]) > 2
    assert np.mean([sum(len(x) for x in s) for s in drawings]) > 30


def test_class_doodles_are_the_same_through_generate_strokes_and_generate_batch():
    items = [("sun", np.random.default_rng(1)), ("house", np.random.default_rng(2))]
    strokes = generate_strokes(items)
    again = [("sun", np.random.default_rng(1)), ("house", np.random.default_rng(2))]
    batch = generate_batch(again)
    assert [[s.tolist() for s in x] for x in strokes] == [
        [s.tolist() for s in d.strokes] for d in batch
    ]


def test_outliers_follow_the_class_doodles_which_stay_as_they_were():
    plain = SyntheticSource(per_class=3, seed=0)
    mixed = SyntheticSource(per_class=3, seed=0, outliers=0.5)
    assert (len(plain), len(mixed)) == (54, 81)
    assert mixed.n_classed == 54 and mixed.n_outliers == 27
    idx = np.array([0, 7, 53])
    assert np.array_equal(mixed.strokes(0, idx).points, plain.strokes(0, idx).points)
    assert mixed.labels(np.array([0, 53, 54, 80])).tolist() == [0, 53 % 18, NO_CLASS, NO_CLASS]
    extra = mixed.strokes(0, np.array([54, 55]))
    assert len(extra) == 2 and extra.n_strokes.min() >= 1
    assert not np.array_equal(mixed.strokes(1, np.array([54])).points, extra.points[:10])


def test_a_doodle_of_nothing_is_rotated_freely():
    aug = Augmenter(AugmentSection(rotate=90.0, tilt=0.0, jitter=0.0, flip=0.0, aspect=0.0))
    src = SyntheticSource(per_class=1, seed=0, outliers=1.0)
    batch = src.strokes(0, np.array([18]))
    house = src.strokes(0, np.array([8]))  # class 8, house: upright, tilt 0
    outs = [aug(batch, np.array([NO_CLASS]), np.random.default_rng(s)) for s in range(4)]
    houses = [aug(house, np.array([8]), np.random.default_rng(s)) for s in range(4)]
    # the house keeps its shape up to scale and shift; the doodle of nothing turns
    h = [np.ptp(b.points[:, 0]) / max(np.ptp(b.points[:, 1]), 1) for b in houses]
    o = [np.ptp(b.points[:, 0]) / max(np.ptp(b.points[:, 1]), 1) for b in outs]
    assert np.ptp(h) < 0.05 and np.ptp(o) > 0.05


def test_a_doodle_of_nothing_is_trained_toward_equal_odds():
    torch.manual_seed(0)
    lp = torch.log_softmax(torch.randn(4, 3, NUM_CLASSES), 2)
    lengths = torch.tensor([3, 1, 2, 3])
    labels = torch.tensor([2, NO_CLASS, 5, NO_CLASS])
    uniform = torch.full((NUM_CLASSES,), 1 / NUM_CLASSES)
    last = final_log_probs(lp, lengths)
    onehot = torch.eye(NUM_CLASSES)
    target = torch.stack([onehot[2], uniform, onehot[5], uniform])
    expect = torch.nn.functional.cross_entropy(last, target)
    assert torch.allclose(sequence_loss(lp, lengths, labels, "final"), expect)
    # smoothing moves the class targets only
    smooth = target.clone()
    smooth[[0, 2]] = smooth[[0, 2]] * 0.8 + 0.2 / NUM_CLASSES
    expect = torch.nn.functional.cross_entropy(last, smooth)
    assert torch.allclose(sequence_loss(lp, lengths, labels, "final", 0.2), expect)
    # equal odds is the best answer to a doodle of nothing
    flat = torch.full((1, 1, NUM_CLASSES), -np.log(NUM_CLASSES))
    sure = torch.log_softmax(torch.eye(NUM_CLASSES)[None, :1] * 10, 2)
    one, none = torch.tensor([1]), torch.tensor([NO_CLASS])
    assert sequence_loss(flat, one, none) < sequence_loss(sure, one, none)


def test_accuracy_counts_only_doodles_of_a_class():
    lp = torch.log_softmax(torch.eye(NUM_CLASSES)[[0, 1, 2]][:, None] * 5, 2)  # (3, 1, C)
    lengths = torch.ones(3, dtype=torch.long)
    r = Running(1)
    r.add(lp, lengths, torch.tensor([0, 1, NO_CLASS]), loss=1.0)
    assert r.acc == 1.0 and r.count == 3 and r.labelled == 2
    assert r.acc_at_stroke() == [1.0]
    back = Running.from_tensor(r.as_tensor(), 1)
    assert (back.acc, back.count, back.labelled) == (1.0, 3, 2)
    assert Running(1, **r.state()).acc == 1.0
    # a mid-epoch state saved before outliers existed: every drawing had a class
    old = Running(1, loss_sum=2.0, correct=3.0, count=4.0)
    assert old.acc == 0.75


def test_a_run_with_outliers_trains_and_counts_its_ending_prior_on_class_doodles(tmp_path):
    main(["train", "--dry-run", f"out_dir={tmp_path}", "threads=1", "data.outliers=0.5"])
    run = tmp_path / "frankenstein-dry-run"
    ckpt = load_checkpoint(run / "best.pt")
    assert ckpt.cfg.arch == "frankenstein"
    assert json.loads((run / "config.json").read_text())["data"]["outliers"] == 0.5
    # the ending prior counts the 2 class doodles a class of a dry run, not the outliers
    assert ckpt.ending.counts.sum() == 2 * NUM_CLASSES
    assert (ckpt.ending.counts.sum(1) == 2).all()
    (epoch,) = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert np.isfinite(epoch["train_loss"]) and 0.0 <= epoch["train_acc"] <= 1.0
    assert load_config(None, ["data.outliers=0.25"]).data.outliers == 0.25
