"""Shared fixtures: where the real dev doodles live, small drawings to test with."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _ctrl_c_interrupts() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt in every test, as in a terminal, even in a test
    run started in the background (`make test &`), which inherits it ignored: a test
    that raises SIGINT in-process failed there, DID NOT RAISE KeyboardInterrupt."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def find_real_dev(root: Path = ROOT) -> Path:
    """The real dev doodles' folder as the ablation specs find it (core.paths.real_dev_dir:
    `$FRANKENSTEIN_REAL_DEV`, else `shared/data/quickdraw-real-dev` beside the project or
    the working directory or a folder above either), else where it would be beside `root`
    (named by the tests that need it)."""
    from core.paths import REAL_DEV_DIR, real_dev_dir

    return real_dev_dir(root) or root.parent / REAL_DEV_DIR


REAL_DEV = find_real_dev()


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one thread inside, the thread count before it restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def real_dev() -> Path:
    """The 300 real Quick, Draw! doodles (read-only, never trained on)."""
    if not REAL_DEV.is_dir():
        pytest.fail(f"real dev doodles not found at {REAL_DEV}")
    return REAL_DEV


@pytest.fixture(scope="session", autouse=True)
def user_config_dir(tmp_path_factory) -> Path:
    """Tests never read or write the user's own settings (core.paths.config_dir, e.g.
    the default checkpoint of `frankenstein draw`)."""
    path = tmp_path_factory.mktemp("user-config")
    before = os.environ.get("FRANKENSTEIN_CONFIG")
    os.environ["FRANKENSTEIN_CONFIG"] = str(path)
    yield path
    if before is None:
        os.environ.pop("FRANKENSTEIN_CONFIG", None)
    else:
        os.environ["FRANKENSTEIN_CONFIG"] = before
