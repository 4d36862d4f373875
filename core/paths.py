"""Where data, runs, caches and the bundled checkpoints live.

Relative to the working directory by default; each can be moved with an
environment variable (FRANKENSTEIN_DATA, FRANKENSTEIN_RUNS, FRANKENSTEIN_CACHE).
The user's settings (e.g. the default checkpoint of `frankenstein draw`) live in
the user config directory instead: FRANKENSTEIN_CONFIG, else
$XDG_CONFIG_HOME/frankenstein, else ~/.config/frankenstein.
"""

from __future__ import annotations

import os
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"  # bundled checkpoints (package data)


def data_dir() -> Path:
    """Root of data directories: quickdraw/ (downloads), synthetic/, drawings/ (saved)."""
    return Path(os.environ.get("FRANKENSTEIN_DATA", "data"))


def runs_dir() -> Path:
    """Root of training runs, one folder each (ablation studies go to experiments/studies/)."""
    return Path(os.environ.get("FRANKENSTEIN_RUNS", "runs"))


def cache_dir() -> Path:
    """Prepared-frame caches, keyed by everything that changes them."""
    return Path(os.environ.get("FRANKENSTEIN_CACHE", "cache"))


def config_dir() -> Path:
    """The user's settings folder (see the module docstring)."""
    if "FRANKENSTEIN_CONFIG" in os.environ:
        return Path(os.environ["FRANKENSTEIN_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "frankenstein"
