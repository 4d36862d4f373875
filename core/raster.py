"""Strokes -> cumulative bitmap frames, shared by training and live use.

A stroke is drawn on the 256x256 grid of the simplified space as a digital line
(points rounded to pixels, each segment sampled once per pixel along its major
axis, ties rounded up) and every lit pixel lights its cell of the m x m frame, which
is exactly a 256x256 raster followed by a (256/m)x(256/m) max-pool.

Frame k holds strokes 0..k; frames after the last stroke are zero; strokes past
`pad_len` all go into the last frame, so it always holds the whole drawing.
Coordinates off the grid are clamped to its edge.

Speed: a drawing has a few strokes of a few dozen points, so numpy's per-call cost,
not arithmetic, dominates. All points of all strokes (of all drawings, in
`rasterize_batch`) are therefore rounded, segmented and drawn in one pass of a fixed
number of numpy calls, never a loop of numpy calls per stroke.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GRID = 256


def _check_m(m: int) -> None:
    if m <= 0 or GRID % m:
        raise ValueError(f"frame size m={m} must divide {GRID}")


def _on_grid(points: np.ndarray) -> np.ndarray:
    """Points (P, 2) rounded to pixels (half to even) and clamped to the grid, int64."""
    pts = np.rint(np.asarray(points, np.float64))
    np.maximum(pts, 0, out=pts)  # np.clip costs more than the work here
    np.minimum(pts, GRID - 1, out=pts)
    return pts.astype(np.int64)


def _flat_points(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All points of the strokes in one (P, 2) float array, and the number of points of
    each stroke (S,) int64."""
    arrays = [np.asarray(s).reshape(-1, 2) for s in strokes]
    lens = np.fromiter(map(len, arrays), np.int64, len(arrays))
    if not arrays:
        return np.zeros((0, 2)), lens
    return np.concatenate(arrays), lens


