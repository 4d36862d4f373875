"""Training and evaluation data: sources of drawings, and batches of frames from them.

A *source* gives drawings by index: a split of a data directory (prepared and cached
by training/cache.py), or the synthetic generator, which draws fresh doodles every
epoch (drawing i of epoch e from an rng seeded by (seed, e, i): reproducible anywhere).

Batches are requested by a key `(epoch, batch_no, indices)` that `EpochBatches` yields
(a `torch.utils.data.DistributedSampler` underneath, so each process of a distributed
run gets its own share). `BatchDataset[key]` builds the whole batch at once: strokes
-> augmentation (an rng seeded by (seed, epoch, batch_no)) -> vectorised rasterising,
or, without augmentation, the cached frames unpacked. Because everything random is
keyed, a batch is the same whichever worker makes it and after a resume.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset, DistributedSampler

from core.classes import CLASSES, NUM_CLASSES
from training.augment import Augmenter
from training.prepared import PreparedSet
from training.strokebatch import StrokeBatch, rasterize

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # frames, lengths, labels
NO_CLASS = -1  # the label of a doodle of nothing (outlier exposure): equal odds as target


class PreparedSource:
    """Drawings of a PreparedSet (a cached directory split)."""

    def __init__(self, data: PreparedSet):
        self.data = data
        if data.packed is None:  # prepared without frames: rasterised from its strokes
            self.frames = None

    def __len__(self) -> int:
        return len(self.data)

    def labels(self, idx: np.ndarray) -> np.ndarray:
        return self.data.labels[idx].astype(np.int64)

    def strokes(self, epoch: int, idx: np.ndarray) -> StrokeBatch:
        return self.data.strokes(idx)

    def frames(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.data.frames(idx)


class SyntheticSource:
    """`per_class` fresh synthetic doodles of every class, different each epoch, and
    `outliers` times as many doodles of nothing (training.synth.scrawl) after them.

    Drawing i of epoch e is class i mod 18 (for i below `n_classed`; after that a
    doodle of nothing, labelled NO_CLASS), generated from an rng seeded by
    (seed, e, i), so any process can make any drawing, the same way every time.
    Generated per batch with `training.synth.generate_strokes` (inked and simplified
    together, several times faster than one at a time), in the DataLoader's workers
    when there are some: each distributed process makes only its own share.
    """

    frames = None  # generated drawings are always rasterised on the fly
    TAG = 0x5EED  # keeps these seeds apart from generate_drawings' (seed, class, variety)

    def __init__(self, per_class: int, seed: int, variety: str = "full", outliers: float = 0.0):
        self.per_class = per_class
        self.seed = seed
        self.variety = variety
        self.n_classed = per_class * NUM_CLASSES
        self.n_outliers = round(outliers * self.n_classed)

    def __len__(self) -> int:
        return self.n_classed + self.n_outliers

    def labels(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, np.int64)
        return np.where(idx < self.n_classed, idx % NUM_CLASSES, NO_CLASS)

    def strokes(self, epoch: int, idx: np.ndarray) -> StrokeBatch:
        from training.synth import NOTHING, generate_strokes

        items = [
            (
                CLASSES[i % NUM_CLASSES] if i < self.n_classed else NOTHING,
                np.random.default_rng([self.seed, epoch, int(i), self.TAG]),
            )
            for i in idx
        ]
        return StrokeBatch.from_strokes(generate_strokes(items, variety=self.variety))


def synthetic_set(
    per_class: int,
    seed: int,
    *,
    variety: str,
    pad_len: int,
    m: int,
    progress: Callable[[int], None] | None = None,
) -> PreparedSet:
    """A fixed synthetic set (validation or test) prepared in memory; `progress(drawings
    generated)` every 100 of them and at the end."""
    from training.synth import generate_drawings

    drawings = []
    for d in generate_drawings(per_class, seed, variety=variety):
        drawings.append(d)
        if progress is not None and len(drawings) % 100 == 0:
            progress(len(drawings))
    if progress is not None:
        progress(len(drawings))
    labels = [CLASSES.index(d.word) for d in drawings]
    return PreparedSet.from_strokes([d.strokes for d in drawings], labels, pad_len=pad_len, m=m)


class BatchDataset(Dataset):
    """Whole batches by key (epoch, batch_no, indices) over concatenated sources."""

    def __init__(
        self,
        sources: Sequence[PreparedSource | SyntheticSource],
        *,
        pad_len: int,
        m: int,
        augmenter: Augmenter | None,
        seed: int,
    ):
        self.sources = list(sources)
        self.offsets = np.concatenate([[0], np.cumsum([len(s) for s in self.sources])])
        self.pad_len, self.m = pad_len, m
        self.augmenter = augmenter
        self.seed = seed

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, key: tuple[int, int, np.ndarray]) -> Batch:
        epoch, batch_no, idx = key
        idx = np.asarray(idx, np.int64)
        which = np.searchsorted(self.offsets, idx, side="right") - 1  # (B,) source of each
        frames = np.zeros((len(idx), self.pad_len, self.m, self.m), np.uint8)
        lengths = np.zeros(len(idx), np.int64)
        labels = np.zeros(len(idx), np.int64)
        rng = np.random.default_rng([self.seed, epoch, batch_no, 1])
        for s in np.unique(which):
            rows = np.flatnonzero(which == s)
            local = idx[rows] - self.offsets[s]
            src = self.sources[s]
            labels[rows] = src.labels(local)
            if self.augmenter is None and src.frames is not None:
                frames[rows], lengths[rows] = src.frames(local)
                continue
            strokes = src.strokes(epoch, local)
            if self.augmenter is not None:
                strokes = self.augmenter(strokes, labels[rows], rng)
            frames[rows], lengths[rows] = rasterize(strokes, self.pad_len, self.m)
        return torch.from_numpy(frames), torch.from_numpy(lengths), torch.from_numpy(labels)


class EpochBatches:
    """The batch keys of one epoch for one process: shuffled, sharded, resumable.

    `set_epoch(e, skip=k)` starts epoch e at its k-th batch (a resume mid-epoch).
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        *,
        seed: int,
        shuffle: bool = True,
        rank: int = 0,
        world: int = 1,
        max_batches: int | None = None,
    ):
        # A sampler over indices only: DistributedSampler shuffles by (seed, epoch) and
        # gives each rank an equal share, padding with repeats when n % world != 0.
        self.sampler = DistributedSampler(
            range(n), num_replicas=world, rank=rank, shuffle=shuffle, seed=seed, drop_last=False
        )
        self.batch_size = batch_size
        self.max_batches = max_batches
        self.epoch = 0
        self.skip = 0

    def set_epoch(self, epoch: int, skip: int = 0) -> None:
        self.epoch, self.skip = epoch, skip
        self.sampler.set_epoch(epoch)

    def __len__(self) -> int:
        n = -(-len(self.sampler) // self.batch_size)
        return min(n, self.max_batches) if self.max_batches else n

    def __iter__(self) -> Iterator[tuple[int, int, np.ndarray]]:
        order = np.fromiter(iter(self.sampler), np.int64, len(self.sampler))
        for b in range(self.skip, len(self)):
            yield self.epoch, b, order[b * self.batch_size : (b + 1) * self.batch_size]


def eval_batches(data: PreparedSet, batch_size: int, *, rank: int = 0, world: int = 1):
    """Frames of a fixed set in order, this rank's share (every world-th batch)."""
    n_batches = -(-len(data) // batch_size)
    for b in range(rank, n_batches, world):
        idx = np.arange(b * batch_size, min((b + 1) * batch_size, len(data)))
        frames, lengths = data.frames(idx)
        yield (
            torch.from_numpy(frames),
            torch.from_numpy(lengths),
            torch.from_numpy(data.labels[idx].astype(np.int64)),
        )


def ignore_sigint(_worker_id: int) -> None:
    """DataLoader worker init: leave Ctrl-C to the main process, which saves and stops."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
