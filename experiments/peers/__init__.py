"""Classical recognisers evaluated beside the trained models, as rows of a study's table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def evaluate_peer(
    name: str, eval_dir: Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """The peer's report on a directory of <class>.ndjson (keys as in results.peer_row)."""
    if name == "dollar_p":
        from experiments.peers.dollar_p import evaluate_directory

        return evaluate_directory(eval_dir, progress=progress)
    from experiments.spec import SpecError

    raise SpecError(f"unknown peer {name!r}")
