"""Where the TUI looks and what it runs: one frozen pydantic object built by `create_app`.

The commands are argv prefixes, so a test can swap the trainer for a small fake script
that prints real events. By default every command is this Python running `ui.cli`,
i.e. the same `frankenstein train` / `ablate` / `data` / `draw` the command line runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.paths import studies_dir

ROOT = Path(__file__).resolve().parents[2]  # the folder holding core/, training/, ui/


def child_env(root: Path = ROOT) -> dict[str, str]:
    """Our environment, with this code (`root`) first on the path: `python -m ui.cli`
    in a child runs the same code as the TUI, whatever its working directory. Not for
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
