"""Where the TUI looks and what it runs: one frozen pydantic object built by `create_app`.

The commands are argv prefixes, so a test can swap the trainer for a small fake script
that prints real events. By default every command is this Python running `ui.cli`,
i.e. the same `frankenstein train` / `ablate` / `data` / `draw` the command line runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.paths import studies_dir


def shipped_specs() -> Path:
    """experiments/specs of this installation, wherever the TUI is started from."""
    from experiments.spec import SPECS_DIR

    return SPECS_DIR


def cli(*args: str) -> tuple[str, ...]:
    """`frankenstein ARGS...` as run by this interpreter."""
    return (sys.executable, "-m", "ui.cli", *args)


class TuiContext(BaseModel):
    """Directories the TUI reads and writes, and the commands it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runs_dir: Path
    data_dir: Path
    specs_dir: Path = Field(default_factory=shipped_specs)
    studies_dir: Path = Field(default_factory=studies_dir)  # $FRANKENSTEIN_STUDIES
    default_model_file: Path | None = None  # None: live.default_model's own place
    trainer: tuple[str, ...] = cli("train")
    ablate: tuple[str, ...] = cli("ablate")
    data: tuple[str, ...] = cli("data")
    draw: tuple[str, ...] = cli("draw")
    download_url: str | None = None  # a mirror for `data download --base-url`
    cwd: Path | None = None  # the children's working directory (None: ours)
    # seconds between a shown tab's looks at what other processes change (ui/tui/follow.py)
    follow_s: float = Field(2.0, gt=0)
