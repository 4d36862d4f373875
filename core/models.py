"""The Frankenstein model (per-frame CNN + projected LSTM) and its CNN-only ablation.

Input: the cumulative stroke frames of core/raster.py, (B, T, m, m) with T = pad_len;
frame k holds strokes 0..k. Each frame goes through the same small CNN, three blocks
of conv 3x3 (padding 1) -> ReLU -> max-pool 2x2, so (B, T, 1, 64, 64) becomes
(B, T, C, 8, 8), which is flattened into one feature vector per stroke. With
`thicken=k` (> 1) a k x k max filter first widens every line to k cells, so the CNN
sees thick strokes whatever the rasteriser drew; it has no weights, so checkpoints
without it load unchanged.

- **frankenstein**: the features feed a multi-layer LSTM with a recurrent projection
  layer, the LSTMP of Sak, Senior and Beaufays, "Long Short-Term Memory Recurrent
  Neural Network Architectures for Large Scale Acoustic Modeling" (Interspeech 2014):
  each layer's output h_t = W_hr (o_t * tanh(c_t)) is projected to `lstm_proj` units
  before it is fed back and passed up, which cuts the recurrent weights and the
  state kept per drawing (`nn.LSTM(proj_size=...)`; `lstm_proj=0` is a plain LSTM).
  A head (linear -> ReLU -> dropout -> linear -> log-softmax) reads the top layer's
  output at every step, so the guess after stroke k is the output at step k.
- **cnn**: the same CNN and head with no LSTM: each cumulative frame is classified on
  its own (stateless), the ablation that shows what the recurrence adds.

`forward` skips the padded frames (steps >= length): the CNN runs once on the real
frames only (most doodles have 1 to 4 strokes, so running it on all 8 frames would
waste most of the work) and the LSTM gets a packed sequence, so outputs at real steps
never depend on padding (they could not anyway: the LSTM is causal).
`encode` + `init_state` + `step` are the same computation one stroke at a time, for
the stateful classifier (core/classifier.py).

Every size is a field of `ModelConfig`, and `MODELS` registers variants by name
(core/modelconfig.py, which needs no torch).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.modelconfig import ModelConfig

LSTMState = tuple[torch.Tensor, torch.Tensor]  # (h (L, B, P or H), c (L, B, H))


class SketchModel(nn.Module):
    """Frankenstein (CNN + LSTMP) or CNN-only, per `cfg.arch`; see the module docstring."""

    def __init__(self, cfg: ModelConfig, *, channels_last: bool = True):
        super().__init__()
        self.cfg = cfg
        c1, c2, c3 = cfg.channels
        self.cnn = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c2, c3, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        if cfg.arch == "frankenstein":
            self.lstm: nn.LSTM | None = nn.LSTM(
                cfg.features,
                cfg.lstm_hidden,
                num_layers=cfg.lstm_layers,
                batch_first=True,
                dropout=cfg.dropout if cfg.lstm_layers > 1 else 0.0,
                proj_size=cfg.lstm_proj,
            )
            head_in = cfg.lstm_proj or cfg.lstm_hidden
        else:
            self.lstm = None
            head_in = cfg.features
        self.head = nn.Sequential(
            nn.Linear(head_in, cfg.head_hidden),
            nn.ReLU(),
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.head_hidden, cfg.num_classes),
        )
        # NHWC convolutions are markedly faster in PyTorch's CPU kernels for these
        # thin layers (see docs/measured.md); the result is the same.
        self.channels_last = channels_last
        if channels_last:
            self.cnn.to(memory_format=torch.channels_last)

    def encode(self, frames: torch.Tensor) -> torch.Tensor:
        """CNN features of single frames: (N, m, m) uint8 0/1 or float -> (N, F) float."""
        x = frames.to(torch.float32).unsqueeze(1)  # (N, 1, m, m)
        if self.cfg.thicken > 1:  # a k x k max filter: every line k cells wide
            k = self.cfg.thicken
            x = nn.functional.max_pool2d(x, k, stride=1, padding=k // 2)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        x = self.cnn(x)  # (N, C, m/8, m/8)
        return x.flatten(1)  # (N, F)

    def forward(self, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Log-probabilities after every stroke.

        frames (B, T, m, m) uint8 0/1 or float; lengths (B,) int64, real strokes per
        drawing (clipped to T). Returns (B, T, num_classes); steps >= length are
        undefined (finite, but meaningless) and must be masked by the caller.
        """
        b, t = frames.shape[:2]
        real = torch.arange(t, device=frames.device) < lengths.to(frames.device)[:, None]  # (B, T)
        feats = self.encode(frames[real])  # (N_real, F)
        x = feats.new_zeros(b, t, feats.shape[1])  # (B, T, F)
        x[real] = feats
        if self.lstm is not None:
            # packing skips the padded steps in the LSTM too (~20% faster training here)
            packed = pack_padded_sequence(
                x, lengths.clamp(1, t).cpu(), batch_first=True, enforce_sorted=False
            )
            out, _ = self.lstm(packed)
            x, _ = pad_packed_sequence(out, batch_first=True, total_length=t)  # (B, T, P)
        return self.head(x).log_softmax(-1)  # (B, T, num_classes)

    def init_state(self, batch: int = 1) -> LSTMState | None:
        """The LSTM state before the first stroke (zeros); None for the CNN-only model."""
        if self.lstm is None:
            return None
        p = next(self.parameters())
        cfg = self.cfg
        h = p.new_zeros(cfg.lstm_layers, batch, cfg.lstm_proj or cfg.lstm_hidden)
        c = p.new_zeros(cfg.lstm_layers, batch, cfg.lstm_hidden)
        return h, c

    def step(
        self, features: torch.Tensor, state: LSTMState | None
    ) -> tuple[torch.Tensor, LSTMState | None]:
        """One stroke: features (B, F) and the state before it -> (log_probs (B, C), state).

        The CNN-only model ignores `state` and returns None for it.
        """
        _, log_probs, new_state = self.step_hidden(features, state)
        return log_probs, new_state

    def step_hidden(
        self, features: torch.Tensor, state: LSTMState | None
    ) -> tuple[torch.Tensor, torch.Tensor, LSTMState | None]:
        """`step`, also returning the head's hidden layer (after its ReLU), (B, head_hidden):
        the features core/familiar.py judges the ink by."""
        x, new_state = features, None
        if self.lstm is not None:
            if state is None:
                state = self.init_state(features.shape[0])
            out, new_state = self.lstm(features[:, None, :], state)  # (B, 1, P)
            x = out[:, 0]
        hidden = self.head[1](self.head[0](x))  # linear -> ReLU
        return hidden, self.head[3](self.head[2](hidden)).log_softmax(-1), new_state  # (B, C)


def build_model(cfg: ModelConfig, *, channels_last: bool = True) -> SketchModel:
    """A freshly initialised model for `cfg`."""
    return SketchModel(cfg, channels_last=channels_last)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
