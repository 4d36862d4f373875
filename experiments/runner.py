"""The ablation runner: every (variant, seed) of a spec as its own training process.

`run_ablation(spec)` makes the study folder `<out_dir>/<spec.name>/` (out_dir by default
experiments/studies, or $FRANKENSTEIN_STUDIES)::

    spec.json               the spec and whether --quick was used
    <run_id>/               a standard run folder (config.json, metrics.jsonl, best.pt,
                            last.pt, eval.json, train.log; training/runfolder.py)
    <run_id>/status.json    {"status": "queued" | "running" | "done" | "failed" | "stopped",
                             "error": str | null, "seconds": float, ...}
    results.md, results.csv, accuracy_by_stroke.png   (experiments/results.py)

Events (`on_event`, the JSON lines of `ablate --events`): study_start, then per run
run_start, run_progress (its training events), run_done / run_failed / run_stopped;
then study_progress ({"done", "total", "what"}: the peers' evaluation and each run's
latency, while the table is written: half a minute the first time) and study_done.

Each run is `python -m ui.cli train KEY=VALUE ... --events`, a separate process (so a
crash is recorded, not inherited), at most `jobs` at a time. A run whose status.json
says done (with the same settings) is skipped, so a killed study resumes where it
stopped; a run stopped half-way continues from its last.pt (`--resume`). A failed run
is recorded as failed with its error and the last lines of its stderr, and the study
goes on; a run cut short by Ctrl-C, SIGTERM or a stop is "stopped" (it continues next
time), not failed. status.json is written atomically.

On a cluster: each run's exact training command is in its status.json ("command").
A run is an ordinary `frankenstein train`, so on a node with several GPUs it runs under
torchrun (DistributedDataParallel, training/distributed.py): pass
`launcher=["torchrun", "--standalone", "--nproc_per_node", "4"]` (the command line:
`--launcher "torchrun --standalone --nproc_per_node 4"`) and `jobs=1`, or submit the
runs to the cluster's scheduler yourself, one job each::

    torchrun --standalone --nproc_per_node 4 -m ui.cli train <the run's key=value ...> \
        name=<run_id> out_dir=<study folder> --events

Then `frankenstein ablate SPEC --out <folder above the study>` on the shared folder
resumes each of those runs from its last.pt (a finished one only re-runs its final
evaluation, in seconds), records it as done, and writes the table.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.atomic import Busy, atomic_write_text, one_process, remove_temporaries
from core.childenv import child_env
from core.errors import FrankensteinError
from core.paths import studies_dir
from experiments.results import STUDY_LOCK, study_status, write_results
from experiments.spec import AblationSpec, PlannedRun, SpecError, resolve_dir

OnEvent = Callable[[dict[str, Any]], None]
STDERR_LINES = 20  # lines of a failed run's stderr kept in its status.json


@dataclass
class StudyResult:
    """How a study ended: each run's status and the results files written."""

    study_dir: Path
    statuses: dict[str, str]
    files: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [r for r, s in self.statuses.items() if s == "failed"]

    @property
    def table(self) -> Path | None:
        return next((f for f in self.files if f.suffix == ".md"), None)


def read_status(run_dir: Path) -> dict[str, Any] | None:
    """A run's status.json, or None if it has none (or an unreadable one, or one that is
    not a JSON object: `[1]` is as broken as a cut-off file)."""
    try:
        status = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return status if isinstance(status, dict) else None


def write_status(run_dir: Path, status: dict[str, Any]) -> None:
    atomic_write_text(run_dir / "status.json", json.dumps(status, indent=1) + "\n")


