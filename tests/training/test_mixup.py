import pytest
import torch

from core.checkpoint import load_checkpoint
from training.config import ConfigError, load_config
from training.loop import StopRequest, train
from training.metrics import sequence_loss
from training.mixup import held_last, mixup


def _frames(lengths: list[int], t: int = 4, m: int = 3) -> torch.Tensor:
    """uint8 frames whose pixel (0, 0) says which drawing and step they are:
    10 * drawing + step for real steps, 0 for padding."""
    frames = torch.zeros(len(lengths), t, m, m, dtype=torch.uint8)
    for i, n in enumerate(lengths):
        for s in range(n):
            frames[i, s, 0, 0] = 10 * i + s + 1
    return frames


def test_held_last_repeats_each_drawings_last_frame_over_its_padding():
    frames = _frames([1, 3, 4])
    held = held_last(frames, torch.tensor([1, 3, 4]))
    assert held[:, :, 0, 0].tolist() == [[1, 1, 1, 1], [11, 12, 13, 13], [21, 22, 23, 24]]
    assert torch.equal(held[:, :, 1:], frames[:, :, 1:])


def test_mixup_blends_each_drawing_with_its_partner_as_far_as_the_longer_goes():
    torch.manual_seed(3)
    lengths = torch.tensor([1, 3, 4, 2])
    labels = torch.tensor([5, 6, 7, 8])
    frames = _frames(lengths.tolist())
    mixed = mixup(frames, lengths, labels, alpha=0.4)
    assert 0.0 < mixed.lam < 1.0
    assert mixed.frames.dtype == torch.float32
    held = held_last(frames, lengths).float()
    # each partner is one of the batch, and the partners are a permutation of it
    partner = [labels.tolist().index(p) for p in mixed.partners.tolist()]
    assert sorted(partner) == [0, 1, 2, 3]
    for i, j in enumerate(partner):
        expect = mixed.lam * held[i] + (1 - mixed.lam) * held[j]
        assert torch.allclose(mixed.frames[i], expect)
        assert mixed.lengths[i] == max(lengths[i], lengths[j])
    assert torch.equal(mixed.dominant, labels if mixed.lam >= 0.5 else mixed.partners)


def test_the_blended_loss_is_the_same_blend_of_both_drawings_losses():
    torch.manual_seed(0)
    lengths = torch.tensor([2, 4, 1])
    labels = torch.tensor([0, 1, 2])
    mixed = mixup(_frames(lengths.tolist()), lengths, labels, alpha=1.0)
    log_probs = torch.randn(3, 4, 5).log_softmax(-1)
    own = sequence_loss(log_probs, mixed.lengths, labels)
    other = sequence_loss(log_probs, mixed.lengths, mixed.partners)
    got = mixed.loss(lambda y: sequence_loss(log_probs, mixed.lengths, y))
    assert got == pytest.approx(float(mixed.lam * own + (1 - mixed.lam) * other))
    assert min(own, other) <= got <= max(own, other)


def test_a_run_with_mixup_trains_differently_and_resumes_to_the_same_weights(tmp_path, glyph_dir):
    from tests.training.conftest import tiny_settings
    from tests.training.test_loop import StopAt

    settings = tiny_settings(glyph_dir, tmp_path, epochs=2, log_every=1)
    train(load_config(None, [*settings, "name=plain"]))
    train(load_config(None, [*settings, "optim.mixup=0.4", "name=whole"]))
    cfg = load_config(None, [*settings, "optim.mixup=0.4", "name=broken"])
    stop = StopRequest()
    assert train(cfg, [StopAt(stop, 2, 5)], stop=stop).status == "interrupted"
    assert train(cfg, resume=True).status == "completed"
    weights = {
        name: load_checkpoint(tmp_path / name / "last.pt").model.state_dict()
        for name in ("plain", "whole", "broken")
    }
    assert any(not torch.equal(weights["plain"][k], weights["whole"][k]) for k in weights["plain"])
    assert all(torch.equal(weights["whole"][k], weights["broken"][k]) for k in weights["whole"])
    with pytest.raises(ConfigError, match=r"optim\.mixup"):
        load_config(None, ["optim.mixup=-1"])
