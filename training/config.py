"""The configuration of a training run: one frozen pydantic object, saved with the run.

`TrainConfig` is read from a TOML or JSON file and/or `key=value` overrides with
dotted keys (`augment.rotate=10`, `model=cnn`, `data.sources=["synthetic"]`); values
are parsed as JSON where they parse, else taken as strings. Unknown keys are an error
that names the key and suggests the closest known one; invalid values give one line
per field. The resolved config (with the run name filled in) is written to the run
folder as `config.json`, and `--resume` reads it back.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core.errors import FrankensteinError, did_you_mean, setting_problem
from core.paths import runs_dir

SYNTHETIC = "synthetic"  # the data source generated on the fly by training.synth
MAX_LR = 1e30  # optim.lr's most (OptimSection)
SEEDS = 2**32  # seeds are 0 .. SEEDS - 1, which python, numpy and torch all take
RECIPES_DIR = Path(__file__).resolve().parent / "recipes"  # the shipped recipes, by name


class ConfigError(FrankensteinError, ValueError):
    """A bad config file, key or value; the message names it."""


_FOLDER_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_folder_name(name: str, what: str = "") -> str:
    """`name`, if it names a folder safely in any shell and file system (letters,
    digits, '.', '_', '-'; not starting with '.' or '-'): study and variant names,
    which the ablation runner also writes into commands and file names; else a
    ValueError."""
    if not _FOLDER_SAFE.match(name):
        raise ValueError(f"{what}{name!r} is not folder-safe (letters, digits, '.', '_', '-')")
    return name


def check_run_name(name: str) -> str:
    """`name`, if it is one folder in out_dir: no path separator, not hidden or an
    option ('.', '-' first), no control characters or spaces at its ends; else a
    ValueError. Looser than `check_folder_name`, so that runs named before the check
    (`lr=1e-3`, `run (2)`, `café`) still resume."""
    bad = (
        not name
        or name != name.strip()
        or name[0] in ".-"
        or any(c in name for c in "/\\")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    )
    if bad:
        raise ValueError(
            f"{name!r} is not one folder name (no '/' or '\\', not starting with '.' or '-', "
            "no spaces at its ends)"
        )
    return name


def check_path(path: str) -> str:
    """`path`, if not empty: Path("") is ".", the current folder, where `out_dir=''` put
    its run; refused as the command line's path arguments are (ui/parser.py)."""
    if not path.strip():
        raise ValueError(f"an empty path ({path!r}): name a folder")
    return path


class _Section(BaseModel):
    # allow_inf_nan=False: pydantic takes "inf" (and 1e400, which JSON reads as inf) for
    # a float, and a bound such as lr > 0 holds for it; NaN only failed its bounds
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        """A number setting takes a number, a whole-number one a whole number: pydantic's
        lax mode read `epochs = true` as 1, "2" as 2 and 2.0 as 2 (the TUI's form already
        refused them; a config file or key=value did not)."""
        kinds = _number_kinds(cls.model_fields[info.field_name].annotation)
        if not kinds or v is None:
            return v
        if isinstance(v, bool | str):
            raise ValueError(f"a number, not {v!r}")
        if kinds == {int} and isinstance(v, float):
            raise ValueError(f"a whole number, not {v!r}")
        return v


def _number_kinds(annotation: Any) -> set[type]:
    """{int}, {float} or both for a number field (None allowed or not); else empty."""
    args = typing.get_args(annotation) if typing.get_origin(annotation) in _UNIONS else ()
    kinds = {a for a in (args or (annotation,)) if a in (int, float)}
    others = {a for a in args if a not in (int, float, type(None))}
    return set() if others else kinds


_UNIONS = (typing.Union, types.UnionType)


class ModelSection(_Section):
    """Which registered model (core.modelconfig.MODELS) to train, with field overrides."""

    name: str = "frankenstein"
    overrides: dict[str, Any] = Field(default_factory=dict)


