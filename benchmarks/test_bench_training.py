"""Training data pipeline and evaluation replay speed.

- augment + rasterise a batch of 32 real doodles (drawings/s = 32 / median; aim
  >= 5,000/s on one core, so on-the-fly augmentation never starves training);
- replay the 300 real dev doodles stroke by stroke through the stateful classifier
  with the default (untrained: the speed does not depend on the weights) model, one
  thread (drawings/s = 300 / median).
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
    from core.models import MODELS, build_model
    from core.snap import SnapPolicy
    from training.replay import evaluate

    torch.set_num_threads(1)
    torch.manual_seed(0)
    classifier = StrokeClassifier(build_model(MODELS["frankenstein"]))
    report = benchmark.pedantic(
        evaluate, args=(classifier, real_drawings, SnapPolicy()), rounds=3, iterations=1
    )
    assert report["n"] == 300
    benchmark.extra_info["drawings"] = 300
