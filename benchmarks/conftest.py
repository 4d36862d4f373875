"""Benchmarks: `make bench` measures; `make test` runs each once (--benchmark-disable)."""

import pytest

from tests.conftest import REAL_DEV, one_torch_thread


@pytest.fixture(scope="session", autouse=True)
def torch_on_one_thread():
    """Every benchmark runs torch on one thread, as the window and training do."""
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def real_drawings():
    from core.strokes import iter_ndjson

    files = sorted((REAL_DEV / "simplified").glob("*.ndjson"))
    if not files:
        pytest.fail(f"real dev doodles not found at {REAL_DEV}")
    return [d for f in files for d in iter_ndjson(f)]
