"""The Train tab: pick a model and data, edit the settings, start, watch, stop, resume.

Start validates the form with TrainConfig (errors go next to their fields and nothing
starts; the model's sizes, `model.overrides.*`, are checked against the picked model,
whose own values their empty fields show; a name whose folder holds a run, finished or
stopped, is refused under its field, as the trainer would refuse it once started) and runs `frankenstein train KEY=VALUE... --events` as a child process through
a `Supervisor` in a Textual worker; its events fold into a `TrainState` that the bars,
curves and status line show. Stop sends SIGINT (the trainer saves last.pt; stopped
while preparing its data, it has none yet and Resume starts the run), Resume
runs `train --resume name=RUN` (the name typed in the form, else this session's last
run; a finished run is refused), puts the curves before the stop back (as this tab
drew them, when it ran the run up to there; else metrics.jsonl's epochs) and shows the run's config.json in the pickers and the form, the
settings it trains with. A trainer that crashes is shown as failed with its last
stderr lines; the TUI itself is untouched. The data choices follow the data folders
while the tab is shown (ui/tui/follow.py): one a terminal makes is offered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Label, ProgressBar, RichLog, Select, Static

from core.childenv import child_env
from training.callbacks import epochs_of, resumed_from
from training.commandline import command, resume_words
from training.config import check_run_name
from training.runfolder import RunFolder
from ui.tui.configform import GENERAL, FormField, config_values, model_hints, validate_form
from ui.tui.context import TuiContext
from ui.tui.datadirs import source_dirs
from ui.tui.follow import Follow
from ui.tui.runinfo import read_run
from ui.tui.supervisor import Supervisor
from ui.tui.trainstate import TrainState
from ui.tui.widgets.chart import TRAIN, VAL, Chart, Series
from ui.tui.widgets.config_form import ConfigForm, OnOff
from ui.tui.widgets.job_buttons import show_busy
from ui.tui.widgets.name_select import NameSelect, ShortName

SYNTHETIC = "synthetic"


class TrainPane(Horizontal):
    """Settings on the left, the live run on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "start", "Start"),
        Binding("f6", "stop", "Stop"),
        Binding("f7", "resume", "Resume"),
    ]

    class RunEnded(Message):
        """A training run ended (done, stopped or failed): the Runs tab refreshes."""

        def __init__(self, state: TrainState):
            super().__init__()
            self.state = state

    def __init__(
        self,
        ctx: TuiContext,
        fields: list[FormField],
        models: list[str],
        sources: list[str],
        *,
        id: str | None = None,
    ):
        super().__init__(id=id)
        self.ctx = ctx
        self.fields = fields
        self.models = models
        self.sources = sources
        self.state = TrainState()
        self.supervisor: Supervisor | None = None
        self.closing = False
        self.last_run: str | None = None
        self.lines: list[str] = []  # the log of the current run, as shown
        # what this tab showed of the run it resumes, until its stop: its curves go on
        self.before: TrainState | None = None
        # a data folder another process makes (a terminal's data synth) is offered
        self.follow = Follow(
            self, lambda: source_dirs(ctx.data_dir), self._new_sources, ctx.follow_s
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="train-left"):
            with Horizontal(classes="field-row"):
                yield Label("model", classes="field-label")
                yield NameSelect(
                    [(m, m) for m in self.models],
                    value=self.models[0],
                    allow_blank=False,
                    id="train-model",
                )
            with Horizontal(classes="field-row"):
                yield Label("data", classes="field-label")
                yield NameSelect(
                    self._source_options(self.sources),
                    value=self.sources[0],
                    allow_blank=False,
                    id="train-data",
                )
            with Horizontal(classes="field-row"):
                yield Label("dry run", classes="field-label")
                yield OnOff(False, id="train-dry-run")
            yield ConfigForm(self.fields, id="train-form")
            with Horizontal(classes="buttons"):
                yield Button("Start", id="train-start", variant="success", compact=True)
                yield Button("Stop", id="train-stop", variant="error", compact=True, disabled=True)
                yield Button("Resume", id="train-resume", compact=True)
        with Vertical(id="train-right"):
            yield Static("idle: set up a run and press Start (F5)", id="train-status")
            with Horizontal(classes="bar-row"):
                yield Label("epoch", classes="bar-label")
                yield ProgressBar(1, show_eta=False, id="train-epoch-bar")
            with Horizontal(classes="bar-row"):
                yield Label("batch", classes="bar-label")
                yield ProgressBar(1, show_eta=False, id="train-batch-bar")
            yield Chart("loss", id="train-loss")
            yield Chart("accuracy", y_range=(0.0, 1.0), id="train-acc")
            yield RichLog(id="train-log", wrap=True, markup=False, highlight=False, min_width=20)

    def _source_options(self, sources: list[str]) -> list[tuple[str, str]]:
        """(label, source) for the data picker: doodles generated each epoch, said so,
        and a folder by its path from the data folder's parent (its full path, the
        picker's cells would show only its common start)."""
        return [(source_label(s, self.ctx.data_dir), s) for s in sources]

    def on_mount(self) -> None:
        self.form.set_hints(model_hints(self.models[0]))
        self.follow.saw()
        self.follow.start()

    def _new_sources(self) -> None:
        self.set_sources([SYNTHETIC, *self.follow.seen])

    def on_select_changed(self, event: Select.Changed) -> None:
        """Another model: the model fields' placeholders show its own sizes."""
        if event.select.id == "train-model" and isinstance(event.value, str):
            self.form.set_hints(model_hints(event.value))

    async def on_unmount(self) -> None:
        """The TUI is closing: a child still running is interrupted, not orphaned."""
        self.closing = True
        if self.supervisor is not None:
            await self.supervisor.shutdown(detach=True)

    def set_sources(self, sources: list[str]) -> None:
        """New data directories to offer (after a download, say); keeps the choice."""
        if sources == self.sources:
            return
        picker = self.query_one("#train-data", Select)
        keep = picker.value
        self.sources = sources
        picker.set_options(self._source_options(sources))
        picker.value = keep if keep in sources else sources[0]

    # ------------------------------------------------------------------ actions

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "train-start": self.action_start,
            "train-stop": self.action_stop,
            "train-resume": self.action_resume,
        }
        if event.button.id in actions:
            actions[event.button.id]()
            event.stop()

    @property
    def form(self) -> ConfigForm:
        return self.query_one("#train-form", ConfigForm)

    def build_command(self) -> list[str] | None:
        """The trainer's argv from the form, or None (errors shown next to the fields)."""
        fixed: dict[str, Any] = {
            "model": self.query_one("#train-model", Select).value,
            "data.sources": [self.query_one("#train-data", Select).value],
            "out_dir": str(self.ctx.runs_dir),
        }
        # eval_data's folders are checked where the trainer will look for them
        values = self.form.values()
        result = validate_form(self.fields, values, fixed, self.ctx.cwd or Path())
        errors = dict(result.errors)
        dry_run = self.query_one("#train-dry-run", Checkbox).value
        name = str(values.get("name") or "").strip()
        if name and "name" not in errors and not dry_run:  # a dry run has its own folder
            taken = name_taken(RunFolder(self.ctx.runs_dir / name))
            if taken:
                errors["name"] = taken
        self.form.show_errors(errors)
        if errors:
            self.log_line("not started: fix the settings marked in the form")
            self._show_not_started(errors)
            return None
        argv = [*self.ctx.trainer, *result.overrides, "--events"]
        if dry_run:
            argv.append("--dry-run")
        return argv

    def _show_not_started(self, errors: dict[str, str]) -> None:
        """The status says that nothing started, and why: the first error of the form
        (the one it scrolls to), and how many more it marks. It read "idle: set up a run
        and press Start" before, as if F5 had not been pressed; the next run's status
        replaces it."""
        keys = [f.key for f in self.fields if f.key in errors] or list(errors)
        first = keys[0]
        why = errors[first] if first == GENERAL else f"{first}: {errors[first]}"
        more = f" (and {len(errors) - 1} more marked in the form)" if len(errors) > 1 else ""
        status = self.query_one("#train-status", Static)
        status.update(Content(f"not started: fix the settings{more}\n{why}"))
        status.set_class(True, "failed")
        status.set_class(False, "done")

    def action_start(self) -> None:
        if self.state.active:
            self.log_line("a run is already going: stop it first (F6)")
            return
        argv = self.build_command()
        if argv is not None:
            self._launch(argv)

    def action_stop(self) -> None:
        if self.supervisor is not None and self.supervisor.active:
            self.supervisor.stop()
            self.state.status = "stopping"
            self.log_line("stopping: the trainer saves last.pt and exits")
            self.refresh_view()
        else:
            self.log_line("no run to stop")

    def action_resume(self) -> None:
        self.resume()

    def resume(self, name: str = "") -> None:
        """Resume the run `name` (the Runs tab's F7), else the one named in the form,
        else the last one this tab ran."""
        if self.state.active:
            self.log_line("a run is already going")
            return
        name = name or str(self.form.values().get("name") or "").strip() or self.last_run
        if not name:
            self.log_line("nothing to resume: start a run, or type its name in the form")
            return
        try:  # `../x` would be looked for outside the runs folder, and said missing there
            check_run_name(name)
        except ValueError as e:
            self.log_line(f"nothing to resume: {e}")
            return
        run = read_run(self.ctx.runs_dir / name)
        problem = run.resume_problem()
        if problem is not None:
            self.log_line(f"nothing to resume: {problem}")
            return
        argv = [*self.ctx.trainer, *resume_words(name, self.ctx.runs_dir), "--events"]
        before = self.state if self.state.run == name else None
        self._launch(argv)
        self.before = before
        self.show_config(run.config)

    def show_config(self, config: dict[str, Any]) -> None:
        """The pickers and the form set to a run's config.json: a resumed run trains
        with the settings its folder holds, not the form's, which then describes it; a
        data source the picker does not offer is said in the log."""
        self.form.set_values(config_values(self.fields, config))
        model = config.get("model")
        name = model.get("name") if isinstance(model, dict) else None
        if name in self.models:
            self.query_one("#train-model", Select).value = name
            self.form.set_hints(model_hints(name))
        data = config.get("data")
        sources = data.get("sources") if isinstance(data, dict) else None
        offered = [self._offered(s) for s in sources] if isinstance(sources, list) else []
        if len(offered) == 1 and offered[0] is not None:
            self.query_one("#train-data", Select).value = offered[0]
        elif sources:
            self.log_line(f"its data, {sources}, is not one the data picker offers")

    def _offered(self, source: Any) -> str | None:
        """The data picker's choice that is `source` (a config's, maybe relative to
        where the TUI runs), or None."""
        if source in self.sources:
            return source
        if not isinstance(source, str):
            return None
        where = ((self.ctx.cwd or Path()) / source).resolve()
        return next(
            (s for s in self.sources if s != SYNTHETIC and Path(s).resolve() == where), None
        )

    # ------------------------------------------------------------------ the run

    def _launch(self, argv: list[str]) -> None:
        self.state = TrainState(status="starting")
        self.before = None
        self.lines = []
        self.query_one("#train-log", RichLog).clear()
        # the words it runs, shell-quoted: pasted into a terminal, the same command
        self.log_line(f"$ {command('frankenstein', 'train', *argv[len(self.ctx.trainer) :])}")
        self.supervisor = Supervisor(
            argv, on_event=self._on_event, on_log=self.log_line, cwd=self.ctx.cwd, env=child_env()
        )
        self.refresh_view()
        self.run_worker(self._supervise(self.supervisor), group="train", exclusive=True)

    async def _supervise(self, supervisor: Supervisor) -> None:
        outcome = await supervisor.run()
        if self.closing:  # the TUI closed meanwhile: no widgets left to update
            return
        self.state.finish(outcome.returncode, outcome.stderr_tail, outcome.stopped)
        if self.state.status == "failed":
            self.log_line(f"FAILED: {self.state.message}")
        elif self.state.resumable and (self.ctx.runs_dir / self.state.run / "last.pt").is_file():
            self.log_line(f"stopped; last.pt kept: Resume (F7) continues {self.state.run}")
        elif self.state.resumable:
            self.log_line(
                f"stopped before training began: Resume (F7) starts {self.state.run} at epoch 1"
            )
        elif self.state.status == "stopped":
            self.log_line("stopped before the run started (no run folder yet): nothing to resume")
        self.refresh_view()
        self.post_message(self.RunEnded(self.state))

    def _on_event(self, event: dict[str, Any]) -> None:
        self.state.apply(event)
        if self.state.run:
            self.last_run = self.state.run
        if event.get("event") == "start" and event.get("resumed") and self.state.run:
            self._history()
        line = describe(event)
        if line:
            self.log_line(line)
        if event.get("event") == "start":  # bad lines skipped, classes without drawings
            for warning in event.get("data_warnings") or ():
                self.log_line(f"warning: {warning}")
        self.refresh_view()

    def _history(self) -> None:
        """A resumed run's curves before its stop: as this tab drew them, batch by
        batch, when it ran the run up to where the resume starts; else its
        metrics.jsonl's epochs (a run stopped elsewhere, or in an earlier session)."""
        before = self.before
        if before is not None and before.run == self.state.run and before.epoch == self.state.epoch:
            self.state.take_curves(before)
        else:
            self.state.load_history(read_run(self.ctx.runs_dir / self.state.run).metrics)

    def log_line(self, line: str) -> None:
        self.lines.append(line)
        self.query_one("#train-log", RichLog).write(line)

    def refresh_view(self) -> None:
        s = self.state
        busy = self.supervisor is not None and self.supervisor.active
        show_busy(self, busy, starts="#train-start, #train-resume", stops="#train-stop")
        status = self.query_one("#train-status", Static)
        head = {
            "idle": "idle",
            "starting": "starting…",
            "running": f"running {s.run}",
            "stopping": f"stopping {s.run}",
            "done": f"done {s.run}: {s.message}",  # completed / early stop
            "stopped": (f"stopped {s.run} (Resume: F7)" if s.run else "stopped before it started"),
            "failed": f"FAILED {s.run}".rstrip(),
        }[s.status]
        # Epoch, batch, ETA and best, short enough for the right pane at 80 columns
        # (41 cells): "ep 10/30 1234/5000 ETA 1:02:03 best 82.5%".
        detail = s.what or (
            f"ep {s.counted_epoch}/{s.epochs} {s.batch}/{s.batches} {s.eta_text()}"
            if s.epochs
            else ""
        )
        if s.best_val_acc is not None and not s.what:
            detail += f" best {s.best_val_acc:.1%}"
        if s.status == "failed":  # why, in its last line (the log has the rest)
            detail = s.message.strip().splitlines()[-1] if s.message.strip() else ""
        status.update(f"{head}\n{detail}")
        status.set_class(s.status == "failed", "failed")
        status.set_class(s.status == "done", "done")
        epoch_bar = self.query_one("#train-epoch-bar", ProgressBar)
        batch_bar = self.query_one("#train-batch-bar", ProgressBar)
        if s.epochs:
            epoch_bar.update(total=s.epochs, progress=s.epoch)
            batch_bar.update(total=max(s.batches, 1), progress=s.batch)
        elif s.status == "starting":  # no animation: the bars wait, empty, for "start"
            epoch_bar.update(total=1, progress=0)
            batch_bar.update(total=1, progress=0)
        loss = self.query_one("#train-loss", Chart)
        acc = self.query_one("#train-acc", Chart)
        x_max = float(s.epochs) if s.epochs else None
        loss.x_max = acc.x_max = x_max
        loss.series = (
            Series("train", tuple(s.train_loss), TRAIN),
            Series("val", tuple(s.val_loss), VAL),
        )
        acc.series = (
            Series("train", tuple(s.train_acc), TRAIN),
            Series("val", tuple(s.val_acc), VAL),
        )


