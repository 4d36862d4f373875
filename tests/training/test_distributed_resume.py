"""Runs of 2 gloo processes, started as torchrun starts them, calling `train` in each:
one stopped and resumed repeats an unbroken one exactly (each process gets back its own
RNG state and running sums from last.pt), and a loss gone bad on one process stops
both, with last.pt as it was."""

import faulthandler
import json
import multiprocessing
import os
import time

import pytest
import torch

from core.checkpoint import load_checkpoint
from tests.machine import free_ports
from tests.training.conftest import tiny_settings
from tests.training.test_loop import StopAt

TIMING = {"seconds", "samples_per_s"}
WORLD = 2


def _as_rank(rank: int) -> None:
    os.environ.update(
        {"WORLD_SIZE": str(WORLD), "RANK": str(rank), "LOCAL_RANK": str(rank)},
        MASTER_ADDR="127.0.0.1",
    )


HANG_S = 300  # a process still alive this long after the start is killed


def _run_ranks(target, *args) -> list[int | None]:
    """`target(rank, *args)` in WORLD fresh processes; their exit codes (their
    tracebacks, if any, are on stderr, and so are the stacks of every thread of a
    process that hangs, just before it is killed)."""
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_dumping_stacks, args=(target, rank, *args)) for rank in range(WORLD)
    ]
    for p in procs:
        p.start()
    deadline = time.monotonic() + HANG_S
    try:
        for p in procs:
            p.join(timeout=max(deadline - time.monotonic(), 0.0))
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    return [p.exitcode for p in procs]


def _dumping_stacks(target, rank: int, *args) -> None:
    """`target(rank, *args)`, with the stacks of all threads written to stderr if it is
    still running a little before `_run_ranks` gives up on it (a hang then says where)."""
    faulthandler.dump_traceback_later(HANG_S - 20, exit=False)  # also covers the exit
    target(rank, *args)


def _rank(rank: int, ports: list[int], settings: list[str], out_dir: str) -> None:
    """One process of four 2-process runs in turn: an unbroken run, then the same run
    stopped mid-epoch 1, resumed and stopped at the end of epoch 2, and resumed to its
    end. Only rank 0's callbacks are called, as in a run."""
    from training.config import load_config
    from training.loop import StopRequest, train

    _as_rank(rank)
    whole = load_config(None, [*settings, "name=whole"])
    broken = load_config(None, [*settings, "name=broken"])
    steps = [  # config, where to stop (None: run to the end), resume, expected status
        (whole, None, False, "completed"),
        (broken, (1, 5), False, "interrupted"),
        (broken, (2, 0), True, "interrupted"),
        (broken, None, True, "completed"),
    ]
    for port, (cfg, at, resume, status) in zip(ports, steps, strict=True):
        os.environ["MASTER_PORT"] = str(port)
        stop = StopRequest()
        callbacks = [StopAt(stop, *at)] if at else []
        result = train(cfg, callbacks, resume=resume, stop=stop)
        assert result.status == status, (rank, cfg.name, at, result.status)
        if rank == 0 and at:
            saved = load_checkpoint(os.path.join(out_dir, "broken", "last.pt")).extra
            epoch, batch = at
            where = (epoch - 1, batch) if batch else (epoch, 0)
            assert (saved["position"]["epoch"], saved["position"]["batch"]) == where


def _rows(run_dir):
    rows = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


@pytest.mark.slow
def test_a_distributed_resume_gives_the_same_run_as_no_interruption(tmp_path, glyph_dir):
    more = {"log_every": 1, "augment.enabled": True, "optim.mixup": 0.4}
    settings = tiny_settings(glyph_dir, tmp_path, **more)  # dropout 0.1, mixup: torch RNG
    assert _run_ranks(_rank, free_ports(4), settings, str(tmp_path)) == [0] * WORLD
    assert _rows(tmp_path / "whole") == _rows(tmp_path / "broken")  # train sums included
    for name in ("last.pt", "best.pt"):
        a = load_checkpoint(tmp_path / "whole" / name).model.state_dict()
        b = load_checkpoint(tmp_path / "broken" / name).model.state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a), name
    ranks = load_checkpoint(tmp_path / "broken" / "last.pt").extra["ranks"]
    assert len(ranks) == WORLD  # each process's own random state, and they differ
    assert not torch.equal(ranks[0]["rng"]["torch"], ranks[1]["rng"]["torch"])


