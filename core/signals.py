"""Signals around the steps of a command that must not be cut in two.

`term_interrupts`: SIGTERM (a supervisor, `kill`) interrupts as Ctrl-C does, so the
command's clean-up runs (a plain SIGTERM ends the process on the spot). ui/cli.py runs
every command inside it; `data synth` (its staging folder goes) and the training loop
(a run stopped while preparing data, calibrating or evaluating ends as an interrupted
run that --resume starts or finishes) use it too, so that they keep it when called on
their own (the epochs have their own handler, training/loop.py's
`StopRequest.on_signals`). `held`: SIGINT and SIGTERM that come during a short step
(moving finished files into place) are kept until the step is over, so that it is done
whole; the caller learns which came. `deferred`: the same, and then they act as they
would have (the drawing window's save: the files are in, then the window closes).
All act in the main thread only (the only one Python gives signals to).
`threads_block_signals`: threads started in its block (numpy's BLAS, in ui/cli.py;
torch's pool, in `set_torch_threads`) block both signals, so that the kernel gives them
to the main thread.
`block_held` / `unblock`: the same for a few lines (core/atomic.py's temporary file is
created with them blocked, and they act inside the block that removes it).
`poll`: run the handler of a signal Python has taken but not yet acted on; long loops
(drawing doodles, training batches) call it as they go.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

HELD = (signal.SIGINT, signal.SIGTERM)


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


@contextlib.contextmanager
def held() -> Iterator[list[int]]:
    """SIGINT and SIGTERM do nothing while the block runs but are noted, in the list the
    block gets (in the order they came); the old handlers come back after."""
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return

    def note(signum: int, _frame: Any) -> None:
        came.append(signum)

    old = {}
    try:
        for s in HELD:
            old[s] = signal.signal(s, note)
        yield came
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """SIGINT and SIGTERM that come while the block runs wait until it is over (`held`),
    then act as they would have come after it: the handlers in place then get them."""
    came: list[int] = []
    try:
        with held() as came:
            yield
    finally:
        for signum in dict.fromkeys(came):  # each once, in the order they came
            signal.raise_signal(signum)


PARALLEL_NUMEL = 1 << 17  # over torch's grain size (32,768): an op on it runs in parallel


@contextlib.contextmanager
def threads_block_signals() -> Iterator[None]:
    """Threads started while the block runs (a thread starts with its creator's signal
    mask) block SIGINT and SIGTERM for good, so the kernel gives those to the main
    thread, the one Python acts on; the main thread's mask is as before after it. Only
    from the main thread; elsewhere it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(HELD))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def block_held() -> Any:
    """Block SIGINT and SIGTERM in the main thread (elsewhere nothing) until `unblock`
    with what this returns: a signal that comes meanwhile waits in the kernel. For a
    step that a handler raising in its middle would leave half done (a temporary file
    created, its name not yet returned to the code that removes it)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, set(HELD))


def unblock(mask: Any) -> None:
    """Undo `block_held`: a signal that came meanwhile is acted on in this very call
    (pthread_sigmask checks for signals), so the caller places it where it can clean up."""
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def set_torch_threads(n: int) -> None:
    """torch.set_num_threads(n), the pool's threads started now with SIGINT and SIGTERM
    blocked. A thread that does not block them may be the one the kernel hands a Ctrl-C
    or the TUI's Stop to, and one numpy's BLAS thread took went unnoticed (ui/cli.py's
    `_signals_to_the_main_thread`); the pool starts its threads when n is set and at
    the first parallel op after a larger n, so every command that sets threads sets
    them here."""
    import torch

    with threads_block_signals():
        torch.set_num_threads(n)  # may start a thread itself
        torch.ones(PARALLEL_NUMEL).add_(1)  # a parallel op: the pool's threads start


def poll() -> None:
    """Run now the Python handler of a signal that has come but whose handler has not
    run. CPython 3.11 runs handlers when its eval loop notices a flag, which it can
    miss: a signal a thread other than the main one took never raises the flag for the
    main one (shown in tests/core/test_signals.py). `signal.pthread_sigmask` checks for
    signals taken itself (PyErr_CheckSignals), so a call that changes nothing runs what
    was missed. (A KeyboardInterrupt that code cleared, as numpy.random's start-up did,
    is gone for good: ui/cli.py.) Main thread only; about a microsecond."""
    if threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, ())
