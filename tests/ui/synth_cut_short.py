"""`frankenstein data synth` that sends itself a real signal in the middle of moving its
finished files into --out, for the tests of a run cut short there (a kill from outside
lands in those few microseconds only by chance).

    python -m tests.ui.synth_cut_short STEP N SIGNAL -- <data synth arguments>

STEP is `replace` (after the N-th file renamed into --out) or `unlink` (after the N-th
file removed from --out, which --replace does last; hidden files, such as the probe of
whether --out takes new files, do not count); SIGNAL is KILL, INT or TERM, sent
to this process with os.kill. Everything else is the real command.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    step, n, name, dashes, *argv = sys.argv[1:]
    assert step in ("replace", "unlink") and dashes == "--", sys.argv
    sig = getattr(signal, f"SIG{name}")
    out = os.path.realpath(argv[argv.index("--out") + 1])
    real = getattr(os, step)
    done = 0

    def then_signal(path, *rest, **kwargs):
        nonlocal done
        result = real(path, *rest, **kwargs)
        into = os.fspath(rest[0] if step == "replace" else path)
        if os.path.dirname(into) == out and not os.path.basename(into).startswith("."):
            done += 1
            if done == int(n):
                os.kill(os.getpid(), sig)
        return result

    setattr(os, step, then_signal)
    from ui.cli import main as cli

    return cli(["data", "synth", *argv])


if __name__ == "__main__":
    sys.exit(main())
