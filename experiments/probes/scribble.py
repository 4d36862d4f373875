"""Probe: can a feature of the ink tell a scribble from every real doodle?

A person scrubbing the pen around draws ink the classifiers can read as a sun or a
cloud at 0.99. Here, for the 300 real dev doodles (raw, placed on the canvas as
`draw --score` places them, and simplified, as `frankenstein eval` reads them; per
class), synthetic training doodles of every class (`--synth`, a directory that
`frankenstein data synth` wrote, else `--per-class` a class drawn here with seed 0, as
that command draws them) and scribbles (random walks in a disc of 200 to 2,000 points,
jagged or smooth, in one stroke or several; zig-zag hatching; scrubbing to and fro
along one line; training/synth/scrawl.py's doodles of nothing), each candidate
feature's range:

- crossings: how often the ink crosses itself (core/scribble.py), and that per stroke
  and per box diagonal of ink;
- ink length over the box's larger side;
- coverage: the share of a 32 x 32 grid over the box's square that the ink passes through;
- turning: the pen's total turn (in whole turns) per box diagonal of ink.

Then how many of each group reach the scribble limit (core/scribble.py), and the
margins between the limit and the real doodles. With `--window`, every scribble is
also drawn in a real controller (live/controller.py) of each bundled model, then left
to rest, and its snaps are counted with the limit and without it:

    python -m experiments.probes.scribble --data ../shared/data/quickdraw-real-dev --window
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.scribble import SCRIBBLE_CROSSINGS, crossings
from experiments.probes.report import run

DISC = (400.0, 300.0, 150.0)  # centre and radius of the disc the walks stay in (canvas)
WALK_POINTS = (200, 500, 1000, 2000)
WALK_STEPS = (5.0, 8.0, 15.0)  # px between a walk's points
WALK_SEEDS = range(6)
SMOOTH_TURN = 0.6  # a smooth walk's heading drifts by this (radians, s.d.) a step
COVER_GRID = 32


def random_walk(
    n: int, seed: int, step: float = 8.0, smooth: float | None = None, disc=DISC
) -> np.ndarray:
    """(n, 2) points of a walk in a disc: each step `step` long in a random direction
    (`smooth` None), else the heading drifting by N(0, smooth) a step; a step that would
    leave the disc turns back."""
    rng = np.random.default_rng(seed)
    centre, radius = np.array(disc[:2]), disc[2]
    pts = np.empty((n, 2))
    pts[0] = centre
    heading = rng.uniform(0, 2 * math.pi)
    for k in range(1, n):
        heading = heading + rng.normal(0, smooth) if smooth else rng.uniform(0, 2 * math.pi)
        move = step * np.array([math.cos(heading), math.sin(heading)])
        if np.hypot(*(pts[k - 1] + move - centre)) > radius:
            heading += math.pi
            move = -move
        pts[k] = pts[k - 1] + move
    return pts


def zigzag(seed: int, legs: int, drift: float = 0.03, size: float = 200.0) -> np.ndarray:
    """One stroke to and fro across a patch `size` wide, each leg `drift` of the size
    beside the last (0: scrubbing along one line), with a pixel of tremor."""
    rng = np.random.default_rng(seed)
    along = rng.uniform(0, math.pi)
    u = np.array([math.cos(along), math.sin(along)])
    v = np.array([-u[1], u[0]])
    offs = np.linspace(-0.5, 0.5, legs) * size * legs * drift
    ends = np.where(np.arange(legs) % 2 == 0, -0.5, 0.5) * size * rng.uniform(0.6, 1.0, legs)
    corners = np.array(DISC[:2]) + ends[:, None] * u + offs[:, None] * v
    pts = np.concatenate(
        [np.linspace(corners[i], corners[i + 1], 20, endpoint=False) for i in range(legs - 1)]
        + [corners[-1:]]
    )
    return pts + rng.normal(0, 1.0, pts.shape)


def split(points: np.ndarray, parts: int, seed: int) -> list[np.ndarray]:
    """`points` cut into `parts` strokes at random places."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(10, len(points) - 10), parts - 1, replace=False))
    return np.split(points, cuts)


def scribbles() -> dict[str, list[list[np.ndarray]]]:
    """Group name -> scribbles (each a list of strokes, canvas coordinates, y down)."""
    from training.synth import NOTHING, generate_strokes

    groups: dict[str, list] = defaultdict(list)
    for n in WALK_POINTS:
        for seed in WALK_SEEDS:
            for step in WALK_STEPS:
                jagged = random_walk(n, seed, step)
                smooth = random_walk(n, seed, step, SMOOTH_TURN)
                groups[f"walk {n}, 1 stroke"].append([jagged])
                groups[f"walk {n}, 3 strokes"].append(split(jagged, 3, seed))
                groups[f"smooth walk {n}, 1 stroke"].append([smooth])
                groups[f"smooth walk {n}, 4 strokes"].append(split(smooth, 4, seed))
    for seed in range(20):
        groups["zig-zag hatching"].append([zigzag(seed, 8 + seed % 10)])
        groups["scrubbing on a line"].append([zigzag(seed, 8 + seed % 10, drift=0.0)])
    items = [(NOTHING, np.random.default_rng(seed)) for seed in range(300)]
    groups["scrawl (synth)"] = [list(s) for s in generate_strokes(items)]
    return dict(groups)


