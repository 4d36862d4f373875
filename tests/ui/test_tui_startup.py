"""The TUI starts without torch: naming and checking models (the Train tab's form, an
ablation spec) needs only core.modelconfig, and torch would add a second and more to
every start. Run in a fresh interpreter, as `frankenstein tui` is."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
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


def test_a_runs_or_data_folder_that_is_not_there_is_refused_before_the_app_opens(
    tmp_path, monkeypatch, capsys
):
    """`--runs runz` opened on "no runs in runz/ yet" (and a run trained then made it),
    while `frankenstein runs --runs runz` says there is no such folder: one line, exit
    status 2, and no app. The defaults, absent, still open it."""
    import ui.tui.app
    from ui.cli import main

    opened: list[dict] = []

    class NotRun:  # the app, recorded instead of run
        def __init__(self, **kwargs):
            opened.append(kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ui.tui.app, "create_app", NotRun)
    monkeypatch.setattr("ui.commands.tui.run_quitting_on_signals", lambda app: None)
    (tmp_path / "runs").mkdir()
    (tmp_path / "afile").write_text("")
    refused = {
        ("--runs", "runz"): "--runs runz: no such folder",
        ("--data", "dta"): "--data dta: no such folder",
        ("--runs", "afile"): "--runs afile: not a folder",
        ("--runs", "runs", "--data", "afile"): "--data afile: not a folder",
    }
    for args, error in refused.items():
        assert main(["tui", *args]) == 2
        assert capsys.readouterr().err == f"frankenstein: error: {error}\n"
    assert opened == []
    assert main(["tui", "--runs", "runs"]) == 0
    monkeypatch.chdir(tmp_path / "runs")  # no runs/ or data/ here: made on first use
    assert main(["tui"]) == 0
    assert len(opened) == 2
