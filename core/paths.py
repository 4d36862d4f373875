"""Where data, runs, caches and the bundled checkpoints live.

Relative to the working directory by default; each can be moved with an
environment variable (FRANKENSTEIN_DATA, FRANKENSTEIN_RUNS, FRANKENSTEIN_CACHE).
The user's settings (e.g. the default checkpoint of `frankenstein draw`) live in
the user config directory instead: FRANKENSTEIN_CONFIG, else
$XDG_CONFIG_HOME/frankenstein, else ~/.config/frankenstein.

A FRANKENSTEIN_* variable set but empty (`FRANKENSTEIN_RUNS=$RUNS` with RUNS unset) is
an error naming it, as an empty path argument is (ui/parser.py): read as a path it is
the current folder, where runs and prepared caches then went, and falling back to the
default would as quietly put them somewhere not asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import FrankensteinError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"  # bundled checkpoints (package data)


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
    """Root of training runs, one folder each (ablation studies go to experiments/studies/)."""
    return _env_path("FRANKENSTEIN_RUNS") or Path("runs")


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
