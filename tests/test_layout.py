"""The import direction of ARCHITECTURE.md, checked on every module's source."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "training", "experiments", "live", "ui")
ALLOWED = {
    "core": set(),
    "training": {"core"},
    "experiments": {"training", "core"},
    "live": {"core"},
    "ui": {"experiments", "training", "live", "core"},
}
FORBIDDEN_IN_CORE = {"pyglet", "textual"}
# Probes (`python -m experiments.probes.NAME`) measure any surface, the window's
# controller too (how it fits or snaps real doodles and scribbles, placed as `draw
# --score` places them), and nothing imports them, so the direction stays one way.
PROBES = ROOT / "experiments" / "probes"
ALLOWED_IN_PROBES = {"live"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"package {package} is missing"
    for f in files:
        used = _imports(f)
        allowed = ALLOWED[package] | (ALLOWED_IN_PROBES if PROBES in f.parents else set())
        wrong = (used & set(PACKAGES)) - allowed - {package}
        assert not wrong, f"{f.relative_to(ROOT)} imports {sorted(wrong)}"
        if package == "core":
            ui_libs = used & FORBIDDEN_IN_CORE
            assert not ui_libs, f"{f.relative_to(ROOT)} imports {sorted(ui_libs)}"


def test_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import pyglet\nfrom training.synth import x\n")
    assert {"pyglet", "training"} <= _imports(bad)


def test_nothing_imports_a_probe():
    """A probe may import live (ALLOWED_IN_PROBES) because it is a leaf: were a module
    of experiments to import one, experiments would import live through it."""
    for package in PACKAGES:
        for f in sorted((ROOT / package).rglob("*.py")):
            if PROBES in f.parents:
                continue
            tree = ast.parse(f.read_text(), filename=str(f))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                probes = [n for n in names if n.startswith("experiments.probes")]
                assert not probes, f"{f.relative_to(ROOT)} imports {probes}"
