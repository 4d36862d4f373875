"""Where data, runs, caches and the bundled checkpoints live.

Relative to the working directory by default; each can be moved with an
environment variable (FRANKENSTEIN_DATA, FRANKENSTEIN_RUNS, FRANKENSTEIN_CACHE,
FRANKENSTEIN_STUDIES).
The 300 real dev doodles (the ablation specs' default eval_data, and the tests') are
found beside the checkout, or where FRANKENSTEIN_REAL_DEV says (`real_dev_dir`).
The user's settings (e.g. the default checkpoint of `frankenstein draw`) live in
the user config directory instead: FRANKENSTEIN_CONFIG, else
$XDG_CONFIG_HOME/frankenstein, else ~/.config/frankenstein.

A FRANKENSTEIN_* variable set but empty (`FRANKENSTEIN_RUNS=$RUNS` with RUNS unset) is
an error naming it, as an empty path argument is (ui/parser.py): read as a path it is
the current folder, where runs and prepared caches then went, and falling back to the
default would as quietly put them somewhere not asked for.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from core.errors import FrankensteinError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"  # bundled checkpoints (package data)
PROJECT_ROOT = Path(__file__).resolve().parents[1]  # the folder holding core/ (site-packages)
REAL_DEV_DIR = Path("shared", "data", "quickdraw-real-dev")  # beside the checkout


class EmptyPathVariable(FrankensteinError, ValueError):
    """A FRANKENSTEIN_* variable set to an empty path (see the module docstring)."""


def _env_path(name: str) -> Path | None:
    """The folder the variable `name` names, None where it is unset."""
    value = os.environ.get(name)
    if value is None:
        return None
    if not value.strip():
        raise EmptyPathVariable(
            f"{name} is set but empty ({value!r}, the current folder): name a folder, "
            "or unset it for the default"
        )
    return Path(value)


def data_dir() -> Path:
    """Root of data directories: quickdraw/ (downloads), synthetic/, drawings/ (saved)."""
    return _env_path("FRANKENSTEIN_DATA") or Path("data")


def runs_dir() -> Path:
    """Root of training runs, one folder each (ablation studies go to `studies_dir`)."""
    return _env_path("FRANKENSTEIN_RUNS") or Path("runs")


def studies_dir() -> Path:
    """Root of ablation studies (`ablate --out`'s default), one folder a study."""
    return _env_path("FRANKENSTEIN_STUDIES") or Path("experiments", "studies")


def cache_dir() -> Path:
    """Prepared-frame caches, keyed by everything that changes them."""
    return _env_path("FRANKENSTEIN_CACHE") or Path("cache")


def config_dir() -> Path:
    """The user's settings folder (see the module docstring)."""
    own = _env_path("FRANKENSTEIN_CONFIG")
    if own is not None:
        return own
    # XDG's rule, not ours: an empty XDG_CONFIG_HOME is taken as unset
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "frankenstein"


def real_dev_dir(project: Path = PROJECT_ROOT) -> Path | None:
    """The real dev doodles' folder, the one holding simplified/ and raw/:
    $FRANKENSTEIN_REAL_DEV as given (whether it is there is its user's to say), else
    shared/data/quickdraw-real-dev beside the working directory or `project`, or beside a
    folder above either (a git worktree lives deeper than the checkout); None if none is."""
    own = _env_path("FRANKENSTEIN_REAL_DEV")
    if own is not None:
        return own
    bases = [project]
    with contextlib.suppress(OSError):  # unless the working directory was removed
        bases.insert(0, Path.cwd())
    for base in bases:
        for parent in base.resolve().parents:
            if (parent / REAL_DEV_DIR).is_dir():
                return parent / REAL_DEV_DIR
    return None
