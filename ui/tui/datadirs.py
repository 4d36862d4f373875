"""The data directories the Data tab lists and the Train tab offers as sources.

Under the data root (core.paths.data_dir): `quickdraw/` (downloaded real doodles),
`synthetic/` (generated), `drawings/raw` and `drawings/simplified` (saved from the
window), and any other folder of `<class>.ndjson` files, one level down at most;
hidden folders (`data synth`'s staging, a generation in progress) are not data yet.

Counting is by lines, per class (core.strokes.file_class: `ice cream.ndjson` and
`ice_cream.ndjson` are one class), so a real class file of 100 MB and more is counted
in a fraction of a second; reading its drawings takes seconds a file (about 7 s for
120,000 drawings), minutes for a download, and would hold the interpreter while the
TUI draws. A line (not a blank one) is a drawing unless it is bad, which only reading
it tells (`frankenstein data info DIR` does). A file named after no class holds
drawings of the classes its lines' 'word' names, which only reading them tells too:
its lines are counted as its own.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from core.strokes import file_class
from training.datainfo import data_files
from ui.tui.seen import files_seen

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
    counts: dict[str, int] = field(default_factory=dict)  # class -> lines of its files
    files: dict[str, list[str]] = field(default_factory=dict)  # class -> its files' names
    # files named after no class (each line's 'word' is its class): name -> lines
    unnamed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Lines of all the data files."""
        return sum(self.counts.values()) + sum(self.unnamed.values())

    def names(self) -> list[str]:
        """The names of the files counted."""
        return [name for names in self.files.values() for name in names] + list(self.unnamed)

    def shared(self) -> dict[str, list[str]]:
        """The classes held by more than one file, with the files' names."""
        return {c: names for c, names in self.files.items() if len(names) > 1}


def find_data_dirs(root: Path) -> list[DataDir]:
    """Folders under `root` holding data files (with no counts yet), sorted by label."""
    found: list[DataDir] = []
    if not root.is_dir():
        return found
    if _has_data(root):  # files put in the data folder itself ("no data yet" said it)
        found.append(DataDir(root, root.name or str(root), "drawings"))
    for sub in sorted(p for p in root.iterdir() if _shown(p)):
        what = KNOWN.get(sub.name, "drawings")
        if _has_data(sub):
            found.append(DataDir(sub, sub.name, what))
        for inner in sorted(p for p in sub.iterdir() if _shown(p)):
            if _has_data(inner):
                found.append(DataDir(inner, f"{sub.name}/{inner.name}", what))
    return found


def source_dirs(root: Path) -> tuple[str, ...]:
    """The data folders under `root` a training can read (the Train tab's sources)."""
    return tuple(str(d.path) for d in find_data_dirs(root))


def data_seen(root: Path) -> Hashable:
    """What a count would find changed, from listings and stats alone (ui/tui/follow.py):
    a data folder or file added, removed, replaced or grown."""
    return tuple((d.label, files_seen(data_files(d.path))) for d in find_data_dirs(root))


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
    """The lines of an ndjson file that are not blank (the readers skip those), each a
    drawing unless it is bad; a seed .json file: its list's length. A 100 MB file takes
    a twentieth of a second."""
    if path.suffix.lower() == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        return len(data) if isinstance(data, list) else 0
    with open(path, "rb") as f:
        return sum(1 for line in f if not line.isspace())


# path -> ((modification time, size), lines): what a count found in a file as it stood
Counted = dict[Path, tuple[tuple[int, int], int]]


def count_dir(d: DataDir, counted: Counted | None = None) -> DataDir:
    """Fill in the lines per class (of the files named after it, however spelled), and
    of each file named after no class. A file or the folder removed while counted (the
    Data tab counts as other processes write: ui/tui/follow.py) counts as gone. With
    `counted`, a file whose modification time and size are those it was counted at is
    not read again (a download that installs a file recounts that one), and what is
    read is added to it."""
    d.counts, d.files, d.unnamed = {}, {}, {}
    try:
        files = data_files(d.path)
    except OSError:  # the folder went after it was found: nothing of it to count
        return d
    for p in files:
        try:
            n = _lines(p, counted)
        except OSError:  # removed since listed (another process's synth --replace)
            continue
        cls = file_class(p)
        if cls is None:
            d.unnamed[p.name] = n
        else:
            d.counts[cls] = d.counts.get(cls, 0) + n
            d.files.setdefault(cls, []).append(p.name)
    return d


def _lines(p: Path, counted: Counted | None) -> int:
    if counted is None:
        return count_lines(p)
    st = os.stat(p)
    stamp = (st.st_mtime_ns, st.st_size)  # taken first: a file growing meanwhile is
    known = counted.get(p)  # counted again at the next look, which sees it changed
    if known is not None and known[0] == stamp:
        return known[1]
    n = count_lines(p)
    counted[p] = (stamp, n)
    return n
