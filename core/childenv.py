"""The environment of a child process that runs this code (`python -m ui.cli ...`): the
TUI's trainings, downloads and windows, the ablation runner's runs.

In a checkout, the folder holding core/, training/ and ui/ goes first on PYTHONPATH, so
the child runs the same code as its parent whatever its working directory. Not in an
install: there that folder is site-packages, which the child (this Python) has on its
path anyway, and on PYTHONPATH it would come before the standard library.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.paths import PROJECT_ROOT


def child_env(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Our environment, with this code (`root`) first on the path: `python -m ui.cli`
    in a child runs the same code as its parent, whatever its working directory. Not for
    an install: its `root` is a site-packages folder, which the child (this Python) has
    on its path anyway, and on PYTHONPATH it would come before the standard library."""
    if is_site_dir(root):
        return dict(os.environ)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(root) + (os.pathsep + path if path else "")}


def is_site_dir(folder: Path) -> bool:
    """Whether `folder` is one of this Python's site-packages folders (its own, or the
    user's that pip --user fills)."""
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    dirs.update(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        dirs.add(site.getusersitepackages())
    return folder.resolve() in {Path(d).resolve() for d in dirs}
