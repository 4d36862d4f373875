"""Train / validation / test split of drawings, stable across machines and runs.

A drawing's split is decided by a SHA-1 of its ``key_id`` (not Python's salted
``hash``), so the same drawing lands in the same split on every machine, in every
run and whatever files it is read with: 80% train, 10% val, 10% test. A drawing
without a key_id is hashed by its class and coordinates instead.
"""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np

from core.strokes import Drawing

Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")
# Cumulative shares in per-mille buckets: [0, 800) train, [800, 900) val, [900, 1000) test.
_BOUNDS = (800, 900, 1000)


def _bucket(data: bytes) -> int:
    return int.from_bytes(hashlib.sha1(data).digest()[:8], "big") % 1000


def drawing_key(d: Drawing) -> bytes:
    """What a drawing's split is hashed from: its key_id, else its class and points."""
    if d.key_id is not None:
        return d.key_id.encode("utf-8")
    pts = np.ascontiguousarray(np.rint(d.points()).astype(np.int32))
    sizes = np.asarray([len(s) for s in d.strokes], np.int32)
    return (d.word or "").encode("utf-8") + b"|" + sizes.tobytes() + b"|" + pts.tobytes()


def split_of_key(key: str | bytes) -> Split:
    """The split of a key_id (or any key bytes)."""
    b = _bucket(key.encode("utf-8") if isinstance(key, str) else key)
    for name, bound in zip(SPLITS, _BOUNDS, strict=True):
        if b < bound:
            return name
    raise AssertionError("unreachable: bucket < 1000")


def split_of(d: Drawing) -> Split:
    """The split a drawing belongs to."""
    return split_of_key(drawing_key(d))
