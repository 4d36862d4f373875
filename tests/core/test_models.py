import numpy as np
import pytest
import torch

from core.modelconfig import MODELS, ModelConfig, ModelConfigError, model_config
from core.models import build_model
from core.raster import rasterize_batch
from tests.core.tiny_models import random_strokes, tiny_model


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(1)
    drawings = [random_strokes(rng, n) for n in (1, 3, 8, 12, 2)]
    frames, lengths = rasterize_batch(drawings, 8, 64)
    return torch.from_numpy(frames), torch.from_numpy(lengths)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_registered_model_gives_log_probs_at_every_step(name, batch):
    torch.manual_seed(0)
    model = build_model(MODELS[name]).eval()
    frames, lengths = batch
    with torch.no_grad():
        out = model(frames, lengths)
    assert out.shape == (5, 8, 18)
    assert torch.isfinite(out).all()
    real = torch.arange(8)[None] < lengths[:, None]
    sums = out[real].exp().sum(-1)
    torch.testing.assert_close(sums, torch.ones_like(sums), atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_registered_model_encodes_and_steps(name):
    model = build_model(MODELS[name]).eval()
    cfg = model.cfg
    with torch.no_grad():
        feats = model.encode(torch.zeros(3, cfg.m, cfg.m, dtype=torch.uint8))
        assert feats.shape == (3, cfg.features)
        state = model.init_state(3)
        log_probs, new_state = model.step(feats, state)
    assert log_probs.shape == (3, 18)
    if cfg.arch == "cnn":
        assert state is None and new_state is None
    else:
        h, c = new_state
        assert h.shape == (cfg.lstm_layers, 3, cfg.lstm_proj or cfg.lstm_hidden)
        assert c.shape == (cfg.lstm_layers, 3, cfg.lstm_hidden)


@pytest.mark.parametrize("name", ["frankenstein", "frankenstein-noproj", "cnn"])
def test_padded_frames_do_not_change_real_steps(name, batch):
    model = tiny_model(name)
    frames, lengths = batch
    real = torch.arange(8)[None] < lengths[:, None]
    garbage = frames.clone()
    garbage[~real] = 1  # ink where there must be none
    with torch.no_grad():
        clean = model(frames, lengths)
        dirty = model(garbage, lengths)
        # no skipping at all: every frame through the CNN and the LSTM
        full = model(frames, torch.full_like(lengths, 8))
    torch.testing.assert_close(dirty[real], clean[real], atol=1e-6, rtol=0)
    torch.testing.assert_close(full[real], clean[real], atol=1e-5, rtol=0)


@pytest.mark.parametrize("name, thicken", [("frankenstein", 1), ("cnn", 1), ("frankenstein", 3)])
def test_forward_equals_encode_and_step(name, thicken, batch):
    model = tiny_model(name, thicken=thicken)
    frames, lengths = batch
    with torch.no_grad():
        batched = model(frames, lengths)
        state = model.init_state(len(frames))
        for t in range(8):
            step, state = model.step(model.encode(frames[:, t]), state)
            ok = t < lengths
            torch.testing.assert_close(step[ok], batched[ok, t], atol=1e-5, rtol=0)


def test_channels_last_changes_speed_not_results(batch):
    cl = tiny_model("frankenstein")
    plain = build_model(cl.cfg, channels_last=False).eval()
    plain.load_state_dict(cl.state_dict())
    frames, lengths = batch
    with torch.no_grad():
        torch.testing.assert_close(cl(frames, lengths), plain(frames, lengths))


def test_empty_drawings_in_a_batch_stay_finite(batch):
    model = tiny_model("frankenstein")
    frames, lengths = batch
    lengths = lengths.clone()
    lengths[1] = 0
    with torch.no_grad():
        out = model(frames, lengths)
        none = model(frames[:2], torch.zeros(2, dtype=torch.int64))
    assert torch.isfinite(out).all() and torch.isfinite(none).all()


def test_forward_trains_only_the_real_steps(batch):
    model = tiny_model("frankenstein")
    model.train()
    frames, lengths = batch
    out = model(frames, lengths)
    real = torch.arange(8)[None] < lengths[:, None]
    out[real].sum().backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert model.cnn[0].weight.grad.abs().sum() > 0


def test_variants_are_one_field_deltas_of_their_base():
    base = MODELS["frankenstein"]
    assert MODELS["cnn"] == base.model_copy(update={"arch": "cnn"})
    assert MODELS["frankenstein-noproj"].lstm_proj == 0
    assert MODELS["frankenstein-small"].channels < base.channels
    assert MODELS["frankenstein-large"].lstm_hidden > base.lstm_hidden
    assert all(cfg.pad_len == 8 and cfg.m == 64 for cfg in MODELS.values())


def test_model_config_overrides_are_validated():
    cfg = model_config("frankenstein", lstm_hidden=32, lstm_proj=16)
    assert (cfg.lstm_hidden, cfg.lstm_proj) == (32, 16)
    assert cfg.features == 64 * 8 * 8
    with pytest.raises(ModelConfigError, match="lstm_proj"):
        model_config("frankenstein", lstm_hidden=32, lstm_proj=32)
    with pytest.raises(ModelConfigError, match="colour"):
        model_config("cnn", colour=3)
    with pytest.raises(ModelConfigError, match="did you mean 'frankenstein'"):
        model_config("frankenstien")
    with pytest.raises(ValueError, match="m=60"):
        ModelConfig(m=60)


def test_lstm_sizes_for_a_cnn_are_refused_not_ignored():
    with pytest.raises(ModelConfigError, match="'cnn' has no LSTM: lstm_layers does not apply"):
        model_config("cnn", lstm_layers=2)
    with pytest.raises(ModelConfigError, match="lstm_hidden, lstm_proj do not apply"):
        model_config("frankenstein", arch="cnn", lstm_hidden=32, lstm_proj=16)
    assert model_config("cnn", head_hidden=64).head_hidden == 64  # its own sizes still apply
    assert model_config("cnn", arch="frankenstein", lstm_layers=2).lstm_layers == 2


def test_a_validators_message_reads_without_pydantics_prefix():
    with pytest.raises(ModelConfigError) as e:
        model_config("frankenstein", m=60)
    assert (
        str(e.value)
        == "model 'frankenstein': config: m=60 must be a multiple of 8 that divides 256"
    )


def test_config_is_frozen_and_strict():
    cfg = MODELS["frankenstein"]
    with pytest.raises(ValueError):
        cfg.lstm_hidden = 3
    assert ModelConfig.model_validate(cfg.model_dump(mode="json")) == cfg


def test_thicken_widens_every_line_before_the_cnn():
    thick = tiny_model("cnn", thicken=3)
    thin = build_model(thick.cfg.model_copy(update={"thicken": 1})).eval()
    thin.load_state_dict(thick.state_dict())  # no weights of its own
    frames = torch.zeros(2, 64, 64, dtype=torch.uint8)
    frames[0, 10, 5:40] = 1  # a horizontal line one cell wide
    frames[1, 63, 0] = 1  # a dot in the corner
    widened = frames.clone()
    widened[0, 9:12, 4:41] = 1
    widened[1, 62:, :2] = 1
    with torch.no_grad():
        torch.testing.assert_close(thick.encode(frames), thin.encode(widened))
        assert not torch.allclose(thick.encode(frames), thin.encode(frames))


def test_thicken_is_odd_and_older_configs_default_to_thin_lines():
    assert model_config("frankenstein", thicken=5).thicken == 5
    for bad in (0, 2, -3):
        with pytest.raises(ModelConfigError, match="thicken"):
            model_config("frankenstein", thicken=bad)
    saved = MODELS["frankenstein"].model_dump(mode="json")
    del saved["thicken"]  # a checkpoint written before the field existed
    assert ModelConfig.model_validate(saved).thicken == 1
