"""Every size of a model, by name: `ModelConfig` and the `MODELS` registry, without torch.

The sizes of the Frankenstein model and its CNN-only ablation (core/models.py builds
them). `MODELS` registers variants by name, each a one-line delta from its base, so an
ablation is data. Kept apart from the modules so that what only names or checks a
model (the TUI's form, a training config or an ablation spec being validated) does not
import torch, a second and more at start-up.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from core.classes import NUM_CLASSES
from core.errors import FrankensteinError, setting_problem


class ModelConfigError(FrankensteinError, ValueError):
    """An unknown model name or an invalid model setting."""


class ModelConfig(BaseModel):
    """Every size of a model; saved in its checkpoint so it can be rebuilt exactly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    arch: Literal["frankenstein", "cnn"] = "frankenstein"
    channels: tuple[int, int, int] = (16, 32, 64)
    lstm_hidden: int = 128
    lstm_proj: int = 64  # 0 = no projection layer
    lstm_layers: int = 3
    head_hidden: int = 128
    dropout: float = 0.2
    thicken: int = 1  # odd; each frame's lines dilated to this many cells before the CNN
    pad_len: int = 8
    m: int = 64
    num_classes: int = NUM_CLASSES

    @model_validator(mode="after")
    def _check(self) -> ModelConfig:
        problems = []
        if min(self.channels) < 1:
            problems.append(f"channels {self.channels} must all be >= 1")
        if self.m < 8 or self.m % 8 or 256 % self.m:
            problems.append(f"m={self.m} must be a multiple of 8 that divides 256")
        if self.pad_len < 1:
            problems.append(f"pad_len={self.pad_len} must be >= 1")
        if self.lstm_hidden < 1 or self.lstm_layers < 1 or self.head_hidden < 1:
            problems.append("lstm_hidden, lstm_layers and head_hidden must be >= 1")
        if not 0 <= self.lstm_proj < self.lstm_hidden:
            problems.append(
                f"lstm_proj={self.lstm_proj} must be 0 (none) or below lstm_hidden={self.lstm_hidden}"
            )
        if self.thicken < 1 or self.thicken % 2 == 0:
            problems.append(f"thicken={self.thicken} must be odd and >= 1 (1 = lines as drawn)")
        if not 0.0 <= self.dropout < 1.0:
            problems.append(f"dropout={self.dropout} must be in [0, 1)")
        if self.num_classes < 2:
            problems.append(f"num_classes={self.num_classes} must be >= 2")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def features(self) -> int:
        """Length F of one frame's flattened CNN features: C * (m/8)^2."""
        return self.channels[2] * (self.m // 8) ** 2


def _variant(base: ModelConfig, **delta: Any) -> ModelConfig:
    """`base` with some fields changed, validated (model_copy(update=) would not check)."""
    return ModelConfig.model_validate({**base.model_dump(), **delta})


_BASE = ModelConfig()
MODELS: dict[str, ModelConfig] = {
    "frankenstein": _BASE,
    "cnn": _variant(_BASE, arch="cnn"),
    "frankenstein-small": _variant(_BASE, channels=(8, 16, 32), lstm_hidden=64, lstm_proj=32),
    "frankenstein-large": _variant(_BASE, channels=(32, 64, 64), lstm_hidden=256, lstm_proj=128),
    "frankenstein-noproj": _variant(_BASE, lstm_proj=0),
    "frankenstein-1layer": _variant(_BASE, lstm_layers=1),
    "cnn-small": _variant(_BASE, arch="cnn", channels=(8, 16, 32)),
    "cnn-large": _variant(_BASE, arch="cnn", channels=(32, 64, 64), head_hidden=256),
}


def model_config(name: str, **overrides: Any) -> ModelConfig:
    """The registered config `name`, with any fields overridden (validated)."""
    if name not in MODELS:
        close = difflib.get_close_matches(name, MODELS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelConfigError(f"unknown model {name!r}{hint} (known: {', '.join(MODELS)})")
    try:
        cfg = _variant(MODELS[name], **overrides)
    except ValidationError as e:
        raise ModelConfigError(f"model {name!r}: {_one_line(e)}") from None
    unused = [k for k in overrides if k in LSTM_FIELDS] if cfg.arch == "cnn" else []
    if unused:  # a CNN has no LSTM: the sizes would be ignored, and the run not the one asked
        raise ModelConfigError(
            f"model {name!r} has no LSTM: {', '.join(unused)} "
            f"{'does' if len(unused) == 1 else 'do'} not apply to it"
        )
    return cfg


LSTM_FIELDS = ("lstm_hidden", "lstm_proj", "lstm_layers")  # sizes only a Frankenstein uses


def _one_line(e: ValidationError) -> str:
    return "; ".join(setting_problem(err) for err in e.errors())
