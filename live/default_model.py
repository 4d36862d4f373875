"""The default checkpoint of `frankenstein draw`, chosen in the TUI (Runs tab, F).

A small JSON file in the user config directory (core.paths.config_dir), written
atomically: ``{"model": "frankenstein" | "cnn", "checkpoint": "/abs/path/best.pt"}``.
Without the file `draw` starts with the bundled Frankenstein checkpoint, as before;
`--model` or `--checkpoint` on the command line always win over it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from core.atomic import atomic_write_text
from core.errors import FrankensteinError
from core.paths import config_dir
from live.settings import ModelName

FILE_NAME = "default_model.json"


class DefaultModelError(FrankensteinError):
    """The default-model file cannot be read or written; the message names it."""


class DefaultModel(BaseModel):
    """Which model family and checkpoint `frankenstein draw` starts with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: ModelName
    checkpoint: Path


def default_model_file() -> Path:
    return config_dir() / FILE_NAME


def read_default_model(path: Path | None = None) -> DefaultModel | None:
    """The saved default, or None if none was saved."""
    path = path or default_model_file()
    if not path.is_file():
        return None
    try:
        return DefaultModel.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DefaultModelError(f"{path}: cannot read the default model ({e})") from None
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        raise DefaultModelError(
            f"{path}: not a default-model file ({where}: {err['msg']}); delete it to reset"
        ) from None


def write_default_model(model: ModelName, checkpoint: Path, path: Path | None = None) -> Path:
    """Save `checkpoint` (of `model`) as draw's default; returns the file written."""
    path = path or default_model_file()
    entry = DefaultModel(model=model, checkpoint=Path(checkpoint))
    try:  # makes the folder; a failure is a WriteError, whose strerror says why
        atomic_write_text(path, json.dumps(entry.model_dump(mode="json"), indent=1) + "\n")
    except OSError as e:
        raise DefaultModelError(f"{path}: cannot save the default model ({e.strerror})") from None
    return path


def clear_default_model(path: Path | None = None) -> bool:
    """Forget the saved default (draw goes back to the bundled model); True if one existed."""
    path = path or default_model_file()
    if path.is_file():
        path.unlink()
        return True
    return False
