"""Shared fixtures: where the real dev doodles live, small drawings to test with."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DEV = ROOT.parent / "shared" / "data" / "quickdraw-real-dev"


@pytest.fixture(scope="session")
def real_dev() -> Path:
    """The 300 real Quick, Draw! doodles (read-only, never trained on)."""
    if not REAL_DEV.is_dir():
        pytest.fail(f"real dev doodles not found at {REAL_DEV}")
    return REAL_DEV
