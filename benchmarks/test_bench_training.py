"""Training data pipeline and evaluation replay speed.

- augment + rasterise a batch of 32 real doodles (drawings/s = 32 / median; aim
  >= 5,000/s on one core, so on-the-fly augmentation never starves training);
- `frankenstein eval`'s replay and report of the 300 real dev doodles (training/replay.py's
  `evaluate`: many drawings at a time, the stateful classifier's predictions) with the
  default (untrained: the speed does not depend on the weights) model, one thread
  (drawings/s = 300 / median).
"""

import numpy as np
import torch

from core.classes import class_index
from training.augment import Augmenter
from training.config import AugmentSection
from training.strokebatch import StrokeBatch, rasterize


def test_augment_and_rasterise_a_batch_of_32(benchmark, real_drawings):
    drawings = real_drawings[::9][:32]
    labels = np.array([class_index(d.word) for d in drawings])
    augment = Augmenter(AugmentSection())
    rng = np.random.default_rng(0)

    def run():
        batch = augment(StrokeBatch.from_strokes([d.strokes for d in drawings]), labels, rng)
        return rasterize(batch, 8, 64)

    frames, lengths = benchmark(run)
    assert frames.shape == (32, 8, 64, 64) and lengths.min() >= 1
    benchmark.extra_info["drawings"] = 32


def test_replay_300_real_drawings(benchmark, real_drawings):
    from core.classifier import StrokeClassifier
    from core.modelconfig import MODELS
    from core.models import build_model
    from core.snap import SnapPolicy
    from training.replay import evaluate

    torch.manual_seed(0)
    classifier = StrokeClassifier(build_model(MODELS["frankenstein"]))
    report = benchmark.pedantic(
        evaluate, args=(classifier, real_drawings, SnapPolicy()), rounds=3, iterations=1
    )
    assert report["n"] == 300
    benchmark.extra_info["drawings"] = 300


def test_synthetic_batch_of_32_generated_augmented_rasterised(benchmark):
    """One training batch made from nothing: generate, augment, rasterise (one core)."""
    from training.dataset import BatchDataset, SyntheticSource

    ds = BatchDataset(
        [SyntheticSource(1000, seed=0)],
        pad_len=8,
        m=64,
        augmenter=Augmenter(AugmentSection()),
        seed=0,
    )
    keys = iter(range(10**6))

    def run():
        b = next(keys)
        return ds[(0, b, np.arange(32 * b, 32 * b + 32) % len(ds))]

    frames, lengths, labels = benchmark(run)
    assert frames.shape == (32, 8, 64, 64) and labels.shape == (32,) and lengths.min() >= 1
    benchmark.extra_info["drawings"] = 32


def test_training_epoch_on_synthetic_data(benchmark, tmp_path):
    """The real loop: one epoch of 10 batches of 32 fresh synthetic doodles, default
    model, one thread (two threads measure far worse than one whenever another process
    shares the two cores), then validation, calibration and the test replay on 18
    drawings each. extra_info["loop_samples_per_s"] is the loop's own measure."""
    from training.config import load_config
    from training.loop import train

    runs = iter(range(100))
    rates = []

    def run():
        cfg = load_config(
            None,
            [
                f"out_dir={tmp_path}",
                f"name=bench-{next(runs)}",
                "epochs=1",
                "data.per_class=18",
                "data.eval_per_class=1",
                "threads=1",
            ],
        )
        result = train(cfg)
        rates.append(result.metrics[-1]["samples_per_s"])
        return result

    result = benchmark.pedantic(run, rounds=3, iterations=1)
    assert result.status == "completed" and result.metrics[-1]["epoch"] == 1
    benchmark.extra_info["loop_samples_per_s"] = sorted(rates)[len(rates) // 2]
