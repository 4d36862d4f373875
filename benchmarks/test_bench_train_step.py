"""Training step throughput: forward + backward + AdamW step on a batch of 32.

The batch is 32 real dev doodles (a fixed sample: the real stroke-count mix, mostly
1 to 4 strokes), one thread. Compared: skipping the padded frames (the CNN on real
frames only, a packed LSTM) against running every one of the 8 frames, and NHWC
(`channels_last`) convolutions against NCHW. samples/s = 32 / median (extra_info).
"""

import numpy as np
import pytest
import torch

from core.modelconfig import MODELS
from core.models import build_model
from core.raster import rasterize_batch

BATCH = 32


@pytest.fixture(scope="module")
def batch(real_drawings):
    rng = np.random.default_rng(0)
    pick = rng.choice(len(real_drawings), BATCH, replace=False)
    frames, lengths = rasterize_batch([real_drawings[i].strokes for i in pick], 8, 64)
    labels = torch.from_numpy(rng.integers(0, 18, BATCH))
    return torch.from_numpy(frames), torch.from_numpy(lengths), labels


@pytest.mark.parametrize("arch", ["frankenstein", "cnn"])
@pytest.mark.parametrize("channels_last", [True, False], ids=["nhwc", "nchw"])
@pytest.mark.parametrize("skip_padding", [True, False], ids=["skip-pad", "all-frames"])
def test_train_step(benchmark, batch, arch, channels_last, skip_padding):
    frames, lengths, labels = batch
    torch.manual_seed(0)
    model = build_model(MODELS[arch], channels_last=channels_last).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    t = frames.shape[1]
    real = torch.arange(t)[None] < lengths[:, None]  # (B, T) the loss is taken at real steps
    run_lengths = lengths if skip_padding else torch.full_like(lengths, t)

    def step():
        log_probs = model(frames, run_lengths)  # (B, T, C)
        picked = log_probs.gather(2, labels[:, None, None].expand(-1, t, 1))[..., 0]  # (B, T)
        loss = -(picked * real).sum() / real.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    loss = benchmark.pedantic(step, rounds=8, warmup_rounds=2)
    assert np.isfinite(loss)
    stats = getattr(benchmark.stats, "stats", None)
    if stats is not None and stats.data:
        benchmark.extra_info["samples_per_s"] = round(BATCH / stats.median, 1)
    benchmark.extra_info["real_frames"] = int(lengths.sum())
