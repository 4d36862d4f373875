"""The training loop: any registered model, any data, one process or many (DDP).

`train(cfg, callbacks)` runs a whole run in `runs/<name>/` (training/runfolder.py):
per epoch, batches of cumulative frames -> log-probabilities at every stroke -> NLL
at every real stroke or the final one (training/metrics.py) -> AdamW (or Adam, SGD)
with gradient clipping and a per-step schedule (and, with `optim.ema`, a moving
average of the weights, training/ema.py, which is what gets validated and kept as
best); then validation, metrics.jsonl, best.pt on validation accuracy and last.pt
for resuming (and with `keep_epochs` each epoch's weights as epoch-N.pt), all written
atomically. A write that fails (a full disk) stops the run with one line: last.pt is
the one saved before it, and `resume=True` goes on from there once there is room.
Ctrl-C or SIGTERM finishes the current batch (of training or of validation), saves
last.pt mid-epoch and stops (Ctrl-C after the last epoch, while calibrating or
evaluating, stops too: last.pt holds the finished training; Ctrl-C while preparing
data leaves last.pt as it was, and a new run has none, which a resume starts); a
later `resume=True` continues from there and gives the same result as a run never
stopped (under torchrun too: last.pt keeps every process's RNG state and sums). At
the end the calibration temperature is fitted on the validation set
(training/calibration.py) and stored in the checkpoints (best.pt and any epoch-N.pt),
and the test split (and any `eval_data` directory) is replayed stroke by stroke (many
drawings at a time) into eval.json.

Reporting goes through callbacks only (training/callbacks.py), in the manner of
minGPT's trainer; the loop never prints.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

from core.atomic import WriteError, check_output_dir
from core.errors import FrankensteinError
from core.paths import cache_dir
from core.signals import poll, set_torch_threads, term_interrupts
from training import distributed as dd
from training.cache import DataError, check_eval_dir, directory_files
from training.callbacks import Callback, CallbackList, TrainLog
from training.commandline import command, resume_words
from training.config import SYNTHETIC, TrainConfig, absolute_data
from training.data import DRY_RUN_DRAWINGS, RunData, build_data
from training.datainfo import listing_warnings
from training.dataset import EpochBatches, eval_batches, ignore_sigint
from training.ema import WeightAverage
from training.finish import EVAL_BATCH, calibrate, final_eval, run_ending_prior
from training.metrics import Running, sequence_loss
from training.mixup import mixup
from training.optim import build_optimizer, build_scheduler
from training.progressfile import ProgressFile
from training.resume import (
    Position,
    has_rank_states,
    rank_state,
    restore,
    resume_extra,
    seed_everything,
)
from training.runfolder import (
    LostPeerError,
    RunError,
    RunFolder,
    SaidByRankZero,
    default_run_name,
)
from training.runlock import training_lock


@dataclass
class RunResult:
    """How a run ended, and where its files are."""

    status: str  # "completed", "early_stop" or "interrupted"
    run_dir: Path
    epochs_run: int
    best_epoch: int
    best_val_acc: float | None  # None until an epoch finished
    temperature: float | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    eval: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "run_dir": str(self.run_dir),
            "epochs_run": self.epochs_run,
            "best_epoch": self.best_epoch,
            "best_val_acc": self.best_val_acc,
            "temperature": self.temperature,
        }


class StopRequest:
    """Set by SIGINT/SIGTERM (or by a caller); the loop stops after the current batch."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_args: Any) -> None:
        self.requested = True

    @contextlib.contextmanager
    def on_signals(self) -> Iterator[None]:
        """Catch Ctrl-C and SIGTERM while training (main thread only), then restore."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        old = {s: signal.signal(s, self.set) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in old.items():
                signal.signal(s, h)


def differences(run, asked, prefix: str = "") -> str:
    """The settings that differ, as "arch 'cnn' asked, the run's is 'frankenstein'"
    (of two models, or of two dicts of settings)."""
    a = run if isinstance(run, dict) else run.model_dump()
    b = asked if isinstance(asked, dict) else asked.model_dump()
    return "; ".join(
        f"{prefix}{k} {b[k]!r} asked, the run's is {a[k]!r}" for k in a if a[k] != b.get(k)
    )


# what a resume may not change besides the model and the optimiser (`Trainer._check_course`)
COURSE = ("batch_size", "seed", "loss_at", "max_batches")
COURSE_DATA = (
    "sources",
    "per_class",
    "cap_per_class",
    "eval_per_class",
    "eval_seed",
    "variety",
    "outliers",
)


def _course(cfg: TrainConfig) -> dict[str, Any]:
    """The settings of a run's course by their keys: COURSE, COURSE_DATA and every
    augmentation."""
    course = {k: getattr(cfg, k) for k in COURSE}
    data = cfg.data.model_dump(include=set(COURSE_DATA))
    course.update({f"data.{k}": v for k, v in data.items()})
    course.update({f"augment.{k}": v for k, v in cfg.augment.model_dump().items()})
    return course


def _sources_as_asked(stored: TrainConfig, asked: TrainConfig) -> TrainConfig:
    """The run's config with its data sources absolute, for comparing with `asked`'s
    (absolute by then): one stored relative (a run made before `absolute_data`) is the
    asked one that ends in it, the same folder named from elsewhere (`/home/me/data/mine`
    for `data/mine`), else the current folder's, where the run was trained."""
    theirs = list(stored.data.sources)
    for i, (path, now) in enumerate(zip(theirs, asked.data.sources, strict=False)):
        rel = Path(path)
        named = path != SYNTHETIC and not rel.is_absolute() and ".." not in rel.parts
        if named and rel.parts and Path(now).parts[-len(rel.parts) :] == rel.parts:
            theirs[i] = now
    data = stored.data.model_copy(update={"sources": tuple(theirs)})
    return absolute_data(stored.model_copy(update={"data": data}))