def _segments(pts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer segment ends (Q, 2) and (Q, 2), and the stroke index of each segment (Q,),
    of strokes given as their grid points (P, 2) in a row and point counts (S,).

    Consecutive points of a stroke make a segment; a one-point stroke is the segment
    from its point to itself; empty strokes draw nothing.
    """
    n = len(pts)
    ends = lens.cumsum() - 1  # (n_strokes,) index of each stroke's last point
    last = np.zeros(n + 1, bool)  # index n: where an empty first stroke points
    last[ends] = True  # an empty stroke re-marks its predecessor's last point
    last = last[:n]
    # a segment starts at every point that is not a stroke's last, and at one-point strokes
    start = ~last
    start[ends[lens == 1]] = True
    a = start.nonzero()[0]
    b = a + ~last[a]
    ids = np.arange(len(lens)).repeat(lens)[a]
    return pts[a], pts[b], ids


def _line_samples(a: np.ndarray, b: np.ndarray, scale: float):
    """The pixels of the digital lines a[i] -> b[i] (int (S, 2) each), as floats.

    A segment of major-axis length L lights a + round_half_up(k * d / L) for k = 0..L
    (d = b - a). Computed as floor(a + k * (d / L) + 1/2 + 1e-9) in float64, which is
    exact: coordinates are at most 255, so a value that is not a tie lies at least
    1/510 from the next integer, far beyond float error, and the 1e-9 sends ties up.
    Returns x * scale, y * scale before the floor ((P,) float64 each; scale a power of
    two, so floor(x * scale) = floor(floor(x) * scale)) and the pixels per segment (S,).
    """
    d = b - a  # (S, 2)
    length = np.abs(d).max(axis=1)  # (S,) samples - 1 along the major axis
    counts = length + 1
    first = counts.cumsum() - counts  # (S,) index of each segment's first pixel
    n_pixels = first[-1] + counts[-1] if len(a) else 0
    k = np.arange(n_pixels) - first.repeat(counts)  # (P,) step along the segment
    slope = d / np.maximum(length, 1)[:, None]  # (S, 2) exactly +-1 on the major axis
    base = a + (0.5 + 1e-9)  # (S, 2) round half up
    x = (base[:, 0].repeat(counts) + k * slope[:, 0].repeat(counts)) * scale  # (P,)
    y = (base[:, 1].repeat(counts) + k * slope[:, 1].repeat(counts)) * scale  # (P,)
    return x, y, counts


def line_pixels(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixels of the digital lines a[i] -> b[i] (int (S, 2) each).

    Returns (pixels (P, 2) int64 as x, y; segment index of each pixel (P,)).
    """
    x, y, counts = _line_samples(a, b, 1.0)
    pixels = np.stack([x, y], axis=1).astype(np.int64)  # >= 0, so truncation is floor
    return pixels, np.arange(len(a)).repeat(counts)


def stroke_cells(strokes: Sequence[np.ndarray], m: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Flat cell indices (row * m + col) lit by the strokes, and the stroke index of each."""
    _check_m(m)
    pts, lens = _flat_points(strokes)
    return _cells(_on_grid(pts), lens, m)


def _cells(pts: np.ndarray, lens: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """`stroke_cells` of strokes given as grid points (P, 2) and point counts (S,).

    The cell of a pixel is floor(pixel / f), f = 256 / m, taken from the unrounded
    sample (see _line_samples) to save a pass.
    """
    a, b, ids = _segments(pts, lens)
    x, y, counts = _line_samples(a, b, m / GRID)
    # x, y >= 0, so truncation is floor
    return y.astype(np.int64) * m + x.astype(np.int64), ids.repeat(counts)


def rasterize(strokes: Sequence[np.ndarray], pad_len: int = 8, m: int = 64) -> np.ndarray:
    """Cumulative frames of a drawing: (pad_len, m, m) uint8 of 0/1.

    `strokes`: sequence of (n, 2) float arrays of x, y in the simplified space.
    """
    _check_m(m)
    frames = np.zeros((pad_len, m * m), np.uint8)
    n = min(len(strokes), pad_len)
    if n:
        cells, ids = stroke_cells(strokes, m)
        frames.reshape(-1)[np.minimum(ids, pad_len - 1) * (m * m) + cells] = 1
        _accumulate(frames[:n])  # frames n.. stay zero
    return frames.reshape(pad_len, m, m)


def _accumulate(frames: np.ndarray) -> None:
    """In place, frame k |= frame k-1 along axis 0 of (T, ...) 0/1 uint8 frames.

    A row loop: np.maximum.accumulate along axis 0 is ~20x slower on uint8 frames.
    """
    for k in range(1, len(frames)):
        np.bitwise_or(frames[k - 1], frames[k], out=frames[k])


def add_stroke(frame: np.ndarray, stroke: np.ndarray) -> np.ndarray:
    """The live path: a new frame = `frame` (m, m) with one more stroke drawn on it.

    Draws only the new stroke; earlier strokes are already in `frame`. Returns a copy.
    """
    m = frame.shape[-1]
    out = frame.copy()
    cells, _ = stroke_cells([stroke], m)
    out.reshape(-1)[cells] = 1
    return out


def rasterize_batch(
    drawings: Sequence[Sequence[np.ndarray]], pad_len: int = 8, m: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Frames of many drawings: (N, pad_len, m, m) uint8, and stroke counts (N,) int64
    (clipped to pad_len). Equal to `rasterize` of each, drawn in one pass."""
    n_strokes = np.fromiter(map(len, drawings), np.int64, len(drawings))  # (N,)
    points, stroke_len = _flat_points([s for d in drawings for s in d])
    return rasterize_flat(points, stroke_len, n_strokes, pad_len, m)


def stroke_frames(
    drawings: Sequence[Sequence[np.ndarray]], m: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """The frame after every stroke of many drawings, as `add_stroke` builds them one
    stroke at a time: (S, m, m) uint8, row s holding its drawing's strokes up to s (all
    strokes of all drawings in a row, with no pad_len: a drawing's strokes past it get
    frames of their own), and the strokes in each drawing (N,) int64. Drawn in one pass;
    the stroke-by-stroke replay of many drawings at once (training/replay.py) reads them."""
    _check_m(m)
    n_strokes = np.fromiter(map(len, drawings), np.int64, len(drawings))  # (N,)
    points, stroke_len = _flat_points([s for d in drawings for s in d])
    out = np.zeros((len(stroke_len), m * m), np.uint8)
    if len(stroke_len):
        cells, ids = _cells(_on_grid(points), stroke_len, m)
        out.reshape(-1)[ids * (m * m) + cells] = 1
        within = np.arange(len(stroke_len)) - (n_strokes.cumsum() - n_strokes).repeat(n_strokes)
        order = np.argsort(within, kind="stable")  # every drawing's k-th strokes together
        for rows in np.split(order, np.bincount(within).cumsum()[:-1])[1:]:
            out[rows] |= out[rows - 1]  # the stroke before, of the same drawing, is done
    return out.reshape(-1, m, m), n_strokes


def rasterize_flat(
    points: np.ndarray,
    stroke_len: np.ndarray,
    n_strokes: np.ndarray,
    pad_len: int = 8,
    m: int = 64,
) -> tuple[np.ndarray, np.ndarray]:
    """`rasterize_batch` of drawings held flat: every point of every stroke in a row
    (P, 2), the points in each stroke (S,) and the strokes in each drawing (N,) (the
    layout of training.strokebatch.StrokeBatch, which augments whole batches at once)."""
    _check_m(m)
    n = len(n_strokes)
    out = np.zeros((n, pad_len, m * m), np.uint8)
    if len(stroke_len):
        cells, ids = _cells(_on_grid(points), np.asarray(stroke_len, np.int64), m)
        drawing = np.arange(n).repeat(n_strokes)  # (S,)
        within = np.arange(len(stroke_len)) - (n_strokes.cumsum() - n_strokes).repeat(n_strokes)
        frame = drawing * pad_len + np.minimum(within, pad_len - 1)  # (S,) flat frame index
        out.reshape(-1)[frame[ids] * (m * m) + cells] = 1
    _accumulate(out.swapaxes(0, 1))  # (pad_len, N, m * m)
    lengths = np.minimum(n_strokes, pad_len)
    out[np.arange(pad_len)[None, :] >= lengths[:, None]] = 0  # frames after the last stroke
    return out.reshape(n, pad_len, m, m), lengths
