"""Familiarity: does the ink look like the training doodles of the class it is read as?

A classifier trained only on synthetic doodles is sometimes confidently wrong on a
real one that looks like nothing it learnt (a scribble, an eight-sided "hexagon", a
fish of crossing lines). Its probability cannot say so, but its features can: the
head's hidden layer (after the ReLU) of such a drawing lies far from where the
synthetic doodles of the guessed class lie. The score is the relative Mahalanobis
distance of Ren et al., "A Simple Fix to Mahalanobis Distance for Improving
Near-OOD Detection" (2021), after Lee et al. (NeurIPS 2018): with class means mu_c
and one covariance shared by the classes, and a background Gaussian (mu_0, S_0)
fitted to all features regardless of class,

    score_c(h) = (h - mu_c)' S^-1 (h - mu_c) - (h - mu_0)' S_0^-1 (h - mu_0).

`Familiarity.fit` estimates both Gaussians from features of the run's own synthetic
validation drawings at every stroke; `with_limit` sets the limit to a quantile of the
scores that validation drawings' right snaps have (0.99: one right synthetic snap in
a hundred is refused). A guess is *familiar* for class c when score_c <= limit; the
snap policy (core/snap.py) snaps only to a familiar class. Measured on the real dev
doodles in docs/training.md, "Familiarity".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import torch

from core.errors import FrankensteinError

RIDGE = 1e-3  # covariance ridge, as a share of the mean variance


class FamiliarityError(FrankensteinError, ValueError):
    """Familiarity statistics that cannot be used: wrong shapes, not finite, too few features."""


def _precision(x: np.ndarray) -> np.ndarray:
    """Inverse of the covariance of centred features x (N, D), with a small ridge."""
    cov = x.T @ x / len(x)
    ridge = RIDGE * float(np.trace(cov)) / cov.shape[0] or RIDGE
    return np.linalg.inv(cov + ridge * np.eye(cov.shape[0]))


@dataclass(frozen=True, eq=False)
class Familiarity:
    """Class Gaussians and a background Gaussian over hidden features; see the module
    docstring. `limit` is None until `with_limit` sets it; until then `familiar` refuses
    to judge and the classifier marks nothing (the snap policy has no rule 5)."""

    means: np.ndarray  # (C, D) class means
    precision: np.ndarray  # (D, D) inverse of the covariance shared by the classes
    background_mean: np.ndarray  # (D,)
    background_precision: np.ndarray  # (D, D)
    limit: float | None = None
    quantile: float | None = None  # the share of right synthetic snaps the limit lets through

    def __post_init__(self) -> None:
        c, d = np.shape(self.means) if np.ndim(self.means) == 2 else (0, 0)
        shapes = {
            "means": (np.shape(self.means), (c, d)),
            "precision": (np.shape(self.precision), (d, d)),
            "background_mean": (np.shape(self.background_mean), (d,)),
            "background_precision": (np.shape(self.background_precision), (d, d)),
        }
        for name, (got, want) in shapes.items():
            if c < 2 or d < 1 or got != want:
                raise FamiliarityError(f"{name} has shape {got}, expected {want} (C >= 2, D >= 1)")
            if not np.isfinite(getattr(self, name)).all():
                raise FamiliarityError(f"{name} holds NaN or infinity")
        if self.limit is not None and not np.isfinite(self.limit):
            raise FamiliarityError(f"limit must be a finite number, got {self.limit}")

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, num_classes: int) -> Familiarity:
        """Fit the Gaussians to hidden features (N, D) of drawings of class `labels` (N,)."""
        x = np.asarray(features, np.float64)
        y = np.asarray(labels, np.int64)
        if x.ndim != 2 or y.shape != (len(x),):
            raise FamiliarityError(f"features (N, D) and labels (N,); got {x.shape} and {y.shape}")
        missing = [c for c in range(num_classes) if not (y == c).any()]
        if missing:
            raise FamiliarityError(f"no features of class {missing[0]} to fit its mean")
        means = np.stack([x[y == c].mean(0) for c in range(num_classes)])
        background = x.mean(0)
        return cls(means, _precision(x - means[y]), background, _precision(x - background))

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def scores(self, hidden: np.ndarray) -> np.ndarray:
        """Relative Mahalanobis score of hidden features (D,) or (N, D) for every class:
        (C,) or (N, C); lower is more familiar."""
        one = np.ndim(hidden) == 1
        h = np.array(hidden, np.float64, ndmin=2)  # a copy torch may share
        if h.shape[1] != self.dim:
            raise FamiliarityError(f"hidden features have {h.shape[1]} values, expected {self.dim}")
        # Computed in torch, not numpy: numpy's matrix products run on OpenBLAS's thread
        # pool, which nothing in the window limits (waking it stalled a pen-up 45-120 ms,
        # measured), while torch's threads are the ones the window sets to one.
        # (h - mu)' P (h - mu) = h'Ph - 2 (P mu)'h + mu'P mu: one D x D product per row
        precision, means_p, means_p_means, background_mean, background_precision = self._tensors
        t = torch.from_numpy(h)
        to_class = ((t @ precision) * t).sum(1, keepdim=True)
        to_class = to_class - 2 * t @ means_p.T + means_p_means  # (N, C)
        b = t - background_mean
        to_all = ((b @ background_precision) * b).sum(1)
        out = (to_class - to_all[:, None]).numpy()
        return out[0] if one else out

    @cached_property
    def _tensors(self) -> tuple[torch.Tensor, ...]:
        """What `scores` needs, as float64 tensors, made once: P, P mu (C, D), mu'P mu
        (C,), mu_0, P_0."""
        precision, means, background_mean, background_precision = (
            torch.tensor(a, dtype=torch.float64)
            for a in (self.precision, self.means, self.background_mean, self.background_precision)
        )
        means_p = means @ (precision + precision.T) / 2
        means_p_means = (means_p * means).sum(1)
        return precision, means_p, means_p_means, background_mean, background_precision

    def familiar(self, hidden: np.ndarray) -> np.ndarray:
        """(C,) or (N, C) bool for hidden features (D,) or (N, D): which classes the
        ink looks like."""
        if self.limit is None:
            raise FamiliarityError("no limit set: call with_limit first")
        return self.scores(hidden) <= self.limit

    def with_limit(self, right_snap_scores: np.ndarray, quantile: float = 0.99) -> Familiarity:
        """A copy whose limit lets through `quantile` of these scores (right snaps' scores
        for their class, from validation drawings)."""
        s = np.asarray(right_snap_scores, np.float64)
        if s.size == 0:
            raise FamiliarityError("no right snaps to set the familiarity limit from")
        if not 0 < quantile <= 1:
            raise FamiliarityError(f"quantile must be in (0, 1], got {quantile}")
        limit = float(np.quantile(s, quantile))
        return Familiarity(
            self.means,
            self.precision,
            self.background_mean,
            self.background_precision,
            limit,
            quantile,
        )

    def to_payload(self) -> dict[str, Any]:
        """Plain data for a checkpoint: float32 arrays (stored as tensors) and numbers."""
        return {
            "means": self.means.astype(np.float32),
            "precision": self.precision.astype(np.float32),
            "background_mean": self.background_mean.astype(np.float32),
            "background_precision": self.background_precision.astype(np.float32),
            "limit": self.limit,
            "quantile": self.quantile,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Familiarity:
        """The inverse of `to_payload` (arrays may come back as tensors)."""
        keys = ("means", "precision", "background_mean", "background_precision")
        if not isinstance(payload, Mapping) or not all(k in payload for k in keys):
            raise FamiliarityError(f"familiarity must hold {', '.join(keys)}")
        arrays = [np.asarray(payload[k], np.float64) for k in keys]
        limit, quantile = payload.get("limit"), payload.get("quantile")
        for name, v in (("limit", limit), ("quantile", quantile)):
            if v is not None and not isinstance(v, int | float):
                raise FamiliarityError(f"{name} must be a number, got {v!r}")
        return cls(
            *arrays,
            None if limit is None else float(limit),
            None if quantile is None else float(quantile),
        )
