"""A 2-process gloo group torn down again and again, as every run's end does: the
processes leave together and drop their DistributedDataParallel wrapper, and none
hangs. A teardown deadlocked while a gloo worker thread was freeing the last of a
collective's Work, which takes the GIL (its tensors, then the thread-local state it
captured), and the main thread, holding the GIL, joined it: about one time in twenty
here at first, then, with the tensors waited for, still in about 1 round in 10 beside
two busy processes; training/distributed.py now holds the Works itself. One round is
run here; `python -m tests.teardown_trials` runs many."""

import os

import pytest
import torch

from tests.machine import ephemeral_ports, free_ports
from tests.training.test_distributed_resume import _as_rank, _run_ranks

CYCLES = 40


def _cycles(rank: int, ports: list[int]) -> None:
    """Each cycle: join a group, one DDP step, gather objects of unequal sizes, leave."""
    from training import distributed as dd

    _as_rank(rank)
    for i, port in enumerate(ports):
        os.environ["MASTER_PORT"] = str(port)
        info = dd.setup("cpu")
        net = dd.wrap(torch.nn.Linear(4, 2), info)
        net(torch.randn(3, 4)).sum().backward()
        sent = {"rank": rank, "cycle": i, "pad": "x" * (1000 * rank + i)}
        got = dd.gather(sent, info)
        if rank == 0:
            assert got == [{"rank": r, "cycle": i, "pad": "x" * (1000 * r + i)} for r in (0, 1)]
        else:
            assert got is None
        dd.leave(info)
        del net  # the last reference to the group goes with the wrapper, as at a run's end
        assert not torch.distributed.is_initialized()


@pytest.mark.slow
def test_a_group_left_and_dropped_many_times_never_hangs():
    assert _run_ranks(_cycles, free_ports(CYCLES)) == [0, 0]


def test_ports_kept_for_later_groups_lie_below_those_given_to_connections():
    """Every group's connections take ports of the ephemeral range; one kept there for a
    later group could be taken by then."""
    ports = free_ports(CYCLES)
    assert len(set(ports)) == CYCLES and max(ports) < ephemeral_ports()[0]
