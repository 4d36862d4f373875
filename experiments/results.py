"""The results of a study: one row per variant (mean and spread over seeds), and plots.

Read from the study folder the runner wrote (experiments/runner.py): `spec.json` and
each run folder's `eval.json`, `config.json`, `metrics.jsonl` and `status.json`. A run
counts once its eval.json exists and its status (if any) is done. Per variant:

- top-1: of the finished guess on the spec's first eval_data directory (by default
  the real dev doodles, headed "real top-1"; else "top-1 on NAME", the folder's name;
  the legend names it);
- accuracy after k = 1, 2, 3 strokes: the guess after min(k, strokes) strokes, over
  all drawings (the report's accuracy_at_stroke "so_far": what a person sees after
  drawing k strokes, a drawing of fewer strokes being finished);
- snap precision and recall at the default threshold (core/snap.py SnapPolicy);
- parameters (from the run's config), training time (seconds of the training epochs,
  metrics.jsonl, without data generation and evaluation), and per-stroke latency: the
  median milliseconds of `StrokeClassifier.add_stroke` (one torch thread) over every
  stroke of a few real drawings a class, measured here on the run's best.pt and kept
  in `<run>/latency.json`.

Mean ± sample standard deviation over the seeds (no spread with one seed). Peers
(experiments/peers/) are rows of the same table. Files: results.md, results.csv,
accuracy_by_stroke.png (experiments/study_plot.py: one line per variant, the spread as
a band, and the finished guess, the table's top-1, beside stroke 8).
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import atomic_write_bytes, atomic_write_text, live_holder
from core.errors import FrankensteinError
from core.signals import deferred

MAX_K = 8  # strokes on the plot
TABLE_K = (1, 2, 3)  # strokes in the table
LATENCY_PER_CLASS = 3  # real drawings a class timed for the per-stroke latency
METRICS = (  # (column, label, is a share shown in percent)
    ("top1", "top-1", True),  # the table names it by the eval data: top1_label
    ("acc1", "after 1 stroke", True),
    ("acc2", "after 2 strokes", True),
    ("acc3", "after 3 strokes", True),
    ("snap_precision", "snap precision", True),
    ("snap_recall", "snap recall", True),
    ("parameters", "parameters", False),
    ("train_seconds", "training time (s)", False),
    ("latency_ms", "ms per stroke", False),
)


LEGEND = """\
Mean ± standard deviation over the seeds (runs finished / planned). Accuracies are on
{where}; "after k strokes" is the
guess after min(k, strokes) strokes over all drawings. Snap precision and recall at
the default SnapPolicy threshold. Training time: the training epochs only. ms per
stroke: median of one StrokeClassifier.add_stroke on best.pt, one thread; for $P, the
milliseconds to recognise one whole drawing against all its templates. $P uses the
same {real}doodles as templates, each query left out of its own template set.
"""


def legend(eval_data: list[str]) -> str:
    """LEGEND, naming the folder the accuracies are on as the spec gives it, and calling
    it the real dev doodles only when it is them: a spec's own eval_data was called so."""
    if not eval_data:  # a spec.json without it (a hand edit): the folder is unknown here
        return LEGEND.format(where="the study's first eval_data directory", real="")
    first = eval_data[0]
    where = f"the study's first eval_data directory, `{first}`"
    real = _real_dev(first)
    return LEGEND.format(
        where=where + (" (the real dev doodles)" if real else ""), real="real " if real else ""
    )


def measured_on(eval_data: list[str]) -> str | None:
    """What the accuracies are on, for the plot's y-axis and the table's top-1 header:
    "the real dev doodles", else the spec's first eval_data folder by its name (its
    parent's too where it is a simplified/ or raw/ folder); None where the spec names
    none."""
    if not eval_data:
        return None
    first = eval_data[0]
    if _real_dev(first):
        return "the real dev doodles"
    parts = Path(first).parts
    if not parts:  # "." or ""
        return first or "."
    return "/".join(parts[-2:]) if parts[-1] in ("simplified", "raw") else parts[-1]


def top1_label(eval_data: list[str]) -> str:
    """The table's top-1 header: "real top-1" on the real dev doodles, else named by
    the eval_data folder ("top-1 on synth"), as the spec.json of the study records it."""
    on = measured_on(eval_data)
    if on is None:
        return "top-1"
    return "real top-1" if on == "the real dev doodles" else f"top-1 on {on}"


