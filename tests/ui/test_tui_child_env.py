"""The environment of the TUI's children (training, ablations, data, the drawing
window): a checkout's code first on their path, so they run the TUI's code from any
folder; an install's site-packages left where the interpreter puts it, after the
standard library (tests/test_wheel.py has the installed TUI's children)."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

from core.childenv import child_env
from tests.conftest import ROOT


def test_a_checkout_comes_first_on_the_childrens_path(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert child_env()["PYTHONPATH"] == f"{ROOT}{os.pathsep}/elsewhere"
    monkeypatch.delenv("PYTHONPATH")
    assert child_env()["PYTHONPATH"] == str(ROOT)


def test_a_site_packages_folder_is_not_put_on_the_childrens_path(monkeypatch):
    site_dir = Path(sysconfig.get_paths()["purelib"])
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert "PYTHONPATH" not in child_env(site_dir)
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert child_env(site_dir)["PYTHONPATH"] == "/elsewhere"
