"""The Ablations tab: pick a spec from experiments/specs, run it, watch it fill in.

Running a spec starts `frankenstein ablate SPEC [--quick] --out STUDIES --events` as a
child process; its events (experiments/runner.py: study_start, run_start,
run_progress, run_done, run_failed, run_stopped, study_done) set each run's status in the runs
table, and every finished run refreshes the results table (experiments.results.
study_rows: one row per variant, mean and spread over seeds). A study another process
runs (`ablate` in a terminal) sends no events here: the tab follows its lock and its
runs' files instead (ui/tui/follow.py) while it is shown, and the specs folder, so a
spec written or edited meanwhile is listed and shown as it now reads.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import Button, Checkbox, DataTable, Label, OptionList, Static

from core.childenv import child_env
from training.progressfile import PROGRESS
from ui.tui.context import TuiContext
from ui.tui.follow import Follow
from ui.tui.panes.data import failure_line
from ui.tui.seen import files_seen
from ui.tui.stopping import ask_then_stop
from ui.tui.studyprogress import StudyProgress
from ui.tui.supervisor import Supervisor
from ui.tui.widgets.config_form import OnOff
from ui.tui.widgets.job_buttons import show_busy

# The results table's columns (experiments.results.study_rows keys), all shares, named
# as results.md names them (experiments.results.METRICS), on two lines
RESULT_COLUMNS = (
    ("top1", "top-1"),
    ("acc1", "after 1\nstroke"),
    ("acc2", "after 2\nstrokes"),
    ("acc3", "after 3\nstrokes"),
    ("snap_precision", "snap\nprecision"),
    ("snap_recall", "snap\nrecall"),
)


class AblationsPane(Horizontal):
    """Specs on the left; the selected study's runs and results on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "run", "Run"),
        Binding("f6", "stop", "Stop"),
        Binding("l", "curves", "Curves"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, ctx: TuiContext, *, id: str | None = None):
        super().__init__(id=id)
        self.ctx = ctx
        self.specs: list[Path] = []
        # run id -> not started/queued/running/done/failed/stopped ("queued": a study
        # running will start it; "not started": none is)
        self.status: dict[str, str] = {}
        self.progress: dict[str, str] = {}  # run id -> "epoch 2/3 acc 61%"
        self.reasons: dict[str, str] = {}  # failed run id -> why, whole (status.json's)
        self.started: set[str] = set()  # the runs the running child started
        self.clock = StudyProgress()  # how far the running child's study is, how long left
        # while our child runs: the study's name and the note after its count and time
        # left ("running tiny: run 3 of 12, about 40 min left"); "" once it is stopping
        self.running_name, self.running_note = "", ""
        self.supervisor: Supervisor | None = None
        self.closing = False
        self.running_spec: Path | None = None
        self.spec_shown: Path | None = None  # the spec whose study the tables show
        self.shown: tuple[Path, list[str]] | None = None  # the study folder, its run ids
        self.elsewhere: int | None = None  # the pid of another process running it
        self.message = ""  # the message line's text
        # a study another process runs (a terminal's ablate) fills in as it goes
        self.follow = Follow(self, self._seen, self._followed, ctx.follow_s)

    def compose(self) -> ComposeResult:
        with Vertical(id="abl-left"):
            yield Label("specs", classes="heading")
            yield OptionList(id="abl-specs")
            yield OnOff(True, prefix="quick: ", id="abl-quick")
            with Horizontal(classes="buttons"):
                yield Button("Run", id="abl-run", variant="success", compact=True)
                yield Button("Stop", id="abl-stop", variant="error", compact=True, disabled=True)
        with Vertical(id="abl-right"):
            yield Static("", id="abl-info")
            yield DataTable(id="abl-runs", cursor_type="row")
            # the highlighted failed run's whole reason (its cell holds the first words)
            yield Static("", id="abl-reason", classes="failed")
            # two lines of header: "after 1 / stroke" no wider than its figures
            yield DataTable(id="abl-results", cursor_type="row", header_height=2)
            yield Static("", id="abl-message")

    def on_mount(self) -> None:
        self.action_reload()
        self.follow.start()

    def action_reload(self) -> None:
        """Read the specs folder again, and the selected spec and its study; while a
        study of ours runs, only the list (its tables are the study's)."""
        self._list_specs()
        if self.running_spec is None:
            self._show_selected()

    def _list_specs(self) -> None:
        """The spec list from the folder; the highlight stays on the running or
        selected spec while it is listed."""
        from experiments.spec import list_specs

        keep = self.running_spec or self.selected
        self.specs = list_specs(self.ctx.specs_dir)
        options = self.query_one("#abl-specs", OptionList)
        options.clear_options()
        options.add_options([p.stem for p in self.specs])
        if self.specs:
            options.highlighted = self.specs.index(keep) if keep in self.specs else 0

    def _show_selected(self, keep_message: bool = False) -> None:
        """The selected spec and its study, or why there is none to show."""
        if self.selected is not None:
            self.show_spec(self.selected, keep_message)
            return
        self.shown, self.elsewhere, self.status, self.progress = None, None, {}, {}
        self.reasons = {}
        self.spec_shown = None
        self.follow.saw()
        self.query_one("#abl-info", Static).update("")
        self.query_one("#abl-runs", DataTable).clear(columns=True)
        self.query_one("#abl-results", DataTable).clear(columns=True)
        self.show(f"no ablation specs (.toml) in {self.ctx.specs_dir}/")

    @property
    def selected(self) -> Path | None:
        i = self.query_one("#abl-specs", OptionList).highlighted
        return self.specs[i] if i is not None and i < len(self.specs) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Another spec highlighted: show it (the list read again keeps the highlight on
        the spec shown, which stays as it is)."""
        spec = self.selected
        if spec is not None and self.running_spec is None and spec != self.spec_shown:
            self.show_spec(spec)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click or Enter on a spec only selects it: a study can take days, so only
        F5 or the Run button starts one."""
        event.stop()

    def show_spec(self, path: Path, keep_message: bool = False) -> None:
        """The spec's description, and its study's state if it ran before; the message
        line is cleared (another spec's message is not this one's) unless kept."""
        from core.errors import FrankensteinError
        from experiments.spec import load_spec

        if not keep_message:
            self.show("")
        self.spec_shown = path
        was = self.elsewhere
        self.shown, self.elsewhere = None, None
        try:
            spec = load_spec(path)
        except FrankensteinError as e:
            self.follow.saw()
            self.query_one("#abl-info", Static).update(str(e))
            self.status, self.progress, self.reasons = {}, {}, {}
            self.query_one("#abl-runs", DataTable).clear(columns=True)
            self.query_one("#abl-results", DataTable).clear(columns=True)
            self._show_reason()
            return
        quick = self.query_one("#abl-quick", Checkbox).value
        runs = spec.runs(quick=quick)
        self.query_one("#abl-info", Static).update(
            f"{spec.name}: {spec.description}\n{_many(len(spec.variants), 'variant')} x "
            f"{_many(len(spec.seeds), 'seed')} = {_many(len(runs), 'run')}"
        )
        self.status = {r.run_id: "queued" for r in runs}
        self.progress, self.reasons = {}, {}
        study = self.ctx.studies_dir / spec.name
        self.shown = (study, list(self.status))
        self.follow.saw()
        if study.is_dir():
            from core.atomic import live_holder
            from experiments.results import STUDY_LOCK, failure_reasons, study_status

            holder = live_holder(study / STUDY_LOCK)
            self.status.update(study_status(study, spec, running=holder is not None))
            self.reasons = failure_reasons(study, self.status)
            if holder is not None and self.running_spec is None:  # not our own child
                self.elsewhere = holder
                self.progress = _progress_elsewhere(study, self.status)
                if not keep_message or was != holder:  # kept: F6's question, say
                    self.show(f"another process (pid {holder}) is running this study")
        if self.elsewhere is None and self.running_spec is None:  # none will start them
            self.status = {r: _not_queued(s) for r, s in self.status.items()}
        if self.running_spec is None:  # Stop stops another process's study too (F6)
            self.query_one("#abl-stop", Button).disabled = self.elsewhere is None
        self.show_runs()
        self.show_results(study)

    def _seen(self) -> Hashable:
        """What another process changes: the spec files (an editor's, a terminal's),
        and, for the shown study that another process runs, its lock's holder and the
        runs' status and metrics files (stats alone, ui/tui/follow.py)."""
        from experiments.spec import list_specs

        specs = files_seen(list_specs(self.ctx.specs_dir))
        if self.shown is None or self.running_spec is not None:
            return specs, None  # our own child's events tell us (its end calls saw())
        from core.atomic import live_holder
        from experiments.results import STUDY_LOCK

        study, run_ids = self.shown
        names = ("status.json", "metrics.jsonl", PROGRESS)
        files = (study / r / name for r in run_ids for name in names)
        return specs, live_holder(study / STUDY_LOCK), files_seen(files)

    def _followed(self) -> None:
        """A spec file or the shown study changed under another process: list and show
        them again, and say so when the process running the study has ended."""
        from experiments.spec import list_specs

        selected = self.selected
        if list_specs(self.ctx.specs_dir) != self.specs:
            self._list_specs()
        if self.running_spec is not None:
            return
        before = self.elsewhere
        # the same spec shown again keeps the message ("study done", a refusal)
        self._show_selected(keep_message=self.selected == selected)
        if before is not None and self.elsewhere is None:
            self.show(f"the process running this study (pid {before}) has ended")

    def action_curves(self) -> None:
        """The learning curves of the run highlighted in the runs table (its folder in
        the study's), followed while it trains (ui/tui/screens/curves.py)."""
        from ui.tui.screens.curves import CurvesScreen

        highlighted = self._highlighted_run()
        if self.shown is None or highlighted is None:
            self.show("no run to show: select a spec whose study has runs")
            return
        run = self.shown[0] / highlighted
        if not run.is_dir():
            self.show(f"{run.name} has not started: no curves yet")
            return
        if self.status.get(highlighted) == "failed" and not (run / "config.json").is_file():
            why = self.reasons.get(highlighted, "its status.json gives no reason")
            self.show(f"no curves: {run.name} failed before training began: {why}", error=True)
            return
        self.app.push_screen(CurvesScreen(run, self.ctx.follow_s))

    # ------------------------------------------------------------------ tables

    def show_runs(self) -> None:
        """The runs table anew, the cursor kept on its run (another process's study is
        shown again at each of its progress writes, about once a second)."""
        keep = self._highlighted_run()
        table = self.query_one("#abl-runs", DataTable)
        table.clear(columns=True)
        for column in ("run", "status", "progress"):
            table.add_column(column, key=column)
        for run_id, status in self.status.items():  # a stopped run's last step is no news
            shown = self.progress.get(run_id, "") if status != "stopped" else ""
            if status == "failed" and run_id in self.reasons:
                shown = _first_words(self.reasons[run_id])
            table.add_row(run_id, status, shown, key=run_id)
        if keep in self.status:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_reason()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "abl-runs":
            self._show_reason()

    def _show_reason(self) -> None:
        """Under the runs table, why the highlighted run failed, whole and wrapped."""
        run = self._highlighted_run()
        why = self.reasons.get(run, "") if run and self.status.get(run) == "failed" else ""
        line = self.query_one("#abl-reason", Static)
        line.update(f"{run} failed: {why}" if why else "")
        line.display = bool(why)

    def _highlighted_run(self) -> str | None:
        """The run id under the runs table's cursor; None for an empty table."""
        table = self.query_one("#abl-runs", DataTable)
        if not table.row_count or table.cursor_row is None:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    def show_results(self, study: Path) -> None:
        """The study's table so far (latency is left to the runner's results.md: timing
        a checkpoint here would hold up the UI)."""
        from core.errors import FrankensteinError
        from experiments.results import study_rows

        table = self.query_one("#abl-results", DataTable)
        table.clear(columns=True)
        if not (study / "spec.json").is_file():
            return
        try:
            rows = study_rows(study, latency=False)
        except FrankensteinError as e:
            self.show(str(e), error=True)
            return
        table.add_columns("variant", "runs", *(label for _, label in RESULT_COLUMNS))
        for row in rows:
            runs = "-" if row.get("kind") == "peer" else f"{row['runs']}/{row['seeds']}"
            cells = (
                row.get(f"{c}_note") or _pct(row.get(c), row.get(f"{c}_std"))
                for c, _ in RESULT_COLUMNS
            )
            table.add_row(str(row["variant"]), runs, *cells)

    async def on_unmount(self) -> None:
        """The TUI is closing: a child still running is interrupted, not orphaned."""
        self.closing = True
        if self.supervisor is not None:
            await self.supervisor.shutdown(detach=True)

    # ------------------------------------------------------------------ running

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "abl-run":
            self.action_run()
            event.stop()
        elif event.button.id == "abl-stop":
            self.action_stop()
            event.stop()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if self.selected is not None and self.running_spec is None:
            self.show_spec(self.selected)

    def action_run(self) -> None:
        spec = self.selected
        if spec is None:
            self.show("no spec selected")
            return
        if self.supervisor is not None and self.supervisor.active:
            self.show("an ablation is already running (F6 stops it)")
            return
        from core.errors import FrankensteinError
        from experiments.spec import load_spec

        quick = self.query_one("#abl-quick", Checkbox).value
        try:
            loaded = load_spec(spec)
        except FrankensteinError as e:
            self.show(str(e), error=True)
            return
        study = self.ctx.studies_dir / loaded.name
        if self._refused_elsewhere(study) or self._refused_changed(study, loaded.runs(quick)):
            return
        argv = [*self.ctx.ablate, str(spec)]
        if quick:
            argv.append("--quick")
        argv += ["--out", str(self.ctx.studies_dir), "--events"]
        self.running_spec = spec
        self.started = set()
        self.clock = StudyProgress()
        self.status = {r: "queued" if s == NOT_STARTED else s for r, s in self.status.items()}
        self.show_runs()
        # `ablate --quick` warns of this on its stderr, which is shown only on a failure
        full = f"at full size: {loaded.name} has no [quick] table, so Quick changes nothing"
        self.running_name = spec.stem
        self.running_note = full if quick and not loaded.quick else ""
        self.show(f"running {spec.stem}…" + (f" {full}" if self.running_note else ""))
        self.supervisor = Supervisor(
            argv,
            on_event=lambda e: self.on_study_event(e, study),
            cwd=self.ctx.cwd,
            env=child_env(),
        )
        show_busy(self, True, starts="#abl-run", stops="#abl-stop")
        self.run_worker(self._supervise(self.supervisor, study), group="ablate", exclusive=True)

    def _refused_elsewhere(self, study: Path) -> bool:
        """Whether another process (a terminal's `ablate`) runs `study`, said in one line
        that fits the pane at 80 columns: a child started now would only fail on its lock
        (with advice for a terminal, `--out`), and F6 twice is the way on from here."""
        from core.atomic import live_holder
        from experiments.results import STUDY_LOCK

        holder = live_holder(study / STUDY_LOCK)
        if holder is not None:
            self.show(f"refused: pid {holder} runs it; F6 twice stops it")
        return holder is not None

    def _refused_changed(self, study: Path, runs: list) -> bool:
        """Whether a run of `study` was done (or started) with other settings than the
        spec gives now, said in one line with the way on from here: a child would fail
        on it with advice for a terminal (`--out`)."""
        from experiments.runner import changed_runs

        changed = changed_runs(study, runs, ignore=("eval_data",))
        if changed:
            run_dir, what, differ = changed[0]
            self.show(
                f"refused: {run_dir.name} was {what.split(' (')[0]} with other settings "
                f"({differ}): set Quick or the spec as then, or delete {run_dir}",
                error=True,
            )
        return bool(changed)

    def action_stop(self) -> None:
        if self.supervisor is not None and self.supervisor.active:
            self.supervisor.stop()
            self.running_name = ""  # the count and time left no longer tell what comes
            self.show("stopping: the running run is interrupted; finished runs are kept")
        elif self.elsewhere is not None and self.shown is not None:
            self._stop_elsewhere(self.shown[0].name, self.elsewhere)
        else:
            self.show("nothing to stop: no study is running")

    def _stop_elsewhere(self, name: str, pid: int) -> None:
        """F6 twice: SIGTERM to the process running the shown study (a terminal's
        `ablate`), which stops its running runs (they save last.pt) and ends."""
        done = (
            f"asked pid {pid} to stop the study {name}: its running runs save last.pt; "
            "run it again to continue (finished runs are skipped)"
        )
        ask_then_stop(self, f"the study {name}", pid, done)

    async def _supervise(self, supervisor: Supervisor, study: Path) -> None:
        outcome = await supervisor.run()
        if self.closing:  # the TUI closed meanwhile: no widgets left to update
            return
        show_busy(self, False, starts="#abl-run", stops="#abl-stop")
        self.running_spec = None
        self.running_name = ""
        self.follow.saw()  # what our child left is shown below, not another's change
        ended = "stopped" if outcome.stopped else "failed"
        for run in self.started:  # what the runner could not report
            if self.status.get(run) == "running":  # not another process's running run
                self.status[run] = ended
        self.status = {r: _not_queued(s) for r, s in self.status.items()}  # none starts them
        self.show_runs()
        if outcome.stopped:
            self.show("stopped; run it again to continue (finished runs are skipped)")
        elif not outcome.ok:
            self.show(f"the ablation FAILED: {failure_line(outcome.stderr_tail)}", error=True)
        self.show_results(study)

    def on_study_event(self, event: dict[str, Any], study: Path) -> None:
        kind, run = event.get("event"), str(event.get("run", ""))
        if kind == "study_start":
            for r in event.get("runs", []):
                if self.status.get(str(r), NOT_STARTED) == NOT_STARTED:
                    self.status[str(r)] = "queued"
        elif kind == "run_start":
            self.started.add(run)
            self.clock.run_started(run)
            self.status[run] = "running"
            self.progress[run] = "launching its training"  # until its first event
            self.reasons.pop(run, None)
        elif kind == "run_progress":
            self.progress[run] = _progress(event)
            if event.get("kind") == "batch":
                self.clock.estimate(run, event.get("eta_s"))
        elif kind == "run_done":
            self.status[run] = "done"
            self.progress[run] = ""
            self.clock.run_ended(run, None if event.get("skipped") else event.get("seconds"))
            self.show_results(study)
        elif kind in ("run_failed", "run_stopped"):
            self.status[run] = "failed" if kind == "run_failed" else "stopped"
            self.progress[run] = ""
            self.clock.run_ended(run)
            if kind == "run_failed" and event.get("error"):
                self.reasons[run] = str(event["error"])
        elif kind == "study_progress":  # the table's writing: the peers, latencies
            self.show(
                f"writing the table: {event.get('what', '')} {event.get('done')}/{event.get('total')}"
            )
            return
        elif kind == "study_done":
            table = Path(str(event.get("table") or study))
            failed = event.get("failed") or []
            note = f"; failed: {', '.join(failed)}" if failed else ""
            self.show(f"study done: {table.name} in {self.ctx.studies_dir / study.name}{note}")
        else:
            return
        if self.running_name and kind != "study_done":  # its count and time left
            count = self.clock.line(self.status)
            note = f"; {self.running_note}" if self.running_note else ""
            self.show(f"running {self.running_name}: {count}{note}")
        self.update_run(run) if kind == "run_progress" else self.show_runs()

    def update_run(self, run: str) -> None:
        table = self.query_one("#abl-runs", DataTable)
        if run in table.rows:
            table.update_cell(run, "progress", self.progress.get(run, ""), update_width=True)
        else:  # a run the table does not show yet
            self.status.setdefault(run, "running")
            self.show_runs()

    def show(self, message: str, error: bool = False) -> None:
        self.message = message
        msg = self.query_one("#abl-message", Static)
        msg.update(message)
        msg.set_class(error, "failed")