class DataSection(_Section):
    """Where the drawings come from and how they are served."""

    # Each source is a directory of <class>.ndjson files, or "synthetic": fresh
    # generated doodles every epoch (per_class a class), with fixed val/test sets.
    sources: tuple[str, ...] = (SYNTHETIC,)
    per_class: int = Field(2000, ge=1)  # synthetic: training drawings a class per epoch
    eval_per_class: int = Field(100, ge=1)  # synthetic: fixed val set and test set, each
    eval_seed: int = Field(20240601, ge=0, lt=SEEDS)  # synthetic: fixed val/test sets' seed
    # synthetic generator variety: every style at the programs' weights, the weights
    # half flattened to uniform, or one style a class (training/synth)
    variety: Literal["full", "flat", "one-style"] = "full"
    # synthetic: doodles of nothing (scribbles, writing) added to each epoch, as a share
    # of the class doodles, trained toward equal odds for every class (outlier exposure)
    outliers: float = Field(0.0, ge=0, le=1)
    cap_per_class: int | None = Field(None, ge=1)  # directories: read at most N a class
    num_workers: int = Field(0, ge=0)  # DataLoader worker processes (0 = in the loop)

    @field_validator("sources", mode="before")
    @classmethod
    def _one_source(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @field_validator("sources")
    @classmethod
    def _non_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("at least one data source is needed")
        for source in v:
            check_path(source)
        return v


class AugmentSection(_Section):
    """Random changes to each training drawing's strokes before rasterising."""

    # The defaults are the stronger of the settings compared for the bundled models
    # (rotate 15, scale 0.85-1, aspect 0.2, jitter 2 before): 3 to 5 points more top-1
    # on real doodles for Frankenstein, 2 for the CNN (docs/training.md, "How the recipe was chosen").
    enabled: bool = True
    rotate: float = Field(25.0, ge=0, le=180)  # max degrees, classes without an upright
    tilt: float = Field(6.0, ge=0, le=180)  # max degrees, upright classes (house, ...)
    scale: tuple[float, float] = (0.7, 1.0)  # larger side, as a share of the grid
    aspect: float = Field(0.35, ge=0, le=1)  # stretch one axis by up to 1 + aspect
    translate: float = Field(1.0, ge=0, le=1)  # share of the free room used to shift
    jitter: float = Field(4.0, ge=0)  # std of a per-stroke shift, pixels of 256
    flip: float = Field(0.5, ge=0, le=1)  # probability of a left-right mirror
    drop_detail: float = Field(0.1, ge=0, le=1)  # probability of dropping a small stroke
    detail_size: float = Field(0.2, gt=0, le=1)  # "small": diagonal below this share
    reorder: float = Field(0.0, ge=0, le=1)  # probability of swapping two strokes' order
    split: float = Field(0.0, ge=0, le=1)  # probability of cutting a stroke in two
    warp: float = Field(0.0, ge=0, le=0.2)  # smooth bend, max shift as a share of the size

    @field_validator("scale")
    @classmethod
    def _scale_range(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not 0 < v[0] <= v[1] <= 1:
            raise ValueError(f"scale {list(v)} must be [lo, hi] with 0 < lo <= hi <= 1")
        return v


class OptimSection(_Section):
    """Optimiser, learning-rate schedule and gradient clipping."""

    name: Literal["adam", "adamw", "sgd"] = "adamw"
    lr: float = Field(2e-3, gt=0)
    weight_decay: float = Field(1e-4, ge=0)
    momentum: float = Field(0.9, ge=0, lt=1)  # sgd only
    schedule: Literal["constant", "cosine", "onecycle"] = "cosine"
    warmup: float = Field(0.03, ge=0, lt=1)  # share of all steps spent warming up
    # ...but at least this many steps (at most half the run): with only ~40 warm-up
    # steps, one seed of three of the 3-layer LSTM never left chance in a 4-epoch run
    # of 600 doodles a class; 270 steps started it (docs/experiments.md, "The first study").
    min_warmup: int = Field(300, ge=0)
    grad_clip: float = Field(1.0, ge=0)  # max gradient norm; 0 = no clipping
    # decay of a moving average of the weights, which is then validated and saved as
    # best.pt (training/ema.py); 0 = off, 0.999 averages over about the last 1,000 steps
    ema: float = Field(0.0, ge=0, lt=1)
    # training targets 1 - e on the true class, e spread over all; validation is plain NLL
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    # mixup (training/mixup.py): each batch blended with a shuffled copy of itself,
    # weight ~ Beta(mixup, mixup); 0 = off
    mixup: float = Field(0.0, ge=0)

    @field_validator("lr")
    @classmethod
    def _lr_in_float32(cls, v: float) -> float:
        # near float32's range (1e38) torch's optimisers failed with an overflow
        # traceback, not the divergence that any rate up there ends in
        if v > MAX_LR:
            raise ValueError(f"{v:g} is more than {MAX_LR:g}, past which the optimiser overflows")
        return v


class TrainConfig(_Section):
    """Everything that decides a training run (see the module docstring)."""

    name: str | None = None  # run folder name; None = "<model>-<date>-<time>"
    out_dir: str = Field(default_factory=lambda: str(runs_dir()))
    model: ModelSection = Field(default_factory=ModelSection)
    data: DataSection = Field(default_factory=DataSection)
    augment: AugmentSection = Field(default_factory=AugmentSection)
    optim: OptimSection = Field(default_factory=OptimSection)
    pad_len: int = Field(8, ge=1)
    m: int = 64
    batch_size: int = Field(32, ge=1)
    epochs: int = Field(10, ge=1)
    loss_at: Literal["every", "final"] = "every"  # loss at every real stroke, or the last
    seed: int = Field(0, ge=0, lt=SEEDS)  # numpy's and torch's seeds are unsigned
    # One thread by default: two are about 1.7x faster on an idle 2-core machine, but
    # 7 to 30x slower as soon as another process competes for the cores (measured).
    threads: int = Field(1, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    patience: int = Field(0, ge=0)  # early stopping after N epochs without gain; 0 = off
    # also keep every epoch's weights, calibrated, as epoch-N.pt (to follow a run epoch
    # by epoch, e.g. `frankenstein eval` each on real doodles)
    keep_epochs: bool = False
    eval_data: tuple[str, ...] = ()  # directories also evaluated at the end (e.g. real dev)
    log_every: int = Field(10, ge=1)  # batches between "batch" callbacks
    max_batches: int | None = Field(None, ge=1)  # cap on batches an epoch (dry runs)

    @field_validator("name")
    @classmethod
    def _folder_safe(cls, v: str | None) -> str | None:
        return v if v is None else check_run_name(v)  # one folder in out_dir

    @field_validator("out_dir")
    @classmethod
    def _out_dir(cls, v: str) -> str:
        return check_path(v)

    @field_validator("eval_data")
    @classmethod
    def _eval_dirs(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for d in v:
            check_path(d)
        return v

    @field_validator("model", mode="before")
    @classmethod
    def _model_by_name(cls, v: Any) -> Any:
        return {"name": v} if isinstance(v, str) else v

    @field_validator("eval_data", mode="before")
    @classmethod
    def _one_dir(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check_model(self) -> TrainConfig:
        clash = {"pad_len", "m"} & set(self.model.overrides)
        if clash:
            raise ValueError(
                f"set {' and '.join(sorted(clash))} at the top level, not in model.overrides"
            )
        self.model_cfg()  # raises ModelConfigError (a ValueError) naming the problem
        return self

    def model_cfg(self):
        """The `core.modelconfig.ModelConfig` this run trains (pad_len and m from here)."""
        from core.modelconfig import model_config

        return model_config(self.model.name, pad_len=self.pad_len, m=self.m, **self.model.overrides)

    @property
    def run_dir(self) -> Path:
        if self.name is None:
            raise ConfigError("the run has no name yet (call with_run_name first)")
        return Path(self.out_dir) / self.name

    def with_run_name(self, default: str) -> TrainConfig:
        """This config with `name` filled in if it was None."""
        return self if self.name is not None else self.model_copy(update={"name": default})


def absolute_data(cfg: TrainConfig) -> TrainConfig:
    """`cfg` with its data folders (each of data.sources but "synthetic", each of
    eval_data) absolute, from the current folder, as config.json and the checkpoints
    keep them: stored as typed (`data/mine`), `calibrate` and `train --resume` from any
    other folder failed with 'data/mine: data directory not found'."""
    sources = tuple(s if s == SYNTHETIC else os.path.abspath(s) for s in cfg.data.sources)
    return cfg.model_copy(
        update={
            "data": cfg.data.model_copy(update={"sources": sources}),
            "eval_data": tuple(os.path.abspath(d) for d in cfg.eval_data),
        }
    )


def relative_data(cfg: TrainConfig, keys: tuple[str, ...] = ("data.sources", "eval_data")):
    """(key, path) of each data folder of `cfg` given relative (a run made before
    `absolute_data`), of the settings `keys`."""
    named = [("data.sources", s) for s in cfg.data.sources if s != SYNTHETIC]
    named += [("eval_data", d) for d in cfg.eval_data]
    return [(k, p) for k, p in named if k in keys and not os.path.isabs(p)]


def check_stored_data(cfg: TrainConfig, source: str, how: str, keys=("data.sources", "eval_data")):
    """A ConfigError for a relative data folder of a run's stored config (`source`) that
    is no folder from here: it is relative to where the run was trained (this folder, if
    the data has gone since, or another), which the plain 'data directory not found' did
    not say; `how` tells what to do about it."""
    for key, path in relative_data(cfg, keys):
        if not Path(path).is_dir():
            raise ConfigError(
                f"{source}: {key} {path!r} is relative to the folder the run was trained "
                f"in, and not found from here ({os.getcwd()}): {how}"
            )


# ------------------------------------------------------------------------- loading


def load_config(
    path: str | os.PathLike | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> TrainConfig:
    """A TrainConfig from an optional TOML/JSON file (or a shipped recipe's name) plus
    `key=value` overrides."""
    data = {}
    if path is not None:
        path = config_file(path)
        data = read_config_file(path)
    for item in overrides:
        key, value = parse_override(item)
        set_dotted(data, key, value)
    return config_from_dict(data, source=str(path) if path is not None else "config")


def config_file(path: str | os.PathLike) -> Path:
    """The file `path` names: itself, else for a bare name (no folder, no suffix) the
    shipped recipe of that name (`frankenstein train bundled`), which an install has
    too. ConfigError naming the recipes for a file that is not there."""
    p = Path(path)
    if p.exists():
        return p
    recipe = RECIPES_DIR / f"{p.name}.toml"
    if str(p) == p.name and p.suffix == "" and recipe.is_file():
        return recipe
    known = [r.stem for r in list_recipes()]
    near = did_you_mean(p.stem, known) if p.suffix in ("", ".toml") else ""
    near = f"; {near}" if near else ""
    raise ConfigError(
        f"{p}: config file not found{near} (shipped recipes, by name: {', '.join(known)})"
    )


def list_recipes() -> list[Path]:
    """The shipped training recipes (training/recipes/*.toml), by name."""
    return sorted(RECIPES_DIR.glob("*.toml"))


def read_config_file(path: str | os.PathLike) -> dict[str, Any]:
    """The raw table of a .toml or .json config file."""
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"{p}: is a folder, not a config file (a .toml or .json file)")
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    if p.suffix.lower() not in (".toml", ".json"):
        raise ConfigError(f"{p}: unknown config format (expected .toml or .json)")
    try:  # utf-8-sig: an editor's byte-order mark is no TOML statement
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: not UTF-8 text (byte {e.start}: {e.reason})") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read it ({e.strerror or e})") from None
    try:
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text, object_pairs_hook=_single_keys)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{p}: not valid {p.suffix[1:].upper()}: {e}") from None
    except _TwiceGiven as e:  # TOML refuses it; JSON kept the last value without a word
        raise ConfigError(f"{p}: the key {e.args[0]!r} is given twice") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a table of settings at the top level")
    return data


class _TwiceGiven(ValueError):
    """A JSON object with one key twice (the key is the argument)."""


def _single_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict; _TwiceGiven where a key comes twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _TwiceGiven(key)
        out[key] = value
    return out


def parse_override(item: str) -> tuple[str, Any]:
    """'augment.rotate=10' -> ('augment.rotate', 10); values are JSON where they parse."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"override {item!r} is not key=value")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return key, value


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """data['a']['b'] = value for key 'a.b', checking every part names a real field."""
    parts = key.split(".")
    model: type[BaseModel] | None = TrainConfig
    node = data
    for i, part in enumerate(parts):
        if model is not None and part not in model.model_fields:
            raise ConfigError(_unknown_key(".".join(parts[: i + 1]), part, model))
        if i == len(parts) - 1:
            node[part] = value
            return
        if model is not None:
            ann = model.model_fields[part].annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                model = ann
            elif ann is not None and getattr(ann, "__origin__", None) is dict:
                model = None  # free-form keys below (model.overrides.channels)
            else:
                raise ConfigError(f"unknown key {key!r}: {'.'.join(parts[: i + 1])} has no fields")
        child = node.get(part)
        if part == "model" and isinstance(child, str):
            child = {"name": child}
        if not isinstance(child, dict):
            child = {}
        node[part] = child
        node = child


def config_from_dict(data: dict[str, Any], source: str = "config") -> TrainConfig:
    """Validate a raw table into a TrainConfig; ConfigError with one line per problem."""
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{source}: " + "; ".join(_describe(err) for err in e.errors())) from None


def _describe(err: dict[str, Any]) -> str:
    loc = [str(p) for p in err["loc"]]
    where = ".".join(loc) or "config"
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        if model is not None:
            return _unknown_key(where, loc[-1], model)
    if not loc:  # a whole-config check names its own fields
        return err["msg"].removeprefix("Value error, ")
    if err["type"] == "model_type" and (section := _model_at(loc)) is not None:
        return _not_a_table(where, section, err.get("input"))
    return setting_problem(err)


def _not_a_table(where: str, section: type[BaseModel], given: Any) -> str:
    """'data: a table of settings (data.sources=..., data.per_class=...), not 1', for
    a section given a value (`data=1`), not pydantic's "Input should be a valid
    dictionary or instance of DataSection"."""
    first = ", ".join(f"{where}.{k}=..." for k in list(section.model_fields)[:2])
    name = f"a model's name ({where}=cnn) or " if where == "model" else ""
    try:
        shown = json.dumps(given)
    except (TypeError, ValueError):
        shown = repr(given)
    return f"{where}: {name}a table of settings ({first}), not {shown}"


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = TrainConfig
    for part in loc:
        ann = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return model


def _unknown_key(full: str, part: str, model: type[BaseModel]) -> str:
    """'unknown key 'epochz'; did you mean 'epochs'?': the nearest key beside it, else
    the keys of that name a level or more below (`lr`: did you mean 'optim.lr'?)."""
    prefix = full[: -len(part)]
    close = [prefix + c for c in difflib.get_close_matches(part, list(model.model_fields), n=1)]
    close = close or [prefix + k for k in _keys_below(model) if k.rsplit(".", 1)[-1] == part]
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    return f"unknown key {full!r}{hint}"


def _keys_below(model: type[BaseModel]) -> list[str]:
    """The dotted keys of the settings inside `model`'s nested sections ('optim.lr')."""
    keys = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys += [f"{name}.{k}" for k in [*ann.model_fields, *_keys_below(ann)]]
    return keys


def write_config(cfg: TrainConfig, path: str | os.PathLike) -> None:
    """The resolved config as indented JSON, written atomically."""
    from core.atomic import atomic_write_text

    atomic_write_text(path, json.dumps(cfg.model_dump(mode="json"), indent=2) + "\n")
