"""A distributed run (2 gloo processes) stopped and resumed repeats an unbroken one
exactly: each process gets back its own RNG state and running sums from last.pt."""

import json
import multiprocessing
import os
import socket

import pytest
import torch

from core.checkpoint import load_checkpoint
from tests.training.conftest import tiny_settings
from training.callbacks import Callback

TIMING = {"seconds", "samples_per_s"}
WORLD = 2


class _StopAt(Callback):
    """Ask the run to stop at (epoch, batch), or at the end of `epoch` (batch 0)."""

    def __init__(self, stop, epoch: int, batch: int = 0):
        self.stop, self.epoch, self.batch = stop, epoch, batch

    def on_batch(self, info):
        if self.batch and (info["epoch"], info["batch"]) == (self.epoch, self.batch):
            self.stop.set()

    def on_epoch(self, row):
        if not self.batch and row["epoch"] == self.epoch:
            self.stop.set()


def _rank(rank: int, ports: list[int], settings: list[str], out_dir: str) -> None:
    """One process of four 2-process runs in turn, as torchrun would start it: an
    unbroken run, then the same run stopped mid-epoch 1, resumed and stopped at the end
    of epoch 2, and resumed to its end. Only rank 0's callbacks are called, as in a run."""
    from training.config import load_config
    from training.loop import StopRequest, train

    os.environ.update(
        {"WORLD_SIZE": str(WORLD), "RANK": str(rank), "LOCAL_RANK": str(rank)},
        MASTER_ADDR="127.0.0.1",
    )
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
        callbacks = [_StopAt(stop, *at)] if at else []
        result = train(cfg, callbacks, resume=resume, stop=stop)
        assert result.status == status, (rank, cfg.name, at, result.status)
        if rank == 0 and at:
            saved = load_checkpoint(os.path.join(out_dir, "broken", "last.pt")).extra
            epoch, batch = at
            where = (epoch - 1, batch) if batch else (epoch, 0)
            assert (saved["position"]["epoch"], saved["position"]["batch"]) == where


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _rows(run_dir):
    rows = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


@pytest.mark.slow
def test_a_distributed_resume_gives_the_same_run_as_no_interruption(tmp_path, glyph_dir):
    more = {"log_every": 1, "augment.enabled": True, "optim.mixup": 0.4}
    settings = tiny_settings(glyph_dir, tmp_path, **more)  # dropout 0.1, mixup: torch RNG
    ctx = multiprocessing.get_context("spawn")
    args = (_free_ports(4), settings, str(tmp_path))
    procs = [ctx.Process(target=_rank, args=(rank, *args)) for rank in range(WORLD)]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join(timeout=240)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    assert [p.exitcode for p in procs] == [0] * WORLD  # their tracebacks are on stderr
    assert _rows(tmp_path / "whole") == _rows(tmp_path / "broken")  # train sums included
    for name in ("last.pt", "best.pt"):
        a = load_checkpoint(tmp_path / "whole" / name).model.state_dict()
        b = load_checkpoint(tmp_path / "broken" / name).model.state_dict()
        assert all(torch.equal(a[k], b[k]) for k in a), name
    ranks = load_checkpoint(tmp_path / "broken" / "last.pt").extra["ranks"]
    assert len(ranks) == WORLD  # each process's own random state, and they differ
    assert not torch.equal(ranks[0]["rng"]["torch"], ranks[1]["rng"]["torch"])
