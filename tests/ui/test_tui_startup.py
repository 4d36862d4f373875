"""The TUI starts without torch: naming and checking models (the Train tab's form, an
ablation spec) needs only core.modelconfig, and torch would add a second and more to
every start. Run in a fresh interpreter, as `frankenstein tui` is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.ui.test_tui_signals import Tui
from tests.ui.tui_helpers import make_data, make_run


def test_every_tab_is_shown_without_importing_torch(tmp_path):
    make_run(tmp_path / "runs", "lstm", val_accs=(0.5, 0.8))
    make_data(tmp_path / "data")
    out = subprocess.run(
        [sys.executable, "-m", "tests.ui.tui_first_screen", "runs", "data", "--tabs"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["last_tab"] == "runs"  # the four tabs were shown in turn
    assert report["torch"] is False


def test_a_runs_or_data_path_that_is_a_file_is_refused_before_the_app_opens(
    tmp_path, monkeypatch, capsys
):
    """A file for --runs or --data: one line, exit status 2, and no app (every tab said
    so). A folder not there yet opens it, as the defaults do: made on first use."""
    import ui.tui.app
    from ui.cli import main

    opened: list[dict] = []

    class NotRun:  # the app, recorded instead of run
        return_code = 0  # as a run app's after Ctrl+Q

        def __init__(self, **kwargs):
            opened.append(kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ui.tui.app, "create_app", NotRun)
    monkeypatch.setattr("ui.commands.tui.run_quitting_on_signals", lambda app: None)
    (tmp_path / "afile").write_text("")
    refused = {
        ("--runs", "afile"): "--runs afile: not a folder",
        ("--runs", "runs", "--data", "afile"): "--data afile: not a folder",
        ("--specs", "afile"): "--specs afile: not a folder",
        ("--studies", "afile"): "--studies afile: not a folder",
    }
    for args, error in refused.items():
        assert main(["tui", *args]) == 2
        assert capsys.readouterr().err == f"frankenstein: error: {error}\n"
    assert opened == []
    assert main(["tui", "--runs", "new-runs", "--data", "new-data"]) == 0
    assert main(["tui"]) == 0
    assert [(o["runs"], o["data"]) for o in opened] == [
        (Path("new-runs"), Path("new-data")),
        (None, None),
    ]


def test_a_dumb_terminal_is_told_why_the_tui_does_not_open(tmp_path):
    """Under TERM=dumb Textual draws all the same (it does not read TERM): the terminal
    showed escape codes and no word of why. Refused in one line, exit status 2, with
    what to do; the app never starts (no alternate screen, no footer)."""
    tui = Tui([sys.executable, "-m", "ui.cli", "tui", "--runs", "runs"], tmp_path, term="dumb")
    try:
        tui.read_until(lambda: b"Quit" in tui.out or tui.proc.poll() is not None)
        code = tui.end() if b"Quit" not in tui.out else None
    finally:
        tui.close()
    assert code == 2, tui.out[-500:]
    text = tui.out.decode().replace("\r\n", " ")
    assert text.startswith("frankenstein: error: TERM=dumb: this terminal cannot draw the TUI")
    assert "TERM=xterm-256color frankenstein tui" in text
    assert b"\x1b" not in tui.out
