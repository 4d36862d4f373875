"""Two runs side by side: accuracy after k strokes, top-1/3, snap precision and recall."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Label

from ui.tui.runinfo import RunInfo, interval, pct, scored_on_cell, stroke_accuracy
from ui.tui.screens.overlay import Overlay


def compare_rows(a: RunInfo, b: RunInfo) -> list[tuple[str, str, str]]:
    """(what, run a, run b) rows, from each run's main report (real doodles if any)."""
    ra = a.main_report()
    rb = b.main_report()
    rep_a, rep_b = (ra[1] if ra else {}), (rb[1] if rb else {})
    rows = [
        ("scored on", scored_on_cell(a), scored_on_cell(b)),
        ("model", a.model, b.model),
        ("best val", pct(a.best_val_acc), pct(b.best_val_acc)),
        ("top1", pct(rep_a.get("top1")), pct(rep_b.get("top1"))),
        ("  95% interval", interval(rep_a, "top1"), interval(rep_b, "top1")),  # top1's
        ("top3", pct(rep_a.get("top3")), pct(rep_b.get("top3"))),
    ]
    acc_a, acc_b = stroke_accuracy(rep_a), stroke_accuracy(rep_b)
    for k in sorted(set(acc_a) | set(acc_b)):
        rows.append(
            (f"after {k} stroke{'s' if k > 1 else ''}", pct(acc_a.get(k)), pct(acc_b.get(k)))
        )
    snap_a, snap_b = rep_a.get("snap") or {}, rep_b.get("snap") or {}
    rows += [
        ("snap precision", pct(snap_a.get("precision")), pct(snap_b.get("precision"))),
        ("snap recall", pct(snap_a.get("recall")), pct(snap_b.get("recall"))),
    ]
    return rows


class CompareScreen(Overlay):
    """A table comparing two runs; Escape closes it."""

    def __init__(self, a: RunInfo, b: RunInfo):
        super().__init__()
        self.a, self.b = a, b

    def compose(self) -> ComposeResult:
        with Vertical(id="compare"):
            with Horizontal(id="compare-top"):  # long names wrap, "(Esc closes)" stays whole
                yield Label(f"{self.a.name}  vs  {self.b.name}", id="compare-title")
                yield Label("(Esc closes)", id="compare-esc")
            table = DataTable(id="compare-table", cursor_type="row")
            table.add_columns("", self.a.name, self.b.name)
            for row in compare_rows(self.a, self.b):
                table.add_row(*row)
            yield table
        yield Footer(show_command_palette=False)  # its own keys, not the Runs tab's
