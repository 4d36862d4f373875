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
        wrong = (used & set(PACKAGES)) - ALLOWED[package] - {package}
        assert not wrong, f"{f.relative_to(ROOT)} imports {sorted(wrong)}"
        if package == "core":
            ui_libs = used & FORBIDDEN_IN_CORE
            assert not ui_libs, f"{f.relative_to(ROOT)} imports {sorted(ui_libs)}"


def test_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import pyglet\nfrom training.synth import x\n")
    assert {"pyglet", "training"} <= _imports(bad)
