"""Ctrl-C or SIGTERM at any moment of `frankenstein export`, in a real process: exit
status 130 and one line, and OUT either whole or not there (ui/shutdown.py,
core/atomic.py)."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ui.cli import main

CHILD = Path(__file__).with_name("signal_at.py")
SOURCE = Path(__file__).resolve().parents[1] / "core" / "weights" / "cnn.pt"
SIGNALS = pytest.mark.parametrize("sig", ["INT", "TERM"], ids=["SIGINT", "SIGTERM"])


def _export_with_signal(sig: str, when: str, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), sig, when, "export", str(SOURCE), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@SIGNALS
@pytest.mark.parametrize("when", ["after", "shutdown"])
def test_a_signal_after_the_export_is_130_and_one_line_and_the_file_is_whole(tmp_path, sig, when):
    out = tmp_path / "out.pt"
    r = _export_with_signal(sig, when, out)
    assert (r.returncode, r.stderr) == (130, "frankenstein: interrupted\n")
    assert r.stdout.startswith(f"{SOURCE} -> {out} (")  # its work was done and said
    assert main(["export", str(SOURCE), str(tmp_path / "unbroken.pt")]) == 0
    assert out.read_bytes() == (tmp_path / "unbroken.pt").read_bytes()


@SIGNALS
def test_a_signal_while_the_export_writes_leaves_no_file(tmp_path, sig):
    out = tmp_path / "out.pt"
    r = _export_with_signal(sig, "rename:out.pt", out)  # written whole, not yet renamed
    assert (r.returncode, r.stderr, r.stdout) == (130, "frankenstein: interrupted\n", "")
    assert list(tmp_path.iterdir()) == []  # neither OUT nor its temporary file


def test_sigterm_outside_a_command_is_as_it_was(tmp_path):
    """main() run in a process (the tests') leaves its SIGTERM handler as it found it."""
    before = signal.getsignal(signal.SIGTERM)
    assert main(["export", str(SOURCE), str(tmp_path / "out.pt")]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
