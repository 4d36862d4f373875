"""A checkpoint's file, told without torch: where a name or a run folder points, and
the model family the file holds.

`frankenstein draw` opens its window before it imports torch and loads the model
(2 s and more), so what can be known of a `--checkpoint` before that is read here:
`resolve_checkpoint` (a bundled name, a run folder's best.pt, a path: missing is an
error) and `held_model`, which also refuses a file it cannot read and returns the
`config.arch` of the checkpoint's header, or None where the file does not say (it is
not a checkpoint, or a broken one: the load that follows says what is wrong).

A checkpoint is a `torch.save` zip (core/checkpoint.py); its `data.pkl` holds the
payload, the weights being separate entries. It is unpickled here with every global
it names turned into an inert stand-in and every tensor's storage left out, so nothing
in it is imported or run: about 1 ms for the bundled checkpoints.
"""

from __future__ import annotations

import difflib
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from core.errors import FrankensteinError
from core.paths import WEIGHTS_DIR

FORMAT = "frankenstein-checkpoint"
BUNDLED = ("frankenstein", "cnn")  # core/weights/<name>.pt, shipped with the package


class CheckpointError(FrankensteinError):
    """A checkpoint that is missing, truncated, foreign or does not match this code."""


def resolve_checkpoint(name_or_path: str | Path) -> Path:
    """`frankenstein` / `cnn` -> the bundled core/weights/<name>.pt; a run folder -> its
    best.pt (else last.pt); anything else is a path. Raises CheckpointError if missing,
    or if empty: Path("") is ".", and the current folder's best.pt would be taken."""
    text = str(name_or_path)
    if not text.strip():
        raise CheckpointError(
            f"an empty path ({text!r}): name a checkpoint, a run folder, or one of "
            f"{', '.join(BUNDLED)}"
        )
    if text in BUNDLED:
        bundled = WEIGHTS_DIR / f"{text}.pt"
        if not bundled.is_file():
            raise CheckpointError(
                f"{bundled}: the bundled {text!r} checkpoint is missing; train one with "
                f"`frankenstein train` and pass its path instead"
            )
        return bundled
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        for name in ("best.pt", "last.pt"):
            if (path / name).is_file():
                return path / name
        raise CheckpointError(f"{path}: a folder with no best.pt or last.pt in it")
    if not path.is_file():
        close = difflib.get_close_matches(text, BUNDLED, n=1) if path.suffix != ".pt" else []
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise CheckpointError(
            f"{path}: no such checkpoint ({hint}give a file, a run folder, or one of "
            f"{', '.join(BUNDLED)})"
        )
    return path


def held_model(name_or_path: str | Path) -> str | None:
    """The model family ("frankenstein" or "cnn") the checkpoint holds, read without
    torch; None if its file does not say. CheckpointError if there is no such
    checkpoint (`resolve_checkpoint`) or its file cannot be read."""
    path = resolve_checkpoint(name_or_path)
    try:
        f = path.open("rb")
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read the checkpoint ({e.strerror})") from None
    with f:
        arch = _config(f).get("arch")
    return arch if arch in BUNDLED else None


def _config(f: BinaryIO) -> dict:
    """The `config` of the checkpoint in file `f`, read without its tensors; {} if the
    file is not a checkpoint or holds none."""
    try:
        with zipfile.ZipFile(f) as archive:
            pickled = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if len(pickled) != 1:
                return {}
            payload = _Inert(io.BytesIO(archive.read(pickled[0]))).load()
    except Exception:  # any parse failure of untrusted bytes: the load will say why
        return {}
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return {}
    config = payload.get("config")
    return config if isinstance(config, dict) else {}


class _Stand(dict):
    """What every global of the pickle becomes (a tensor, a storage's type, an
    OrderedDict): takes any arguments and state, holds nothing of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def __setstate__(self, state: Any) -> None:
        pass


class _Inert(pickle.Unpickler):
    """Unpickles plain data; imports nothing, loads no tensor data."""

    def find_class(self, module: str, name: str) -> type:
        return _Stand

    def persistent_load(self, pid: Any) -> None:
        return None
