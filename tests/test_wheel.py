"""The wheel `pip install .` makes holds every file of the packages the code reads: the
modules, and the data files (the TUI's stylesheet, the bundled weights, the shipped
ablation specs, the training recipes).

The list is taken from the source tree (git's files under the packages pyproject.toml
ships, less the repository's own records), so a new data file that no package-data
pattern picks up, or a folder of modules without an __init__.py, fails here, not at a
user's first run of an install (the stylesheet's pattern matched ui/*.tcss only, and an
installed `frankenstein tui` could not start)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Files under the packages that are the repository's records, not read by an install:
# the studies' tables and plots (docs/experiments.md's figures), generator changes kept as patches.
NOT_SHIPPED = ("experiments/results/", "experiments/patches/")


def shipped_packages() -> list[str]:
    """The top-level packages of pyproject's `packages.find` (core, training, ...)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in include})


def source_files() -> list[str]:
    """The files git keeps under the shipped packages (no caches, no local runs)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", *shipped_packages()],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the source tree's files are not known")
    return [f for f in out.decode().split("\0") if f]


def installed_files(files: list[str]) -> set[str]:
    """The files an install needs: all but the records and git's folder keepers."""
    return {
        f
        for f in files
        if not f.startswith(NOT_SHIPPED) and Path(f).name != ".gitkeep"  # read by nothing
    }


@pytest.fixture(scope="module")
def wheel_file(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tracked sources (the build writes build/ and an
    .egg-info next to pyproject.toml: not into the checkout)."""
    src = tmp_path_factory.mktemp("src")
    for f in ["pyproject.toml", "README.md", *source_files()]:
        (src / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, src / f)  # a symlink's target, as pip would read it
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*cmd, "--no-index", "--quiet", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel(wheel_file) -> set[str]:
    """The names in the wheel."""
    with zipfile.ZipFile(wheel_file) as z:
        return set(z.namelist())


@pytest.fixture(scope="module")
def installed(wheel_file, tmp_path_factory) -> Path:
    """The python of a new virtual environment with the wheel installed (not editable),
    which finds the other requirements (pydantic, textual, ...) in ours, after its own
    site-packages, as a .pth file adds them."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_dir = subprocess.run([python, "-c", where], capture_output=True, text=True, check=True)
    ours = sysconfig.get_paths()["purelib"]
    (Path(site_dir.stdout.strip()) / "requirements.pth").write_text(ours + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    done = subprocess.run(
        [*pip, "--no-deps", "--no-index", str(wheel_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return python


@pytest.mark.slow
def test_the_wheel_holds_every_file_of_the_packages(wheel):
    wanted = installed_files(source_files())
    assert {"ui/tui/app.tcss", "ui/cli.py"} <= wanted  # the list is the tree's
    missing = sorted(wanted - wheel)
    assert not missing, (
        f"not in the wheel (a package-data pattern or an __init__.py missing): {missing}"
    )


def test_the_records_left_out_are_in_the_tree():
    """Each NOT_SHIPPED prefix still names files (a renamed folder would otherwise
    quietly leave its files out of the check)."""
    files = source_files()
    for prefix in NOT_SHIPPED:
        assert any(f.startswith(prefix) for f in files), prefix


# In the install: the path of a child the TUI starts (a training, an ablation)
CHILDS_PATH = """
import json, subprocess, sys
from core.childenv import child_env
child = "import json, os, sys, ui; print(json.dumps([sys.path, os.__file__, ui.__file__]))"
env = child_env()
out = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True)
print(json.dumps([env.get("PYTHONPATH"), *json.loads(out.stdout)]))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="the venv's python is bin/python")
def test_an_installed_tuis_children_have_the_standard_library_before_site_packages(
    installed, tmp_path
):
    """child_env put the package's folder first on PYTHONPATH, for a checkout's children
    wherever they run; an install's folder is site-packages, which then came before
    the standard library in every child (a PyPI package named like a standard module
    would have shadowed it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [installed, "-c", CHILDS_PATH], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    pythonpath, path, stdlib_os, ui_file = json.loads(done.stdout)
    site_dir = Path(ui_file).parents[1]
    assert site_dir.parent.parent.parent == installed.parent.parent  # venv/lib/pythonX/...
    assert pythonpath is None  # as the TUI's own
    entries = [Path(p) for p in path]
    assert entries.index(Path(stdlib_os).parent) < entries.index(site_dir)
