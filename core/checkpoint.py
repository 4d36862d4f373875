"""Checkpoints: everything needed to rebuild a trained model, as plain data.

A checkpoint is one `torch.save` file holding a dict (format version 1, or 2 for an
ensemble):

    format       "frankenstein-checkpoint"      (tells a checkpoint from other files)
    version      1
    config       ModelConfig as a plain dict    (rebuilds the model exactly)
    classes      list of class names            (must equal core.classes.CLASSES)
    state_dict   weights; float16 when saved with half=True (loaded back as float32)
    half         whether the weights were stored as float16
    temperature  calibration temperature (validation-fitted; 1.0 = uncalibrated)
    stroke_counts  optional (C, K) ints: training drawings per class and stroke count,
                 the ending prior (core/ending.py); absent in older checkpoints
    familiarity  optional: the familiarity statistics and limit (core/familiar.py),
                 float32 tensors and numbers; absent in older checkpoints
    members      version 2, an ensemble (core/ensemble.py) only: per member its
                 ModelConfig and temperature; `config` is then the first member's,
                 `state_dict` the ensemble's (keys "members.<i>.") and `temperature` 1
    meta         training metadata (run name, epoch, seed, data, ...)
    metrics      measured metrics (validation accuracy, ...)
    extra        anything else for resuming (optimiser and scheduler state, RNG, ...)

Everything in it is tensors, numbers, strings, lists and dicts, so it loads with
`torch.load(weights_only=True)`: a checkpoint is data, never code. Writes are atomic
(core/atomic.py), so a crash mid-save leaves the previous file whole. Loading checks
the CRCs the zip holds for each entry (torch.load does not), so damaged bytes are never
loaded as weights. Every problem found on loading is a CheckpointError naming the file
and the problem.
"""

from __future__ import annotations

import math
import pickle
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import ValidationError

from core.atomic import atomic_open
from core.checkpoint_file import BUNDLED as BUNDLED  # told without torch: core/checkpoint_file.py
from core.checkpoint_file import FORMAT, CheckpointError
from core.checkpoint_file import resolve_checkpoint as resolve_checkpoint
from core.classes import CLASSES
from core.ending import EndingPrior, EndingPriorError
from core.ensemble import Ensemble, EnsembleError
from core.familiar import Familiarity, FamiliarityError
from core.modelconfig import ModelConfig
from core.models import SketchModel, build_model

VERSION = 2  # the newest this code reads; plain models are still written as version 1


@dataclass
class Checkpoint:
    """A loaded checkpoint: the model (fp32, eval mode) and what was saved with it."""

    model: SketchModel | Ensemble
    cfg: ModelConfig  # an ensemble's: its first member's
    classes: tuple[str, ...]
    temperature: float = 1.0
    ending: EndingPrior | None = None
    familiarity: Familiarity | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] | None = None
    path: Path | None = None
    half: bool = False  # the weights were stored as float16


