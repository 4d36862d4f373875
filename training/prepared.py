"""A set of prepared drawings: labels, strokes and bit-packed frames, by index.

The same object serves a memory-mapped cache folder (training/cache.py) and a set
built in memory (the fixed synthetic validation and test sets). Batches come out
either as frames (unpacked from the stored bits: no rasterising) or as strokes (a
`StrokeBatch`, for augmentation and stroke-by-stroke replay).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.classes import class_name
from core.strokes import Drawing
from training.strokebatch import StrokeBatch, rasterize


@dataclass
class PreparedSet:
    """N drawings in flat arrays (see training/cache.py for the layout)."""

    points: np.ndarray  # (P, 2) uint8
    stroke_len: np.ndarray  # (S,) int
    n_strokes: np.ndarray  # (N,) int
    labels: np.ndarray  # (N,) uint8
    packed: np.ndarray | None  # (F, m, m / 8) uint8, real frames only; None: strokes only
    pad_len: int
    m: int
    # what reading skipped (from meta.json): how many bad lines, the first few named
    bad_lines: int = 0
    bad_examples: tuple[str, ...] = ()
    # drawings whose 'word' named another class than their file (counted as the file's),
    # and the one line saying so (core.strokes.ReadReport.mismatch_warning); "" if none
    mismatch_warning: str = ""
    # the line saying which older sets of the same directory preparing this one removed
    # from the cache (training/cache.py), or ""
    removed: str = ""

    def __post_init__(self) -> None:
        self.stroke_start = np.concatenate([[0], np.cumsum(self.stroke_len, dtype=np.int64)])
        self.drawing_start = np.concatenate([[0], np.cumsum(self.n_strokes, dtype=np.int64)])
        self.lengths = np.minimum(self.n_strokes, self.pad_len).astype(np.int64)
        self.frame_start = np.concatenate([[0], np.cumsum(self.lengths)])

    def __len__(self) -> int:
        return len(self.labels)

    @staticmethod
    def open(folder: str | os.PathLike, *, pad_len: int, m: int) -> PreparedSet:
        """Memory-map a cache folder."""
        f = Path(folder)

        def load(name: str) -> np.ndarray:
            return np.load(f / f"{name}.npy", mmap_mode="r")

        meta = json.loads((f / "meta.json").read_text())
        n_frames = meta["frames"]
        shape = (n_frames, m, m // 8)
        packed = (
            None
            if not meta["inputs"].get("frames", True)  # prepared without them
            else np.memmap(f / "frames.bin", np.uint8, mode="r", shape=shape)
            if n_frames
            else np.zeros(shape, np.uint8)
        )
        return PreparedSet(
            points=load("points"),
            stroke_len=np.asarray(load("stroke_len")),
            n_strokes=np.asarray(load("n_strokes")),
            labels=np.asarray(load("labels")),
            packed=packed,
            pad_len=pad_len,
            m=m,
            bad_lines=int(meta.get("bad_lines", 0)),
            bad_examples=tuple(meta.get("bad_examples", ())),
            mismatch_warning=meta.get("mismatch_warning", ""),
        )

    @staticmethod
    def from_strokes(
        strokes: Sequence[Sequence[np.ndarray]], labels: Sequence[int], *, pad_len: int, m: int
    ) -> PreparedSet:
        """Build a set in memory (strokes in the 0..255 simplified space)."""
        batch = StrokeBatch.from_strokes(strokes)
        return PreparedSet(
            points=np.clip(np.rint(batch.points), 0, 255).astype(np.uint8),
            stroke_len=batch.stroke_len,
            n_strokes=batch.n_strokes,
            labels=np.asarray(labels, np.uint8),
            packed=pack_frames(strokes, pad_len, m),
            pad_len=pad_len,
            m=m,
        )

    def frames(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Frames (B, pad_len, m, m) uint8 0/1 and lengths (B,) int64 of some drawings."""
        if self.packed is None:
            raise ValueError("a set prepared without frames (load_split(frames=False))")
        idx = np.asarray(idx, np.int64)
        lengths = self.lengths[idx]
        out = np.zeros((len(idx), self.pad_len, self.m, self.m), np.uint8)
        rows = _ranges(self.frame_start[idx], self.frame_start[idx] + lengths)
        real = np.arange(self.pad_len)[None, :] < lengths[:, None]  # (B, T)
        out[real] = np.unpackbits(self.packed[rows], axis=-1)
        return out, lengths

    def strokes(self, idx: np.ndarray) -> StrokeBatch:
        """The strokes of some drawings, as float32 points in a StrokeBatch."""
        idx = np.asarray(idx, np.int64)
        s0, s1 = self.drawing_start[idx], self.drawing_start[idx + 1]
        strokes = _ranges(s0, s1)  # (S_b,) stroke indices in order
        p0, p1 = self.stroke_start[strokes], self.stroke_start[strokes + 1]
        points = np.asarray(self.points[_ranges(p0, p1)], np.float32)
        return StrokeBatch(points, np.asarray(p1 - p0, np.int64), np.asarray(s1 - s0, np.int64))

    def drawing(self, i: int) -> Drawing:
        """Drawing i (strokes as float32 arrays, word = its class)."""
        b = self.strokes(np.asarray([i]))
        return Drawing(strokes=tuple(b.drawing(0)), word=class_name(int(self.labels[i])))


def pack_frames(
    strokes: Sequence[Sequence[np.ndarray]],
    pad_len: int,
    m: int,
    *,
    chunk: int = 512,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """The real frames of many drawings, bit-packed: (F, m, m / 8) uint8.

    Rasterised `chunk` drawings at a time, so memory stays small (a 64x64 frame is
    4 KB unpacked, 512 bytes packed).
    """
    n_frames = sum(min(len(d), pad_len) for d in strokes)
    packed = np.zeros((n_frames, m, m // 8), np.uint8)
    at = 0
    for start in range(0, len(strokes), chunk):
        if progress is not None:
            progress(start, len(strokes))
        frames, n = rasterize(StrokeBatch.from_strokes(strokes[start : start + chunk]), pad_len, m)
        real = np.arange(pad_len)[None, :] < n[:, None]  # (C, T)
        bits = np.packbits(frames[real], axis=-1)  # (F_chunk, m, m / 8)
        packed[at : at + len(bits)] = bits
        at += len(bits)
    if progress is not None:
        progress(len(strokes), len(strokes))
    return packed


def _ranges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Concatenated aranges start[i]..stop[i]-1, vectorised."""
    counts = stop - start
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(start - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total)
