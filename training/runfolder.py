"""A run's folder: `runs/<name>/` and the files in it.

    config.json    the resolved TrainConfig (what --resume reads back)
    metrics.jsonl  one JSON object per finished epoch
    best.pt        the checkpoint with the best validation accuracy (calibrated)
    last.pt        the latest checkpoint, with optimiser, scheduler and RNG state
                   for --resume (also written when a run is interrupted mid-epoch)
    epoch-N.pt     each epoch's weights, calibrated like best.pt (with keep_epochs only)
    eval.json      the evaluation reports at the end: {"test": ..., "eval_data": {dir: ...}}
    train.log      a readable log of the run
    progress.json  where the training is now, while it trains (training/progressfile.py)

Every file is written atomically (core/atomic.py), so a crash leaves whole files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from core.atomic import atomic_write_text
from core.errors import FrankensteinError
from training.config import TrainConfig, config_from_dict, write_config
from training.progressfile import PROGRESS


class RunError(FrankensteinError):
    """A run folder that cannot be started or resumed as asked."""


class LostPeerError(RunError):
    """Another process of a distributed run died. Its group is left as it is, since
    tearing down a gloo group a peer left mid-collective sometimes aborts the process
    ("terminate called without an active exception") before the error can be told: the
    caller reports this error and then ends the process at once (`os._exit`)."""


class RunFolder:
    """Paths and small readers/writers of one run folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    config = property(lambda self: self.path / "config.json")
    metrics = property(lambda self: self.path / "metrics.jsonl")
    best = property(lambda self: self.path / "best.pt")
    last = property(lambda self: self.path / "last.pt")
    eval = property(lambda self: self.path / "eval.json")
    log = property(lambda self: self.path / "train.log")
    progress = property(lambda self: self.path / PROGRESS)

    def epoch(self, n: int) -> Path:
        """The checkpoint of epoch `n` (1-based), kept with `keep_epochs`."""
        return self.path / f"epoch-{n}.pt"

    def epoch_checkpoints(self) -> list[Path]:
        """The kept epoch checkpoints, in epoch order."""
        kept = {}
        for p in self.path.glob("epoch-*.pt"):
            n = p.stem.removeprefix("epoch-")
            if n.isdigit():
                kept[int(n)] = p
        return [kept[n] for n in sorted(kept)]

    def read_config(self) -> TrainConfig:
        if not self.config.is_file():
            raise RunError(f"{self.config}: not found; is {self.path} a run folder?")
        try:
            data = json.loads(self.config.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise RunError(f"{self.config}: not valid JSON ({e})") from None
        optim = data.get("optim")
        if isinstance(optim, dict) and "min_warmup" not in optim:
            # written before the warm-up floor existed: resume with the schedule it began
            data = {**data, "optim": {**optim, "min_warmup": 0}}
        return config_from_dict(data, source=str(self.config))

    def write_config(self, cfg: TrainConfig) -> None:
        write_config(cfg, self.config)

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics.is_file():
            return []
        rows = []
        for line in self.metrics.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    break  # a torn last line (should not happen: writes are atomic)
        return rows

    def finished_epochs(self) -> int | None:
        """The epochs of the finished run this folder holds (evaluated, with a
        checkpoint), else None. A new run of its name is refused, by `train` and by the
        TUI before it starts one: `--resume` alone would only evaluate it again, and
        `--resume epochs=N` trains it on."""
        if self.eval.is_file() and self.holds_a_run():
            return len(self.read_metrics())
        return None

    def holds_a_run(self) -> bool:
        """Whether a run trained here (a checkpoint): a new run of its name is refused."""
        return self.last.is_file() or self.best.is_file()

    def write_metrics(self, rows: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)
        atomic_write_text(self.metrics, text)

    def write_eval(self, reports: dict[str, Any]) -> None:
        atomic_write_text(self.eval, json.dumps(reports, indent=1) + "\n")


def default_run_name(model: str) -> str:
    return f"{model}-{time.strftime('%Y%m%d-%H%M%S')}"