def dry_run_config(cfg: TrainConfig) -> TrainConfig:
    """One tiny batch end to end: one epoch of one batch, tiny data, its own run folder."""
    name = f"{cfg.name or cfg.model.name}-dry-run"
    return cfg.model_copy(
        update={
            "name": name,
            "epochs": 1,
            "max_batches": 1,
            "batch_size": min(cfg.batch_size, 8),
            "data": cfg.data.model_copy(update={"num_workers": 0}),
        }
    )


def train(
    cfg: TrainConfig,
    callbacks: Sequence[Callback] = (),
    *,
    resume: bool = False,
    dry_run: bool = False,
    stop: StopRequest | None = None,
) -> RunResult:
    """Run (or resume) the training run `cfg` describes; see the module docstring."""
    if dry_run:
        cfg = dry_run_config(cfg)
    cfg = cfg.with_run_name(default_run_name(cfg.model.name))
    info = dd.setup(cfg.device)
    broken = False  # the group lost a process: tearing it down can abort (gloo, SIGABRT)
    try:
        with term_interrupts():
            return _Run(cfg, info, callbacks, resume, dry_run, stop or StopRequest()).run()
    except RuntimeError as e:
        cause = dd.lost_peer(e, info)
        if cause is None:
            raise
        broken = True
        again = f"the same command with {command(*resume_words(cfg.name))}"
        if RunFolder(cfg.run_dir).last.is_file():
            kept = f"last.pt keeps the last finished epoch: {again} continues"
        else:  # killed in its first epoch, which saved nothing
            kept = f"it saved no last.pt: {again} starts it again"
        raise LostPeerError(
            f"{cfg.run_dir}: another process of this run stopped ({cause}); {kept}"
        ) from None
    finally:
        if not broken:
            dd.cleanup(info)


def _trained_toward(ckpt, otherwise: int | None) -> int | None:
    """The epochs the schedule in last.pt (`ckpt`) spans: those of the config it was
    saved under. Not config.json's: under torchrun every process reads that while rank 0
    rewrites it for the resume, so a process that read the new epochs kept the old
    schedule's learning rate where rank 0 stretched it, and the processes' weights
    parted for good (so did a resume after one killed before its first last.pt)."""
    epochs = (ckpt.meta.get("config") or {}).get("epochs")
    return epochs if isinstance(epochs, int) else otherwise