def features(strokes: Sequence[np.ndarray]) -> dict[str, float]:
    """The candidate features of one drawing's ink (see the module docstring)."""
    strokes = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes if len(s)]
    points = np.concatenate(strokes)
    lo, extent = points.min(axis=0), points.max(axis=0) - points.min(axis=0)
    side, diagonal = float(extent.max()) or 1.0, float(np.hypot(*extent)) or 1.0
    steps = [np.diff(s, axis=0) for s in strokes]
    length = sum(float(np.hypot(*d.T).sum()) for d in steps)
    ink = length / diagonal
    x = crossings(strokes)
    cells = set()
    for s in strokes:  # the ink's points every third of a cell
        d = np.hypot(*np.diff(s, axis=0).T)
        along = np.concatenate([[0.0], np.cumsum(d)])
        at = np.linspace(0, along[-1], max(int(along[-1] * COVER_GRID * 3 / side), 1) + 1)
        keep = np.concatenate([[True], d > 0])
        fine = np.stack([np.interp(at, along[keep], s[keep, k]) for k in (0, 1)], 1)
        c = np.clip(((fine - lo) / side * COVER_GRID).astype(int), 0, COVER_GRID - 1)
        cells.update(map(tuple, c))
    turn = 0.0
    for d in steps:
        d = d[np.hypot(*d.T) > 0]
        if len(d) > 1:
            a = np.arctan2(d[:, 1], d[:, 0])
            turn += float(np.abs((np.diff(a) + math.pi) % (2 * math.pi) - math.pi).sum())
    return {
        "crossings": x,
        "per stroke": x / len(strokes),
        "per diagonal": x / ink if ink else 0.0,
        "length/side": length / side,
        "coverage": len(cells) / COVER_GRID**2,
        "turns/diagonal": turn / (2 * math.pi) / ink if ink else 0.0,
    }


def real_groups(real_dev: Path) -> dict[str, list[tuple[str, list[np.ndarray]]]]:
    """The real dev doodles, (class, strokes): raw placed on the canvas as `draw
    --score` places each, and simplified as read."""
    from live.geometry import flip_y
    from live.replay import place_drawings
    from live.settings import LiveSettings
    from training.replay import read_eval_drawings

    size = LiveSettings().canvas_size
    raw = [
        (d.word, [flip_y(s, size[1]) for s in place_drawings([d], size)[0].strokes])
        for d in read_eval_drawings(real_dev / "raw")
    ]
    simplified = [(d.word, list(d.strokes)) for d in read_eval_drawings(real_dev / "simplified")]
    return {"real dev raw (window)": raw, "real dev simplified": simplified}


def synth_group(synth: Path | None, per_class: int) -> list[tuple[str, list[np.ndarray]]]:
    """Synthetic doodles of every class, (class, strokes)."""
    from core.classes import CLASSES
    from training.replay import read_eval_drawings
    from training.synth import generate_drawings

    if synth is not None:
        drawings = read_eval_drawings(synth)
    else:
        drawings = [d for c in CLASSES for d in generate_drawings(per_class, 0, [c])]
    return [(d.word, list(d.strokes)) for d in drawings]


def rows(groups: dict[str, list]) -> list[dict]:
    """One row a group: its size, each feature's (min, median, max), and how many reach
    the scribble limit."""
    out = []
    for name, inks in groups.items():
        values = [features(s) for s in inks]
        row = {"group": name, "n": len(inks)}
        for key in values[0]:
            v = np.array([f[key] for f in values])
            row[key] = (float(v.min()), float(np.median(v)), float(v.max()))
        row["scribbles"] = sum(f["crossings"] >= SCRIBBLE_CROSSINGS for f in values)
        out.append(row)
    return out


def class_maxima(groups: dict[str, list[tuple[str, list]]]) -> dict[str, list[int]]:
    """Class -> the most crossings of a doodle of it, in each of `groups`."""
    most: dict[str, list[int]] = defaultdict(lambda: [0] * len(groups))
    for k, labelled in enumerate(groups.values()):
        for cls, strokes in labelled:
            most[cls][k] = max(most[cls][k], crossings(strokes))
    return dict(sorted(most.items()))


