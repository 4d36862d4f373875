"""Several output files written as one: all of them, or none.

`write_files` is for a command whose outputs belong together (`eval --json F --plots
DIR`: the report and its figures, each one used to be written as soon as it was made,
so that a Ctrl-C among them left the report beside no figures). Each file is first
written whole beside its target, as a hidden temporary (core/atomic.py's writes), while
a Ctrl-C or SIGTERM still stops the command, which then leaves what was there before,
no temporary, and no folder it made; then the temporaries are renamed into place, a
moment, with those signals waiting until all are in (core/signals.py's `deferred`), as
experiments/results.py writes a study's three files.

An output that is not a file (/dev/stdout, a named pipe) cannot be renamed over: it is
written straight into, after the others are in.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from core.atomic import WriteError, _special, _through_links, atomic_write_bytes, fsync_dir
from core.signals import deferred


def write_files(files: Mapping[str | os.PathLike, bytes]) -> list[Path]:
    """Write each file of `files` (path -> its bytes), all or none (module docstring);
    their paths, as given. A failure (a full disk) is a WriteError naming the file."""
    targets = {Path(p): data for p, data in files.items()}
    streams = {p: data for p, data in targets.items() if _special(p)}
    made: list[Path] = []  # folders made for the files, outermost first
    temporaries: dict[Path, Path] = {}  # the real target -> its temporary, written whole
    try:
        for path, data in targets.items():
            if path in streams:
                continue
            real = _through_links(path)
            made += _folders_to_make(real.parent)
            temporaries[real] = _hidden(real)  # named before it is made: removed below
            try:
                atomic_write_bytes(temporaries[real], data)
            except WriteError as e:  # named by the file the user asked for
                raise WriteError(real, e) from e
        with deferred():
            for real, temporary in temporaries.items():
                try:
                    os.replace(temporary, real)
                except OSError as e:  # a folder's permissions changed meanwhile
                    raise WriteError(real, e) from e
        placed, temporaries = list(temporaries), {}
    except BaseException:
        for temporary in temporaries.values():
            with contextlib.suppress(OSError):
                temporary.unlink()
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: what else is in it is not ours
        raise
    for folder in dict.fromkeys(p.parent for p in placed):
        fsync_dir(folder)  # the renames too are there after a power cut
    for path, data in streams.items():
        atomic_write_bytes(path, data)
    return list(targets)


def _hidden(target: Path) -> Path:
    """A name beside `target` for its new version while it is written: ".NAME.<random>.new"."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.new")


def _folders_to_make(folder: Path) -> list[Path]:
    """The folders of `folder`'s path that are not there yet, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return list(reversed(missing))