class _Run:
    """One run's state; `run()` does the work (split from `train` to keep it readable)."""

    def __init__(self, cfg, info, callbacks, resume, dry_run, stop):
        self.cfg, self.info, self.resume, self.dry_run, self.stop = (
            cfg,
            info,
            resume,
            dry_run,
            stop,
        )
        self.folder = RunFolder(cfg.run_dir)
        self._resume_from = None  # last.pt, checked by _prepare_folder on resume
        self._run_epochs: int | None = None  # the epochs last.pt was trained toward
        self.warnings: list[str] = []  # besides the data's, for on_start
        self.listing: list[str] = []  # the data folders' listing's, said before reading them
        self.ema: WeightAverage | None = None  # the weight average, with optim.ema set
        self.val_seconds: float | None = None  # the last validation's: the ETA counts them
        self.cb = CallbackList(list(callbacks) if info.is_main else [])

    # ------------------------------------------------------------------ set-up

    def _prepare_folder(self) -> None:
        f = self.folder
        if self.resume:
            f.read_metrics(whole=True)  # a broken row is refused before anything changes
            if f.last.is_file():
                self._resume_from = self._resumable()  # checked before config.json changes
                if f.config.is_file():
                    stored = f.resume_config()
                    self._check_optim(stored)
                    self._check_course(stored)
                    self._run_epochs = stored.epochs  # for a last.pt from before meta had it
                self._run_epochs = _trained_toward(self._resume_from, self._run_epochs)
            elif f.config.is_file() and not self._trained_past_first_epoch():
                # stopped before training began (Ctrl-C while preparing data), or the
                # first last.pt could not be written (a full disk): no state to continue,
                # so any settings may change and the run starts at epoch 1
                self.warnings.append(
                    f"{f.path}: no last.pt, as the run {self._why_no_last()}: starting from epoch 1"
                )
            else:
                raise RunError(f"{f.last}: nothing to resume (no last checkpoint in {f.path})")
            if self.info.is_main:
                f.write_config(self.cfg)  # with any settings changed for the resume
            return
        if self.dry_run and f.path.is_dir() and f.path.name.endswith("-dry-run"):
            if self.info.is_main:
                shutil.rmtree(f.path)  # a dry run's own folder, from an earlier dry run
        elif (n := f.finished_epochs()) is not None:
            raise RunError(  # `--resume` alone would only calibrate and evaluate it again
                f"{f.path}: a finished run of this name exists ({n} epoch{'s' * (n != 1)}); "
                "choose another name=..., or train it on with --resume epochs=N"
            )
        elif f.holds_a_run():
            raise RunError(
                f"{f.path}: a run of this name exists; resume it with --resume or choose "
                "another name=..."
            )
        if self.info.is_main:
            f.path.mkdir(parents=True, exist_ok=True)
            f.write_config(self.cfg)

    def _why_no_last(self) -> str:
        """Why a run cut short in its first epoch has no last.pt. A training leaves a
        progress.json only when it ends without its clean-up (killed, or it failed),
        and its events carry "epochs" once training began: a run killed at batch 20
        was said to have stopped before training began."""
        if self.folder.best.is_file():
            return "stopped before it saved a last.pt"
        with contextlib.suppress(OSError, ValueError, TypeError):
            if "epochs" in json.loads(self.folder.progress.read_text(encoding="utf-8")):
                return "ended in its first epoch without saving one (killed, or it failed)"
        return "stopped before training began"

    def _trained_past_first_epoch(self) -> bool:
        """Whether the folder holds more than its first epoch (best.pt of a later
        one, or metrics.jsonl rows past it), which starting over would lose."""
        f = self.folder
        if any(r["epoch"] > 1 for r in f.read_metrics(whole=True)):
            return True
        if not f.best.is_file():
            return False
        from core.checkpoint import CheckpointError, load_checkpoint

        try:
            return load_checkpoint(f.best).meta.get("epoch") != 1
        except CheckpointError:
            return True  # not ours to overwrite

    def _data(self) -> RunData:
        progress = self.cb.on_progress
        if self.info.is_main:  # rank 0 fills the cache; the others then read it
            data = build_data(self.cfg, progress=progress, dry_run=self.dry_run)
        dd.barrier(self.info)
        if not self.info.is_main:
            data = build_data(self.cfg, dry_run=self.dry_run)
        return data

    # --------------------------------------------------------------------- run

    def run(self) -> RunResult:
        cfg = self.cfg
        folders = [s for s in cfg.data.sources if s != SYNTHETIC]
        if folders:
            cache_dir()  # an empty FRANKENSTEIN_CACHE fails now, not with the run begun
        for d in (*folders, *cfg.eval_data):
            directory_files(d)  # a missing directory fails now, not after hours of training
        if folders:  # names and sizes: said at once, not as what minutes of reading found
            listed = {d: directory_files(d) for d in folders}
            self.listing = listing_warnings(listed, every_class=SYNTHETIC not in cfg.data.sources)
        for d in cfg.eval_data:
            check_eval_dir(d)  # as one with no drawing in it
        self._check_sources()
        check_output_dir(self.folder.path)
        # checked and said as given; kept absolute, so that the run names its data from
        # any folder (calibrate, --resume)
        self.cfg = absolute_data(cfg)
        with self._group_lock():
            return self._run_in_folder()

    @contextlib.contextmanager
    def _group_lock(self) -> Iterator[None]:
        """One process trains a run at a time: rank 0 holds the run's lock for the group,
        and the others learn whether it got it before they touch the folder. Refused,
        rank 0 names the holder and the others end quietly: they went on alone, read
        the folder another process trains, and then said rank 0 had stopped and that
        `--resume` would continue a run they had never trained."""
        info = self.info
        with contextlib.ExitStack() as held:
            refused = None
            if info.is_main:
                try:
                    held.enter_context(training_lock(self.folder.path))
                except RunError as e:
                    refused = e
            if dd.any_true(refused is not None, info):
                raise refused if refused is not None else SaidByRankZero(str(self.folder.path))
            yield

    def _check_sources(self) -> None:
        """A DataError for a source given twice (the same folder by any path), which
        trained on each of its drawings twice an epoch; a warning for an eval_data
        folder that is also a source: its report would score drawings trained on. A
        resume keeps its run's sources (`_check_course`): one of before the check goes on."""
        seen: dict[str, str] = {}
        for source in self.cfg.data.sources:
            key = source if source == SYNTHETIC else str(Path(source).resolve())
            if key in seen and not self.resume:
                again = "" if seen[key] == source else f" (as {seen[key]!r})"
                raise DataError(
                    f"data.sources: {source!r} is given twice{again}: its drawings would "
                    "count twice"
                )
            seen[key] = source
        for d in self.cfg.eval_data:
            if str(Path(d).resolve()) in seen:
                self.warnings.append(
                    f"eval_data {d!r} is also in data.sources: its report scores drawings "
                    "the run trains on, which measures nothing"
                )

    def _run_in_folder(self) -> RunResult:
        self._prepare_folder()
        log = None
        if self.info.is_main:
            log = TrainLog(self.folder.log)
            self.cb.callbacks.append(log)
            self.cb.callbacks.append(ProgressFile(self.folder.progress))
        try:
            for warning in self.listing:
                self.cb.on_warning(warning)
            return self._train()
        except FrankensteinError as e:  # in train.log too: the Runs tab and a later look at
            # the folder see why it ended (a refused data folder left config.json alone)
            if log is not None:
                with contextlib.suppress(WriteError):  # a full disk: said already
                    log.failed(e)
            raise

    def _train(self) -> RunResult:
        cfg, info = self.cfg, self.info
        try:
            data, model, net, optimizer, scheduler, batches, pos, rows = self._set_up()
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM while preparing data: an interrupted
            # run, with last.pt as it was (none for a new run, which --resume then starts)
            pos, rows = self._saved_position()
            return self._done("interrupted", pos, rows)
        status = pos.finished
        with self.stop.on_signals(), self._stops_when_a_write_fails():
            while not status and pos.epoch < cfg.epochs:
                status = self._epoch(net, model, optimizer, scheduler, batches, data, pos, rows)
        if not status:
            status = "completed"
        # The processes leave the group together, before rank 0 goes on alone: a rank
        # that tore down its gloo group while the other was still in it sometimes died
        # in the teardown (SIGABRT, "terminate called without an active exception").
        dd.leave(info)
        if not info.is_main:
            return self._result(status, pos, rows)
        if status == "interrupted":
            return self._done(status, pos, rows)
        try:
            with self._stops_when_a_write_fails():
                temperature, reports = self._finish(data)
        except KeyboardInterrupt:  # Ctrl-C while calibrating or evaluating: the training
            # is in last.pt, and a resume of a finished run does this part again
            return self._done("interrupted", pos, rows)
        return self._done(status, pos, rows, temperature, reports)

    def _set_up(self):
        """Data, model, optimiser, schedule and position, up to the "start" event."""
        cfg, info = self.cfg, self.info
        set_torch_threads(cfg.threads)
        seed_everything(cfg.seed)
        data = self._data()

        from core.models import build_model, count_parameters

        model = build_model(cfg.model_cfg()).to(info.device)
        seed_everything(cfg.seed + info.rank)  # dropout differs by rank; weights do not
        net = dd.wrap(model, info)
        optimizer = build_optimizer(model.parameters(), cfg.optim)
        self.ema = WeightAverage(model, cfg.optim.ema) if cfg.optim.ema > 0 else None
        batches = EpochBatches(
            len(data.train),
            cfg.batch_size,
            seed=cfg.seed,
            rank=info.rank,
            world=info.world,
            max_batches=cfg.max_batches,
        )
        scheduler = build_scheduler(optimizer, cfg.optim, cfg.epochs * len(batches))
        pos = Position()
        rows = []
        if self._resume_from is not None:
            pos, rows = self._restore(model, optimizer, scheduler)
        pos.world = info.world
        self.cb.on_start(
            {
                "run": cfg.name,
                "run_dir": str(self.folder.path),
                "model": cfg.model.name,
                "parameters": count_parameters(model),
                "epochs": cfg.epochs,
                "start_epoch": pos.epoch,
                "batches": len(batches),
                "train_size": len(data.train),
                "val_size": len(data.val),
                "resumed": self._resume_from is not None,
                "world": info.world,
                "device": str(info.device),
                "data_warnings": [*data.warnings, *self.warnings],
            }
        )
        return data, model, net, optimizer, scheduler, batches, pos, rows

    def _saved_position(self) -> tuple[Position, list[dict]]:
        """Where last.pt left the run (a new run's start, without one), and its rows."""
        if self._resume_from is None:
            return Position(), []
        pos = Position.from_dict(self._resume_from.extra["position"])
        return pos, [r for r in self.folder.read_metrics(whole=True) if r["epoch"] <= pos.epoch]

    def _finish(self, data: RunData) -> tuple[float | None, dict[str, Any]]:
        """After the last epoch: calibrate best.pt (and any epoch-N.pt), then the final
        evaluation; (best.pt's temperature, the eval reports)."""
        cfg, progress = self.cfg, self.cb.on_progress
        ending = run_ending_prior(cfg.loss_at, data.train, progress)
        device = self.info.device
        temperature = calibrate(self.folder.best, data.val, ending, device, cfg.loss_at, progress)
        for path in self.folder.epoch_checkpoints():
            calibrate(path, data.val, ending, device, cfg.loss_at, progress)
        limit = DRY_RUN_DRAWINGS if self.dry_run else None
        reports = final_eval(self.folder, data.test, cfg.eval_data, self.cb, limit=limit)
        return temperature, reports

    def _resumable(self):
        """last.pt, if this config can resume it: the same model, and resume state."""
        from core.checkpoint import CheckpointError, load_checkpoint

        try:
            ckpt = load_checkpoint(self.folder.last)
        except CheckpointError as e:
            if "newer than this code" in str(e):
                raise  # its way on is to update Frankenstein, which it says
            raise self.folder.cannot_resume(e) from None  # broken, or foreign
        differ = differences(ckpt.cfg, self.cfg.model_cfg())
        if differ:
            raise RunError(
                f"{self.folder.last}: cannot resume with a different model ({differ}); "
                "resume with the run's model settings, or start a new run with another name=..."
            )
        if not ckpt.extra or "position" not in ckpt.extra:
            raise RunError(f"{self.folder.last}: holds no resume state (optimiser, position)")
        world = ckpt.extra["position"].get("world")
        if world is not None and world != self.info.world:
            how = f"under torchrun --nproc_per_node {world}" if world > 1 else "without torchrun"
            raise RunError(
                f"{self.folder.last}: saved by {world} training process(es), resumed on "
                f"{self.info.world}: each one's share of an epoch and the schedule's length "
                f"depend on it; resume {how}"
            )
        return ckpt

    def _check_optim(self, stored: TrainConfig) -> None:
        """A resume continues last.pt's optimiser and schedule, whose state holds the
        run's learning rate, decay and steps: asking for other ones would be ignored."""
        differ = differences(stored.optim, self.cfg.optim, "optim.")
        if differ:
            raise RunError(
                f"{self.folder.path}: cannot resume with other optimiser settings ({differ}): "
                "last.pt's optimiser state keeps the run's; start a new run with another name=..."
            )

    def _check_course(self, stored: TrainConfig) -> None:
        """A resume continues the run's course: what each epoch trains on, in what batches
        (last.pt's position counts them, and the schedule's length is their number), from
        which seed, toward which loss, checked on which validation set. Other ones would
        make a run of two halves that config.json, rewritten, would hide (`batch_size=16`
        left the learning rate at 5e-4 where the run's schedule ends near 2e-5)."""
        differ = differences(_course(_sources_as_asked(stored, self.cfg)), _course(self.cfg))
        if differ:
            raise RunError(
                f"{self.folder.path}: cannot resume with another course ({differ}): the "
                "resumed epochs would not continue the run's; start a new run with another "
                "name=..."
            )

    def _restore(self, model, optimizer, scheduler) -> tuple[Position, list[dict]]:
        ckpt = self._resume_from
        model.load_state_dict(ckpt.model.state_dict())
        if self.ema is not None:
            self.ema = WeightAverage(model, self.cfg.optim.ema)  # unless last.pt has one
        info = self.info
        pos = restore(ckpt.extra, optimizer, scheduler, self.ema, rank=info.rank, world=info.world)
        if not has_rank_states(ckpt.extra, info.world):
            self.warnings.append(
                f"{self.folder.last}: holds the random state of the first of the {info.world} "
                "processes only (saved by an older version): the run goes on, but not exactly "
                "as it would have without the interruption"
            )
        if pos.finished == "completed" and pos.epoch < self.cfg.epochs:
            pos.finished = ""  # resumed with more epochs: carry on
        if not pos.finished and pos.epoch < self.cfg.epochs:
            self._restretch(optimizer, scheduler)
        rows = [r for r in self.folder.read_metrics(whole=True) if r["epoch"] <= pos.epoch]
        return pos, rows

    def _restretch(self, optimizer, scheduler) -> None:
        """A resume with other `epochs` stretches (or shrinks) the schedule to them from
        the step last.pt saved: its length is epochs x batches, so the learning rate
        jumps from where the run stopped to where the new schedule has it, said in one
        warning. Continuing the old schedule instead would train any added epochs at its
        floor (1% of lr for cosine), where they learn next to nothing."""
        before, after = self._run_epochs, self.cfg.epochs
        if before is None or before == after:
            return
        stopped = optimizer.param_groups[0]["lr"]
        # last.pt's optimiser holds the old schedule's rate, which the first batch
        # would use: put the new schedule's in, as LambdaLR's next step would
        step = scheduler.last_epoch
        pairs = zip(optimizer.param_groups, scheduler.base_lrs, scheduler.lr_lambdas, strict=True)
        for group, base, factor in pairs:
            group["lr"] = base * factor(step)
        self.warnings.append(
            f"epochs {before} -> {after}: the learning-rate schedule now spans {after} "
            f"epochs; it resumes at {optimizer.param_groups[0]['lr']:.2e} "
            f"(the run stopped at {stopped:.2e})"
        )

    # ------------------------------------------------------------------ epochs

    def _epoch(self, net, model, optimizer, scheduler, batches, data, pos, rows) -> str:
        """One epoch (or the rest of one); returns a status when the run must end."""
        cfg, info = self.cfg, self.info
        epoch = pos.epoch
        batches.set_epoch(epoch, skip=pos.batch)
        running = Running(cfg.pad_len, **pos.partial) if pos.partial else Running(cfg.pad_len)
        seconds_before = pos.partial_seconds
        n_batches = len(batches)
        loader = DataLoader(
            data.train,
            batch_size=None,
            sampler=batches,
            num_workers=cfg.data.num_workers,
            worker_init_fn=ignore_sigint if cfg.data.num_workers else None,
            # A private generator: creating the iterator must not draw from the global
            # torch RNG, or a resumed run's dropout would differ from an unbroken one.
            generator=torch.Generator(),
            pin_memory=info.device.type == "cuda",
        )
        net.train()
        t0 = time.perf_counter()
        b = pos.batch
        for frames, lengths, labels in loader:
            frames = frames.to(info.device, non_blocking=True)
            lengths = lengths.to(info.device, non_blocking=True)
            labels = labels.to(info.device, non_blocking=True)
            mixed = None
            if cfg.optim.mixup > 0:
                mixed = mixup(frames, lengths, labels, cfg.optim.mixup)
                frames, lengths, labels = mixed.frames, mixed.lengths, mixed.dominant
            log_probs = net(frames, lengths)  # (B, T, C)
            loss_of = partial(
                sequence_loss,
                log_probs,
                lengths,
                loss_at=cfg.loss_at,
                smoothing=cfg.optim.label_smoothing,
            )
            loss = loss_of(labels) if mixed is None else mixed.loss(loss_of)
            value = loss.item()
            finite = math.isfinite(value)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.optim.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.optim.grad_clip)
            optimizer.step()
            scheduler.step()
            if self.ema is not None:
                self.ema.update(model)
            b += 1
            seconds = seconds_before + time.perf_counter() - t0
            if finite:  # a batch whose loss went bad is neither counted nor reported
                running.add(log_probs.detach(), lengths, labels, value)
                if b % cfg.log_every == 0 or b == n_batches:
                    self._report_batch(epoch, b, n_batches, running, scheduler, seconds)
            bad, stop = self._agree(value, info)
            if bad is not None:  # every rank stops together; the step above is never saved
                self._diverged(f"training loss {bad} at epoch {epoch + 1}, batch {b}")
            if stop:
                pos.batch, pos.partial, pos.partial_seconds = b, running.state(), seconds
                self._save_last(model, optimizer, scheduler, pos, rows)
                return "interrupted"
        seconds = seconds_before + time.perf_counter() - t0
        train = Running.from_tensor(dd.all_reduce_sum(running.as_tensor(), info), cfg.pad_len)
        validating = time.perf_counter()
        val = self._validate(self._selected(model), data, epoch + 1)
        if val is None:  # stopped while validating: the epoch's batches are kept, and a
            # resume validates again (an empty rest of the epoch, then the validation)
            pos.batch, pos.partial, pos.partial_seconds = b, running.state(), seconds
            self._save_last(model, optimizer, scheduler, pos, rows)
            return "interrupted"
        self.val_seconds = time.perf_counter() - validating
        if not math.isfinite(val.loss):  # the last step's weights went bad: keep none of them
            self._diverged(f"validation loss {val.loss} after epoch {epoch + 1}")
        pos.epoch, pos.batch, pos.partial, pos.partial_seconds = epoch + 1, 0, {}, 0.0
        is_best = val.acc > pos.best_val_acc or (
            val.acc == pos.best_val_acc and val.loss < pos.best_val_loss
        )
        if is_best:
            pos.best_val_acc, pos.best_val_loss, pos.best_epoch = val.acc, val.loss, epoch + 1
            pos.bad_epochs = 0
        else:
            pos.bad_epochs += 1
        row = {
            "epoch": epoch + 1,
            "train_loss": train.loss,
            "train_acc": train.acc,
            "val_loss": val.loss,
            "val_acc": val.acc,
            "val_acc_at_stroke": val.acc_at_stroke(),
            "lr": scheduler.get_last_lr()[0],
            "seconds": seconds,
            "samples_per_s": train.count / seconds if seconds > 0 else float("nan"),
            "is_best": is_best,
            "best_val_acc": pos.best_val_acc,
            "best_epoch": pos.best_epoch,
        }
        if info.world > 1:  # the Runs tab's resume command is then torchrun's (no torch there)
            row["processes"] = info.world
        rows.append(row)
        stop_early = cfg.patience > 0 and pos.bad_epochs >= cfg.patience
        if stop_early:
            pos.finished = "early_stop"
        elif pos.epoch >= cfg.epochs:
            pos.finished = "completed"
        if info.is_main:
            if is_best:
                self._save_weights(self.folder.best, self._selected(model), row)
            if cfg.keep_epochs:
                self._save_weights(self.folder.epoch(row["epoch"]), self._selected(model), row)
        if info.is_main:  # before last.pt: a resume redoes the epochs past last.pt's,
            self.folder.write_metrics(rows)  # so a row written without it is redone, not lost
        self._save_last(model, optimizer, scheduler, pos, rows)  # every process takes part
        self.cb.on_epoch(row)
        if pos.finished:
            return pos.finished
        return "interrupted" if dd.any_true(self.stop.requested, info) else ""

    def _agree(self, value: float, info) -> tuple[float | None, bool]:
        """What every process must agree on after each batch, in one all-reduce (one
        collective per batch, not two): a loss that is not finite on some process (the
        sum of those, which is too; else None), and whether any process asks to stop."""
        poll()  # a Ctrl-C or SIGTERM the eval loop missed sets the stop flag now
        finite = math.isfinite(value)
        flags = torch.tensor(
            [0.0 if finite else 1.0, 0.0 if finite else value, float(self.stop.requested)],
            dtype=torch.float64,
        )
        bad, bad_sum, stop = dd.all_reduce_sum(flags, info).tolist()
        return (bad_sum if bad else None), stop > 0

    def _diverged(self, what: str) -> None:
        """Stop a run whose loss is no longer a number, before any bad weights are saved."""
        f = self.folder
        kept = f"{f.last.name}, from before, is kept" if f.last.is_file() else "nothing was saved"
        # Every process comes here at once (the losses are summed over all): they leave
        # the group together, as at a run's end, since one that tore it down while the
        # other was still in it sometimes died in the teardown (SIGABRT).
        dd.leave(self.info)
        raise RunError(
            f"{f.path}: training diverged ({what}); {kept}. Try a lower learning rate than "
            f"optim.lr={self.cfg.optim.lr:g}"
        )

    @contextlib.contextmanager
    def _stops_when_a_write_fails(self) -> Iterator[None]:
        """A checkpoint, metrics.jsonl, eval.json or train.log that cannot be written (the
        disk is full) stops the run with one line that says what is kept and how to go
        on: every file is replaced atomically, so last.pt is the one saved before."""
        try:
            yield
        except WriteError as e:
            f, cfg = self.folder, self.cfg
            kept = (
                f"{f.last.name}, from before, is kept"
                if f.last.is_file()
                else "no last.pt was saved yet (a resume starts it at epoch 1)"
            )
            raise RunError(
                f"{e}; the run stopped and {kept}: make room, then continue it with "
                f"{command(*resume_words(cfg.name, cfg.out_dir))}"
            ) from e

    def _report_batch(self, epoch, b, n_batches, running, scheduler, seconds) -> None:
        per_batch = seconds / max(b, 1)  # seconds include the part before a resume
        left = (n_batches - b) + (self.cfg.epochs - epoch - 1) * n_batches
        eta = left * per_batch
        if self.val_seconds is not None:  # this epoch's validation and the later ones'
            eta += (self.cfg.epochs - epoch) * self.val_seconds
        self.cb.on_batch(
            {
                "epoch": epoch + 1,
                "batch": b,
                "batches": n_batches,
                "loss": running.loss,
                "acc": running.acc,
                "lr": scheduler.get_last_lr()[0],
                "samples_per_s": running.count * self.info.world / seconds if seconds else 0.0,
                "eta_s": eta,
            }
        )

    def _selected(self, model):
        """The weights a run validates and keeps as best: the average, if it keeps one."""
        return self.ema.model if self.ema is not None else model

    @torch.no_grad()
    def _validate(self, model, data: RunData, epoch: int) -> Running | None:
        """The validation sums of all processes, with progress (a real validation set
        takes minutes); None when a stop was asked for meanwhile (Ctrl-C, SIGTERM): all
        processes stop at the same batch, which they agree on after each one they all have."""
        cfg, info = self.cfg, self.info
        was_training = model.training
        model.eval()
        r = Running(cfg.pad_len)
        bs = max(cfg.batch_size, EVAL_BATCH)
        n = -(-len(data.val) // bs)
        mine = len(range(info.rank, n, info.world))  # this process's share of the batches
        shared = n // info.world  # the batches every process has
        batches = eval_batches(data.val, bs, rank=info.rank, world=info.world)
        try:
            for i, (frames, lengths, labels) in enumerate(batches):
                frames, lengths, labels = (t.to(info.device) for t in (frames, lengths, labels))
                log_probs = model(frames, lengths)  # (B, T, C)
                r.add(
                    log_probs,
                    lengths,
                    labels,
                    float(sequence_loss(log_probs, lengths, labels, cfg.loss_at)),
                )
                self.cb.on_progress(i + 1, mine, f"validating epoch {epoch}")
                poll()
                if i < shared and dd.any_true(self.stop.requested, info):
                    return None
        finally:
            model.train(was_training)
        return Running.from_tensor(dd.all_reduce_sum(r.as_tensor(), info), cfg.pad_len)

    # ------------------------------------------------------------- checkpoints

    def _meta(self, epoch: int) -> dict[str, Any]:
        return {
            "run": self.cfg.name,
            "model": self.cfg.model.name,
            "epoch": epoch,
            "seed": self.cfg.seed,
            "data": list(self.cfg.data.sources),
            "config": self.cfg.model_dump(mode="json"),
        }

    def _save_weights(self, path: Path, model, row: dict[str, Any]) -> None:
        """best.pt or an epoch-N.pt: the weights, with the epoch's metrics row."""
        from core.checkpoint import save_checkpoint

        save_checkpoint(path, model, meta=self._meta(row["epoch"]), metrics=row)

    def _save_last(self, model, optimizer, scheduler, pos: Position, rows) -> None:
        """last.pt, written by rank 0; every process must call it, as it gathers each
        one's RNG state and running sums (training/resume.py) to rank 0."""
        ranks = dd.gather(rank_state(pos), self.info)
        if not self.info.is_main:
            return
        from core.checkpoint import save_checkpoint

        save_checkpoint(
            self.folder.last,
            model,
            meta=self._meta(pos.epoch),
            metrics=rows[-1] if rows else {},
            extra=resume_extra(optimizer, scheduler, pos, self.ema, ranks),
        )

    def _done(self, status, pos: Position, rows, temperature=None, reports=None) -> RunResult:
        """The run's result, after telling the callbacks ("done")."""
        result = self._result(status, pos, rows, temperature, reports)
        self.cb.on_done(result.summary())
        return result

    def _result(self, status, pos: Position, rows, temperature=None, reports=None) -> RunResult:
        return RunResult(
            status=status,
            run_dir=self.folder.path,
            epochs_run=pos.epoch,
            best_epoch=pos.best_epoch,
            best_val_acc=pos.best_val_acc if pos.best_epoch else None,
            temperature=temperature,
            metrics=rows,
            eval=reports,
        )