def _plain(value: Any, where: str) -> Any:
    """`value` as data torch.load(weights_only=True) accepts; numpy becomes python/torch."""
    if value is None or isinstance(value, bool | int | float | str | torch.Tensor):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        out = [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return out if isinstance(value, list) else tuple(out)
    raise CheckpointError(
        f"cannot store {where} ({type(value).__name__}) in a checkpoint: only tensors, "
        "numbers, strings, lists and dicts load with weights_only=True"
    )


def save_checkpoint(
    path: str | Path,
    model: SketchModel | Ensemble,
    *,
    temperature: float = 1.0,
    meta: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    half: bool = False,
    ending: EndingPrior | None = None,
    familiarity: Familiarity | None = None,
) -> Path:
    """Write `model` and its metadata to `path` atomically; returns the path.

    `half=True` stores floating-point weights as float16 (half the file; they load
    back as float32). `extra` holds resume state such as optimiser state dicts.
    """
    path = Path(path)
    if not (math.isfinite(temperature) and temperature > 0):
        raise CheckpointError(f"{path}: temperature must be a positive number, got {temperature}")
    weights = {}
    for k, v in model.state_dict().items():
        v = v.detach().to("cpu").contiguous()
        if half and v.is_floating_point():
            weights[k] = v.half()
            # past float16's range a weight is stored as infinity, which no load accepts
            if not weights[k].isfinite().all() and v.isfinite().all():
                raise CheckpointError(
                    f"{path}: weight {k} holds values beyond float16's range (+-65504); "
                    "store float32 weights instead (`frankenstein export --full`)"
                )
        else:
            weights[k] = v.clone()
    payload = {
        "format": FORMAT,
        "version": 2 if isinstance(model, Ensemble) else 1,
        "config": model.cfg.model_dump(mode="json"),
        "classes": list(CLASSES),
        "state_dict": weights,
        "half": half,
        "temperature": float(temperature),
        "stroke_counts": None if ending is None else ending.counts.tolist(),
        "familiarity": None
        if familiarity is None
        else _plain(familiarity.to_payload(), "familiarity"),
        "meta": _plain(dict(meta or {}), "meta"),
        "metrics": _plain(dict(metrics or {}), "metrics"),
        "extra": None if extra is None else _plain(dict(extra), "extra"),
    }
    if isinstance(model, Ensemble):
        payload["members"] = [
            {"config": m.cfg.model_dump(mode="json"), "temperature": t}
            for m, t in zip(model.members, model.temperatures, strict=True)
        ]
    with atomic_open(path, "wb") as f:
        torch.save(payload, f)
    return path


def _read(path: Path) -> dict[str, Any]:
    """The raw payload, or a CheckpointError saying why the file is not one."""
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint file")
    if not path.is_file():
        raise CheckpointError(f"{path}: not a file")
    _check_crcs(path)
    try:
        with warnings.catch_warnings():
            # torch warns of a pickle protocol above 2 (any plain pickle named .pt) before
            # refusing it, two lines above the one-line error that says what is wrong
            warnings.filterwarnings("ignore", module=r"torch(\.|$)")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r"Unsupported global: GLOBAL (\S+)", str(e))
        if found:
            raise CheckpointError(
                f"{path}: refused to load: it refers to {found.group(1)}, and a checkpoint "
                "holds only weights and plain data, never code or objects"
            ) from None
        raise CheckpointError(f"{path}: not a checkpoint file (unreadable pickle data)") from None
    except Exception as e:  # any parse failure of untrusted bytes means "not loadable"
        if zipfile.is_zipfile(path) or path.read_bytes()[:2] == b"PK":
            raise CheckpointError(
                f"{path}: truncated or corrupt checkpoint ({_first_line(e)})"
            ) from None
        what = "empty file" if path.stat().st_size == 0 else "not a torch archive"
        raise CheckpointError(f"{path}: not a checkpoint file ({what})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a Frankenstein checkpoint (no {FORMAT!r} header)")
    version = payload.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {version!r} is newer than this code "
            f"reads (<= {VERSION}); update Frankenstein"
        )
    missing = [k for k in ("config", "classes", "state_dict", "temperature") if k not in payload]
    if missing:
        raise CheckpointError(f"{path}: checkpoint lacks {', '.join(missing)}")
    return payload


def _check_crcs(path: Path) -> None:
    """A CheckpointError where an entry of the checkpoint's zip does not match the CRC
    saved with it: torch.load does not check them, so a weight's flipped bytes would load
    as silently wrong weights. Reads the whole file: 3 to 7 ms for the bundled 5 MB
    checkpoint, of a load of some 130 ms; a file that is no zip is left to torch.load."""
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except OSError:  # unreadable: torch.load's turn to say so
        return
    except Exception as e:  # a broken local header, a short entry: the bytes are damaged
        raise CheckpointError(
            f"{path}: truncated or corrupt checkpoint ({_first_line(e)})"
        ) from None
    if bad is not None:
        raise CheckpointError(
            f"{path}: corrupt checkpoint: a CRC mismatch in {bad} (its bytes are not "
            "the ones saved)"
        )