NOT_STARTED = "not started"


def _progress_elsewhere(study: Path, status: dict[str, str]) -> dict[str, str]:
    """The progress of the runs another process is running, from their run folders
    (no events reach us from it): "epoch 2 done, val 93.1%"."""
    from ui.tui.runinfo import read_run

    out = {}
    for run_id, state in status.items():
        if state != "running":
            continue
        run = read_run(study / run_id)
        progress = run.progress
        if progress is not None:
            out[run_id] = _progress({**progress, "kind": progress.get("event")})
        elif run.metrics:
            last = run.metrics[-1]
            out[run_id] = _progress({"epoch": run.epochs_done, **last, "kind": "epoch"})
    return out


def _progress(event: dict[str, Any]) -> str:
    """A run's forwarded training event, in a few words."""
    kind = event.get("kind")
    if kind == "batch":
        return f"epoch {event.get('epoch')} batch {event.get('batch')}/{event.get('batches')}"
    if kind == "epoch":
        return f"epoch {event.get('epoch')} done, val {_pct(event.get('val_acc'))}"
    if kind == "progress":
        return f"{event.get('what', '')} {event.get('done')}/{event.get('total')}"
    if kind == "start":  # its data made, training begins: the batches to come
        if event.get("resumed"):
            return f"epoch {_int(event.get('start_epoch')) + 1}: resuming"
        return f"epoch {_int(event.get('start_epoch')) + 1} batch 0/{event.get('batches')}"
    if kind == "eval":
        return "evaluating"
    return str(kind or "")


def _int(v: Any) -> int:
    return v if isinstance(v, int) else 0


def _not_queued(status: str) -> str:
    """A run's status once no study is running to start it: not started, not queued."""
    return NOT_STARTED if status == "queued" else status


def _first_words(text: str, most: int = 60) -> str:
    """`text` in at most `most` characters, ending in "…" where it was cut."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _pct(mean: Any, std: Any = None) -> str:
    if not isinstance(mean, int | float):
        return "-"
    spread = f"±{100 * std:.1f}" if isinstance(std, int | float) else ""
    return f"{100 * mean:.1f}{spread}%"


def _many(n: int, thing: str) -> str:
    """ "1 seed", "3 seeds"."""
    return f"{n} {thing}{'' if n == 1 else 's'}"
