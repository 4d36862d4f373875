"""last.pt's resume state per process (training/resume.py), without running processes."""

import torch

from training.resume import (
    Position,
    has_rank_states,
    rank_state,
    restore,
    resume_extra,
    seed_everything,
)


def _parts():
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)


def _state_of(seed: int, partial: dict) -> dict:
    seed_everything(seed)
    return rank_state(Position(batch=3, partial=partial))


def test_each_process_takes_back_its_own_rng_state_and_running_sums():
    ranks = [_state_of(10 + r, {"loss_sum": float(r), "count": 1.0}) for r in range(2)]
    optimizer, scheduler = _parts()
    pos = Position(batch=3, partial=ranks[0]["partial"])
    seed_everything(10)  # rank 0 writes last.pt, with its own state as "rng"
    extra = resume_extra(optimizer, scheduler, pos, ranks=ranks)
    assert has_rank_states(extra, 2) and not has_rank_states(extra, 3)
    for rank in (0, 1):
        seed_everything(99)
        got = restore(extra, *_parts(), rank=rank, world=2)
        assert torch.equal(torch.get_rng_state(), ranks[rank]["rng"]["torch"])
        assert got.partial == ranks[rank]["partial"] and got.batch == 3
    # one process: the state kept as before, and no per-process list
    alone = resume_extra(optimizer, scheduler, pos, ranks=ranks[:1])
    assert "ranks" not in alone and has_rank_states(alone, 1)


def test_a_last_pt_without_each_process_state_restores_rank_0_and_leaves_the_others():
    optimizer, scheduler = _parts()
    seed_everything(10)
    old = resume_extra(optimizer, scheduler, Position(partial={"count": 2.0}))  # rank 0's
    assert not has_rank_states(old, 2)
    parts = _parts()
    seed_everything(11)  # rank 1's fresh seed, which it keeps
    fresh = torch.get_rng_state()
    got = restore(old, *parts, rank=1, world=2)
    assert torch.equal(torch.get_rng_state(), fresh) and got.partial == {"count": 2.0}
    restore(old, *_parts(), rank=0, world=2)
    assert torch.equal(torch.get_rng_state(), old["rng"]["torch"])
