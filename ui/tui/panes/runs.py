"""The Runs tab: every run folder with its best validation accuracy and eval report.

The table lists runs newest first, and follows what other processes (a terminal's
`train`, the Train tab) change in the folder while it is shown (ui/tui/follow.py); the
panel below shows the selected run's settings and its evaluation (top-1, top-3,
accuracy after k strokes, snap precision/recall, the commonest wrong snaps) on the real
doodles when it was evaluated on them, else on its test set. L shows the selected run's
learning curves (ui/tui/screens/curves.py; the marked run's validation curves beside),
M marks a run and C compares the marked one with the selected one; D opens the drawing window on the run's
best.pt (a detached process, ui/tui/drawwindow.py), reporting a checkpoint that does
not load or a window that exits at once; F makes that checkpoint `frankenstein draw`'s
default, once it loads; F6 (twice) stops the selected run's training, whichever process
runs it, and F7 resumes a run cut short, on the Train tab.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from core.childenv import child_env
from core.errors import FrankensteinError
from ui.tui.context import TuiContext
from ui.tui.drawwindow import GRACE_S, DrawWindow, checkpoint_arch
from ui.tui.follow import Follow
from ui.tui.runinfo import (
    COLUMNS,
    KnownRuns,
    RunInfo,
    interval,
    list_runs,
    pct,
    resume_command,
    run_cells,
    runs_seen,
    stopped_line,
    stroke_accuracy,
    trained_on_line,
    training_line,
    unresumable_line,
)
from ui.tui.stopping import ask_then_stop
from ui.tui.widgets.name_tooltip import follow_hover
from ui.tui.widgets.shorten import NAME_WIDTH, middle_ellipsis, name_width
from ui.tui.widgets.table_rows import show_rows

# the table's order of COLUMNS: the figures first, the free text of "scored on" last,
# which alone may run past the right edge (the detail names the folder whole); at 80
# columns "scored on" before them pushed top1 and snap P/R off the screen
SHOWN = (0, 1, 2, 3, 5, 6, 4)
HEADERS = tuple(COLUMNS[i] for i in SHOWN)


class RunsPane(Vertical):
    """The runs table and the selected run's details."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("l", "curves", "Curves"),
        Binding("d", "draw", "Draw"),
        Binding("f6", "stop", "Stop"),
        Binding("f7", "resume", "Resume"),
        # Unlisted, as the footer is full at 80 columns (Ctrl+P's palette at its right
        # names them, F1's keys panel too): F, and R, as the tab follows the folder by
        # itself (ui/tui/follow.py).
        Binding("f", "make_default", "Default", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, ctx: TuiContext, *, id: str | None = None):
        super().__init__(id=id)
        self.ctx = ctx
        self.runs: list[RunInfo] = []
        self.known: KnownRuns = {}  # what list_runs read, kept until a run's files change
        self.cells: dict[str, tuple[RunInfo, tuple[str, ...]]] = {}  # each run's, as read
        # the name column's cells: fewer than NAME_WIDTH where the terminal is too
        # narrow for the other columns beside it (80 columns, a 28-character name)
        self.name_width = NAME_WIDTH
        self.marked: str | None = None
        self.closing = False
        self.message = ""  # the message line's text
        self.listing = ""  # what reload said of the folder (no runs yet, ...)
        # a run trained, started or evaluated by another process shows as it goes
        self.follow = Follow(self, lambda: runs_seen(ctx.runs_dir), self._followed, ctx.follow_s)

    def compose(self) -> ComposeResult:
        table = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*HEADERS)
        yield table
        # the detail scrolls (Tab to it, or the wheel): at 80x24 with many runs the
        # table leaves it a few rows, and a long one must still be read to its end
        with VerticalScroll(id="runs-detail-box"):
            yield Static("", id="runs-detail")
        yield Static("", id="runs-message")

    def on_mount(self) -> None:
        follow_hover(self.query_one("#runs-table", DataTable), self._full_name)
        self.reload()
        self.follow.start()

    def _full_name(self, row: int) -> str | None:
        """The run name of the table's `row` where its cell shortens it, else None."""
        if not 0 <= row < len(self.runs):
            return None
        name = self.runs[row].name
        return name if middle_ellipsis(name, self.name_width) != name else None

    def on_resize(self) -> None:
        """A wider or narrower terminal: the name column takes what the others leave."""
        if self.runs and self._fitted_name_width() != self.name_width:
            self._show_rows()

    def action_reload(self) -> None:
        self.known.clear()  # R reads every run again, its files changed or not
        self.reload()

    def _followed(self) -> None:
        """Another process changed a run: read them again, keeping a message that is
        not the folder's own (a mark's hint, a draw's outcome)."""
        self.reload(keep_message=self.message != self.listing, looked=True)

    def reload(self, keep_message: bool = False, looked: bool = False) -> None:
        """Read the runs folder again, keeping the cursor on the same run; `looked`: the
        follow has just looked at it (what it saw is what there is now)."""
        if not looked:
            self.follow.saw()
        table = self.query_one("#runs-table", DataTable)
        keep = self.selected.name if self.selected else None
        # only the runs whose files changed are read again, only changed cells redrawn
        self.runs = list_runs(self.ctx.runs_dir, self.known, self.follow.seen)
        self.cells = {run.name: (run, self._cells(run)) for run in self.runs}
        self._show_rows()
        if self.runs:  # the same run, or the first when it went (as before: row 0)
            row = table.get_row_index(keep) if keep in table.rows else 0
            if row != table.cursor_row:
                table.move_cursor(row=row)
        root = self.ctx.runs_dir
        if root.exists() and not root.is_dir():
            self.listing = f"{root} is a file, not a runs folder: move it, or start with --runs DIR"
        else:
            self.listing = (
                "" if self.runs else f"no runs in {root}/ yet: train one on the Train tab (2)"
            )
        if not keep_message:
            self.show(self.listing)
        self.show_detail()

    def _show_rows(self) -> None:
        """Show self.runs' cells, the names shortened to the room the table has now."""
        width = self._fitted_name_width()
        changed, self.name_width = width != self.name_width, width
        table = self.query_one("#runs-table", DataTable)
        rows = {run.name: self._row(run) for run in self.runs}
        show_rows(table, rows)
        if changed and rows:
            # DataTable measures its columns when idle, and keeps lines drawn before at
            # the old width (its caches go by its count of changes): at 120 columns
            # the names stayed cut at 80's width. The name column's width now, then.
            names = [cell_len(cells[0]) for cells in rows.values()]
            table.ordered_columns[0].content_width = max(cell_len(HEADERS[0]), *names)

    def _fitted_name_width(self) -> int:
        table = self.query_one("#runs-table", DataTable)
        room = table.scrollable_content_region.width if table.size.width else 0
        shown = [tuple(cells[i] for i in SHOWN) for _, cells in self.cells.values()]
        return name_width(room, HEADERS, shown, table.cell_padding)

    def _cells(self, run: RunInfo) -> tuple[str, ...]:
        """run_cells(run), worked out once a read of the run: list_runs gives the same
        RunInfo until a file the cells come of, or its lock's holder, changes."""
        shown = self.cells.get(run.name)
        return shown[1] if shown is not None and shown[0] is run else run_cells(run)

    def _row(self, run: RunInfo) -> tuple[str, ...]:
        """The run's cells as shown: its name shortened to the column (the mark's "* "
        included), whole in the row's key, the detail and the tooltip."""
        name, *rest = (self.cells[run.name][1][i] for i in SHOWN)
        mark = "* " if run.name == self.marked else ""
        return mark + middle_ellipsis(name, self.name_width - len(mark)), *rest

    @property
    def selected(self) -> RunInfo | None:
        table = self.query_one("#runs-table", DataTable)
        if not self.runs or table.cursor_row is None or table.cursor_row >= len(self.runs):
            return None
        return self.runs[table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        run = self.selected
        self.query_one("#runs-detail", Static).update(detail_text(run) if run else "")

    def show(self, message: str, error: bool = False) -> None:
        self.message = message
        widget = self.query_one("#runs-message", Static)
        widget.update(message)
        widget.set_class(error, "failed")

    # ------------------------------------------------------------------ actions

    def _chosen(self) -> RunInfo | None:
        """The selected run; None, saying so, when there is none (no runs)."""
        run = self.selected
        if run is None:
            self.show("no run selected" + ("" if self.runs else ": there are no runs yet"))
        return run

    def action_mark(self) -> None:
        run = self._chosen()
        if run is None:
            return
        self.marked = None if self.marked == run.name else run.name
        self.reload()
        self.show(f"marked {run.name}: select another run and press C" if self.marked else "")

    def action_compare(self) -> None:
        from ui.tui.screens.compare import CompareScreen

        run = self._chosen()
        if run is None:
            return
        other = next((r for r in self.runs if r.name == self.marked), None)
        if other is None:
            self.show("mark a run with M first, then select another and press C")
            return
        if other.name == run.name:
            self.show(f"{run.name} is the marked run: select another run and press C")
            return
        # the mark's hint ("select another run and press C") is done with
        self.show(f"compared {other.name} with {run.name}; M on {other.name} unmarks it")
        self.app.push_screen(CompareScreen(other, run))

    def action_curves(self) -> None:
        from ui.tui.screens.curves import CurvesScreen

        run = self._chosen()
        if run is None:
            return
        marked = next((r.path for r in self.runs if r.name == self.marked != run.name), None)
        self.app.push_screen(CurvesScreen(run.path, self.ctx.follow_s, marked))

    def action_stop(self) -> None:
        """Stop the selected run's training, whoever runs it (a terminal, the Train tab):
        F6 twice sends SIGTERM to the process holding its lock, which saves last.pt and
        ends, as after Ctrl-C; its Resume then continues it."""
        run = self._chosen()
        if run is None:
            return
        pid = run.training_pid
        if pid is None:
            self.show(f"{run.name} is not training: nothing to stop")
            return
        then = "F7 then resumes it"
        if run.processes > 1:  # F7 resumes on one process, which the trainer refuses
            then = f"`{resume_command(run)}` then resumes it"
        done = f"asked pid {pid} to stop {run.name}: it saves last.pt and ends; {then}"
        ask_then_stop(self, f"the training of {run.name}", pid, done)

    class ResumeAsked(Message):
        """F7 on a run that can be resumed: the Train tab resumes it (and shows it)."""

        def __init__(self, name: str):
            super().__init__()
            self.name = name

    def action_resume(self) -> None:
        run = self._chosen()
        if run is None:
            return
        pid = run.training_pid
        if pid is not None:
            self.show(f"{run.name} is training now (pid {pid}): nothing to resume")
            return
        problem = run.resume_problem()
        if problem is not None:
            self.show(f"nothing to resume: {problem}")
            return
        self.post_message(self.ResumeAsked(run.name))

    def _checkpointed(self) -> RunInfo | None:
        """The selected run if it has a best.pt; otherwise None, saying so."""
        run = self._chosen()
        if run is not None and not run.has_checkpoint:
            self.show(f"{run.name} has no best.pt yet")
            return None
        return run

    def action_draw(self) -> None:
        run = self._checkpointed()
        if run is None:
            return
        self.show(f"checking {run.best}…")
        self.run_worker(lambda: self._open_window(run), thread=True, group="runs-draw")

    def _open_window(self, run: RunInfo) -> None:
        """Load the checkpoint, start the window, and watch it: a window that exits at
        once (no display, a bad checkpoint) is reported with its last stderr line."""
        worker = get_current_worker()
        try:
            arch = checkpoint_arch(run.best)
        except FrankensteinError as e:
            self._say(worker, f"cannot open the drawing window: {e}", error=True)
            return
        argv = [*self.ctx.draw, "--model", arch, "--checkpoint", str(run.best)]
        try:
            window = DrawWindow(argv, cwd=self.ctx.cwd, env=child_env())
        except OSError as e:
            self._say(worker, f"cannot open the drawing window: {e}", error=True)
            return
        self._say(worker, f"opening the drawing window on {run.best}…")
        opened_at = time.monotonic() + GRACE_S
        said_open = False
        try:
            while not worker.is_cancelled:
                code = window.poll()
                if code is not None:
                    if code != 0 or not said_open:
                        why = window.last_line() or "no message on stderr"
                        self._say(
                            worker,
                            f"the drawing window exited with status {code}: {why}",
                            error=code != 0,
                        )
                    return
                if not said_open and time.monotonic() >= opened_at:
                    self._say(worker, f"opened the drawing window on {run.best}")
                    said_open = True
                time.sleep(0.05)
        finally:
            window.forget()

    def _say(self, worker, message: str, error: bool = False) -> None:
        """`show` from a thread worker (nothing once the TUI is closing)."""
        if not worker.is_cancelled and not self.closing:
            self.app.call_from_thread(self.show, message, error)

    def action_make_default(self) -> None:
        run = self._checkpointed()
        if run is None:
            return
        self.show(f"checking {run.best}…")
        self.run_worker(lambda: self._make_default(run), thread=True, group="runs-default")

    def _make_default(self, run: RunInfo) -> None:
        from live.default_model import write_default_model

        worker = get_current_worker()
        try:
            arch = checkpoint_arch(run.best)
            if worker.is_cancelled:
                return
            path = write_default_model(arch, run.best.resolve(), path=self.ctx.default_model_file)
        except FrankensteinError as e:
            self._say(worker, f"not made the default: {e}", error=True)
            return
        self._say(
            worker, f"`frankenstein draw` now starts with {run.name}/best.pt (saved in {path})"
        )

    async def on_unmount(self) -> None:
        self.closing = True


def shown_path(path: Any) -> str:
    """A data folder of a run's config as the details name it: from the current folder
    when it is under it (`data/mine`, as typed; a run keeps its folders absolute), else
    as the config has it."""
    p = Path(str(path))
    if not p.is_absolute():
        return str(path)
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def detail_text(run: RunInfo) -> str:
    """The selected run's settings and evaluation, a few lines: where it stands and its
    problems first, then its report, a warning that it scored on its own training
    data before the figures it makes meaningless."""
    cfg = run.config
    data = cfg.get("data", {}) if isinstance(cfg.get("data"), dict) else {}
    optim = cfg.get("optim", {}) if isinstance(cfg.get("optim"), dict) else {}
    sources = data.get("sources") if isinstance(data.get("sources"), list) else []
    epochs = cfg.get("epochs", "?")
    lines = [
        f"{run.name}: {run.model} on {', '.join(map(shown_path, sources)) or '?'}, "
        f"{epochs} epoch{'' if epochs == 1 else 's'}, batch {cfg.get('batch_size', '?')}, "
        f"{optim.get('name', '?')} lr {optim.get('lr', '?')}, seed {cfg.get('seed', '?')}"
    ]
    training = training_line(run)
    unresumable = "" if training else unresumable_line(run)  # said here, not as a problem
    if training:
        lines.append(training)
    elif run.cut_short:
        lines.append(stopped_line(run, also="F7 resumes it (on the Train tab), as does "))
    elif unresumable:
        lines.append(unresumable)
    lines.extend(f"problem: {p}" for p in run.problems if p not in unresumable)
    main = run.main_report()
    if main is None and any(p.startswith("eval.json") for p in run.problems):
        pass  # written, but nothing in it can be shown: its problem line says why
    elif main is None and run.failed_pid is not None:  # it will not write one: its problem says
        lines.append("no eval report")
    elif main is None:
        lines.append("no eval report yet (eval.json is written when a run finishes)")
    else:
        name, report = main
        trained_on = trained_on_line(run)
        if trained_on:
            lines.append(trained_on)
        lines.append(report_line(name, report))
        acc = stroke_accuracy(report)
        if acc:
            lines.append(
                "after k strokes: " + "  ".join(f"{k}:{pct(v)}" for k, v in sorted(acc.items())[:6])
            )
        wrong = wrong_snaps_line(report)
        if wrong:
            lines.append(wrong)
    return "\n".join(lines)


def wrong_snaps_line(report: dict[str, Any], most: int = 4) -> str:
    """How many snaps were wrong and the commonest mistakes ("house->square 2"), or ""
    for a report without the list (older runs) or without a wrong snap."""
    wrong = (report.get("snap") or {}).get("wrong_snaps")
    if not wrong:
        return ""
    premature = sum(bool(w.get("premature")) for w in wrong)
    pairs = Counter(f"{w.get('true', '?')}->{w.get('snapped', '?')}" for w in wrong)
    common = ", ".join(f"{pair} {n}" for pair, n in pairs.most_common(most))
    return f"wrong snaps: {len(wrong)} ({premature} premature); most often {common}"


def report_line(name: str, report: dict[str, Any]) -> str:
    snap = report.get("snap") or {}
    bounds = interval(report, "top1")
    top1 = pct(report.get("top1")) + ("" if bounds == "-" else f" ({bounds})")
    return (
        f"{name} (n={report.get('n', '?')}): top1 {top1} "
        f"top3 {pct(report.get('top3'))}  snap@{snap.get('threshold', '?')} "
        f"P {pct(snap.get('precision'))} R {pct(snap.get('recall'))}"
    )
