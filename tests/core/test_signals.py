"""core/signals.py with real signals sent to this process (its main thread)."""

import signal
import threading

import pytest

from core.signals import deferred, term_interrupts


def _send(sig: signal.Signals) -> None:
    signal.pthread_kill(threading.main_thread().ident, sig)


@pytest.fixture(autouse=True)
def _ctrl_c_interrupts():
    """SIGINT raises KeyboardInterrupt here even in a test run started in the background
    (`make test &`), which ignores it."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


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
