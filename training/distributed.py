"""Running the same training command on several processes (torchrun, DDP).

`torchrun --nproc_per_node N -m ui.cli train ...` starts N copies with RANK,
WORLD_SIZE and LOCAL_RANK in their environment; `setup` joins them into one process
group (gloo on CPU, nccl on GPUs) and the loop wraps the model in
DistributedDataParallel, so gradients are averaged after every backward pass. Each
process reads its own share of every epoch (a DistributedSampler), validation sums
are all-reduced, and only rank 0 writes files or reports progress (last.pt with every
process's RNG state and running sums, gathered to it). Without those variables
everything here is a no-op on a single process.
"""

from __future__ import annotations

import collections
import os
import pickle
from dataclasses import dataclass, field

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands in the run."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """'auto' -> cuda if available else cpu; cuda picks this process's GPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            from core.errors import FrankensteinError

            raise FrankensteinError("device=cuda but no CUDA GPU is available (use device=cpu)")
        return torch.device("cuda", local_rank % max(torch.cuda.device_count(), 1))
    return torch.device("cpu")


def setup(device: str) -> DistInfo:
    """Join the process group if launched by torchrun; else a single-process DistInfo."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = resolve_device(device, local_rank)
    if world > 1 and not dist.is_initialized():
        _WORKS.clear()  # the last group's, gone with it
        if dev.type == "cuda":
            torch.cuda.set_device(dev)
        dist.init_process_group(backend="nccl" if dev.type == "cuda" else "gloo")
    return DistInfo(rank=rank, world=world, local_rank=local_rank, device=dev)


def lost_peer(e: BaseException, info: DistInfo) -> str | None:
    """What went wrong, in a line, if `e` is a collective that failed because another
    process of the group died or hung up (gloo: "Connection reset by peer"); else None."""
    if not info.active or not isinstance(e, RuntimeError):
        return None
    text = str(e)
    if not isinstance(e, dist.DistError) and "gloo" not in text and "NCCL" not in text:
        return None
    line = text.strip().splitlines()[0] if text.strip() else type(e).__name__
    if line.startswith("[") and "] " in line:  # "[.../gloo/transport/tcp/pair.cc:537] Read..."
        line = line.split("] ", 1)[1]
    return line.split(". ", 1)[0].rstrip(".")


def cleanup(info: DistInfo) -> None:
    """Tear the group down (its collectives' Works stay held: `_WORKS`)."""
    if info.active and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(t: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum a tensor over all processes (a copy; unchanged on a single process)."""
    if not info.active:
        return t
    out = t.to(_device(info)).clone()
    _wait(dist.all_reduce(out, op=dist.ReduceOp.SUM, async_op=True))
    return out.cpu()


def any_true(flag: bool, info: DistInfo) -> bool:
    """True when some process says True."""
    if not info.active:
        return flag
    return float(all_reduce_sum(torch.tensor([1.0 if flag else 0.0]), info)) > 0.0


def gather(obj, info: DistInfo) -> list | None:
    """Every process's `obj` (picklable), in rank order, on rank 0; None on the others.
    A single process gets [obj]."""
    if not info.active:
        return [obj]
    payload = pickle.dumps(obj)
    longest = torch.tensor([len(payload)], dtype=torch.int64, device=_device(info))
    _wait(dist.all_reduce(longest, op=dist.ReduceOp.MAX, async_op=True))  # as many bytes each
    mine = torch.zeros(_LENGTH + int(longest), dtype=torch.uint8)
    mine[:_LENGTH] = torch.frombuffer(
        bytearray(len(payload).to_bytes(_LENGTH, "little")), dtype=torch.uint8
    )
    mine[_LENGTH : _LENGTH + len(payload)] = torch.frombuffer(bytearray(payload), dtype=torch.uint8)
    mine = mine.to(_device(info))
    out = [torch.empty_like(mine) for _ in range(info.world)] if info.is_main else None
    _wait(dist.gather(mine, out, dst=0, async_op=True))
    if out is None:
        return None
    return [_unpack(t.cpu().numpy().tobytes()) for t in out]


_LENGTH = 8  # bytes of the length before each process's pickled object


def _unpack(data: bytes):
    return pickle.loads(data[_LENGTH : _LENGTH + int.from_bytes(data[:_LENGTH], "little")])


def _device(info: DistInfo) -> torch.device:
    """Where a collective's tensors live: the GPU for nccl, else the CPU (gloo)."""
    return info.device if info.device.type == "cuda" else torch.device("cpu")


# The Works of the latest collectives, each held until the next group is set up (or
# the process ends). A gloo worker thread lets go of a collective's Work a moment after
# the caller sees it done, and the Work it lets go of last is destroyed there: with it
# goes the thread-local state captured when it was made, which holds a Python object,
# and letting go of that takes the GIL. Were the process group torn down in that
# moment (its destructor joins the workers on the main thread, which holds the GIL: at
# the end of a run, when the DistributedDataParallel wrapper goes), the two would wait
# on each other for ever: a process hung at the end of its run, seen in the 2-process
# tests under load (gdb: a pt_gloo_runloop thread in ~AsyncAllreduceWork ->
# ~ThreadLocalState -> SafePyObject decref -> take_gil, the main thread in
# ~ProcessGroupGloo -> thread::join). Held here, the worker never lets go of a Work
# last, so no worker needs the GIL then; they go on the main thread, with it. (Waiting
# until the workers let go of the collectives' tensors, as before, was not enough: the
# tensors go before that state does.)
_WORKS: collections.deque = collections.deque(maxlen=64)


def _wait(work) -> None:
    """Wait for a collective (async_op=True) to finish, and hold its Work (`_WORKS`)."""
    work.wait()
    _WORKS.append(work)


def barrier(info: DistInfo) -> None:
    if info.active:
        _wait(dist.barrier(async_op=True))


def leave(info: DistInfo) -> None:
    """Every process leaves the group at once (a barrier, then the teardown)."""
    barrier(info)
    cleanup(info)


def wrap(model: torch.nn.Module, info: DistInfo) -> torch.nn.Module:
    """The model wrapped in DistributedDataParallel when there are several processes."""
    if not info.active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [info.device.index] if info.device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)
