"""Prepared drawings on disk: strokes and bit-packed frames, memory-mapped.

Reading 18 x 120,000 Quick, Draw! drawings from ndjson and rasterising them takes
minutes, so a directory's split is prepared once and kept under `core.paths.cache_dir()`
in a folder named by a SHA-1 of everything that changes its content: the format
version, the directory's and each file's absolute path, size and modification time,
pad_len, m, the cap per class and the split. A changed file therefore changes the key
(a cache never serves stale data); an unchanged one is found again and memory-mapped,
so only the batches in use are in RAM. A process holds each set it reads (a shared
flock on its folder), and preparing a set removes the sets of the same directory made
from other files (or by an older format), which no key finds again, unless one is held.

A folder holds, for N drawings with S strokes, P points and F real frames:

- ``points.npy`` (P, 2) uint8: coordinates in the 0..255 simplified space (raw
  drawings are normalised first), for augmentation and stroke-by-stroke replay;
- ``stroke_len.npy`` (S,) int32 and ``n_strokes.npy`` (N,) int32;
- ``labels.npy`` (N,) uint8, class indices, by core/strokes.py's one rule (a file
  named after a class holds that class, whatever a line's 'word' says);
- ``frames.bin``: raw (F, m, m / 8) uint8, `np.packbits` of each drawing's real
  frames only (the padded ones are zero), 512 bytes a 64x64 frame; F is in meta;
- ``meta.json``: what was read (counts, bad lines, drawings whose 'word' is not their
  file's class) and the key's inputs.

Files are prepared one at a time and their frames streamed to disk, so preparing
millions of drawings needs the memory of one file's drawings, not of all frames. It
is written to a temporary folder, flushed to disk (fsync) and renamed into place, so
a crash, even a power cut, never leaves a half-written cache behind. The hidden temporary folder (`.<key>.<random>`), which the
preparing process keeps locked (flock), can be gigabytes: one that a killed process
left (SIGKILL, a power cut) is removed by the next preparation in that cache, once its
lock is free and nothing changed in it for a minute (`STALE_S`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from core.atomic import atomic_write_text, fsync_dir, write_all
from core.classes import class_index
from core.errors import FrankensteinError
from core.paths import cache_dir
from core.strokes import (
    GRID,
    Drawing,
    ReadReport,
    file_class,
    is_raw,
    iter_drawings,
    normalize,
)
from training.datainfo import BytesRead, data_files, no_data_files
from training.prepared import PreparedSet, pack_frames
from training.split import Split, split_of
from training.strokebatch import StrokeBatch

try:
    import fcntl
except ImportError:  # Windows: no locks to ask, so no folder is known to be left over
    fcntl = None

FORMAT_VERSION = 4  # 3: labelled by the file's class (core/strokes.py), not the word;
# 4: the cap counts a class across files (it counted each file)
STALE_S = 60.0  # a temporary folder unlocked and unchanged this long is a dead one's
_TEMPORARY = re.compile(r"\.[0-9a-f]{20}\.[a-z0-9_]{8}")  # mkdtemp(prefix=".<key>.")

Progress = Callable[[int, int, str], None]  # (done, total, what)


class DataError(FrankensteinError, ValueError):
    """A data directory that cannot be used (missing, empty, no drawings in a split)."""


def cache_key(
    directory: str | os.PathLike,
    files: Sequence[Path],
    *,
    split: Split,
    pad_len: int,
    m: int,
    cap: int | None,
    frames: bool = True,
) -> tuple[str, dict]:
    """The key of a prepared set and the inputs it was computed from."""
    inputs = {
        "version": FORMAT_VERSION,
        "directory": str(Path(directory).resolve()),  # whose older sets it replaces
        "files": [_file_id(p) for p in files],
        "split": split,
        "pad_len": pad_len,
        "m": m,
        "cap": cap,
        "frames": frames,  # False: strokes only (an augmenting run rasterises its own)
    }
    digest = hashlib.sha1(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return digest[:20], inputs


def _file_id(p: Path) -> list:
    st = p.stat()
    return [str(p.resolve()), st.st_size, st.st_mtime_ns]


def directory_files(directory: str | os.PathLike) -> list[Path]:
    """The data files of a directory, or a DataError naming the problem."""
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise DataError(f"{d}: not a directory (a data directory holds <class>.ndjson files)")
    if not d.is_dir():
        raise DataError(f"{d}: data directory not found")
    files = data_files(d)
    if not files:
        raise DataError(no_data_files(d))
    return files


def check_eval_dir(directory: str | os.PathLike) -> None:
    """A DataError unless `directory` holds a drawing to evaluate (reading to the first
    one): `frankenstein eval`'s refusal of it, which a run's `eval_data` gets before its
    training, not after it as a report of 0 drawings and a top-1 of NaN."""
    report = ReadReport()
    if next(iter_split(directory_files(directory), None, report=report), None) is None:
        raise DataError(report.nothing_read(str(directory), "evaluate"))


def load_split(
    directory: str | os.PathLike,
    split: Split,
    *,
    pad_len: int,
    m: int,
    cap: int | None = None,
    root: str | os.PathLike | None = None,
    progress: Progress | None = None,
    frames: bool = True,
    steps: tuple[int, int] | None = None,
) -> PreparedSet:
    """One split of a data directory, prepared (or found) in the cache and memory-mapped.

    `progress` is told of each file's reading and rasterising, named "10/54 train:
    reading ice cream", where `steps` = (files of the whole preparation before this
    split's first, files in all: 3 splits x 18) gives the 10/54 (default: this split's
    files alone), so a bar that starts again for each file says how far the whole is.

    frames=False prepares its strokes only (`PreparedSet.packed` is None): the frames of
    a split that an augmenter draws from its strokes would never be read, and
    rasterising them took half the time of preparing it and most of its size.

    The set is held (a shared lock) while the returned object lives, so that no other
    process removes it as an older one; preparing one removes the older sets of the
    same directory that nothing holds, and `PreparedSet.removed` says so."""
    files = directory_files(directory)
    key, inputs = cache_key(
        directory, files, split=split, pad_len=pad_len, m=m, cap=cap, frames=frames
    )
    folder = Path(root if root is not None else cache_dir()) / "prepared" / key
    held, removed = _use(folder), ""
    if held is None:
        held = _prepare(folder, files, inputs, split, pad_len, m, cap, progress, steps)
        if held is None:  # a twin prepared it meanwhile, or there are no locks
            held = _use(folder)
        removed = _remove_older(folder, inputs)
    try:
        prepared = PreparedSet.open(folder, pad_len=pad_len, m=m)
    except (OSError, ValueError, KeyError, TypeError) as e:  # a disk fault, a hand edit
        if held:
            os.close(held)
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise DataError(
            f"{folder}: a damaged prepared cache ({reason}); delete that folder and the "
            "data is prepared again"
        ) from None
    if held:
        weakref.finalize(prepared, os.close, held)  # let go with the set
    prepared.removed = removed
    return prepared


def read_split(
    files: Sequence[Path],
    split: Split | None,
    *,
    cap: int | None = None,
    taken: Counter | None = None,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    bytes_read: BytesRead | None = None,
) -> tuple[list[list[np.ndarray]], list[int]]:
    """Strokes (in the simplified space) and labels of one split of some files.

    `cap` keeps the first `cap` drawings of each class, whichever files hold them (the
    files in order), before splitting, so the three splits of a capped directory come
    from the same drawings. split=None keeps all.
    """
    strokes: list[list[np.ndarray]] = []
    labels: list[int] = []
    kw = {"report": report, "progress": progress, "bytes_read": bytes_read}
    for d in iter_split(files, split, cap=cap, taken=taken, **kw):
        strokes.append(list(d.strokes))
        labels.append(class_index(d.word))
    return strokes, labels


def iter_split(
    files: Sequence[Path],
    split: Split | None,
    *,
    cap: int | None = None,
    taken: Counter | None = None,
    report: ReadReport | None = None,
    progress: Progress | None = None,
    bytes_read: BytesRead | None = None,
) -> Iterator[Drawing]:
    """The drawings of `read_split`, whole (key_id kept), strokes in the simplified space;
    `bytes_read` follows the reading within each file (training.datainfo.FilesRead).

    The cap counts a class across the files, as `eval --limit` does: a file named after
    a class is read until that class has `cap` (ice cream.ndjson and ice_cream.ndjson
    share them), any other file to its end, each of its words kept while its class has
    fewer. `taken` holds the counts, for a caller reading the files one call at a time.
    """
    report = report if report is not None else ReadReport()
    taken = Counter() if taken is None else taken
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), f"reading {path.name}")
        own = file_class(path)
        kwargs = {}
        if cap is not None and own is not None and path.suffix.lower() == ".ndjson":
            kwargs["limit"] = max(0, cap - taken[own])  # good lines: no reading past them
        if bytes_read is not None:
            kwargs["progress"] = lambda n, path=path: bytes_read(path, n)
        for d in iter_drawings(path, report=report, labelled=True, **kwargs):
            if cap is not None:
                if taken[d.word] >= cap:
                    if d.word == own:
                        break
                    continue
                taken[d.word] += 1
            if split is not None and split_of(d) != split:
                continue
            if is_raw(d):
                d = normalize(d)  # raw screen coordinates -> the simplified space
            yield d
    if progress is not None:
        progress(len(files), len(files), "read")


MB = 1 << 20


def _read_progress(
    path: Path, what: str, progress: Progress | None, cap: int | None, taken: Counter
) -> BytesRead | None:
    """`progress` of one file as it is read (a real class file, tens of megabytes, takes
    seconds); None without `progress`. With a cap, a class's file is read only until the
    class has `cap` drawings (a tenth of a real file), so it counts those drawings toward
    the cap; otherwise the megabytes read of the whole file, once a megabyte."""
    if progress is None:
        return None
    own = file_class(path)
    if cap is not None and own is not None and path.suffix.lower() == ".ndjson":

        def toward_cap(_path: Path, _n: int) -> None:
            progress(min(taken[own], cap), cap, what)

        toward_cap(path, 0)
        return toward_cap
    what += " (MB)"
    total = max(1, -(-path.stat().st_size // MB))
    shown = -1

    def read(_path: Path, n: int) -> None:
        nonlocal shown
        if -(-n // MB) != shown:  # megabytes begun: the whole file is `total` of them
            shown = -(-n // MB)
            progress(min(shown, total), total, what)

    read(path, 0)
    return read


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    """A write into the cache that fails (a full disk: a real data set's frames take
    gigabytes) is one line that says where the cache is and how to move it."""
    try:
        yield
    except OSError as e:
        reason = e.strerror or str(e)
        raise DataError(
            f"cannot write the prepared data into {root} ({reason}): make room there, or "
            "set FRANKENSTEIN_CACHE to a folder with room"
        ) from e


def _prepare(
    folder: Path,
    files: list[Path],
    inputs: dict,
    split: Split,
    pad_len: int,
    m: int,
    cap: int | None,
    progress: Progress | None,
    steps: tuple[int, int] | None = None,
) -> int | None:
    """Read, rasterise and write one split, file by file (frames stream to disk); the
    lock on the folder, now shared (None without locks, or when a twin renamed its
    folder into place first)."""
    report = ReadReport()
    points, stroke_len, n_strokes, labels = [], [], [], []
    n_frames = 0
    with _writing(folder.parent):
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_left_over(folder.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    held = kept = None
    try:
        with _writing(folder.parent):  # unbuffered: closing it has nothing left to fail
            held = _hold(tmp)  # while this process lives, no other removes the folder
            frames_out = open(tmp / "frames.bin", "wb", buffering=0)  # noqa: SIM115
        with frames_out:
            taken = Counter()  # drawings a class so far, for the cap (it counts a class)
            before, in_all = steps or (0, len(files))
            for i, path in enumerate(files):
                # short, for a bar at 80 columns: "10/54 train: reading ice cream"
                doing = f"{before + i + 1}/{in_all} {split}"
                name = path.stem if path.suffix.lower() == ".ndjson" else path.name
                read = _read_progress(path, f"{doing}: reading {name}", progress, cap, taken)
                strokes, file_labels = read_split(
                    [path], split, cap=cap, taken=taken, report=report, bytes_read=read
                )
                if read is not None:  # read to its end or to the cap: the bar's last count
                    read(path, path.stat().st_size)
                if not strokes:
                    continue
                if inputs["frames"]:
                    drawn = None
                    if progress is not None:

                        def drawn(
                            done: int, total: int, what=f"{doing}: rasterising {name}"
                        ) -> None:
                            progress(done, total, what)

                    packed = pack_frames(strokes, pad_len, m, progress=drawn)  # (F_file, m, m/8)
                    with _writing(folder.parent):
                        write_all(frames_out, packed.tobytes())
                    n_frames += len(packed)
                batch = StrokeBatch.from_strokes(strokes)
                points.append(np.clip(np.rint(batch.points), 0, GRID - 1).astype(np.uint8))
                stroke_len.append(batch.stroke_len.astype(np.int32))
                n_strokes.append(batch.n_strokes.astype(np.int32))
                labels.append(np.asarray(file_labels, np.uint8))
        if not labels:  # why, as eval says it: the first bad line's reason
            raise DataError(report.nothing_read(str(files[0].parent), f"put in the {split} split"))
        with _writing(folder.parent):
            np.save(tmp / "points.npy", np.concatenate(points))
            np.save(tmp / "stroke_len.npy", np.concatenate(stroke_len))
            np.save(tmp / "n_strokes.npy", np.concatenate(n_strokes))
            np.save(tmp / "labels.npy", np.concatenate(labels))
            for name in ("frames.bin", *(f"{a}.npy" for a in ARRAYS)):
                _fsync(tmp / name)  # on disk before meta.json says the folder is whole
        meta = {
            "n": int(sum(len(x) for x in labels)),
            "frames": n_frames,
            "bad_lines": report.bad,
            "bad_examples": [str(b) for b in report.examples],
            "mismatched": report.mismatched,
            "mismatch_warning": report.mismatch_warning(),
            "inputs": inputs,
        }
        with _writing(folder.parent):
            atomic_write_text(tmp / "meta.json", json.dumps(meta, indent=1) + "\n")
            try:  # atomic_write_text synced the folder's entries
                os.replace(tmp, folder)
            except OSError:
                if not (folder / "meta.json").is_file():  # not a concurrent twin: a real error
                    raise
            else:
                if held is not None:  # the folder is whole: others may read it too
                    fcntl.flock(held, fcntl.LOCK_SH)
                    held, kept = None, held
            fsync_dir(folder.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        if held is not None:
            os.close(held)
    if progress is not None:
        progress(len(files), len(files), f"prepared the {split} split")
    return kept


ARRAYS = ("points", "stroke_len", "n_strokes", "labels")  # <name>.npy in a folder


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hold(folder: Path) -> int | None:
    """Lock `folder` (flock on an open descriptor, let go however the process ends);
    the descriptor, or None where there are no locks."""
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _use(folder: Path) -> int | None:
    """A shared lock on the whole prepared set in `folder` (its descriptor), which keeps
    `_remove_older` from removing it; None if there is none (or no locks: then 0 if there
    is one). Locked, then looked at: one removed meanwhile is no longer there."""
    if fcntl is None:
        return 0 if (folder / "meta.json").is_file() else None
    while True:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:  # not there (or not a folder: preparing says why)
            return None
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while one removes it (moments)
        try:
            here = os.stat(folder)
            same = (here.st_dev, here.st_ino) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino)
        except OSError:
            same = False
        if same and (folder / "meta.json").is_file():
            return fd
        os.close(fd)
        if not same:  # removed, or removed and prepared again: look again
            continue
        return None


def _remove_older(folder: Path, inputs: dict) -> str:
    """Remove the sets of the same directory prepared from other files (a file changed,
    came or went) or by an older format, which no key can find again, and which no
    process holds (see `_use`): a real set is hundreds of megabytes. The line saying so,
    or "". Best effort."""
    if fcntl is None:
        return ""
    removed, size = 0, 0
    with contextlib.suppress(OSError):
        names = [n for n in os.listdir(folder.parent) if n != folder.name]
        for name in names:
            other = folder.parent / name
            try:
                was = json.loads((other / "meta.json").read_text())["inputs"]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # hidden, being removed, or not ours to judge
            if _directory_of(was) != inputs["directory"] or (
                was.get("version") == inputs["version"] and was.get("files") == inputs["files"]
            ):
                continue  # another directory's, or this one's with other settings
            try:
                fd = os.open(other, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # a process reads it
                    continue
                gone = folder.parent / f".{name}.removing"  # a left-over if cut short
                os.replace(other, gone)
                size += sum(f.stat().st_size for f in gone.iterdir())
                shutil.rmtree(gone, ignore_errors=True)
                removed += 1
            finally:
                os.close(fd)
    if not removed:
        return ""
    sets = "an older prepared set" if removed == 1 else f"{removed} older prepared sets"
    size_ = f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"
    return (
        f"{inputs['directory']}: removed {sets} of it from {folder.parent} ({size_}): "
        "a data file changed since (its size or time), or the cache's format did"
    )


def _directory_of(inputs: dict) -> str | None:
    """The directory a set was prepared from (before format 4: its files' folder)."""
    if "directory" in inputs:
        return inputs["directory"]
    parents = {str(Path(f[0]).parent) for f in inputs.get("files", ())}
    return parents.pop() if len(parents) == 1 else None


def _remove_left_over(parent: Path, now: float | None = None) -> None:
    """Remove the temporary folders in `parent` that processes killed while preparing
    left: unlocked (their process is gone; a live one holds its lock) and unchanged for
    STALE_S (not one made a moment ago, whose process is about to lock it). Best effort."""
    if fcntl is None:
        return
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        names = [n for n in os.listdir(parent) if _TEMPORARY.fullmatch(n)]
        for name in names:
            folder = parent / name
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            except OSError:  # gone meanwhile, or not a folder
                continue
            try:
                if now - os.fstat(fd).st_mtime < STALE_S:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # a live process prepares in it
                    continue
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                os.close(fd)
