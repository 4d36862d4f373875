"""The wheel `pip install .` makes holds every file of the packages the code reads: the
modules, and the data files (the TUI's stylesheet, the bundled weights, the shipped
ablation specs, the training recipes).

The list is taken from the source tree (git's files under the packages pyproject.toml
ships, less the repository's own records), so a new data file that no package-data
pattern picks up, or a folder of modules without an __init__.py, fails here, not at a
user's first run of an install (the stylesheet's pattern matched ui/*.tcss only, and an
installed `frankenstein tui` could not start)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Files under the packages that are the repository's records, not read by an install:
# the studies' tables and plots (README's figures), generator changes kept as patches.
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
def wheel(tmp_path_factory) -> set[str]:
    """The names in a wheel built from a copy of the tracked sources (the build writes
    build/ and an .egg-info next to pyproject.toml: not into the checkout)."""
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
    with zipfile.ZipFile(built) as z:
        return set(z.namelist())


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
