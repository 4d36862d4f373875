"""The data directories the Data tab lists and the Train tab offers as sources.

Under the data root (core.paths.data_dir): `quickdraw/` (downloaded real doodles),
`synthetic/` (generated), `drawings/raw` and `drawings/simplified` (saved from the
window), and any other folder of `<class>.ndjson` files, one level down at most;
hidden folders (a generation in progress, `.synthetic.partial`) are not data yet.
Counting is by lines (one drawing a line), so a 100 MB download is counted in a
fraction of a second without parsing it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from training.datainfo import data_files

KNOWN = {
    "quickdraw": "downloaded Quick, Draw! doodles",
    "synthetic": "generated doodles",
    "drawings": "drawings saved from the window",
}


@dataclass
class DataDir:
    path: Path
    label: str  # relative to the data root: "quickdraw", "drawings/simplified"
    what: str
    counts: dict[str, int] = field(default_factory=dict)  # class -> drawings

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def find_data_dirs(root: Path) -> list[DataDir]:
    """Folders under `root` holding data files (with no counts yet), sorted by label."""
    found: list[DataDir] = []
    if not root.is_dir():
        return found
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        what = KNOWN.get(sub.name, "drawings")
        if _has_data(sub):
            found.append(DataDir(sub, sub.name, what))
        for inner in sorted(p for p in sub.iterdir() if p.is_dir()):
            if _has_data(inner):
                found.append(DataDir(inner, f"{sub.name}/{inner.name}", what))
    return found


def _has_data(d: Path) -> bool:
    try:
        return bool(data_files(d))
    except OSError:
        return False


def count_lines(path: Path) -> int:
    """Lines of an ndjson file, one drawing each (a seed .json file: its list length)."""
    if path.suffix == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        return len(data) if isinstance(data, list) else 0
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def count_dir(d: DataDir) -> DataDir:
    """Fill in the counts per class (by file stem)."""
    d.counts = {p.stem: count_lines(p) for p in data_files(d.path)}
    return d


def partial_dir(target: Path) -> Path:
    """Where a job writes `target` until it is complete: a hidden sibling, so a stopped
    job leaves neither half a data set nor a damaged earlier one."""
    return target.with_name(f".{target.name}.partial")


def install(partial: Path, target: Path) -> None:
    """Put a complete `partial` in `target`'s place (the earlier one goes); should that
    fail, the earlier one is put back before the error goes on."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    moved = target.exists()
    if moved:
        target.rename(old)
    try:
        partial.rename(target)
    except OSError:
        if moved:
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def discard(partial: Path) -> None:
    shutil.rmtree(partial, ignore_errors=True)
