"""Ctrl-C (SIGINT) and SIGTERM (`kill`, a supervisor) in the middle of a command's work,
in a real process: either is "frankenstein: interrupted" and exit status 130, with no
traceback, and leaves no half-written output, nor a temporary file (ui/cli.py). Each
signal comes at a chosen moment of the command, sent by the process to itself
(tests/signal_at.py), so no test waits on a clock. Export and calibrate: in
tests/test_ctrl_c_at_exit.py and tests/training/test_calibrate.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHILD = Path(__file__).with_name("signal_at.py")
SIGNALS = pytest.mark.parametrize("sig", ["INT", "TERM"], ids=["SIGINT", "SIGTERM"])


def _run(sig: str, when: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), sig, when, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def _interrupted(r: subprocess.CompletedProcess) -> None:
    """Exit status 130 and the one line on stderr, last, with no traceback."""
    assert r.returncode == 130, r.stderr
    assert r.stderr.endswith("frankenstein: interrupted\n"), r.stderr
    assert r.stderr.count("frankenstein: interrupted") == 1
    assert "Traceback" not in r.stderr


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@SIGNALS
@pytest.mark.parametrize("when", ["replay", "rename:report.json"])
def test_eval_stopped_mid_replay_or_as_it_writes_leaves_no_report(tmp_path, real_dev, sig, when):
    out = tmp_path / "out"
    r = _run(
        sig,
        when,
        "eval",
        "--model",
        "cnn",
        "--data",
        str(real_dev / "simplified"),
        "--limit",
        "2",
        "--json",
        str(out / "report.json"),
        "--plots",
        str(out / "plots"),
    )
    _interrupted(r)
    assert _files(tmp_path) == []  # no report, no figure, no .report.json.*.tmp
    if when == "replay":
        assert r.stdout == ""  # stopped before the report
    else:
        assert "accuracy after k strokes" in r.stdout  # printed, then stopped writing it


@SIGNALS
def test_data_templates_stopped_as_it_writes_leaves_no_png(tmp_path, sig):
    r = _run(sig, "rename:sheet.png", "data", "templates", "--out", str(tmp_path / "sheet.png"))
    _interrupted(r)
    assert (r.stdout, _files(tmp_path)) == ("", [])


HEADLESS = {"PYGLET_HEADLESS": "1"}


@SIGNALS
def test_the_drawing_window_closes_on_a_signal(sig):
    _interrupted(_run(sig, "window", "draw", "--model", "cnn", env=HEADLESS))