def window_snaps(groups: dict[str, list[list[np.ndarray]]]) -> dict[str, dict[str, tuple]]:
    """Group -> model -> (snaps with the scribble limit, snaps without): each scribble
    drawn in a real controller of the bundled model, stroke by stroke, then left to rest."""
    from live.controller import Controller, load_classifier
    from live.settings import LiveSettings

    out: dict[str, dict[str, tuple]] = {}
    loaded = {m: load_classifier(m, None) for m in ("frankenstein", "cnn")}
    for name, inks in groups.items():
        out[name] = {}
        for model, clf in loaded.items():
            counts = []
            for limit in (SCRIBBLE_CROSSINGS, None):
                snaps = 0
                for strokes in inks:
                    clf.reset()
                    c = Controller(LiveSettings(model=model), loader=lambda n, p, c=clf: c)
                    c.policy = c.policy.model_copy(update={"scribble_crossings": limit})
                    snaps += _draw_and_rest(c, strokes)
                counts.append(snaps)
            out[name][model] = tuple(counts)
    return out


def _draw_and_rest(controller, strokes: Sequence[np.ndarray]) -> bool:
    """Draw `strokes` (canvas coordinates, y down) in the controller at 5 ms a point,
    then let the pen rest; whether anything snapped."""
    from live.geometry import flip_y

    height = controller.settings.canvas_size[1]
    t, snapped = 0.0, False
    for stroke in strokes:
        pts = controller.layout.to_view(flip_y(stroke, height)).tolist()
        controller.pen_down(*pts[0], t)
        for p in pts[1:]:
            t += 0.005
            controller.pen_move(*p, t)
        snapped |= controller.pen_up(*pts[-1], t).snapped is not None
        t += 0.2
    done = controller.tick(t + controller.settings.pause_s + 1)
    return snapped or (done is not None and done.snapped is not None)


def _margin(most: float) -> str:
    """How far under the limit the most crossed doodle of a group stays."""
    if most == 0:
        return "crosses itself nowhere"
    return f"crosses itself {most:.0f} times (the limit is {SCRIBBLE_CROSSINGS / most:.2f}x that)"


def _range(r: tuple[float, float, float], digits: int = 1) -> str:
    return f"{r[0]:.{digits}f}-{r[2]:.{digits}f}"


def main(argv: Sequence[str] | None = None) -> int:
    from core.paths import real_dev_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="the real dev folder (holding raw/, simplified/)"
    )
    parser.add_argument("--synth", type=Path, default=None, help="synthetic <class>.ndjson")
    parser.add_argument("--per-class", type=int, default=100, help="synthetic doodles a class")
    parser.add_argument(
        "--window", action="store_true", help="count the scribbles' snaps in the controller"
    )
    args = parser.parse_args(argv)
    real_dev = args.data or real_dev_dir()
    if real_dev is None:
        parser.error("no real dev doodles found: give --data")
    real = real_groups(real_dev)
    labelled = {**real, "synthetic": synth_group(args.synth, args.per_class)}
    made = scribbles()
    groups = {name: [s for _, s in inks] for name, inks in labelled.items()} | made
    table = rows(groups)
    print(
        f"{'group':28s} {'n':>4s} {'crossings min/median/max':>25s} {'per stroke':>11s} "
        f"{'per diag':>10s} {'len/side':>10s} {'coverage':>10s} {'turns/diag':>10s} "
        f"{f'>= {SCRIBBLE_CROSSINGS}':>7s}"
    )
    for r in table:
        lo, mid, hi = r["crossings"]
        print(
            f"{r['group']:28s} {r['n']:4d} {f'{lo:.0f} / {mid:.0f} / {hi:.0f}':>25s} "
            f"{_range(r['per stroke']):>11s} {_range(r['per diagonal']):>10s} "
            f"{_range(r['length/side']):>10s} {_range(r['coverage'], 2):>10s} "
            f"{_range(r['turns/diagonal']):>10s} {r['scribbles']:7d}"
        )
    print("\nmost crossings of a doodle, per class:")
    print(f"{'class':14s} " + " ".join(f"{name:>22s}" for name in labelled))
    for cls, most in class_maxima(labelled).items():
        print(f"{cls:14s} " + " ".join(f"{m:22d}" for m in most))
    most_real = max(r["crossings"][2] for r in table if r["group"] in real)
    most_synth = next(r["crossings"][2] for r in table if r["group"] == "synthetic")
    print(
        f"\nscribble limit {SCRIBBLE_CROSSINGS} crossings: the most crossed real dev doodle "
        f"{_margin(most_real)}, the most crossed synthetic one {_margin(most_synth)}"
    )
    if args.window:
        print("\nsnaps in the controller, with the limit / without (of n):")
        for name, by_model in window_snaps(made).items():
            counts = "  ".join(f"{m} {a} / {b}" for m, (a, b) in by_model.items())
            print(f"{name:28s} {len(made[name]):4d}  {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
