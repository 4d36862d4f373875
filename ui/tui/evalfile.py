"""An eval.json as the Runs tab can show it: every value checked for its shape first.

training/evaluate.py writes {"test": REPORT, "eval_data": {DIR: REPORT}}; a report
holds n, top1, top3, accuracy_at_stroke rows ({"k", "so_far"}), snap ({"threshold",
"precision", "recall", "wrong_snaps"}) and intervals ({"top1": [lo, hi]}). A file
edited by hand, or written by another version, may hold anything: `clean_eval` keeps
what has the expected shape and names each part it drops, so the run is still listed
(with a "problem:" line) instead of the TUI failing on it.
"""

from __future__ import annotations

import math
from typing import Any

NUMBERS = ("n", "top1", "top3")
SNAP_NUMBERS = ("threshold", "precision", "recall")


def is_number(v: Any) -> bool:
    """A JSON number that is finite: Python's json reads NaN and Infinity, which a
    report of nothing held (top1 NaN, shown as "nan%") and strict JSON has not."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    return isinstance(v, int) or math.isfinite(v)  # an int may be beyond any float


def clean_eval(data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """`data` with its malformed parts left out; a line for each of them in `problems`."""
    out = {k: v for k, v in data.items() if k not in ("test", "eval_data")}
    if "test" in data:
        report = clean_report("test", data["test"], problems)
        if report is not None:
            out["test"] = report
    extra = data.get("eval_data")
    if extra is None:
        return out
    if not isinstance(extra, dict):
        problems.append("eval.json: eval_data is not an object of reports")
        return out
    out["eval_data"] = {}
    for name, report in extra.items():
        cleaned = clean_report(f"eval_data[{name!r}]", report, problems)
        if cleaned is not None:
            out["eval_data"][name] = cleaned
    return out


def clean_report(where: str, report: Any, problems: list[str]) -> dict[str, Any] | None:
    """One report with its malformed values left out (None: not a report at all)."""

    def drop(what: str) -> None:
        problems.append(f"eval.json: {where} {what}")

    if not isinstance(report, dict):
        drop("is not an object")
        return None
    out = _numbers_only(report, NUMBERS, "", drop)
    if "accuracy_at_stroke" in out:
        rows = out.pop("accuracy_at_stroke")
        good = [r for r in rows if _stroke_row(r)] if isinstance(rows, list) else []
        if not isinstance(rows, list) or len(good) < len(rows):
            drop("accuracy_at_stroke has rows without a whole k and a share")
        out["accuracy_at_stroke"] = good
    if "snap" in out:
        snap = _clean_snap(out.pop("snap"), drop)
        if snap is not None:
            out["snap"] = snap
    if "intervals" in out:
        intervals = out.pop("intervals")
        if isinstance(intervals, dict):
            out["intervals"] = {k: b for k, b in intervals.items() if _bounds(b)}
            # null is how evaluate.py writes a share of nothing (no snaps: no precision)
            if any(b is not None and not _bounds(b) for b in intervals.values()):
                drop("intervals has bounds that are not two numbers")
        elif intervals is not None:
            drop("intervals is not an object")
    return out


def _clean_snap(snap: Any, drop) -> dict[str, Any] | None:
    if snap is None:
        return None
    if not isinstance(snap, dict):
        drop(f"snap is not an object: {snap!r}")
        return None
    out = _numbers_only(snap, SNAP_NUMBERS, "snap.", drop)
    if "wrong_snaps" in out:
        wrong = out.pop("wrong_snaps")
        good = [w for w in wrong if isinstance(w, dict)] if isinstance(wrong, list) else []
        if wrong is not None and (not isinstance(wrong, list) or len(good) < len(wrong)):
            drop("snap.wrong_snaps is not a list of objects")
        out["wrong_snaps"] = good
    return out


def _numbers_only(table: dict[str, Any], keys: tuple[str, ...], prefix: str, drop) -> dict:
    """A copy of `table` without those of `keys` that hold something else than a number
    (or null), each dropped one named through `drop`."""
    out = dict(table)
    for key in keys:
        if key in out and out[key] is not None and not is_number(out[key]):
            drop(f"{prefix}{key} is not a number: {out.pop(key)!r}")
    return out


def _stroke_row(row: Any) -> bool:
    if not isinstance(row, dict):
        return False
    k, share = row.get("k"), row.get("so_far")
    return isinstance(k, int) and not isinstance(k, bool) and (share is None or is_number(share))


def _bounds(b: Any) -> bool:
    return isinstance(b, list) and len(b) == 2 and all(is_number(x) for x in b)
