"""Synthetic doodles of the 18 classes, drawn the ways people draw them.

Only 300 real Quick, Draw! doodles are on these machines, and they are for
validation, so the model learns from this generator. Each class has a drawing
program (`shapes_*.py`) that plans strokes in the order, direction and splitting
people use, with optional parts; a `pen.Hand` inks them with smooth wobble,
tremor, hooks, uneven closures and rounded or sharp corners; the result is put in
the simplified format exactly as Google made it (`simplify.py`: aligned to 0,
larger side 255, resampled at 1 px, RDP with epsilon 2, integers).

`variety="one-style"` draws every class in its first style with no optional parts
(for the ablation of generator variety); the hand still varies. `variety="flat"`
draws each class's styles and other choices more evenly than the weights the
programs give them (`pen.Sketch.pick`).

`NOTHING` names the doodles of nothing (`scrawl.py`) that outlier exposure trains on;
it is not a class, so only `generate_strokes` draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from core.classes import CLASSES, class_index
from core.errors import FrankensteinError
from core.strokes import Drawing
from training.synth import shapes_polygons, shapes_round, shapes_scenes, shapes_things
from training.synth.pen import Sketch, ink_batch
from training.synth.scrawl import scrawl
from training.synth.simplify import group_strokes, normalize_flat

VARIETIES = ("full", "flat", "one-style")
BATCH = 256  # drawings normalised together
NOTHING = "nothing"  # the doodles of nothing (outliers), not a class

PROGRAMS: dict[str, Callable[[Sketch], None]] = {
    "circle": shapes_round.circle,
    "cloud": shapes_scenes.cloud,
    "donut": shapes_round.donut,
    "eye": shapes_round.eye,
    "fish": shapes_scenes.fish,
    "hexagon": shapes_polygons.hexagon,
    "hockey stick": shapes_things.hockey_stick,
    "hourglass": shapes_things.hourglass,
    "house": shapes_scenes.house,
    "ice cream": shapes_scenes.ice_cream,
    "line": shapes_things.line,
    "mountain": shapes_scenes.mountain,
    "octagon": shapes_polygons.octagon,
    "paper clip": shapes_things.paper_clip,
    "smiley face": shapes_round.smiley_face,
    "square": shapes_polygons.square,
    "sun": shapes_round.sun,
    "triangle": shapes_polygons.triangle,
}


class SynthError(FrankensteinError, ValueError):
    """A bad argument to the generator (unknown variety, negative count)."""


def _check_variety(variety: str) -> str:
    if variety not in VARIETIES:
        raise SynthError(f"unknown variety {variety!r} (expected one of {', '.join(VARIETIES)})")
    return variety


def sketch(cls: str, rng: np.random.Generator, *, variety: str = "full") -> Sketch:
    """The planned (not yet inked) strokes of one doodle of `cls` (or of `NOTHING`)."""
    variety = _check_variety(variety)
    sk = Sketch(rng, full=variety != "one-style", flat=variety == "flat")
    program = scrawl if cls == NOTHING else PROGRAMS[CLASSES[class_index(cls)]]
    program(sk)
    sk.stray_marks()
    return sk


def _draw_batch(sketches: list[Sketch]) -> list[tuple[np.ndarray, ...]]:
    """Ink and normalise planned sketches: per sketch, its simplified strokes."""
    pts, sizes, owner = ink_batch(sketches)
    out, out_sizes = normalize_flat(pts, sizes, owner)
    return group_strokes(out, out_sizes, owner, len(sketches))


def generate(cls: str, rng: np.random.Generator, *, variety: str = "full") -> Drawing:
    """One synthetic doodle of class `cls` in the simplified format (word=cls)."""
    (strokes,) = _draw_batch([sketch(cls, rng, variety=variety)])
    return Drawing(strokes=strokes, word=CLASSES[class_index(cls)])


def generate_strokes(
    items: Sequence[tuple[str, np.random.Generator]], *, variety: str = "full"
) -> list[tuple[np.ndarray, ...]]:
    """The simplified strokes of one doodle per (class or `NOTHING`, generator) pair,
    inked and simplified together."""
    sketches = [sketch(cls, rng, variety=variety) for cls, rng in items]
    return _draw_batch(sketches) if sketches else []


def generate_batch(
    items: Sequence[tuple[str, np.random.Generator]], *, variety: str = "full"
) -> list[Drawing]:
    """One doodle per (class, generator) pair: the same drawings as calling `generate`
    on each pair in turn, but several times faster (inked and simplified together)."""
    batch = generate_strokes(items, variety=variety)
    return [
        Drawing(strokes=s, word=CLASSES[class_index(cls)])
        for (cls, _), s in zip(items, batch, strict=True)
    ]


def generate_drawings(
    per_class: int,
    seed: int,
    classes: Sequence[str] = CLASSES,
    variety: str = "full",
) -> Iterator[Drawing]:
    """`per_class` doodles of each class, class by class; deterministic per seed.

    Each class draws from its own random stream (seeded by `seed` and the class's
    index), so a class's doodles do not depend on which other classes are asked for.
    key_ids are `synth-<seed>-<class>-<i>`.
    """
    if per_class < 0:
        raise SynthError(f"per_class must be >= 0, got {per_class}")
    _check_variety(variety)
    for cls in classes:
        idx = class_index(cls)
        name = CLASSES[idx]
        rng = np.random.default_rng([seed, idx, VARIETIES.index(variety)])
        for lo in range(0, per_class, BATCH):
            n = min(BATCH, per_class - lo)
            batch = _draw_batch([sketch(name, rng, variety=variety) for _ in range(n)])
            for i, strokes in enumerate(batch):
                yield Drawing(strokes=strokes, word=name, key_id=f"synth-{seed}-{name}-{lo + i}")