def default_jobs(threads: int, processes: int = 1) -> int:
    """Runs at a time: as many as the cores hold at `threads` torch threads in each of
    a run's `processes`."""
    return max(1, (os.cpu_count() or 1) // (max(1, threads) * max(1, processes)))


def launcher_processes(launcher: Sequence[str]) -> int:
    """The processes a launcher starts a run on: torchrun's `--nproc_per_node N` (or
    `--nproc-per-node`, `=N`), else 1. Without it the default jobs ran two torchruns of
    two processes at once on two cores."""
    args = list(launcher)
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if name in ("--nproc_per_node", "--nproc-per-node"):
            value = value or (args[i + 1] if i + 1 < len(args) else "")
            return int(value) if value.isdigit() and int(value) > 0 else 1
    return 1


def run_ablation(
    spec: AblationSpec,
    *,
    out_dir: str | os.PathLike | None = None,
    quick: bool = False,
    jobs: int | None = None,
    on_event: OnEvent | None = None,
    stop: threading.Event | None = None,
    launcher: Sequence[str] = (sys.executable,),
) -> StudyResult:
    """Run every (variant, seed) of `spec` not yet done; then write the results table.

    `stop` (set by another thread, e.g. a TUI's cancel) stops starting runs and asks
    the running ones to save last.pt and end (SIGTERM); they resume next time. `quick`
    on a spec with no quick table changes nothing, and the study is not called quick.
    `out_dir` is core.paths.studies_dir() unless given.
    """
    quick = quick and bool(spec.quick)  # else its table said "(quick)" of a full study
    # before any folder is made: a study refused here left an empty one behind
    eval_dirs = [str(resolve_dir(d)) for d in spec.eval_data]
    study_dir = Path(studies_dir() if out_dir is None else out_dir).resolve() / spec.name
    study_dir.mkdir(parents=True, exist_ok=True)
    try:
        with one_process(study_dir / STUDY_LOCK, remove=True):
            _remove_killed_writes(study_dir)
            return _run_study(spec, study_dir, quick, eval_dirs, jobs, on_event, stop, launcher)
    except Busy as e:
        raise StudyBusy(
            f"{study_dir}: another process (pid {e.holder}) is running this study; wait "
            "for it to end or stop it (its runs resume next time), or give another --out"
        ) from None


# The files the runner writes atomically (core/atomic.py), only while it holds the
# study's lock, as regexes of names: in the study folder, in peers/, in each run folder
# (whose other files are its training's, which cleans up after its own).
STUDY_FILES = r"spec\.json|results\.md|results\.csv|accuracy_by_stroke\.png"
PEER_FILES = r"[^/]+\.json"
RUN_STATUS_FILES = r"status\.json|latency\.json"


def _remove_killed_writes(study_dir: Path) -> None:
    """The temporaries that writes of the study's own files left when a runner was
    killed in the middle (SIGKILL): with the lock held, none is a live writer's."""
    remove_temporaries(study_dir, STUDY_FILES)
    remove_temporaries(study_dir / "peers", PEER_FILES)
    for entry in os.scandir(study_dir):
        if entry.is_dir(follow_symlinks=False) and entry.name != "peers":
            remove_temporaries(entry.path, RUN_STATUS_FILES)


class StudyBusy(FrankensteinError):
    """Another process is running the study: two at once marked each other's running
    runs queued, and each run they both started failed in one of them."""


def _run_study(spec, study_dir, quick, eval_dirs, jobs, on_event, stop, launcher) -> StudyResult:
    """`run_ablation`'s work, holding the study's lock."""
    emit = on_event or (lambda _e: None)
    stop = stop or threading.Event()
    runs = [_with_eval_dirs(r, eval_dirs) for r in spec.runs(quick=quick)]
    todo = _plan(study_dir, runs)  # before spec.json: a refused spec changes nothing
    atomic_write_text(
        study_dir / "spec.json",
        json.dumps({"spec": spec.model_dump(mode="json"), "quick": quick}, indent=1) + "\n",
    )
    emit({"event": "study_start", "study": spec.name, "runs": [r.run_id for r in runs]})
    for run in runs:
        if run not in todo:
            emit({"event": "run_done", "run": run.run_id, "skipped": True})
    if jobs is None:
        threads = max(int(r.overrides.get("threads", 1)) for r in runs)
        jobs = default_jobs(threads, launcher_processes(launcher))
    _Pool(study_dir, todo, max(1, jobs), emit, stop, list(launcher)).run()
    statuses = study_status(study_dir, spec)

    def results_progress(done: int, total: int, what: str) -> None:
        emit({"event": "study_progress", "done": done, "total": total, "what": what})

    files = write_results(study_dir, progress=results_progress)
    table = next((str(f) for f in files if f.suffix == ".md"), None)
    emit(
        {
            "event": "study_done",
            "table": table,
            "failed": [r for r, s in statuses.items() if s == "failed"],
        }
    )
    return StudyResult(study_dir, statuses, files)


def _with_eval_dirs(run: PlannedRun, eval_dirs: list[str]) -> PlannedRun:
    return PlannedRun(run.run_id, run.variant, run.seed, {**run.overrides, "eval_data": eval_dirs})


def _plan(study_dir: Path, runs: list[PlannedRun]) -> list[PlannedRun]:
    """The runs still to do; all of them marked queued. A done run with other settings
    than the spec's now is an error: the table would mix two studies."""
    for run_dir, what, changed in changed_runs(study_dir, runs):  # before any status
        raise SpecError(
            f"{run_dir}: {what} with other settings than the spec gives now ({changed}: "
            "--quick or an edited spec?); use another --out or delete that folder"
        )
    todo = [r for r in runs if (read_status(study_dir / r.run_id) or {}).get("status") != "done"]
    for run in todo:
        run_dir = study_dir / run.run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        write_status(run_dir, _status(run, "queued"))
    return todo


def changed_runs(
    study_dir: Path, runs: list[PlannedRun], ignore: tuple[str, ...] = ()
) -> list[tuple[Path, str, str]]:
    """The runs of `study_dir` done or started with other settings than `runs` give now
    (a study run with --quick, then without; a spec edited since), each as (its folder,
    "done" or "started (...)", what differs), settings in `ignore` aside: a study that
    ran them would mix two. Reads only, so that the TUI can refuse before it starts any
    process (it leaves eval_data, which the runner resolves from its own folder, aside)."""
    found = []
    for run in runs:
        run_dir = study_dir / run.run_id
        st = read_status(run_dir) or {}
        done = st.get("status") == "done"
        kept = done or _started(run_dir)  # finished, or would be resumed
        then = {k: v for k, v in (st.get("overrides") or {}).items() if k not in ignore}
        now = {k: v for k, v in run.overrides.items() if k not in ignore}
        if kept and then != now and not _same_training(run_dir, run, ignore):
            what = "done" if done else "started (its last.pt would go on)"
            found.append((run_dir, what, _changed(then, now)))
    return found


def _changed(then: dict[str, Any], now: dict[str, Any], shown: int = 3) -> str:
    """The settings a run was made with that the spec gives otherwise now, as
    "augment.rotate 10 now, 25 then"; the first `shown` of them, and how many more."""
    keys = [k for k in dict.fromkeys([*now, *then]) if now.get(k) != then.get(k)]
    said = [f"{k} {now.get(k, 'unset')!r} now, {then.get(k, 'unset')!r} then" for k in keys[:shown]]
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return "; ".join(said) + more if said else "the same overrides, another training"


def _started(run_dir: Path) -> bool:
    """Whether the run folder holds training to resume: a last.pt, or a best.pt whose
    last.pt could not be written (a full disk), which `train --resume` starts again at
    epoch 1 when it holds no more than the first epoch (and a new run would refuse)."""
    return (run_dir / "last.pt").is_file() or (run_dir / "best.pt").is_file()


def _same_training(run_dir: Path, run: PlannedRun, ignore: tuple[str, ...] = ()) -> bool:
    """Whether the run folder's config.json is what `run` would train now (settings
    written out that the defaults already gave, e.g. pinned in a spec, change nothing)."""
    from training.config import absolute_data, load_config
    from training.runfolder import RunFolder

    try:  # data folders absolute, as training keeps them (its folder is ours)
        done = absolute_data(RunFolder(run_dir).read_config()).model_dump(mode="json")
        now = absolute_data(load_config(None, run.settings())).model_dump(mode="json")
    except (OSError, ValueError, FrankensteinError):
        return False
    ignore = ("name", "out_dir", *ignore)
    return {k: v for k, v in done.items() if k not in ignore} == {
        k: v for k, v in now.items() if k not in ignore
    }


def _status(run: PlannedRun, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "error": None,
        "seconds": 0.0,
        "run": run.run_id,
        "variant": run.variant,
        "seed": run.seed,
        "overrides": run.overrides,
        **fields,
    }


class _Pool:
    """Runs training processes, `jobs` at a time; events are passed on in this thread."""

    def __init__(self, study_dir, todo, jobs, emit, stop, launcher):
        self.study_dir, self.jobs, self.emit, self.stop, self.launcher = (
            study_dir,
            jobs,
            emit,
            stop,
            launcher,
        )
        self.pending: deque[PlannedRun] = deque(todo)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()
        self.failure: BaseException | None = None  # a worker's error (a full disk), raised here

    def run(self) -> None:
        threads: list[threading.Thread] = []
        try:
            while self.pending or any(t.is_alive() for t in threads):
                while self.pending and not self.stop.is_set() and self._active(threads) < self.jobs:
                    t = threading.Thread(
                        target=self._one, args=(self.pending.popleft(),), daemon=True
                    )
                    t.start()
                    threads.append(t)
                if self.stop.is_set():
                    self.pending.clear()
                    self._terminate()
                self._drain(timeout=0.2)
                if self.failure is not None:
                    raise self.failure
            self._drain(timeout=0)
            if self.failure is not None:
                raise self.failure
        except BaseException:  # Ctrl-C or a failing on_event: stop the children cleanly
            self.stop.set()
            self._terminate()
            for t in threads:
                t.join(timeout=60)
            raise

    @staticmethod
    def _active(threads: list[threading.Thread]) -> int:
        return sum(t.is_alive() for t in threads)

    def _drain(self, timeout: float) -> None:
        try:
            event = self.events.get(timeout=timeout) if timeout else self.events.get_nowait()
        except queue.Empty:
            return
        self.emit(event)
        while True:
            try:
                self.emit(self.events.get_nowait())
            except queue.Empty:
                return

    def _terminate(self) -> None:
        with self.lock:
            for p in self.procs.values():
                if p.poll() is None:
                    p.terminate()  # training saves last.pt on SIGTERM and exits

    def command(self, run: PlannedRun, resume: bool) -> list[str]:
        cmd = [*self.launcher, "-m", "ui.cli", "train", *run.settings()]
        cmd += [f"name={run.run_id}", f"out_dir={json.dumps(str(self.study_dir))}", "--events"]
        return [*cmd, "--resume"] if resume else cmd

    def _one(self, run: PlannedRun) -> None:
        """Worker thread: one training process, from start to status.json. An error here
        (status.json that cannot be written: the disk is full) stops the study, told by
        the main thread in one line, not as a thread's traceback while the study goes on."""
        try:
            self._run_one(run)
        except BaseException as e:
            with self.lock:
                self.failure = self.failure or e

    def _run_one(self, run: PlannedRun) -> None:
        run_dir = self.study_dir / run.run_id
        resume = _started(run_dir)
        cmd = self.command(run, resume)
        t0 = time.time()
        write_status(run_dir, _status(run, "running", started=t0, resumed=resume, command=cmd))
        self.events.put({"event": "run_start", "run": run.run_id, "resumed": resume})
        env = child_env()
        error = None
        tail: deque[str] = deque(maxlen=STDERR_LINES)
        done: dict[str, Any] | None = None
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
            )
        except OSError as e:
            proc, error = None, f"could not start {cmd[0]}: {e}"
        if proc is not None:
            with self.lock:
                self.procs[run.run_id] = proc
            reader = threading.Thread(target=_read_lines, args=(proc.stderr, tail), daemon=True)
            reader.start()
            for line in proc.stdout:
                event = _parse(line)
                if event is None:
                    continue
                kind = event.pop("event", None)
                if kind == "error":
                    error = event.get("message")
                elif kind == "done":
                    done = event
                self.events.put({"event": "run_progress", "run": run.run_id, "kind": kind, **event})
            proc.wait()
            reader.join(timeout=10)
            with self.lock:
                self.procs.pop(run.run_id, None)
            if error is None and (done is None or done.get("status") == "interrupted"):
                if done is not None or self.stop.is_set():  # Ctrl-C, SIGTERM or a stop
                    again = "resumes from last.pt" if (run_dir / "last.pt").is_file() else "starts"
                    error = f"interrupted ({again} next time)"
                else:
                    last = next((x for x in reversed(tail) if x.strip()), "")
                    error = f"exit status {proc.returncode}" + (f": {last.strip()}" if last else "")
        seconds = time.time() - t0
        if error is None:
            write_status(run_dir, _status(run, "done", seconds=seconds, command=cmd, result=done))
            self.events.put({"event": "run_done", "run": run.run_id, "seconds": seconds})
        elif error.startswith("interrupted"):  # not a failure: it continues next time
            write_status(
                run_dir, _status(run, "stopped", error=error, seconds=seconds, command=cmd)
            )
            self.events.put({"event": "run_stopped", "run": run.run_id, "error": error})
        else:
            write_status(
                run_dir,
                _status(
                    run, "failed", error=error, seconds=seconds, command=cmd, stderr_tail=list(tail)
                ),
            )
            self.events.put({"event": "run_failed", "run": run.run_id, "error": error})


def _read_lines(stream, tail: deque[str]) -> None:
    for line in stream:
        tail.append(line.rstrip("\n"))


def _parse(line: str) -> dict[str, Any] | None:
    """One JSON event line of `train --events`; anything else (a stray print) is None."""
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None
