"""What the Runs tab knows of a run folder (training/runfolder.py), read without torch.

`list_runs(root)` finds every folder under `root` with a config.json; `RunInfo` holds
its config, its metrics rows, its eval report and which checkpoints exist. A broken
file is not an error here: the run is listed with a note saying what is wrong (an
eval.json is checked value by value: ui/tui/evalfile.py).
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.atomic import live_holder
from training.commandline import command, resume_words
from training.progressfile import PROGRESS, progress_text, read_progress
from training.runfolder import metrics_rows
from training.runlock import lock_path
from ui.tui.evalfile import clean_eval, is_number
from ui.tui.seen import files_seen


@dataclass
class RunInfo:
    """One run folder as the TUI lists it."""

    path: Path
    config: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    eval: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # the pid of a training that ended before saving anything (read_run: `died_pid`)
    failed_pid: int | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def model(self) -> str:
        model = self.config.get("model", {})
        return str(model.get("name", "?") if isinstance(model, dict) else model)

    @property
    def epochs_done(self) -> int:
        return len(self.metrics)

    @property
    def epochs(self) -> int | None:
        v = self.config.get("epochs")
        return v if isinstance(v, int) else None

    @property
    def processes(self) -> int:
        """The training processes (torchrun's --nproc_per_node) of its last epoch, which a
        resume must run on again: its metrics rows say more than one, as does its
        progress.json while it trains (1 for a run from before they did, or one stopped
        in its first epoch)."""
        n = self.metrics[-1].get("processes") if self.metrics else None
        if n is None:  # in its first epoch: the training's progress.json, while it trains
            n = (self.progress or {}).get("processes")
        return n if isinstance(n, int) and n > 1 else 1

    @property
    def best_val_acc(self) -> float | None:
        accs = [r["val_acc"] for r in self.metrics if is_number(r.get("val_acc"))]
        return max(accs) if accs else None

    @property
    def best(self) -> Path:
        return self.path / "best.pt"

    @property
    def last(self) -> Path:
        return self.path / "last.pt"

    @property
    def saved_nothing(self) -> bool:
        """No epoch row, checkpoint or evaluation: a run whose training never got past
        its start (stopped, `never_began`; or failed or killed, `died_pid`)."""
        if self.metrics:  # the most runs: said without a look at the folder
            return False
        return not any(f.is_file() for f in (self.last, self.best, self.path / "eval.json"))

    @property
    def has_checkpoint(self) -> bool:
        return self.best.is_file()

    @property
    def finished(self) -> bool:
        """Completed or stopped early: evaluated after its last.pt (an eval.json older
        than last.pt is from before a resume that added epochs), or every epoch done
        with no last.pt to go on from. Every epoch done and not evaluated since is a run
        stopped in its end-of-run calibration or evaluation, which `--resume` does."""
        evaluated = self.path / "eval.json"
        last = self.last
        if evaluated.is_file() and (
            not last.is_file() or evaluated.stat().st_mtime >= last.stat().st_mtime
        ):
            return True
        every_epoch = self.epochs is not None and self.epochs_done >= self.epochs
        return every_epoch and not last.is_file()

    @property
    def never_began(self) -> bool:
        """Stopped while it prepared its data (Ctrl-C, a Stop): its config.json alone,
        no progress.json (a training removes it as it ends, stopped too; one left behind
        is `failed_pid`'s); `train --resume` starts it from epoch 1."""
        return (
            self.saved_nothing
            and (self.path / "config.json").is_file()
            and not self.problems
            and not (self.path / PROGRESS).is_file()
        )

    @property
    def training_pid(self) -> int | None:
        """The pid of the process training this run now (from the TUI or a terminal),
        read from its run lock (training/runlock.py) without taking it; None if none."""
        return live_holder(lock_path(self.path))

    @property
    def progress(self) -> dict[str, Any] | None:
        """Where the training of this run is now, from its progress.json (the latest
        event of the process training it: training/progressfile.py); None if no process
        is training it, or that process has not written one yet."""
        return read_progress(self.path, self.training_pid)

    @property
    def unreadable(self) -> str | None:
        """The problem of a file `train --resume` reads back and refuses broken
        (config.json, metrics.jsonl and last.pt), or None if all read."""
        return next((p for p in self.problems if p.startswith(RESUME_READS)), None)

    @property
    def cut_short(self) -> bool:
        """Not finished, with a last.pt to go on from (Ctrl-C, a Stop, a crash, a kill;
        `train --resume` continues it) and the files a resume reads whole (else the
        problem is said, not a resume promised). A run some process trains now is cut
        short too until it ends: `state` (and every caller) asks for the training first."""
        resumable = not self.finished and self.last.is_file() and self.unreadable is None
        return resumable or self.never_began

    @property
    def state(self) -> str:
        """What the run is doing: "training" (a live process holds it), "stopped" (cut
        short), "failed" (its training ended before saving anything) or "" (finished,
        or never trained: nothing to say)."""
        if self.training_pid is not None:
            return "training"
        if self.cut_short:
            return "stopped"
        return "failed" if self.failed_pid is not None else ""

    def resume_problem(self) -> str | None:
        """Why `train --resume` cannot continue this run (None: it can)."""
        if not (self.path / "config.json").is_file():
            return f"no run {self.name} in {self.path.parent}"
        if self.unreadable is not None:
            return f"{self.name} cannot be resumed as it is: {self.unreadable}"
        if self.finished:
            n = self.epochs_done
            return f"{self.name} is finished ({n} epoch{'s' * (n != 1)})"
        if not self.last.is_file() and self.has_checkpoint:
            return f"{self.name} has no last.pt"  # and a resume would start over best.pt
        if self.processes > 1:  # the trainer refuses a resume on one process
            return (
                f"{self.name} trained on {self.processes} processes, and resumes only on as "
                f"many: `{resume_command(self)}` continues it"
            )
        return None  # with no checkpoint at all (stopped before training), it starts

    def reports(self) -> dict[str, dict[str, Any]]:
        """Evaluation reports by data set name: "test" and each eval_data directory."""
        out: dict[str, dict[str, Any]] = {}
        if isinstance(self.eval.get("test"), dict):
            out["test"] = self.eval["test"]
        for name, report in (self.eval.get("eval_data") or {}).items():
            if isinstance(report, dict):
                out[_short(name)] = report
        return out

    def main_report(self) -> tuple[str, dict[str, Any]] | None:
        """The report that matters most: real doodles (eval_data) if any, else test."""
        reports = self.reports()
        for name, report in reports.items():
            if name != "test":
                return name, report
        return ("test", reports["test"]) if "test" in reports else None

    @property
    def trained_on_main(self) -> bool:
        """Whether its main report scores an eval_data folder that is also one of its
        data.sources (the same folder by any path, as train's warning says: training/
        loop.py `_check_sources`): drawings it trained on, which measure nothing. A
        folder config.json names relative (a run from before they were made absolute)
        is relative to where it was trained, as are its others: each is resolved from
        here alike."""
        scored = next(
            (d for d, r in (self.eval.get("eval_data") or {}).items() if isinstance(r, dict)), None
        )
        data = self.config.get("data")
        sources = data.get("sources") if isinstance(data, dict) else None
        if scored is None or not isinstance(sources, list):
            return False
        folders = {_resolved(s) for s in sources if isinstance(s, str) and s != "synthetic"}
        return _resolved(scored) in folders


# the files `train --resume` reads back (training/runfolder.py)
RESUME_READS = ("config.json", "metrics.jsonl", "last.pt")

# top1 and snap P/R are from the run's main report, scored on real doodles (its
# eval_data) if it has them, else on its test split: "scored on" says which
COLUMNS = ("run", "model", "epochs", "best val", "scored on", "top1", "snap P/R")


def _resolved(folder: str) -> str:
    return str(Path(folder).resolve())


# the "scored on" cell of a run whose main report scores drawings it trained on
TRAINED_ON = " (trained on it)"


def scored_on_cell(run: RunInfo) -> str:
    """The "scored on" cell: `mine (trained on it)` for a run evaluated on one of its
    own training folders, whose top-1 is no score of new drawings."""
    main = run.main_report()
    if main is None:
        return "-"
    return scored_on(main[0]) + (TRAINED_ON if run.trained_on_main else "")


def trained_on_line(run: RunInfo) -> str:
    """A line saying that a run's figures are on drawings it trained on; '' otherwise."""
    main = run.main_report()
    if main is None or not run.trained_on_main:
        return ""
    return (
        f"scored on {scored_on(main[0])}, also one of its data.sources: its top1 and snap "
        "figures are on drawings it trained on, which measures nothing"
    )


def run_cells(run: RunInfo) -> tuple[str, ...]:
    """The run's row of the runs table (COLUMNS): `3/8 training`, `3/8 stopped`."""
    main = run.main_report()
    report = main[1] if main else {}
    snap = report.get("snap") or {}
    epochs = f"{run.epochs_done}/{run.epochs}" if run.epochs else str(run.epochs_done)
    state = run.state
    return (
        run.name,
        run.model,
        epochs + (f" {state}" if state else ""),
        pct(run.best_val_acc),
        scored_on_cell(run),
        pct(report.get("top1")),
        f"{whole_pct(snap.get('precision'))}/{whole_pct(snap.get('recall'))}" if snap else "-",
    )


def unresumable_line(run: RunInfo) -> str:
    """'cut short after epoch 2 of 8, but F7 cannot resume it: config.json: ...' for a
    run with a last.pt whose resume would fail on a broken file; '' for any other."""
    if run.finished or not run.last.is_file() or run.unreadable is None:
        return ""
    return f"cut short {stopped_at(run)}, but it cannot be resumed as it is: {run.unreadable}"


def stopped_at(run: RunInfo) -> str:
    """When a run with a last.pt stopped: "after epoch 3 of 8", or "during epoch 1 of 8"
    for one stopped before its first epoch ended (not "after epoch 0"): its last.pt
    holds the batch it was at, where `train --resume` goes on."""
    total = run.epochs or "?"
    if run.epochs_done == 0:
        return f"during epoch 1 of {total}"
    return f"after epoch {run.epochs_done} of {total}"


def resume_command(run: RunInfo) -> str:
    """The command that resumes `run`: torchrun's for one trained on several processes,
    as the trainer resumes it only on as many."""
    again = resume_words(run.name, run.path.parent)  # shell-quoted where they need it
    if run.processes > 1:
        launch = ["torchrun", "--standalone", "--nproc_per_node", run.processes, "-m", "ui.cli"]
        return command(*launch, "train", *again)
    return command("frankenstein", "train", *again)


def stopped_line(run: RunInfo, also: str = "") -> str:
    """'stopped after epoch 3 of 8: ...' (or 'during epoch 1 of 8') for a run cut
    short: the command that continues
    it, after `also` (another way to, "F7 resumes it (on the Train tab), as does "),
    which a run trained on several processes has not (F7 runs one)."""
    command = resume_command(run)
    if run.processes > 1:
        also = ""
    if run.never_began:
        when, does = "stopped before training began", "starts it"
    elif run.epochs is not None and run.epochs_done >= run.epochs:
        when, does = "stopped after its last epoch, before its evaluation ended", "does that"
    else:
        when, does = f"stopped {stopped_at(run)}", "continues it"
    return f"{when}: " + (f"{also}`{command}`" if also else f"`{command}` {does}")


def training_line(run: RunInfo) -> str:
    """'training now (pid 42): epoch 4 of 8: batch 700 of 1,688 (41%), ...' for a run
    some process trains now (where it is, once its progress.json says); '' otherwise."""
    pid = run.training_pid
    if pid is None:
        return ""
    progress = read_progress(run.path, pid)
    return f"training now (pid {pid})" + (f": {progress_text(progress)}" if progress else "")


def scored_on(name: str, width: int = 18) -> str:
    """A report's name (`RunInfo.reports`) for a table cell: "test split" (held out of
    the training data), else the evaluation folder ("quickdraw-real-dev", not its
    "simplified"), clipped to `width`."""
    if name == "test":
        return "test split"
    parts = name.split("/")
    short = parts[-2] if len(parts) >= 2 and parts[-1] in ("simplified", "raw") else parts[-1]
    return short if len(short) <= width else short[: width - 1] + "…"


def _short(directory: str) -> str:
    """'../shared/data/quickdraw-real-dev/simplified' -> 'quickdraw-real-dev/simplified',
    './mine/' -> 'mine'."""
    parts = Path(directory).parts
    return "/".join(parts[-2:]) if parts else directory


def read_run(path: Path) -> RunInfo:
    info = RunInfo(Path(path))
    info.config = _read_json(info, info.path / "config.json") or {}
    info.eval = clean_eval(_read_json(info, info.path / "eval.json") or {}, info.problems)
    metrics = info.path / "metrics.jsonl"
    try:
        text = metrics.read_text(encoding="utf-8") if metrics.is_file() else ""
    except (OSError, UnicodeDecodeError) as e:
        info.problems.append(f"{metrics.name}: {e}")
        text = ""
    info.metrics, problem = metrics_rows(text)  # as `train --resume` reads them
    if problem is not None:
        info.problems.append(f"{metrics.name} {problem}")
    info.problems += [f"{c.name}: {_BROKEN}" for c in (info.last, info.best) if _cut_off(c)]
    info.failed_pid = died_pid(info)
    if info.failed_pid is not None:
        error = logged_error(info.path / "train.log", info.failed_pid)
        why = "it failed or was killed (the command that ran it said why)"
        if error:
            why = f"it failed: {error}"
        info.problems.append(
            f"its training (pid {info.failed_pid}) ended before saving anything: {why}; "
            f"`{resume_command(info)}` starts it again from epoch 1"
        )
    return info


def logged_error(log: Path, pid: int) -> str | None:
    """The error the attempt of process `pid` ended with, as its train.log's last line
    holds it (the trainer writes it there: training/callbacks.TrainLog.failed); None for
    a run killed, one from before the log had it, or an earlier attempt's error (a
    resume killed while it prepared its data was said to have failed on it)."""
    try:
        with open(log, "rb") as f:
            f.seek(max(f.seek(0, 2) - 4096, 0))
            last = f.read().decode("utf-8", "replace").rstrip("\n").rsplit("\n", 1)[-1]
    except OSError:
        return None
    # "<date> <time> error (pid 42): ..."
    said = re.fullmatch(r"\S+ \S+ error \(pid (\d+)\): (.+)", last)
    return said.group(2) if said and int(said.group(1)) == pid else None


# what core.checkpoint says of a checkpoint that does not load, said here beforehand
_BROKEN = "truncated or corrupt checkpoint (not a whole file)"


def _cut_off(checkpoint: Path) -> bool:
    """Whether a checkpoint file is there but not whole: every checkpoint is a zip
    (torch.save's), whose directory ends the file, so a file cut short (a full disk, a
    copy that stopped) or another file under its name has none. Looked at once a
    version of the file (its size and time): the Runs tab re-reads every run at each
    progress write of a training, and opening each checkpoint then cost it half as much
    again (50 runs: 3.3 -> 5.0 ms)."""
    import zipfile

    try:
        st = checkpoint.stat()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if not stat.S_ISREG(st.st_mode):
        return False
    key = (str(checkpoint), st.st_size, st.st_mtime_ns)
    if key not in _WHOLE:
        if len(_WHOLE) > 4096:  # a long session's old versions
            _WHOLE.clear()
        try:
            _WHOLE[key] = zipfile.is_zipfile(checkpoint)
        except OSError:
            _WHOLE[key] = False
    return not _WHOLE[key]


_WHOLE: dict[tuple[str, int, int], bool] = {}  # `_cut_off`'s: a file version -> whole


def died_pid(run: RunInfo) -> int | None:
    """The pid of the training that left this run with nothing saved (no epoch row, no
    checkpoint, no evaluation) and its progress.json behind, which a training removes
    as it ends, even stopped (so F7 starts it): one that failed (diverged, crashed) or
    was killed; None for any other run, and while some process trains it."""
    if not run.saved_nothing or run.unreadable:
        return None
    try:
        left = json.loads((run.path / PROGRESS).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    pid = left.get("pid") if isinstance(left, dict) else None
    if not isinstance(pid, int) or isinstance(pid, bool) or run.training_pid is not None:
        return None
    return pid


def _read_json(info: RunInfo, path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        info.problems.append(f"{path.name}: {e}")
        return None
    if not isinstance(data, dict):
        info.problems.append(f"{path.name}: not a JSON object")
        return None
    return data


# a run folder -> what its files and lock looked like when it was read, and what was read
KnownRuns = dict[Path, tuple[Hashable, RunInfo]]


def list_runs(root: Path, known: KnownRuns | None = None, looked: Hashable = None) -> list[RunInfo]:
    """Every run folder directly under `root` (those with a config.json), newest first.

    With `known` (the Runs tab's, kept from one call to the next), a run whose files
    and lock look as when it was last read (`read_seen`) is not read again: while a
    run trains, its progress.json changes every second, and reading every run's files
    again then held the UI thread 50 ms at 50 runs (200 ms at 200), most of it their
    eval.json; runs no longer listed are forgotten. `looked`, what `runs_seen(root)`
    saw just before, spares looking at each run again."""
    try:
        folders = [p for p in root.iterdir() if (p / "config.json").is_file()]
    except OSError:  # no such folder (or not one), or it went as it was listed
        folders = []
    folders.sort(key=lambda p: (_started(p), p.name), reverse=True)
    if known is None:
        return [read_run(p) for p in folders]
    for gone in known.keys() - set(folders):
        del known[gone]
    seen = dict(looked) if isinstance(looked, tuple) else {}
    return [_known_run(p, known, seen.get(p.name)) for p in folders]


def _known_run(folder: Path, known: KnownRuns, looked: Hashable) -> RunInfo:
    # taken before the read: a change during it is read next time
    seen = read_seen(folder, looked)
    if folder in known and known[folder][0] == seen:
        return known[folder][1]
    run = read_run(folder)
    known[folder] = (seen, run)
    return run


def _started(run: Path) -> float:
    """When the run's config.json was written; 0 for one removed since it was listed (a
    terminal's rm while the tab follows the folder), which read_run then reports."""
    try:
        return (run / "config.json").stat().st_mtime
    except OSError:
        return 0.0


# what the Runs tab shows of a run comes from these files (and its lock)
SHOWN_FILES = ("config.json", "metrics.jsonl", "eval.json", "best.pt", "last.pt", PROGRESS)


def runs_seen(root: Path) -> Hashable:
    """What another process may have changed in the runs table, from stats and lock
    reads alone (ui/tui/follow.py): a run begun, an epoch done, a checkpoint or an
    evaluation written, a training started or ended."""
    if not root.is_dir():
        return None
    folders = sorted(p for p in root.iterdir() if (p / "config.json").is_file())
    return tuple((p.name, run_seen(p)) for p in folders)


def run_seen(run: Path) -> Hashable:
    """What another process may have changed in one run: its shown files (an epoch's
    row, a checkpoint, an evaluation, the training's progress) and who holds its lock (a
    training started or ended)."""
    return files_seen(run / name for name in SHOWN_FILES), live_holder(lock_path(run))


def read_seen(run: Path, looked: Hashable = None) -> Hashable:
    """What `read_run` reads of a run, as stats and its lock's holder: `run_seen`'s
    (`looked` if it was just taken), and its train.log (the error a failed training
    ended with)."""
    shown = looked if looked is not None else run_seen(run)
    return shown, files_seen([run / "train.log"])


def pct(v: float | None) -> str:
    """0.8734 -> '87.3%'; None -> '-'; anything else (not a number) -> '?'."""
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if is_number(v) else "?"


def whole_pct(v: float | None) -> str:
    """A share in whole percents, for the runs table's snap P/R cell: 0.923 -> '92%'
    ('92%/41%' fits under its header; '92.0%/41.0%', at 80 columns the table's last
    cells, was cut to '92.0%/41.0' or '-/0.0', a percent without its sign); one
    neither none nor all is never shown as either: '<1%', '>99%'. None -> '-'."""
    if v is None:
        return "-"
    if not is_number(v):
        return "?"
    shown = round(100 * v)
    if shown == 0 < v:
        return "<1%"
    if shown == 100 > 100 * v:
        return ">99%"
    return f"{shown}%"


def interval(report: dict[str, Any], key: str) -> str:
    """The report's 95% interval of a share, '85.0-92.1%'; '-' if it has none (older
    eval.json files, or nothing counted)."""
    bounds = (report.get("intervals") or {}).get(key)
    if not isinstance(bounds, list) or len(bounds) != 2:
        return "-"
    return f"{100 * bounds[0]:.1f}-{100 * bounds[1]:.1f}%"


def stroke_accuracy(report: dict[str, Any]) -> dict[int, float | None]:
    """k -> accuracy after k strokes over all drawings (the guess so far; evaluate.py)."""
    rows = report.get("accuracy_at_stroke") or []
    return {int(r["k"]): r.get("so_far") for r in rows if isinstance(r, dict) and "k" in r}
