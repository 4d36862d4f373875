"""Ctrl-C (SIGINT) and SIGTERM (`kill`, a supervisor) in the middle of a command's work,
in a real process: either is "frankenstein: interrupted" and exit status 130, with no
traceback, and leaves no half-written output, nor a temporary file (ui/cli.py). Each
signal comes at a chosen moment of the command, sent by the process to itself
(tests/signal_at.py), so no test waits on a clock. Export and calibrate: in
tests/test_ctrl_c_at_exit.py and tests/training/test_calibrate.py."""

import os
import signal
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


@SIGNALS
@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_a_signal_as_the_parser_is_built_interrupts_in_one_line(tmp_path, sig, inherited):
    """The first tenths of a second of any command build its parser, importing every
    command module: a Ctrl-C there printed a KeyboardInterrupt traceback and killed the
    process by the signal, a SIGTERM killed it silently, and a process that inherited
    SIGINT ignored (`cmd &` in a script) dropped a Ctrl-C there and ran the command."""
    ignore = inherited == "ignored"
    r = subprocess.run(
        [sys.executable, str(CHILD), sig, "parser", "runs"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "FRANKENSTEIN_RUNS": str(tmp_path)},
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore else None,
    )
    _interrupted(r)
    assert r.stdout == ""  # the command never ran


HEADLESS = {"PYGLET_HEADLESS": "1"}


@SIGNALS
def test_the_drawing_window_closes_on_a_signal(sig):
    _interrupted(_run(sig, "window", "draw", "--model", "cnn", env=HEADLESS))


@SIGNALS
@pytest.mark.parametrize("nth", [1, 2], ids=["raw", "simplified"])
def test_a_signal_while_the_window_saves_waits_until_the_save_is_whole(
    tmp_path, real_dev, sig, nth
):
    """The save replaces raw/<word>.ndjson, then simplified/<word>.ndjson: a signal
    as either is about to be renamed into place waits until both are in, then closes
    the window (it used to leave the raw file saved and the simplified one not)."""
    saved = tmp_path / "saved"
    r = _run(
        sig,
        f"save:{nth}",
        "draw",
        "--model",
        "cnn",
        "--replay",
        str(real_dev / "simplified" / "circle.ndjson"),
        "--limit",
        "1",
        "--save-dir",
        str(saved),
        env=HEADLESS,
    )
    _interrupted(r)
    files = [f for f in _files(saved) if f != ".save.lock"]
    assert len(files) == 2 and {Path(f).parent.name for f in files} == {"raw", "simplified"}
    assert Path(files[0]).name == Path(files[1]).name  # one word, in each format
    for f in files:
        assert len((saved / f).read_text().splitlines()) == 1  # the one doodle, whole
