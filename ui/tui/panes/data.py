"""The Data tab: the data directories with their counts per class, and two jobs.

F5 generates synthetic doodles (`frankenstein data synth --replace --events` into
<data>/synthetic: the command draws them in a hidden folder beside it and moves them in
when all are done, dropping the earlier set's other files, so a stopped generation
leaves the earlier set as it was), F8 downloads the real Quick, Draw! files
(`frankenstein data download --events` into <data>/quickdraw); both are child
processes with a progress bar that F6 stops, and a failure (offline, a full disk)
shows the child's one-line error. The keys are the other tabs' (F5 starts the tab's
job, F6 stops it) and F-keys work from the per-class box too; R (reload) does not, the
box takes letters, so the footer leaves it out there. The table counts lines a class
(ui/tui/datadirs.py: a line is a drawing unless it is bad, which `data info` tells),
in a thread worker, so a large download never blocks the UI; files another process adds
(a terminal's download or synth) are counted again as they arrive (ui/tui/follow.py).
Such a process, found by the lock it holds (the download's, or the staging folder's
of a generation into a folder of the data directory), is named in the summary, and F6
twice stops it (ui/tui/stopping.py).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static

from core.childenv import child_env
from core.classes import CLASSES
from ui.tui.context import TuiContext
from ui.tui.datadirs import Counted, DataDir, count_dir, data_seen, find_data_dirs
from ui.tui.follow import Follow
from ui.tui.stopping import ask_then_stop
from ui.tui.supervisor import Supervisor
from ui.tui.widgets.job_buttons import show_busy
from ui.tui.widgets.name_tooltip import follow_hover
from ui.tui.widgets.shorten import NAME_WIDTH, middle_ellipsis

STARTS, STOPS = "#data-synth, #data-download", "#data-stop"


class Elsewhere(NamedTuple):
    """A job another process runs on the data folders, which F6 twice stops."""

    job: str  # "download", "generation"
    pid: int
    out: Path  # the folder it writes into
    note: str  # the summary's sentence
    done: str  # said once it is asked to stop


class DataPane(Vertical):
    """Counts per class and directory; generate and download buttons."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # F5 starts and F6 stops, as on Train and Ablations; F-keys also work from the
        # per-class box (a letter there is typed, and Textual's footer hides it then).
        Binding("f5", "synth", "Generate"),
        Binding("f6", "stop", "Stop"),
        Binding("f8", "download", "Download"),
        Binding("r", "reload", "Reload"),
    ]

    class Counted(Message):
        """The data directories were (re)counted: the Train tab's sources follow."""

        def __init__(self, dirs: list[DataDir]):
            super().__init__()
            self.dirs = dirs

    def __init__(self, ctx: TuiContext, *, id: str | None = None):
        super().__init__(id=id)
        self.ctx = ctx
        self.dirs: list[DataDir] = []
        self.dirs_shown = False  # a count has filled the table
        self.supervisor: Supervisor | None = None
        self.closing = False
        self.job = ""
        self.message = ""  # the message line's text
        self.counted: Counted = {}  # each file's lines as last counted (datadirs.count_dir)
        # files another process installs (a terminal's download or synth) are counted
        self.follow = Follow(self, self._seen, self._followed, ctx.follow_s)
        self.counted_seen: Hashable = None  # the data files as the table shows them
        self.full_names: dict[int, str] = {}  # table row -> a file name its cell shortens
        self.full_labels: dict[int, str] = {}  # table column -> a folder its header shortens

    def compose(self) -> ComposeResult:
        yield Static("", id="data-summary")
        yield DataTable(id="data-table", zebra_stripes=True, cursor_type="row")
        with Horizontal(classes="buttons"):
            yield Label("per class", classes="short-label")
            yield Input("1000", compact=True, restrict=r"[0-9]*", id="data-per-class")
            yield Button("Generate", id="data-synth", compact=True)
            yield Button("Download", id="data-download", compact=True)
            yield Button("Stop", id="data-stop", variant="error", compact=True, disabled=True)
        yield ProgressBar(1, show_eta=False, id="data-bar")
        yield Static("", id="data-message")

    def on_mount(self) -> None:
        table = self.query_one("#data-table", DataTable)
        follow_hover(table, self.full_names.get, self.full_labels.get)
        self.reload()
        self.follow.start()

    def action_reload(self) -> None:
        self.reload()

    def _seen(self) -> Hashable:
        """The data files as they stand, and the jobs other processes run on them (with
        how far each is)."""
        return self._elsewhere(), data_seen(self.ctx.data_dir)

    def _followed(self) -> None:
        """Another process changed something: the files are counted again, but a job's
        start, end or progress alone only rewrites the summary (a recount rebuilds the
        table, and would move its cursor every second or two while a job goes on)."""
        jobs, files = self.follow.seen
        if files == self.counted_seen and self.dirs_shown:
            self._show_summary(jobs)
        else:
            self.reload()

    def reload(self) -> None:
        self.follow.saw()
        self.counted_seen = self.follow.seen[1] if self.follow.seen else None
        self.query_one("#data-summary", Static).update(f"counting lines in {self.ctx.data_dir}…")
        self.run_worker(self._count, thread=True, group="data-count", exclusive=True)

    def _count(self) -> None:
        try:
            dirs = [count_dir(d, self.counted) for d in find_data_dirs(self.ctx.data_dir)]
            listed = {d.path / name for d in dirs for name in d.names()}
            self.counted = {p: c for p, c in self.counted.items() if p in listed}
        except OSError as e:  # a folder that cannot be listed (or went as it was)
            if not self.closing:
                summary = Content(f"cannot count {self.ctx.data_dir}: {e}")
                self.app.call_from_thread(self.query_one("#data-summary", Static).update, summary)
            return
        if not self.closing:  # else the app is gone, and its loop with it
            self.app.call_from_thread(self._show_counts, dirs)

    def _show_counts(self, dirs: list[DataDir]) -> None:
        self.dirs = dirs
        table = self.query_one("#data-table", DataTable)
        row = table.cursor_row  # kept over a recount (the scroll follows it)
        table.clear(columns=True)
        table.add_column("class (lines)")
        self.full_labels.clear()
        for column, d in enumerate(dirs, 1):  # a long folder name pushed the others off
            shown = middle_ellipsis(d.label, NAME_WIDTH)  # whole in the summary, tooltip
            if shown != d.label:
                self.full_labels[column] = d.label
            table.add_column(Text(shown))  # a folder's name: no markup
        for cls in CLASSES:
            table.add_row(cls, *(str(d.counts.get(cls, 0)) for d in dirs))
        unnamed = sorted({name for d in dirs for name in d.unnamed})
        self.full_names.clear()
        for name in unnamed:  # files named after no class: classes by each line's 'word'
            shown = middle_ellipsis(name, NAME_WIDTH)  # whole in the row's tooltip
            if shown != name:
                self.full_names[table.row_count] = name
            label = Text(f"{shown} (by word)")  # a file's name: no markup
            table.add_row(label, *(str(d.unnamed.get(name, 0)) for d in dirs))
        table.add_row("total", *(str(d.total) for d in dirs))
        table.move_cursor(row=min(row, table.row_count - 1), scroll=False)
        self.dirs_shown = True
        self._show_summary()
        self.post_message(self.Counted(dirs))

    def _show_summary(self, jobs: tuple[Elsewhere, ...] | None = None) -> None:
        """The summary of the directories counted last, with other processes' jobs
        (`jobs`, else looked up), and Stop enabled while one goes on."""
        jobs = self._elsewhere() if jobs is None else jobs
        self.query_one("#data-summary", Static).update(self._summary(self.dirs, jobs))
        if self.supervisor is None or not self.supervisor.active:  # Stop: another's job
            self.query_one("#data-stop", Button).disabled = not jobs

    def _summary(self, dirs: list[DataDir], jobs: tuple[Elsewhere, ...]) -> Content:
        """What the directories are, the classes held by more than one file, what the
        numbers count (plain text: file names are no markup), and other processes' jobs."""
        elsewhere = "".join(f". {job.note} (F6 twice stops it)" for job in jobs)
        if not dirs:
            return Content(
                f"{self.ctx.data_dir}: no data yet: F5 generates synthetic doodles, "
                f"F8 downloads the real ones{elsewhere}"
            )
        what = ", ".join(f"{d.label}: {d.what}" for d in dirs)
        shared = "".join(
            f"; {d.label} holds {cls} in {' and '.join(names)}"
            for d in dirs
            for cls, names in d.shared().items()
        )
        return Content(
            f"{self.ctx.data_dir}: {what}{shared}. Counts are lines, a drawing each unless bad "
            f"(frankenstein data info DIR reads them){elsewhere}"
        )

    def _elsewhere(self) -> tuple[Elsewhere, ...]:
        """The jobs other processes (a terminal's) run on the data folders: a download
        into the real data's folder, a generation into any folder of the data directory;
        none while this tab runs its own (which holds such a lock too)."""
        from core.atomic import live_holder
        from training.download import LOCK
        from training.progressfile import read_progress
        from ui.commands.data.staging import drawing_into

        if self.supervisor is not None and self.supervisor.active:
            return ()
        real = self.ctx.data_dir / "quickdraw"
        jobs = []
        if (pid := live_holder(real / LOCK)) is not None:
            jobs.append(
                Elsewhere(
                    "download",
                    pid,
                    real,
                    f"Another process (pid {pid}) is downloading into {real}: its files are "
                    "counted as they arrive",
                    f"asked pid {pid} to stop its download: the files it installed stay, and "
                    "a download again resumes the rest",
                )
            )
        for out, pid, staging in drawing_into(self.ctx.data_dir):
            jobs.append(
                Elsewhere(
                    "generation",
                    pid,
                    out,
                    f"Another process (pid {pid}) is generating doodles for {out}"
                    f"{drawn(read_progress(staging, pid))}: they go in when all are drawn",
                    f"asked pid {pid} to stop its generation: {out} stays as it was",
                )
            )
        return tuple(jobs)

    async def on_unmount(self) -> None:
        """The TUI is closing: a child still running is interrupted, not orphaned."""
        self.closing = True
        if self.supervisor is not None:
            await self.supervisor.shutdown(detach=True)

    # ------------------------------------------------------------------ jobs

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "data-synth": self.action_synth,
            "data-download": self.action_download,
            "data-stop": self.action_stop,
        }
        if event.button.id in actions:
            actions[event.button.id]()
            event.stop()

    def action_synth(self) -> None:
        text = self.query_one("#data-per-class", Input).value.strip()
        if not text.isdigit() or int(text) < 1:
            self.show("per class: type how many doodles a class to draw (at least 1)")
            return
        # `data synth` stages the files itself and moves them in only when all are done;
        # --replace: the earlier set's other files go then, as they would with a new folder.
        out = self.ctx.data_dir / "synthetic"
        if self._refused("generation", out):
            return
        argv = [*self.ctx.data, "synth", "--per-class", text, "--out", str(out), "--replace"]
        self._start("generate", argv)

    def action_download(self) -> None:
        if self._refused("download", self.ctx.data_dir / "quickdraw"):
            return
        argv = [*self.ctx.data, "download", "--out", str(self.ctx.data_dir / "quickdraw")]
        if self.ctx.download_url:
            argv += ["--base-url", self.ctx.download_url]
        self._start("download", argv)

    def action_stop(self) -> None:
        if self.supervisor is not None and self.supervisor.active:
            self.supervisor.stop()
            self.show(f"stopping the {self.job}…")
            return
        elsewhere = self._elsewhere()
        if not elsewhere:
            self.show("nothing to stop: no generate or download is running")
            return
        job = elsewhere[0]  # one at a time: the next F6 asks about the next
        ask_then_stop(self, f"the {job.job}", job.pid, job.done)

    def _refused(self, job: str, out: Path) -> bool:
        """Whether another process (a terminal's) runs `job` into `out`, said in one line:
        a child started now would fail on it, or, for a generation, race it, the last
        to finish replacing the other's files."""
        other = next((o for o in self._elsewhere() if o.job == job and o.out == out), None)
        if other is not None:
            doing = "generating doodles for" if job == "generation" else "downloading into"
            self.show(f"refused: pid {other.pid} is {doing} {out}; F6 twice stops it")
        return other is not None

    def _busy(self) -> bool:
        """Whether a job is running (and the message says so)."""
        if self.supervisor is not None and self.supervisor.active:
            self.show(f"the {self.job} is still going (F6 stops it)")
            return True
        return False

    def _start(self, job: str, argv: list[str]) -> None:
        if self._busy():
            return
        self.job = job
        self.query_one("#data-bar", ProgressBar).update(total=1, progress=0)
        self.show(f"{job}: starting…")
        result: dict[str, str] = {}

        def on_event(event: dict[str, Any]) -> None:
            if event.get("event") == "progress":
                bar = self.query_one("#data-bar", ProgressBar)
                bar.update(total=event.get("total") or None, progress=event.get("done", 0))
                self.show(f"{self.job}: {event.get('what', '')}")
            elif event.get("event") == "done":
                result["message"] = str(event.get("message", ""))

        self.supervisor = Supervisor(
            [*argv, "--events"], on_event=on_event, cwd=self.ctx.cwd, env=child_env()
        )
        show_busy(self, True, starts=STARTS, stops=STOPS)
        self.run_worker(self._supervise(self.supervisor, result), group="data-job", exclusive=True)

    async def _supervise(self, supervisor: Supervisor, result: dict[str, str]) -> None:
        """Wait for the job; `result` gets its "done" event's message."""
        outcome = await supervisor.run()
        if self.closing:  # the TUI closed meanwhile: no widgets left to update
            return
        show_busy(self, False, starts=STARTS, stops=STOPS)
        if self.job == "generate":
            self._generated(outcome, result.get("message", ""))
        elif outcome.ok:
            self.show(f"{self.job} done: {result.get('message', '')}")
        elif outcome.stopped:
            self.show(f"{self.job} stopped (partial downloads resume next time)")
        else:
            self.show(f"{self.job} FAILED: {failure_line(outcome.stderr_tail)}", error=True)
        self.reload()

    def _generated(self, outcome, message: str) -> None:
        """`data synth` put a complete set in data/synthetic, or (stopped, failed) left it
        as it was."""
        if outcome.ok:
            self.show(f"generate done: {message}")
        elif outcome.stopped:
            target = self.ctx.data_dir / "synthetic"
            self.show(f"generate stopped: nothing kept ({target} is as it was)")
        else:
            self.show(f"generate FAILED: {failure_line(outcome.stderr_tail)}", error=True)

    def show(self, message: str, error: bool = False) -> None:
        self.message = message
        msg = self.query_one("#data-message", Static)
        msg.update(message)
        msg.set_class(error, "failed")


def drawn(progress: dict[str, Any] | None) -> str:
    """' (3,000 of 18,000 drawn)' from a generation's progress.json; '' without one."""
    done, total = (progress or {}).get("done"), (progress or {}).get("total")
    if not (isinstance(done, int) and isinstance(total, int) and total > 0):
        return ""
    return f" ({done:,} of {total:,} drawn)"


def failure_line(stderr_tail: list[str]) -> str:
    """The child's one-line error ('frankenstein: error: ...'), else its last line."""
    for line in reversed(stderr_tail):
        if line.startswith("frankenstein: error: "):
            return line.removeprefix("frankenstein: error: ")
    return stderr_tail[-1] if stderr_tail else "the command failed without a message"
