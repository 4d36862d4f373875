"""Strokes -> cumulative bitmap frames, shared by training and live use.

A stroke is drawn on the 256x256 grid of the simplified space as a digital line
(points rounded to pixels, each segment sampled once per pixel along its major
axis, ties rounded up) and every lit pixel lights its cell of the m x m frame, which
is exactly a 256x256 raster followed by a (256/m)x(256/m) max-pool.

Frame k holds strokes 0..k; frames after the last stroke are zero; strokes past
`pad_len` all go into the last frame, so it always holds the whole drawing.
Coordinates off the grid are clamped to its edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GRID = 256


def _check_m(m: int) -> None:
    if m <= 0 or GRID % m:
        raise ValueError(f"frame size m={m} must divide {GRID}")


def _segments(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer segment ends (S, 2) and (S, 2), and the stroke index of each segment (S,)."""
    starts, ends, ids = [], [], []
    for i, s in enumerate(strokes):
        p = np.asarray(s, np.float64).reshape(-1, 2)
        if len(p) == 0:
            continue
        p = np.clip(np.rint(p), 0, GRID - 1).astype(np.int64)
        if len(p) == 1:
            starts.append(p)
            ends.append(p)
            ids.append(np.full(1, i))
        else:
            starts.append(p[:-1])
            ends.append(p[1:])
            ids.append(np.full(len(p) - 1, i))
    if not starts:
        z = np.zeros((0, 2), np.int64)
        return z, z, np.zeros(0, np.int64)
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(ids)


def line_pixels(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixels of the digital lines a[i] -> b[i] (int (S, 2) each).

    Returns (pixels (P, 2) int64 as x, y; segment index of each pixel (P,)).
    """
    d = b - a
    length = np.abs(d).max(axis=1)  # (S,) samples - 1 along the major axis
    counts = length + 1
    seg = np.repeat(np.arange(len(a)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    denom = np.maximum(length, 1)[seg]
    # round half up of k * d / length, in integers so ties never depend on float error
    offs = (2 * k[:, None] * d[seg] + denom[:, None]) // (2 * denom[:, None])
    return a[seg] + offs, seg


def stroke_cells(strokes: Sequence[np.ndarray], m: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Flat cell indices (row * m + col) lit by the strokes, and the stroke index of each."""
    _check_m(m)
    a, b, ids = _segments(strokes)
    pix, seg = line_pixels(a, b)
    f = GRID // m
    cells = (pix[:, 1] // f) * m + pix[:, 0] // f
    return cells, ids[seg]


def rasterize(strokes: Sequence[np.ndarray], pad_len: int = 8, m: int = 64) -> np.ndarray:
    """Cumulative frames of a drawing: (pad_len, m, m) uint8 of 0/1.

    `strokes`: sequence of (n, 2) float arrays of x, y in the simplified space.
    """
    _check_m(m)
    frames = np.zeros((pad_len, m * m), np.uint8)
    n = len(strokes)
    if n == 0:
        return frames.reshape(pad_len, m, m)
    cells, ids = stroke_cells(strokes, m)
    frames[np.minimum(ids, pad_len - 1), cells] = 1
    np.maximum.accumulate(frames, axis=0, out=frames)
    frames[min(n, pad_len) :] = 0
    return frames.reshape(pad_len, m, m)


def add_stroke(frame: np.ndarray, stroke: np.ndarray) -> np.ndarray:
    """The live path: a new frame = `frame` (m, m) with one more stroke drawn on it.

    Draws only the new stroke; earlier strokes are already in `frame`. Returns a copy.
    """
    m = frame.shape[-1]
    out = frame.copy()
    cells, _ = stroke_cells([stroke], m)
    out.reshape(-1)[cells] = 1
    return out


def rasterize_batch(drawings: Sequence[Sequence[np.ndarray]], pad_len: int = 8, m: int = 64):
    """Frames of many drawings: (N, pad_len, m, m) uint8, and stroke counts (N,) int64."""
    out = np.zeros((len(drawings), pad_len, m, m), np.uint8)
    lengths = np.zeros(len(drawings), np.int64)
    for i, strokes in enumerate(drawings):
        out[i] = rasterize(strokes, pad_len, m)
        lengths[i] = min(len(strokes), pad_len)
    return out, lengths
