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

import os
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
    if info.active and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(t: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """Sum a tensor over all processes (a copy; unchanged on a single process)."""
    if not info.active:
        return t
    out = t.to(info.device if info.device.type == "cuda" else "cpu").clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
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
    out = [None] * info.world if info.is_main else None
    dist.gather_object(obj, out, dst=0)
    return out


def barrier(info: DistInfo) -> None:
    if info.active:
        dist.barrier()


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
