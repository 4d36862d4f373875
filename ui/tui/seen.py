"""What a tab's look (ui/tui/follow.py) sees of files: their stats, no Textual in it.

Kept apart from `Follow` (a Textual widget's timer) so that the plain logic reading run
and data folders (ui/tui/runinfo.py, ui/tui/datadirs.py), which `frankenstein runs`
uses too, imports no Textual.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def files_seen(paths: Iterable[Path]) -> tuple[tuple[str, int, int] | None, ...]:
    """(name, modification time, size) of each file, None for one that is missing: a
    file another process wrote, replaced or grew looks different."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            out.append(None)
            continue
        out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)
