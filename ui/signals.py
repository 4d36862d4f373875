"""Signals around the steps of a command.

`term_interrupts`: SIGTERM (a supervisor, `kill`) interrupts as Ctrl-C does, so the
command's clean-up runs (a plain SIGTERM ends the process on the spot). It acts in the
main thread only (the only one Python gives signals to).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def term_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt while the block runs; the old handler after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(*_args: Any) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)
