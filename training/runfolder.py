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
from typing import TYPE_CHECKING, Any

from core.atomic import atomic_write_text
from core.errors import FrankensteinError, did_you_mean
from training.progressfile import PROGRESS

if TYPE_CHECKING:  # training.config imports pydantic, which `frankenstein runs` needs not
    from training.config import TrainConfig


class RunError(FrankensteinError):
    """A run folder that cannot be started or resumed as asked."""


class LostPeerError(RunError):
    """Another process of a distributed run died. Its group is left as it is, since
    tearing down a gloo group a peer left mid-collective sometimes aborts the process
    ("terminate called without an active exception") before the error can be told: the
    caller reports this error and then ends the process at once (`os._exit`)."""


class SaidByRankZero(RunError):
    """A process of a distributed run other than rank 0 ends because rank 0 was refused
    (another process trains the run): rank 0 says why, once; this one says nothing."""


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
        from training.config import config_from_dict

        if not self.config.is_file():
            raise RunError(f"{self.config}: not found; is {self.path} a run folder?")
        try:
            data = json.loads(self.config.read_text(encoding="utf-8"))
        except UnicodeDecodeError as e:
            raise RunError(f"{self.config}: not UTF-8 text ({e.reason})") from None
        except json.JSONDecodeError as e:
            raise RunError(f"{self.config}: not valid JSON ({e})") from None
        if not isinstance(data, dict):
            raise RunError(f"{self.config}: not a JSON object of settings")
        optim = data.get("optim")
        if isinstance(optim, dict) and "min_warmup" not in optim:
            # written before the warm-up floor existed: resume with the schedule it began
            data = {**data, "optim": {**optim, "min_warmup": 0}}
        return config_from_dict(data, source=str(self.config))

    def resume_config(self) -> TrainConfig:
        """config.json as `--resume` reads it back; one there but broken (not JSON, a
        setting refused) is a RunError that says the way forward (`cannot_resume`)."""
        if not self.config.is_file():
            if near := did_you_mean(self.path.name, self._runs_beside()):
                raise RunError(f"no run {self.path.name!r} in {self.path.parent}; {near}")
            return self.read_config()  # "not found; is ... a run folder?"
        try:
            return self.read_config()
        except FrankensteinError as e:  # RunError, or training.config's ConfigError
            raise self.cannot_resume(e) from None

    def _runs_beside(self) -> list[str]:
        """The names of the run folders beside this one (with a config.json)."""
        try:
            return [p.name for p in self.path.parent.iterdir() if (p / "config.json").is_file()]
        except OSError:
            return []

    def cannot_resume(self, problem: object) -> RunError:
        """A resume refused for `problem`, a broken file of this run (config.json,
        last.pt) that no setting mends: it said so and stopped there, and `train` of the
        name without --resume says to resume it, so neither showed a way on."""
        return RunError(f"{problem}; this run cannot be resumed: {start_over(self.path)}")

    def write_config(self, cfg: TrainConfig) -> None:
        from training.config import write_config

        write_config(cfg, self.config)

    def read_metrics(self, *, whole: bool = False) -> list[dict[str, Any]]:
        """The epochs' rows, up to a line `metrics_rows` finds broken; with `whole`
        (what `--resume` reads, and writes back with its new rows) a broken line is a
        RunError naming it instead: dropping it and those after it lost their epochs,
        and a row with `"epoch": "one"` failed the resume with a TypeError."""
        if not self.metrics.is_file():
            return []
        try:
            text = self.metrics.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            if whole:
                raise RunError(f"{self.metrics}: not UTF-8 text ({e.reason})") from None
            return []
        rows, problem = metrics_rows(text)
        if problem is not None and whole:
            raise RunError(
                f"{self.metrics} {problem}; mend that line to resume the run (each line is "
                "one epoch's row, as training wrote it)"
            )
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


def start_over(path: Path) -> str:
    """What to do with a run that cannot be resumed, its folder at `path`."""
    return f"remove {path} to start it over, or train under another name=..."


def metrics_rows(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of a metrics.jsonl's text up to its first broken line, and what is wrong
    with that line ("line 2: not JSON"), or None. A row must be a JSON object whose
    epoch is a whole number from 1 and whose val_acc, if any, is a share from 0 to 1
    (not NaN): what `--resume` and the runs list read of it. Both read it through this,
    so that `frankenstein runs` names the problem `--resume` refuses."""
    rows: list[dict[str, Any]] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            return rows, f"line {i}: not JSON"
        problem = _row_problem(row)
        if problem is not None:
            return rows, f"line {i}: {problem}"
        rows.append(row)
    return rows, None


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "not a JSON object"
    epoch = row.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
        return f"epoch {epoch!r} is not a whole number from 1"
    acc = row.get("val_acc")
    if acc is not None and not (
        isinstance(acc, int | float) and not isinstance(acc, bool) and 0 <= acc <= 1
    ):
        return f"val_acc {acc!r} is not a share from 0 to 1"
    return None


def default_run_name(model: str) -> str:
    return f"{model}-{time.strftime('%Y%m%d-%H%M%S')}"