def _diverging_rank(rank: int, port: int, settings: list[str]) -> None:
    """Rank 1's training loss is NaN at the second batch of epoch 2, rank 0's is not:
    both stop with the error, which gives the bad value on rank 0 too."""
    import training.loop as loop
    from training.config import load_config
    from training.runfolder import RunError

    _as_rank(rank)
    os.environ["MASTER_PORT"] = str(port)
    if rank == 1:
        real_loss, real_validate = loop.sequence_loss, loop._Run._validate
        seen = {"validated": False, "after": 0}

        def validate(*args):  # rank 1 may have no validation batch to compute a loss of
            seen["validated"] = True
            return real_validate(*args)

        def bad_once(*args, **kwargs):
            loss = real_loss(*args, **kwargs)
            if torch.is_grad_enabled() and seen["validated"]:
                seen["after"] += 1
                if seen["after"] == 2:
                    return loss * float("nan")
            return loss

        loop.sequence_loss, loop._Run._validate = bad_once, validate
    with pytest.raises(RunError) as e:
        loop.train(load_config(None, [*settings, "name=d"]))
    assert "training diverged (training loss nan at epoch 2, batch 2)" in str(e.value)
    assert "last.pt, from before, is kept" in str(e.value)


@pytest.mark.slow
def test_a_loss_gone_bad_on_one_process_stops_both_and_keeps_last_pt(tmp_path, glyph_dir):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=2)
    assert _run_ranks(_diverging_rank, free_ports(1)[0], settings) == [0] * WORLD
    saved = load_checkpoint(tmp_path / "d" / "last.pt").extra["position"]
    assert (saved["epoch"], saved["batch"]) == (1, 0)  # epoch 1's, not overwritten
    assert [r["epoch"] for r in _rows(tmp_path / "d")] == [1]


def _validating_rank(rank: int, ports: list[int], settings: list[str], out_dir: str) -> None:
    """One process of a 2-process run stopped (on rank 0, as Ctrl-C reaches only it
    when the TUI stops its child) while validating epoch 1, then resumed to its end."""
    from tests.training.test_loop import StopWhile
    from training.config import load_config
    from training.loop import StopRequest, train

    _as_rank(rank)
    cfg = load_config(None, [*settings, "name=v"])
    os.environ["MASTER_PORT"] = str(ports[0])
    stop = StopRequest()
    watch = StopWhile(stop, "validating epoch 1")
    result = train(cfg, [watch], stop=stop)  # callbacks are rank 0's only
    assert result.status == "interrupted", (rank, result.status)
    if rank == 0:
        saved = load_checkpoint(os.path.join(out_dir, "v", "last.pt")).extra["position"]
        assert (saved["epoch"], saved["batch"]) == (0, watch.batches)
        assert watch.seen[-1] == (1, 2, "validating epoch 1")  # of rank 0's 2 batches of 3
    os.environ["MASTER_PORT"] = str(ports[1])
    assert train(cfg, resume=True).status == "completed"


@pytest.mark.slow
def test_a_distributed_run_stops_together_while_validating(tmp_path):
    """Rank 0 asks to stop in the middle of the validation; the processes agree on it
    after a batch they all have (a third batch, rank 0's alone, would hang rank 1)."""
    more = {"data.sources": ["synthetic"], "data.per_class": 8, "data.eval_per_class": 30}
    settings = tiny_settings(tmp_path, tmp_path, epochs=2, **more)  # 540 validation drawings
    assert _run_ranks(_validating_rank, free_ports(2), settings, str(tmp_path)) == [0] * WORLD
    assert [r["epoch"] for r in _rows(tmp_path / "v")] == [1, 2]
