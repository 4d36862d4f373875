"""The data directories the Data tab lists and the Train tab offers as sources.

Under the data root (core.paths.data_dir): `quickdraw/` (downloaded real doodles),
`synthetic/` (generated), `drawings/raw` and `drawings/simplified` (saved from the
window), and any other folder of `<class>.ndjson` files, one level down at most;
hidden folders (`data synth`'s staging, a generation in progress) are not data yet.
Counting is by lines (one drawing a line), so a 100 MB download is counted in a
fraction of a second without parsing it.
"""

from __future__ import annotations

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
    for sub in sorted(p for p in root.iterdir() if _shown(p)):
        what = KNOWN.get(sub.name, "drawings")
        if _has_data(sub):
            found.append(DataDir(sub, sub.name, what))
        for inner in sorted(p for p in sub.iterdir() if _shown(p)):
            if _has_data(inner):
                found.append(DataDir(inner, f"{sub.name}/{inner.name}", what))
    return found


def _shown(p: Path) -> bool:
    """A folder to list: not a hidden one (data synth's staging, beside its output or,
    beside a folder it may not write in, inside it)."""
    return p.is_dir() and not p.name.startswith(".")


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
