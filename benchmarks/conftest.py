"""Benchmarks: `make bench` measures; `make test` runs each once (--benchmark-disable)."""

import pytest

from tests.conftest import REAL_DEV


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Every benchmark runs torch on one thread, as the window and training do."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def real_drawings():
    from core.strokes import iter_ndjson

    files = sorted((REAL_DEV / "simplified").glob("*.ndjson"))
    if not files:
        pytest.fail(f"real dev doodles not found at {REAL_DEV}")
    return [d for f in files for d in iter_ndjson(f)]
