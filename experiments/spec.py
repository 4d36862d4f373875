"""An ablation spec: a base training config, named variants as deltas from it, seeds.

A spec is a TOML file (or a Python value) such as::

    name = "lstm-vs-cnn"
    seeds = [0, 1, 2]
    peers = ["dollar_p"]
    [base]                      # TrainConfig settings shared by every run
    epochs = 12
    data.per_class = 5000
    [variants.frankenstein]     # one table a variant: TrainConfig deltas from base
    model = "frankenstein"
    [variants.cnn]
    model = "cnn"
    [quick]                     # applied with --quick: small enough for a CPU
    epochs = 3

`eval_data` (default: the real dev doodles) names at least one directory of real
doodles: the table's accuracies, the peers' templates and the latency's drawings are the
first one's. `frankenstein ablate --eval-data DIR` replaces it for a study.

Settings are `training.config.TrainConfig` fields, nested tables or dotted keys alike.
A run's settings are base, then quick (with --quick), then the variant's deltas (the
variant is what is being compared, so it wins), then the run's seed and the spec's
eval_data; `name`, `out_dir` and `seed` are set by the runner, never by a spec. A CNN
variant takes the LSTM sizes of base or quick (`model.overrides.lstm_*`) as not meant
for it, since it has no LSTM (given in its own table, they are an error). Every
(variant, seed) is validated by building its TrainConfig when the spec is loaded, so a
typo fails in a second, not after an hour of the study.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import FrankensteinError, did_you_mean
from core.paths import PROJECT_ROOT
from training.config import SEEDS

SPECS_DIR = Path(__file__).resolve().parent / "specs"
REAL_DEV = "../shared/data/quickdraw-real-dev/simplified"  # the default: see real_dev_doodles
PEERS = ("dollar_p",)  # classical recognisers a spec can add to its table
RUNNER_KEYS = ("name", "out_dir", "seed", "eval_data")  # set per run, not by a spec


class SpecError(FrankensteinError, ValueError):
    """A bad ablation spec; the message names the file (or spec) and the key."""


@dataclass(frozen=True)
class PlannedRun:
    """One (variant, seed) of a study: its folder name and its TrainConfig overrides."""

    run_id: str
    variant: str
    seed: int
    overrides: dict[str, Any]  # dotted TrainConfig keys -> values, seed and eval_data included

    def settings(self) -> list[str]:
        """The overrides as `key=value` arguments of `frankenstein train` (JSON values)."""
        import json

        return [f"{k}={json.dumps(v)}" for k, v in self.overrides.items()]


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"data": {"per_class": 3}} -> {"data.per_class": 3}; `model = "cnn"` -> model.name."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, full + "."))
        elif full == "model" and isinstance(value, str):
            out["model.name"] = value  # a delta of the name keeps base's model.overrides
        else:
            out[full] = value
    return out


class AblationSpec(BaseModel):
    """An ablation study (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    base: dict[str, Any] = Field(default_factory=dict)
    variants: dict[str, dict[str, Any]]
    seeds: list[int]
    eval_data: list[str] = Field(default_factory=lambda: [REAL_DEV])
    quick: dict[str, Any] = Field(default_factory=dict)
    peers: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _folder_safe(cls, v: str) -> str:
        from training.config import check_folder_name

        return check_folder_name(v)

    @field_validator("variants")
    @classmethod
    def _variants(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from training.config import check_folder_name

        if not v:
            raise ValueError("at least one variant is needed")
        for name in v:
            check_folder_name(name, "variant ")
        return v

    @field_validator("seeds", mode="before")
    @classmethod
    def _whole_seeds(cls, v: Any) -> Any:
        """No lax coercion: "0" or true is a slip, not seed 0 or 1."""
        if isinstance(v, list | tuple):
            bad = [x for x in v if isinstance(x, bool) or not isinstance(x, int)]
            if bad:
                raise ValueError(f"a seed is a whole number, not {bad[0]!r}")
        return v  # not a list: pydantic says so

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError("at least one seed is needed")
        if len(set(v)) != len(v):
            raise ValueError(f"seeds {v} repeat a seed")
        out = [x for x in v if not 0 <= x < SEEDS]  # said here, not as each run's problem
        if out:
            raise ValueError(f"a seed is 0 to {SEEDS - 1}, not {out[0]}")
        return v

    @field_validator("eval_data")
    @classmethod
    def _eval_data(cls, v: list[str]) -> list[str]:
        # the table's accuracies, the peers' templates and the latency's drawings are all
        # the first directory's real doodles: without one the "real top-1" column was the
        # synthetic test split's, and a peer had nothing to be evaluated on
        if not v:
            raise ValueError("name at least one directory of real doodles")
        if any(not d.strip() for d in v):  # Path("") is the current folder
            raise ValueError(f"an empty path in {v}: name a directory of real doodles")
        return v

    @field_validator("peers")
    @classmethod
    def _peers(cls, v: list[str]) -> list[str]:
        unknown = [p for p in v if p not in PEERS]
        if unknown:
            raise ValueError(f"unknown peer {unknown[0]!r} (known: {', '.join(PEERS)})")
        return v

    @model_validator(mode="after")
    def _valid_runs(self) -> AblationSpec:
        from training.config import set_dotted

        for section, table in (("base", self.base), ("quick", self.quick), *self._vtables()):
            for key, value in flatten(table).items():
                if key.split(".")[0] in RUNNER_KEYS:
                    where = "the spec's eval_data" if key == "eval_data" else "the runner"
                    raise ValueError(f"{section}.{key}: set by {where}, not in a table")
                try:
                    set_dotted({}, key, value)  # an unknown key, named in its own table
                except FrankensteinError as e:
                    raise ValueError(f"{section}: {_not_the_runners(str(e))}") from None
        for quick in (False, True):
            for run in self.runs(quick=quick)[: len(self.variants)]:  # one seed is enough
                try:
                    train_config(run, "unchecked")
                except FrankensteinError as e:
                    label = f"variants.{run.variant}" + (" with quick" if quick else "")
                    raise ValueError(f"{label}: {e}") from None
        return self

    def _vtables(self) -> list[tuple[str, dict[str, Any]]]:
        return [(f"variants.{k}", v) for k, v in self.variants.items()]

    def with_eval_data(self, dirs: list[str]) -> AblationSpec:
        """The spec with `dirs` as its eval_data (`ablate --eval-data`), validated."""
        return spec_from_dict({**self.model_dump(), "eval_data": dirs}, source=self.name)

    def runs(self, quick: bool = False) -> list[PlannedRun]:
        """Every (variant, seed), seed by seed, so a stopped study has whole seeds first."""
        out = []
        for seed in self.seeds:
            for variant, delta in self.variants.items():
                overrides = {**flatten(self.base)}
                if quick:
                    overrides.update(flatten(self.quick))
                own = flatten(delta)
                overrides.update(own)
                if _is_cnn(overrides):  # shared LSTM sizes are for the variants with one
                    for key in [k for k in overrides if _lstm_size(k) and k not in own]:
                        del overrides[key]
                overrides["seed"] = seed
                overrides["eval_data"] = list(self.eval_data)
                out.append(PlannedRun(f"{variant}-s{seed}", variant, seed, overrides))
        return out


def _not_the_runners(message: str) -> str:
    """A config error's "did you mean" without a key a table may not set (`seedz`: not
    'seed', which the runner sets from the spec's seeds)."""
    for key in RUNNER_KEYS:
        where = "the spec's seeds" if key == "seed" else "the runner"
        message = message.replace(f"; did you mean {key!r}?", f" ({key} is set by {where})")
    return message


def _is_cnn(overrides: dict[str, Any]) -> bool:
    """Whether a run's merged settings train a model without an LSTM."""
    from core.modelconfig import MODELS

    base = MODELS.get(str(overrides.get("model.name", "frankenstein")))
    return overrides.get("model.overrides.arch", base.arch if base else None) == "cnn"


def _lstm_size(key: str) -> bool:
    from core.modelconfig import LSTM_FIELDS

    return key.removeprefix("model.overrides.") in LSTM_FIELDS and key.startswith("model.")


def train_config(run: PlannedRun, out_dir: str | os.PathLike):
    """The run's TrainConfig (raises training.config.ConfigError naming a bad key)."""
    from training.config import config_from_dict, set_dotted

    data: dict[str, Any] = {}
    for key, value in run.overrides.items():
        set_dotted(data, key, value)
    data["name"] = run.run_id
    data["out_dir"] = str(out_dir)
    return config_from_dict(data, source=run.run_id)


def resolve_dir(path: str) -> Path:
    """A data directory: as given (absolute or from the working directory), else relative
    to the project or any folder above it (a git worktree lives deeper than the checkout).
    REAL_DEV, the default, is the real dev doodles wherever they are (`real_dev_doodles`)."""
    if path == REAL_DEV:
        return real_dev_doodles()
    p = Path(path)
    if p.is_dir():
        return p.resolve()
    if p.is_absolute():  # nowhere else to look: said now, not by every run that fails on it
        what = "not a directory" if p.exists() else "no such directory"
        raise SpecError(f"eval_data {path!r}: {what}")
    for base in (PROJECT_ROOT, *PROJECT_ROOT.parents):
        if (base / p).is_dir():
            return (base / p).resolve()
    raise SpecError(f"eval_data {path!r}: no such directory (looked in . and above {PROJECT_ROOT})")


REAL_DEV_FIX = (
    "set FRANKENSTEIN_REAL_DEV to the real dev doodles' folder (the one holding simplified/ "
    "and raw/), or name a folder of real doodles with `frankenstein ablate --eval-data DIR` "
    "or the spec's eval_data"
)


def real_dev_doodles() -> Path:
    """The real dev doodles' simplified/ folder, found as core.paths.real_dev_dir finds
    their folder ($FRANKENSTEIN_REAL_DEV, else beside the checkout): a SpecError that
    says both ways on where none is (an installed package has no ../shared beside it)."""
    from core.paths import REAL_DEV_DIR, real_dev_dir

    found = real_dev_dir(PROJECT_ROOT)
    if found is None:
        raise SpecError(
            f"eval_data: the real dev doodles (the default) are not in {REAL_DEV_DIR} beside "
            f"the working directory or {PROJECT_ROOT} or a folder above them: {REAL_DEV_FIX}"
        )
    if "FRANKENSTEIN_REAL_DEV" in os.environ:
        where = f"FRANKENSTEIN_REAL_DEV {str(found)!r}"
    else:
        where = f"eval_data: the real dev doodles' folder {str(found)!r}"
    if not found.is_dir():
        raise SpecError(f"{where}: no such directory; {REAL_DEV_FIX}")
    if not (found / "simplified").is_dir():
        raise SpecError(f"{where}: no simplified/ folder in it; {REAL_DEV_FIX}")
    return (found / "simplified").resolve()


def load_spec(path: str | os.PathLike) -> AblationSpec:
    """Read a TOML spec; SpecError naming the file and the bad key or value."""
    p = Path(path)
    if not p.is_file():
        named = SPECS_DIR / f"{p.name}.toml"
        if p.suffix == "" and named.is_file():
            p = named  # `frankenstein ablate lstm-vs-cnn`
        else:
            known = [s.stem for s in list_specs()]
            what = "is a folder, not a spec file" if p.is_dir() else "spec file not found"
            if (
                not p.is_dir()
                and p.suffix in ("", ".toml")
                and (near := did_you_mean(p.stem, known))
            ):
                what += f"; {near}"  # `ablate lstm-vs-cn`
            raise SpecError(f"{p}: {what} (shipped specs: {', '.join(known)})")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))  # a BOM is no statement
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{p}: not valid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise SpecError(f"{p}: not a text file ({e.reason})") from None
    data.setdefault("name", p.stem)
    return spec_from_dict(data, source=str(p))


def spec_from_dict(data: dict[str, Any], source: str = "spec") -> AblationSpec:
    """Validate a raw table into an AblationSpec; SpecError with one line per problem."""
    try:
        return AblationSpec.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            where = ".".join(str(x) for x in err["loc"])
            if err["type"] == "extra_forbidden":
                known = list(AblationSpec.model_fields)
                near = difflib.get_close_matches(where, known, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                problems.append(f"unknown key {where!r}{hint} (known: {', '.join(known)})")
            elif err["type"] == "missing":
                problems.append(f"{where}: missing")
            else:
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(f"{where}: {msg}" if where else msg)
        raise SpecError(f"{source}: " + "; ".join(problems)) from None


def list_specs(dir: str | os.PathLike = SPECS_DIR) -> list[Path]:
    """The spec files of a folder (the shipped ones by default), by name."""
    d = Path(dir)
    return sorted(d.glob("*.toml")) if d.is_dir() else []
