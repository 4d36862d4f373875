"""The drawing window opened from the Runs tab: its checkpoint checked, the process watched.

`checkpoint_arch(path)` loads the checkpoint (core/checkpoint.py) the way `draw` will,
so a file that cannot load is reported before anything starts, and gives its model
family for `draw --model`. `DrawWindow` starts `frankenstein draw` as a detached
process (it outlives the TUI) with its stderr in a temporary file, so a window that
dies at once (no display, say) can be reported with its last line. Blocking calls
only: the Runs tab runs them in a thread worker.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

GRACE_S = 3.0  # a window still running this long after its start is taken as open


def checkpoint_arch(path: Path) -> str:
    """The model family ("frankenstein" or "cnn") of a checkpoint that loads; a
    FrankensteinError saying why it does not load otherwise."""
    from core.checkpoint import CheckpointError, load_checkpoint

    try:
        return load_checkpoint(path).cfg.arch
    except CheckpointError:
        raise
    except Exception as e:  # a file that passed the checks but still does not build
        raise CheckpointError(f"{path}: cannot load ({type(e).__name__}: {e})") from None


class DrawWindow:
    """One `frankenstein draw` process and the file its stderr goes to."""

    def __init__(self, argv: list[str], *, cwd: Path | None, env: dict[str, str]):
        fd, log = tempfile.mkstemp(prefix="frankenstein-draw-", suffix=".log")
        self.log = Path(log)
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=fd,
                cwd=cwd,
                env=env,
                start_new_session=True,  # the window outlives the TUI
            )
        except OSError:
            self.forget()
            raise
        finally:
            os.close(fd)

    def poll(self) -> int | None:
        return self.process.poll()

    def last_line(self) -> str:
        """The last line the process wrote on stderr ('' if none)."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def forget(self) -> None:
        """Remove the stderr file (a window still running writes on into nothing)."""
        with contextlib.suppress(OSError):
            self.log.unlink()
