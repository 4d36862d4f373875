"""Teardown trials: two real processes join a gloo group, take one DDP step, gather,
leave and drop the wrapper, 40 times a round, round after round; a round in which a
process stops getting on (a hung teardown) is killed and counted. The hang was rare
(3 rounds of 30 beside two busy processes at f77d363, before the Works were held), so
the test (tests/training/test_distributed_teardown.py) runs one round; this runs many:

    python -m tests.teardown_trials --rounds 80 --busy 2 [--root CHECKOUT] [--gdb DIR]

`--root` runs another checkout's training/distributed.py (to compare); `--gdb DIR`
writes every thread's stack of a hung process there (gdb -batch), before the kill.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.machine import busy, free_ports

ROOT = Path(__file__).resolve().parents[1]
CYCLES = 40
PATIENCE_S = 30.0  # a round in which neither process finishes a cycle this long is hung


def _rank(rank: int, ports: list[int], beats, root: str) -> None:
    """One process: CYCLES times join, step, gather, leave, drop; beats[rank] counts.
    training/ is `root`'s."""
    sys.path.insert(0, root)
    import torch

    from training import distributed as dd

    os.environ.update(MASTER_ADDR="127.0.0.1", RANK=str(rank), LOCAL_RANK=str(rank))
    os.environ["WORLD_SIZE"] = "2"
    torch.set_num_threads(1)
    for i, port in enumerate(ports):
        os.environ["MASTER_PORT"] = str(port)
        info = dd.setup("cpu")
        net = dd.wrap(torch.nn.Linear(4, 2), info)
        net(torch.randn(3, 4)).sum().backward()
        dd.gather({"rank": rank, "cycle": i, "pad": "x" * (1000 * rank + i)}, info)
        dd.leave(info)
        del net  # the last reference to the group, as at a run's end
        beats[rank] = i + 1


def one_round(root: Path, gdb: Path | None, label: str) -> str | None:
    """None if both processes ran every cycle, else where they hung."""
    ctx = multiprocessing.get_context("spawn")
    beats, ports = ctx.Array("i", 2), free_ports(CYCLES)
    procs = [ctx.Process(target=_rank, args=(r, ports, beats, str(root))) for r in (0, 1)]
    for p in procs:
        p.start()
    seen, since, hung = None, time.monotonic(), None
    while any(p.is_alive() for p in procs):
        now = tuple(beats[:])
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since > PATIENCE_S:
            hung = f"hung after cycles {now[0]} and {now[1]} of {CYCLES}"
            for p in procs:
                if p.is_alive() and gdb is not None:
                    _dump(p.pid, gdb / f"{label}-pid{p.pid}.txt")
            break
        time.sleep(0.2)
    for p in procs:
        p.kill()
        p.join()
    if hung is None and [p.exitcode for p in procs] != [0, 0]:
        return f"exit statuses {[p.exitcode for p in procs]}"
    return hung


def _dump(pid: int, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out.write_text(done.stdout + done.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to run")
    parser.add_argument(
        "--busy", type=int, default=0, help="keep N busy processes beside the trials (load)"
    )
    parser.add_argument("--gdb", type=Path, help="write a hung process's stacks here")
    args = parser.parse_args(argv)
    hung = 0
    with busy(args.busy):
        for r in range(args.rounds):
            why = one_round(args.root.resolve(), args.gdb, f"round{r}")
            hung += why is not None
            print(f"round {r + 1}/{args.rounds}: {why or 'ok'}", flush=True)
    print(f"{hung} of {args.rounds} rounds hung ({args.root})")
    return 1 if hung else 0


if __name__ == "__main__":
    sys.exit(main())