def _real_dev(path: str) -> bool:
    """Whether `path` (as a spec or `ablate --eval-data` gives it) is the real dev
    doodles' folder: the spec's default, their simplified/ by any path where they are
    found ($FRANKENSTEIN_REAL_DEV, else beside the checkout), or one named as theirs
    (quickdraw-real-dev/simplified) wherever it is."""
    from core.paths import REAL_DEV_DIR
    from experiments.spec import REAL_DEV, resolve_dir

    if path == REAL_DEV or Path(path).parts[-2:] == (REAL_DEV_DIR.name, "simplified"):
        return True
    try:
        return resolve_dir(path) == resolve_dir(REAL_DEV)
    except FrankensteinError:  # either is missing here: only its own name says so
        return False


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


STUDY_LOCK = ".ablate.lock"  # held by the one process running the study, removed after


def study_status(study_dir: str | Path, spec, running: bool | None = None) -> dict[str, str]:
    """run_id -> "queued" | "running" | "done" | "failed" | "stopped" ("queued" when never
    started; "stopped": cut short, it continues next time). A run marked running in a
    study no live process holds (its runner was killed: SIGKILL, a power cut) reads as
    stopped, as the next run of the study treats it. `running`: whether a live process
    holds the study's lock, if the caller has just read it (None: read it here)."""
    d = Path(study_dir)
    if running is None:
        running = live_holder(d / STUDY_LOCK) is not None
    out = {}
    for run in spec.runs():
        st = _read_json(d / run.run_id / "status.json")
        status = st.get("status", "queued") if isinstance(st, dict) else "queued"
        out[run.run_id] = "stopped" if status == "running" and not running else status
    return out


def failure_reasons(study_dir: str | Path, run_ids) -> dict[str, str]:
    """run_id -> why it failed, from its status.json's `error` (as the runner wrote it:
    "exit status 1: ..."), for each of `run_ids` that failed and says why."""
    d = Path(study_dir)
    out = {}
    for run_id in run_ids:
        st = _read_json(d / run_id / "status.json")
        if isinstance(st, dict) and st.get("status") == "failed" and st.get("error"):
            out[run_id] = str(st["error"])
    return out


def primary_report(eval_json: dict[str, Any]) -> dict[str, Any] | None:
    """The report on the first eval_data directory (the real doodles), else the test split."""
    sets = eval_json.get("eval_data") or {}
    return next(iter(sets.values()), None) or eval_json.get("test")


def so_far(report: dict[str, Any], k: int) -> float | None:
    """Accuracy of the guess after min(k, strokes) strokes, over all drawings."""
    rows = report.get("accuracy_at_stroke") or []
    row = next((r for r in rows if r.get("k") == k), None)
    return None if row is None else row.get("so_far")


def run_metrics(run_dir: Path, *, latency: bool = True) -> dict[str, Any] | None:
    """The table's numbers for one finished run, or None if it has not finished."""
    status = _read_json(run_dir / "status.json")
    if isinstance(status, dict) and status.get("status") != "done":  # else none, or broken
        return None
    ev = _read_json(run_dir / "eval.json")
    rep = primary_report(ev) if isinstance(ev, dict) else None
    if rep is None:
        return None
    snap = rep.get("snap") or {}
    out: dict[str, Any] = {
        "top1": rep.get("top1"),
        "snap_precision": snap.get("precision"),
        "snap_recall": snap.get("recall"),
        "curve": [so_far(rep, k) for k in range(1, MAX_K + 1)],
        "parameters": _parameters(run_dir),
        "train_seconds": _train_seconds(run_dir),
        "latency_ms": stroke_latency(run_dir) if latency else None,
    }
    for k in TABLE_K:
        out[f"acc{k}"] = so_far(rep, k)
    return out


def _parameters(run_dir: Path) -> int | None:
    from training.runfolder import RunFolder

    try:
        cfg = RunFolder(run_dir).read_config()
    except Exception:
        return None
    from core.models import build_model, count_parameters

    return count_parameters(build_model(cfg.model_cfg()))


def _train_seconds(run_dir: Path) -> float | None:
    from training.runfolder import RunFolder

    rows = RunFolder(run_dir).read_metrics()
    return float(sum(r.get("seconds", 0.0) for r in rows)) if rows else None


