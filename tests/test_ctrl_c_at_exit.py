"""Ctrl-C at any moment of `frankenstein export`, in a real process: exit status 130
and one line, and OUT either whole or not there (ui/shutdown.py, core/atomic.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from ui.cli import main

CHILD = Path(__file__).with_name("export_ctrl_c.py")
SOURCE = Path(__file__).resolve().parents[1] / "core" / "weights" / "cnn.pt"


def _export_with_ctrl_c(when: str, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), when, str(SOURCE), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("when", ["after", "shutdown"])
def test_ctrl_c_after_the_export_is_130_and_one_line_and_the_file_is_whole(tmp_path, when):
    out = tmp_path / "out.pt"
    r = _export_with_ctrl_c(when, out)
    assert (r.returncode, r.stderr) == (130, "frankenstein: interrupted\n")
    assert r.stdout.startswith(f"{SOURCE} -> {out} (")  # its work was done and said
    assert main(["export", str(SOURCE), str(tmp_path / "unbroken.pt")]) == 0
    assert out.read_bytes() == (tmp_path / "unbroken.pt").read_bytes()


def test_ctrl_c_while_the_export_writes_leaves_no_file(tmp_path):
    out = tmp_path / "out.pt"
    r = _export_with_ctrl_c("writing", out)
    assert (r.returncode, r.stderr, r.stdout) == (130, "frankenstein: interrupted\n", "")
    assert list(tmp_path.iterdir()) == []  # neither OUT nor its temporary file
