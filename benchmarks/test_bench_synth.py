"""Synthetic doodles: drawings per second on one core (aim >= 2,000/s)."""

from core.classes import CLASSES
from training.synth import generate_drawings

PER_CLASS = 64


def test_generate_drawings_all_classes(benchmark):
    """Median time for 64 doodles of each of the 18 classes (1,152 drawings),
    simplified exactly as the real files; drawings/s = 1152 / median."""

    def run():
        return sum(1 for _ in generate_drawings(PER_CLASS, seed=0))

    n = benchmark(run)
    assert n == PER_CLASS * len(CLASSES)
    benchmark.extra_info["drawings"] = n