def stroke_latency(run_dir: Path) -> float | None:
    """Median ms of one add_stroke on best.pt over a few real drawings (cached)."""
    cached = _read_json(run_dir / "latency.json")
    if isinstance(cached, dict) and "median_ms" in cached:
        return cached["median_ms"]
    best = run_dir / "best.pt"
    cfg = _read_json(run_dir / "config.json") or {}
    eval_dirs = cfg.get("eval_data") or []
    if not best.is_file() or not eval_dirs:
        return None
    import warnings

    import torch

    from core.classifier import StrokeClassifier
    from training.replay import read_eval_drawings

    drawings = read_eval_drawings(eval_dirs[0], limit=LATENCY_PER_CLASS)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported")
        clf = StrokeClassifier.from_checkpoint(best)
        clf.replay(drawings[0].strokes)  # warm-up
        times = []
        for d in drawings:
            clf.reset()
            for s in d.strokes:
                t0 = time.perf_counter()
                clf.add_stroke(s)
                times.append(time.perf_counter() - t0)
    finally:
        torch.set_num_threads(threads)
    ms = float(np.median(times) * 1000) if times else None
    atomic_write_text(
        run_dir / "latency.json",
        json.dumps({"median_ms": ms, "strokes": len(times), "drawings": len(drawings)}) + "\n",
    )
    return ms


def _mean_std(values: list[float | None]) -> tuple[float | None, float | None]:
    v = [x for x in values if x is not None and math.isfinite(x)]
    if not v:
        return None, None
    return float(np.mean(v)), (float(np.std(v, ddof=1)) if len(v) > 1 else None)


