"""The moving average of the weights: its update, and a run that keeps one."""

import pytest
import torch
from torch import nn

from core.checkpoint import load_checkpoint
from tests.training.conftest import tiny_settings
from tests.training.test_loop import StopAt
from training.callbacks import Callback
from training.config import ConfigError, load_config
from training.ema import WeightAverage
from training.loop import StopRequest, train


def test_the_average_moves_towards_the_weights_by_one_minus_decay():
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(0.0)
        model.bias.fill_(0.0)
    avg = WeightAverage(model, decay=0.5)
    with torch.no_grad():
        model.weight.fill_(1.0)
    avg.update(model)  # first update: decay min(0.5, 2 / 11) = 2 / 11
    assert avg.model.weight[0, 0].item() == pytest.approx(9 / 11)
    for _ in range(30):
        avg.update(model)  # later: decay 0.5, so the gap halves each time
    assert avg.model.weight[0, 0].item() == pytest.approx(1.0 - (2 / 11) * 0.5**30)
    assert avg.updates == 31
    assert not any(p.requires_grad for p in avg.model.parameters())
    assert model.weight.requires_grad  # the trained model is untouched

    again = WeightAverage(nn.Linear(2, 1), decay=0.5)
    again.load_state_dict(avg.state_dict())
    assert again.updates == 31 and torch.equal(again.model.weight, avg.model.weight)


@pytest.mark.parametrize("decay", [1.0, -0.1])
def test_a_decay_outside_zero_to_one_is_refused(decay):
    with pytest.raises(ConfigError, match=r"optim\.ema"):
        load_config(None, [f"optim.ema={decay}"])
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(nn.Linear(1, 1), decay=decay)


class Batches(Callback):
    """Records how many batches an epoch has."""

    def on_start(self, info):
        self.per_epoch = info["batches"]


def test_a_run_validates_and_keeps_the_average_as_best(tmp_path, glyph_dir):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1, **{"optim.ema": 0.9})
    seen = Batches()
    train(load_config(None, [*settings, "name=avg"]), [seen])
    last = load_checkpoint(tmp_path / "avg" / "last.pt")
    ema = last.extra["ema"]
    assert ema["updates"] == seen.per_epoch  # one update a batch
    raw, averaged = last.model.state_dict(), ema["weights"]
    assert any(not torch.equal(raw[k], averaged[k]) for k in raw)  # the average lags
    best = load_checkpoint(tmp_path / "avg" / "best.pt")  # the only epoch is the best
    assert all(torch.equal(v, averaged[k]) for k, v in best.model.state_dict().items())

    plain = tiny_settings(glyph_dir, tmp_path, epochs=1)
    train(load_config(None, [*plain, "name=plain"]))
    assert "ema" not in load_checkpoint(tmp_path / "plain" / "last.pt").extra


def test_a_run_with_an_average_resumes_exactly(tmp_path, glyph_dir):
    settings = tiny_settings(glyph_dir, tmp_path, log_every=1, **{"optim.ema": 0.9})
    train(load_config(None, [*settings, "name=whole"]))
    stop = StopRequest()
    cfg = load_config(None, [*settings, "name=broken"])
    assert train(cfg, [StopAt(stop, 2, 5)], stop=stop).status == "interrupted"
    assert train(cfg, resume=True).status == "completed"
    for name in ("last.pt", "best.pt"):
        a = load_checkpoint(tmp_path / "whole" / name).model.state_dict()
        b = load_checkpoint(tmp_path / "broken" / name).model.state_dict()
        assert all(torch.equal(v, b[k]) for k, v in a.items())
    a = load_checkpoint(tmp_path / "whole" / "last.pt").extra["ema"]
    b = load_checkpoint(tmp_path / "broken" / "last.pt").extra["ema"]
    assert a["updates"] == b["updates"]
    assert all(torch.equal(v, b["weights"][k]) for k, v in a["weights"].items())
