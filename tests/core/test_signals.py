"""core/signals.py with real signals sent to this process (its main thread)."""

import signal
import threading

import pytest

from core.signals import deferred, term_interrupts


def _send(sig: signal.Signals) -> None:
    signal.pthread_kill(threading.main_thread().ident, sig)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_deferred_step_acts_once_the_step_is_done(sig):
    steps = []
    with term_interrupts(), pytest.raises(KeyboardInterrupt):
        with deferred():
            steps.append("first")
            _send(sig)
            steps.append("second")  # not cut: the signal waits
        steps.append("after")  # never: the signal acted as the block ended
    assert steps == ["first", "second"]


def test_deferred_puts_the_handlers_back_and_passes_on_nothing_when_no_signal_came():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with deferred():
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {s: signal.getsignal(s) for s in before} == before


def test_term_interrupts_makes_sigterm_a_keyboard_interrupt_inside_only():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), term_interrupts():
        _send(signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt")
    assert signal.getsignal(signal.SIGTERM) is before


LOST_SIGNAL = """
import os, signal, time
import numpy  # its BLAS thread starts here, blocking no signal
from core.signals import poll
got = []
signal.signal(signal.SIGUSR1, lambda *a: got.append(1))
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # so the BLAS thread takes it
os.kill(os.getpid(), signal.SIGUSR1)
t0 = time.monotonic()
while not got and time.monotonic() - t0 < 1:  # a second of Python code
    pass
before = bool(got)
poll()
print(before, bool(got), signal.sigpending() == set())
"""


def test_poll_runs_the_handler_of_a_signal_another_thread_took():
    """CPython 3.11 does not act on a signal a non-Python thread (numpy's BLAS) took:
    its handler does not run while the main thread runs Python code; `poll` runs it.
    (Beside two busy processes the handler once ran by itself within the second, and
    beside six, three times running: the loss is shown once in up to six tries.)"""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "OPENBLAS_NUM_THREADS": "2"}
    tries = []
    for _ in range(6):  # on a loaded machine the handler sometimes runs by itself
        r = subprocess.run(
            [sys.executable, "-c", LOST_SIGNAL], env=env, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        before, after, taken = r.stdout.split()
        assert (after, taken) == ("True", "True")  # the handler ran; nothing left pending
        tries.append(before)
        if before == "False":  # lost until poll ran it
            break
    if sys.version_info[:2] == (3, 11):  # seen on 3.11; a later one may act by itself
        assert "False" in tries, tries