def name_taken(folder: RunFolder) -> str:
    """Why a new run cannot be started in `folder`, as `train` would refuse it once
    started (training/loop.py, with command-line advice); '' if it can."""
    n = folder.finished_epochs()
    if n is not None:
        return (
            f"a finished run of this name exists ({n} epoch{'s' * (n != 1)}): choose another name"
        )
    if folder.holds_a_run():
        return "a run of this name exists: choose another name, or Resume (F7) it"
    return ""


# the generated doodles, told from a folder of generated ones (data/synthetic/): where
# the picker's cells are too few for the whole label, "synthetic" alone
FRESH = ShortName("synthetic (fresh each epoch)", narrow=SYNTHETIC)


def source_label(source: str, data_dir: Path) -> str:
    """How the data picker names `source`: `FRESH` for doodles generated each epoch,
    else the folder as a path from the data folder's parent, ending in "/"
    ("data/synthetic/", "data/drawings/simplified/"); one outside it by its own name."""
    if source == SYNTHETIC:
        return FRESH
    path = Path(source)
    try:
        inside = (Path(data_dir.resolve().name) / path.relative_to(data_dir)).as_posix()
    except ValueError:
        inside = path.name or source
    return inside.rstrip("/") + "/"


def describe(event: dict[str, Any]) -> str:
    """One log line for an event ('' for the frequent ones: batch, progress)."""
    kind = event.get("event")
    if kind == "start":
        return (
            f"start {event.get('run')}: {event.get('model')}, {epochs_of(event)}, "
            f"{event.get('train_size')} drawings{resumed_from(event)}"
        )
    if kind == "epoch":
        best = " (best)" if event.get("is_best") else ""
        return (
            f"epoch {event.get('epoch')}: train loss {_f(event.get('train_loss'))} "
            f"acc {_f(event.get('train_acc'))} | val loss {_f(event.get('val_loss'))} "
            f"acc {_f(event.get('val_acc'))}{best}"
        )
    if kind == "eval":
        r = event.get("report") or {}
        return f"eval {event.get('name')}: top1 {_f(r.get('top1'))} top3 {_f(r.get('top3'))}"
    if kind == "done":
        n = event.get("epochs_run")
        return (
            f"done ({event.get('status')}): {n} epoch{'' if n == 1 else 's'}, "
            f"best val acc {_f(event.get('best_val_acc'))}"
        )
    if kind == "warning":  # a data folder's listing, before its data is read
        return f"warning: {event.get('message')}"
    if kind == "error":
        return f"error ({event.get('type')}): {event.get('message')}"
    return ""


def _f(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, int | float) else "-"