def _first_line(e: BaseException) -> str:
    """The gist of a library error: its first sentence, at most ~100 characters."""
    text = str(e).strip().splitlines()
    gist = text[0].split(". ")[0] if text else ""
    gist = gist if len(gist) <= 100 else gist[:97] + "..."
    return f"{type(e).__name__}: {gist}" if gist else type(e).__name__


def _check_classes(path: Path, classes: Any) -> tuple[str, ...]:
    if not isinstance(classes, list | tuple) or tuple(classes) != CLASSES:
        got = list(classes) if isinstance(classes, list | tuple) else classes
        if isinstance(got, list):
            extra = [c for c in got if c not in CLASSES]
            lacking = [c for c in CLASSES if c not in got]
            detail = (
                f"unknown {extra}, missing {lacking}"
                if extra or lacking
                else "same names in another order"
            )
        else:
            detail = f"got {type(got).__name__}"
        raise CheckpointError(
            f"{path}: the checkpoint's class list does not match this code's ({detail}); "
            "it was trained for other classes"
        )
    return CLASSES


def _load_weights(path: Path, model: SketchModel | Ensemble, state: Any) -> None:
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path}: state_dict is not a dict of tensors")
    expected = model.state_dict()
    lacking = sorted(set(expected) - set(state))
    unknown = sorted(set(state) - set(expected))
    if lacking or unknown:
        raise CheckpointError(
            f"{path}: weights do not match the saved model config "
            f"(missing {lacking[:4]}, unexpected {unknown[:4]})"
        )
    wrong = [
        f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}"
        for k, v in expected.items()
        if state[k].shape != v.shape
    ]
    if wrong:
        raise CheckpointError(f"{path}: weight shapes do not match the config: {wrong[0]}")
    converted = {k: state[k].to(expected[k].dtype) for k in expected}
    bad = [k for k, v in converted.items() if v.is_floating_point() and not v.isfinite().all()]
    if bad:
        raise CheckpointError(f"{path}: weights hold NaN or infinity ({bad[0]})")
    model.load_state_dict(converted)


def _load_ending(path: Path, counts: Any) -> EndingPrior | None:
    if counts is None:
        return None
    try:
        return EndingPrior(counts)
    except EndingPriorError as e:
        raise CheckpointError(f"{path}: bad stroke_counts: {e}") from None


def _load_familiarity(path: Path, raw: Any, cfg: ModelConfig) -> Familiarity | None:
    if raw is None:
        return None
    try:
        familiarity = Familiarity.from_payload(raw)
    except FamiliarityError as e:
        raise CheckpointError(f"{path}: bad familiarity statistics: {e}") from None
    if familiarity.means.shape != (cfg.num_classes, cfg.head_hidden):
        raise CheckpointError(
            f"{path}: familiarity statistics of shape {familiarity.means.shape} do not fit "
            f"the model ({cfg.num_classes} classes, head_hidden={cfg.head_hidden})"
        )
    return familiarity


def _config(path: Path, raw: Any, num_classes: int) -> ModelConfig:
    try:
        cfg = ModelConfig.model_validate(raw)
    except ValidationError as e:
        errs = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'config'}: {err['msg']}" for err in e.errors()
        )
        raise CheckpointError(f"{path}: invalid model config: {errs}") from None
    if cfg.num_classes != num_classes:
        raise CheckpointError(
            f"{path}: config has num_classes={cfg.num_classes} but {num_classes} classes"
        )
    return cfg


def _temperature(path: Path, value: Any) -> float:
    if not isinstance(value, int | float) or not (math.isfinite(value) and value > 0):
        raise CheckpointError(f"{path}: temperature {value!r} is not a positive number")
    return float(value)


