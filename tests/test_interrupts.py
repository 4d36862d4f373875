"""Ctrl-C (SIGINT) and SIGTERM (`kill`, a supervisor) in the middle of a command's work,
in a real process: either is "frankenstein: interrupted" and exit status 130, with no
traceback, and leaves no half-written output, nor a temporary file (ui/cli.py). Each
signal comes at a chosen moment of the command, sent by the process to itself
(tests/signal_at.py), so no test waits on a clock. Export and calibrate: in
tests/test_ctrl_c_at_exit.py and tests/training/test_calibrate.py."""

import json
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


def _eval(sig: str, when: str, out: Path, real_dev: Path) -> subprocess.CompletedProcess:
    """`eval --json out/report.json --plots out/plots` of 2 doodles a class, stopped."""
    return _run(
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


OUTPUTS = [
    "out/plots/accuracy_at_stroke.png",
    "out/plots/confusion.png",
    "out/plots/snap_sweep.png",
    "out/plots/wrong_snaps.png",
    "out/report.json",
]


@SIGNALS
@pytest.mark.parametrize("when", ["replay", "figure:2"])
def test_eval_stopped_before_its_outputs_are_all_made_writes_none(tmp_path, real_dev, sig, when):
    """figure:2: the report made and printed, two of its four figures drawn: the report
    was written already then, and the first figures beside it (an empty --plots folder,
    when stopped as matplotlib loaded)."""
    r = _eval(sig, when, tmp_path / "out", real_dev)
    _interrupted(r)
    assert list(tmp_path.rglob("*")) == []  # no report, no figure, no temporary, no folder
    if when == "replay":
        assert r.stdout == ""  # stopped before the report
    else:
        assert "accuracy after k strokes" in r.stdout  # printed, then stopped drawing
        assert "written to" not in r.stdout


@SIGNALS
@pytest.mark.parametrize("when", ["rename:report.json", "rename:snap_sweep.png"])
def test_eval_stopped_as_it_moves_its_outputs_in_moves_them_all(tmp_path, real_dev, sig, when):
    """The report and figures are moved into place together, a moment: a signal then
    waits until all are in, and then stops the command."""
    r = _eval(sig, when, tmp_path / "out", real_dev)
    _interrupted(r)
    assert _files(tmp_path) == OUTPUTS  # and no .report.json.*.new
    assert json.loads((tmp_path / "out" / "report.json").read_text())["n"] > 0


def test_eval_stopped_drawing_its_figures_leaves_the_last_outputs_as_they_were(tmp_path, real_dev):
    """An eval into the folders of an earlier one, stopped among its figures, leaves
    the earlier report and figures, not some of each."""
    out = tmp_path / "out"
    (out / "plots").mkdir(parents=True)
    earlier = {name: f"earlier {name}".encode() for name in OUTPUTS}
    for name, data in earlier.items():
        (tmp_path / name).write_bytes(data)
    _interrupted(_eval("INT", "figure:3", out, real_dev))
    assert {name: (tmp_path / name).read_bytes() for name in _files(tmp_path)} == earlier


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