def study_rows(
    study_dir: str | Path, *, latency: bool = True, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """One row per variant (mean and std over its finished seeds), then the peers;
    `progress` after each run read (measuring a run's latency the first time takes
    a second or two)."""
    d = Path(study_dir)
    saved = _read_json(d / "spec.json")
    if not isinstance(saved, dict) or "spec" not in saved:
        from experiments.spec import SpecError

        raise SpecError(f"{d / 'spec.json'}: missing or unreadable; is {d} a study folder?")
    spec = saved["spec"]
    rows = []
    total = len(spec["variants"]) * len(spec["seeds"])
    read = 0
    for variant in spec["variants"]:
        runs = {}
        for s in spec["seeds"]:
            if progress is not None:
                progress(read, total, f"reading {variant}-s{s} (its latency, once)")
            runs[s] = run_metrics(d / f"{variant}-s{s}", latency=latency)
            read += 1
        done = [m for m in runs.values() if m is not None]
        row: dict[str, Any] = {
            "variant": variant,
            "kind": "model",
            "runs": len(done),
            "seeds": len(spec["seeds"]),
        }
        for col, _label, _pct in METRICS:
            row[col], row[f"{col}_std"] = _mean_std([m[col] for m in done])
        row["curve"] = [_mean_std([m["curve"][k] for m in done]) for k in range(MAX_K)]
        rows.append(row)
    for peer in spec.get("peers", []):
        rep = _read_json(d / "peers" / f"{peer}.json")
        if isinstance(rep, dict):
            rows.append(peer_row(peer, rep))
    return rows


# a leave-one-out peer's top-1 on one drawing a class: each query has no template of
# its class left, so it is never right and its 0% says nothing of the recogniser
ONE_A_CLASS = "n/a: one drawing a class"


def peer_row(peer: str, rep: dict[str, Any]) -> dict[str, Any]:
    """A peer's report (experiments/peers/) as a row of the table."""
    row: dict[str, Any] = {"variant": rep.get("label", peer), "kind": "peer", "runs": 1, "seeds": 1}
    for col, _label, _pct in METRICS:
        row[col], row[f"{col}_std"] = None, None
    row["top1"] = rep.get("top1")
    row["alone"] = rep.get("alone") or 0  # drawings alone in their class: not scored
    if row["alone"] and row["top1"] is None:
        row["top1_note"] = ONE_A_CLASS
    for k in TABLE_K:
        row[f"acc{k}"] = so_far(rep, k)
    row["latency_ms"] = rep.get("ms_per_drawing")
    row["curve"] = [(so_far(rep, k), None) for k in range(1, MAX_K + 1)]
    return row


def _cell(mean: float | None, std: float | None, pct: bool, col: str) -> str:
    if mean is None:
        return "–"
    if pct:
        text = f"{100 * mean:.1f}"
        return text + (f" ± {100 * std:.1f}" if std is not None else "") + "%"
    if col == "parameters":
        return f"{mean:,.0f}"
    digits = 2 if col == "latency_ms" else 0
    return f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")


def markdown_table(rows: list[dict[str, Any]], top1: str = "top-1") -> str:
    """The table; `top1`: its top-1 column's header (top1_label)."""
    labels = [top1 if c == "top1" else label for c, label, _p in METRICS]
    head = ["variant", "seeds", *labels]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        seeds = "–" if r["kind"] == "peer" else f"{r['runs']}/{r['seeds']}"
        cells = [r.get(f"{c}_note") or _cell(r[c], r[f"{c}_std"], p, c) for c, _l, p in METRICS]
        lines.append("| " + " | ".join([r["variant"], seeds, *cells]) + " |")
    notes = [alone_note(r) for r in rows if r.get("alone")]
    return "\n".join(lines) + "\n" + "".join(f"\n{n}\n" for n in notes)


def alone_note(row: dict[str, Any]) -> str:
    """What a leave-one-out peer's row counts: its drawings alone in their class, which
    have no template of their class once left out of their own set."""
    alone = row["alone"]
    if row.get("top1_note"):
        return (
            f"{row['variant']}: every drawing is alone in its class, so none has a template "
            "of its class once left out of its own set: no score (leave-one-out needs two "
            "drawings a class)."
        )
    return (
        f"{row['variant']}: {alone} drawing{'s' * (alone != 1)} alone in {'its' if alone == 1 else 'their'} "
        "class, with no template of it once left out, counted wrong."
    )


def csv_table(rows: list[dict[str, Any]]) -> str:
    cols = ["variant", "kind", "runs", "seeds"]
    for c, _l, _p in METRICS:
        cols += [f"{c}_mean", f"{c}_std"]
    cols += [f"after_{k}_mean" for k in range(1, MAX_K + 1)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        vals = [r["variant"], r["kind"], r["runs"], r["seeds"]]
        for c, _l, _p in METRICS:
            vals += [_num(r[c]), _num(r[f"{c}_std"])]
        vals += [_num(m) for m, _s in r["curve"]]
        w.writerow(vals)
    return buf.getvalue()


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:.6g}"


Progress = Callable[[int, int, str], None]  # (done, total, what)


def ensure_peers(study_dir: Path, progress: Progress | None = None) -> None:
    """Evaluate the spec's peers on its first eval_data directory, once (cached; $P on
    the 300 real dev doodles takes about half a minute)."""
    saved = _read_json(study_dir / "spec.json") or {}
    spec = saved.get("spec") or {}
    for peer in spec.get("peers", []):
        out = study_dir / "peers" / f"{peer}.json"
        if out.is_file():
            continue
        from experiments.peers import evaluate_peer
        from experiments.spec import resolve_dir

        eval_dir = resolve_dir(spec["eval_data"][0])
        done = None
        if progress is not None:

            def done(i: int, n: int, what: str = f"evaluating {peer} on {eval_dir}") -> None:
                progress(i, n, what)

        rep = evaluate_peer(peer, eval_dir, progress=done)
        atomic_write_text(out, json.dumps(rep, indent=1) + "\n")


def write_results(study_dir: str | Path, progress: Progress | None = None) -> list[Path]:
    """results.md, results.csv and accuracy_by_stroke.png in the study folder;
    `progress` follows the peers' evaluation and each run's latency measurement."""
    d = Path(study_dir)
    ensure_peers(d, progress)
    rows = study_rows(d, progress=progress)
    saved = _read_json(d / "spec.json") or {}
    spec = saved.get("spec") or {}
    title = spec.get("name", d.name) + (" (quick)" if saved.get("quick") else "")
    md, cv, png = d / "results.md", d / "results.csv", d / "accuracy_by_stroke.png"
    description = spec.get("description", "")
    intro = f"# {title}\n\n" + (f"{description}\n\n" if description else "")
    eval_data = spec.get("eval_data")
    eval_data = [str(d) for d in eval_data] if isinstance(eval_data, list) else []
    md_text = intro + markdown_table(rows, top1_label(eval_data)) + "\n" + legend(eval_data)
    from experiments.study_plot import plot_accuracy_by_stroke, png_bytes

    on = measured_on(eval_data) or "the study's first eval_data directory"
    figure = plot_accuracy_by_stroke(rows, title, on, MAX_K)
    csv_text, plot = csv_table(rows), png_bytes(figure)
    with deferred():  # the three as one: a Ctrl-C or SIGTERM waits until all are in
        atomic_write_text(md, md_text)
        atomic_write_text(cv, csv_text)
        atomic_write_bytes(png, plot)
    return [md, cv, png]