def _ensemble(path: Path, members: Any, num_classes: int) -> Ensemble:
    """The untrained ensemble a version-2 checkpoint's `members` describe."""
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and {"config", "temperature"} <= set(m) for m in members
    ):
        raise CheckpointError(f"{path}: members must be a list of {{config, temperature}}")
    models = [build_model(_config(path, m["config"], num_classes)) for m in members]
    temperatures = [_temperature(path, m["temperature"]) for m in members]
    try:
        return Ensemble(models, temperatures)
    except EnsembleError as e:
        raise CheckpointError(f"{path}: {e}") from None


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Load and check a checkpoint; the model comes back in eval mode, float32, on the CPU."""
    path = Path(path)
    payload = _read(path)
    classes = _check_classes(path, payload["classes"])
    cfg = _config(path, payload["config"], len(classes))
    temperature = _temperature(path, payload["temperature"])
    ending = _load_ending(path, payload.get("stroke_counts"))
    familiarity = _load_familiarity(path, payload.get("familiarity"), cfg)
    members = payload.get("members")
    model = build_model(cfg) if members is None else _ensemble(path, members, len(classes))
    _load_weights(path, model, payload["state_dict"])
    model.eval()
    meta, metrics = payload.get("meta") or {}, payload.get("metrics") or {}
    if not isinstance(meta, dict) or not isinstance(metrics, dict):
        raise CheckpointError(f"{path}: meta and metrics must be dicts")
    return Checkpoint(
        model=model,
        cfg=cfg,
        classes=classes,
        temperature=temperature,
        ending=ending,
        familiarity=familiarity,
        meta=meta,
        metrics=metrics,
        extra=payload.get("extra"),
        path=path,
        half=payload.get("half") is True,
    )


def export_checkpoint(
    src: str | Path, dst: str | Path, *, half: bool = True, meta: Mapping[str, Any] | None = None
) -> Path:
    """Copy a checkpoint for shipping: weights (float16 if `half`), config, temperature,
    ending prior, familiarity, meta and metrics, without the resume state (optimiser,
    RNG); written atomically."""
    ckpt = load_checkpoint(src)
    return save_checkpoint(
        dst,
        ckpt.model,
        temperature=ckpt.temperature,
        ending=ckpt.ending,
        familiarity=ckpt.familiarity,
        meta={**ckpt.meta, **(meta or {}), "exported_from": Path(src).name},
        metrics=ckpt.metrics,
        half=half,
    )


def join_checkpoints(ckpts: Sequence[Checkpoint]) -> tuple[Ensemble, EndingPrior | None]:
    """The ensemble of loaded checkpoints and their pooled ending prior (None if a
    member has none); CheckpointError naming the files when they cannot be joined."""
    nested = [str(c.path) for c in ckpts if isinstance(c.model, Ensemble)]
    if nested:
        raise CheckpointError(f"{nested[0]}: already an ensemble; give its members instead")
    names = ", ".join(str(c.path) for c in ckpts)
    try:
        model = Ensemble([c.model for c in ckpts], [c.temperature for c in ckpts])
    except EnsembleError as e:
        raise CheckpointError(f"cannot join {names}: {e}") from None
    endings = [c.ending for c in ckpts]
    if any(e is None for e in endings):
        return model, None
    try:
        return model, EndingPrior.pooled(endings)
    except EndingPriorError as e:
        raise CheckpointError(f"cannot pool the ending priors of {names}: {e}") from None


def export_ensemble(sources: Sequence[str | Path], dst: str | Path, *, half: bool = True) -> Path:
    """Ship several checkpoints of one kind of model as one ensemble checkpoint
    (core/ensemble.py): each member keeps its weights and temperature; the ending prior
    pools the members' stroke counts; written atomically."""
    ckpts = [load_checkpoint(s) for s in sources]
    model, ending = join_checkpoints(ckpts)
    return save_checkpoint(
        dst,
        model,
        ending=ending,
        meta={"members": [{**c.meta, "exported_from": Path(c.path).name} for c in ckpts]},
        metrics={"members": [c.metrics for c in ckpts]},
        half=half,
    )
