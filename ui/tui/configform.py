"""The training form's logic: fields generated from the pydantic `TrainConfig`.

`form_fields()` walks TrainConfig (and its sections) into one `FormField` per setting,
keyed by its dotted name (`optim.lr`), with the default as text. `validate_form` turns
the texts back into values, validates them with TrainConfig itself and returns either
the `key=value` overrides for `frankenstein train` (only the changed settings) or the
error of every field at once, so the form can show each next to its field. The run
name must be folder-safe, as ablation names are (`a/b` would land in runs/a/b, out of
the Runs tab's sight). Values are JSON where
they parse (as on the command line), except for string fields, which take the text.
What pydantic's lax mode would let through is refused first: an integer must be
written as one (not `true`, not `1e3`), a number must be finite (not `Infinity`), and
eval_data's folders must exist where the trainer will run, since it fails at once on
one that does not.

The model's sizes (`model.overrides`, a free dict in TrainConfig) get one field each,
from `core.modelconfig.ModelConfig`: empty means the picked model's own value (which
`model_hints` gives for the placeholders), and a value is checked against that model,
its error shown under the field it names.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from training.commandline import setting
from training.config import TrainConfig

# Chosen elsewhere on the Train tab (model and data pickers; out_dir is the TUI's runs dir).
SKIP = frozenset({"model", "data.sources", "out_dir"})
GENERAL = ""  # the error key of problems that belong to no single field
OVERRIDES = "model.overrides."  # the prefix of the model's own settings
# ModelConfig fields that are no override: the model picker's architecture, the
# top-level pad_len and m (TrainConfig refuses them here), the fixed 18 classes.
NOT_OVERRIDDEN = frozenset({"arch", "pad_len", "m", "num_classes"})
HEADINGS = {OVERRIDES.rstrip("."): "model (empty: the model's own)"}

Kind = Literal["text", "choice", "bool"]


@dataclass(frozen=True)
class FormField:
    """One setting of the form."""

    key: str  # dotted, as `frankenstein train` takes it
    kind: Kind
    default: Any
    choices: tuple[str, ...] = ()
    optional: bool = False  # None allowed: an empty text means None
    raw_text: bool = False  # a string setting: the text is the value, never JSON
    annotation: Any = None  # the setting's type, without None (int, float, tuple[...])

    @property
    def default_text(self) -> str:
        return to_text(self.default)


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without None, whether None is allowed)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if (origin is typing.Union or origin is types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def form_fields(model: type[BaseModel] = TrainConfig, prefix: str = "") -> list[FormField]:
    """Every setting of `model`, sections flattened into dotted keys, in field order."""
    fields: list[FormField] = []
    defaults = model()
    for name, info in model.model_fields.items():
        key = prefix + name
        if key == "model":
            fields.extend(model_fields())
        if key in SKIP:
            continue
        annotation, optional = _unwrap(info.annotation)
        default = getattr(defaults, name)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields.extend(form_fields(annotation, key + "."))
        elif typing.get_origin(annotation) is Literal:
            choices = tuple(str(c) for c in typing.get_args(annotation))
            fields.append(FormField(key, "choice", default, choices, optional))
        elif annotation is bool:
            fields.append(FormField(key, "bool", default, optional=optional))
        else:
            raw = annotation is str
            fields.append(FormField(key, "text", default, (), optional, raw, annotation))
    return fields


def model_fields() -> list[FormField]:
    """One optional text field a model setting (`model.overrides.lstm_layers`)."""
    from core.modelconfig import ModelConfig

    return [
        FormField(OVERRIDES + name, "text", None, optional=True, annotation=info.annotation)
        for name, info in ModelConfig.model_fields.items()
        if name not in NOT_OVERRIDDEN
    ]


def model_hints(model: str) -> dict[str, str]:
    """The placeholder of each model field for `model`: its own value, or that the
    setting does nothing for it (the CNN has no LSTM)."""
    from core.modelconfig import MODELS

    cfg = MODELS.get(model)
    if cfg is None:
        return {}
    return {
        f.key: "no LSTM" if cfg.arch == "cnn" and leaf.startswith("lstm_") else to_text(value)
        for f in model_fields()
        for leaf in [f.key.removeprefix(OVERRIDES)]
        for value in [getattr(cfg, leaf)]
    }


def config_values(fields: list[FormField], config: dict[str, Any]) -> dict[str, Any]:
    """The form's values for a run's config.json (a TrainConfig dump, nested): each
    field's text (a choice's string, a switch's bool), so the form shows the settings
    that run trains with; a setting the file lacks (an older run's) is TrainConfig's
    default, as `train --resume` would take it, and a model size it leaves out empty."""
    out: dict[str, Any] = {}
    for f in fields:
        node: Any = config
        for part in f.key.split("."):
            node = node.get(part, f.default) if isinstance(node, dict) else f.default
        if f.kind == "bool":
            out[f.key] = bool(node)
        elif f.kind == "choice":
            out[f.key] = None if node is None else str(node)
        else:
            out[f.key] = to_text(node)
    return out


def parse_text(field: FormField, text: str) -> Any:
    """The value of a field's text; ValueError with a short reason."""
    text = text.strip()
    if not text:
        if field.optional:
            return None
        raise ValueError("a value is needed")
    if field.raw_text:
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@dataclass(frozen=True)
class FormResult:
    """Either overrides (valid) or errors by field key (GENERAL for the whole form)."""

    overrides: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_form(
    fields: list[FormField],
    values: dict[str, Any],
    fixed: dict[str, Any] | None = None,
    folders_in: Path | None = None,
) -> FormResult:
    """Check the form's `values` (key -> text, or bool/str for switches and choices)
    together with `fixed` settings (model, data.sources, out_dir); with `folders_in`
    (where the trainer will run), eval_data's folders must exist there."""
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for field in fields:
        raw = values.get(field.key, field.default if field.kind != "text" else field.default_text)
        if field.kind == "text":
            try:
                parsed[field.key] = value = parse_text(field, str(raw))
            except ValueError as e:
                errors[field.key] = str(e)
                continue
            problem = _type_problem(field.annotation, value, str(raw).strip())
            if problem:
                errors[field.key] = problem
        else:
            parsed[field.key] = raw
    if folders_in is not None and "eval_data" in parsed and "eval_data" not in errors:
        missing = _missing_folders(parsed["eval_data"], folders_in)
        if missing:
            errors["eval_data"] = missing
    fixed = dict(fixed or {})
    # All the errors at once: TrainConfig checks the fields that parsed (its defaults
    # stand in for the others, whose parse errors are kept). Empty model fields are the
    # model's own; set ones are checked against the model first, so that their errors
    # go under their fields (TrainConfig's own check of them names no field).
    checked = {
        k: v
        for k, v in parsed.items()
        if k not in errors and not (k.startswith(OVERRIDES) and v is None)
    }
    model_errors = _check_model(checked, fixed)
    errors.update((k, v) for k, v in model_errors.items() if k not in errors)
    if model_errors:
        checked = {k: v for k, v in checked.items() if not k.startswith(OVERRIDES)}
    for key, msg in _check(fields, {**checked, **fixed}).items():
        errors.setdefault(key, msg)
    if errors:
        return FormResult(errors=tuple(errors.items()))
    changed = [
        setting(f.key, _plain(parsed[f.key]))
        for f in fields
        if _plain(parsed[f.key]) != _plain(f.default)
    ]
    extra = [setting(k, _plain(v)) for k, v in fixed.items()]
    return FormResult(overrides=tuple(extra + changed))


def _type_problem(annotation: Any, value: Any, text: str) -> str:
    """What pydantic would let pass but the trainer should not get ('' if nothing): a
    boolean or a float for an integer (`true` became 1, `1e3` reached the trainer as
    1000.0), a boolean or a non-finite float for a number (`Infinity` trained until
    it diverged); in a list, the item's problem."""
    if typing.get_origin(annotation) is tuple and isinstance(value, list):
        args = typing.get_args(annotation)
        types_ = [args[0]] * len(value) if args[-1:] == (Ellipsis,) else list(args)
        for i, (item_type, item) in enumerate(zip(types_, value, strict=False)):
            problem = _type_problem(item_type, item, to_text(item))
            if problem:
                return f"item {i + 1}: {problem}"
        return ""
    if annotation is int and isinstance(value, bool | float):
        return f"Input should be a valid integer, not {text}"
    if annotation is float and isinstance(value, bool):
        return f"Input should be a valid number, not {text}"
    if annotation is float and isinstance(value, float) and not math.isfinite(value):
        return f"Input should be a finite number, not {text}"
    return ""


def _missing_folders(value: Any, base: Path) -> str:
    """eval_data's folders (one, or a list) that are not folders in `base`, as the
    trainer would say at once; '' if all are there (other values are TrainConfig's)."""
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list):
        return ""
    missing = [f for f in folders if isinstance(f, str) and not (base / f).is_dir()]
    return "; ".join(f"{f}: data directory not found" for f in missing)


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def _check_model(checked: dict[str, Any], fixed: dict[str, Any]) -> dict[str, str]:
    """The errors of the set model fields, by field, all at once: each field's own type
    error (each checked alone), then what ModelConfig's whole-config check says of the
    picked model (a registered one; TrainConfig reports any other) with the rest
    together. That check names its fields in words ("lstm_proj=64 must be 0 (none) or
    below lstm_hidden=32"): a problem goes under the set field that makes it alone,
    else under the first set field it names."""
    overrides = {
        k.removeprefix(OVERRIDES): v for k, v in checked.items() if k.startswith(OVERRIDES)
    }
    from core.modelconfig import LSTM_FIELDS, MODELS

    base = MODELS.get(str(fixed.get("model", "frankenstein")))
    if not overrides or base is None:
        return {}
    out: dict[str, str] = {}
    alone: dict[str, list[str]] = {}
    for name, value in overrides.items():
        if base.arch == "cnn" and name in LSTM_FIELDS:
            out[OVERRIDES + name] = "the CNN has no LSTM: leave it empty"
            continue
        errors = _model_errors(base, {name: value})
        typed = [e for e in errors if e["loc"] and e["loc"][0] == name]
        if typed:
            out[OVERRIDES + name] = _field_message(typed[0])
        else:
            alone[name] = [p for e in errors for p in _problems(e)]
    for err in _model_errors(base, {k: overrides[k] for k in alone}):
        for problem in _problems(err):
            named = sorted((m.start(), n) for n in alone if (m := re.search(rf"\b{n}\b", problem)))
            makers = [n for _, n in named if problem in alone[n]]
            if makers or named:
                out.setdefault(OVERRIDES + (makers or [named[0][1]])[0], problem)
    return out


def _problems(err: Any) -> list[str]:
    """The problems ModelConfig's whole-config check lists in one error."""
    return err["msg"].removeprefix("Value error, ").split("; ") if not err["loc"] else []


def _model_errors(base, overrides: dict[str, Any]) -> list[Any]:
    from core.modelconfig import ModelConfig

    try:
        ModelConfig.model_validate({**base.model_dump(), **overrides})
    except ValidationError as e:
        return e.errors()
    return []


def _field_message(err: Any) -> str:
    """A field's error, with the item it is about in a list (channels [8, 16])."""
    loc, msg = err["loc"], err["msg"].removeprefix("Value error, ")
    if len(loc) > 1 and isinstance(loc[1], int):
        item = f"item {loc[1] + 1}"
        if err["type"] == "missing":  # a list shorter than its fixed length
            given = len(err["input"]) if isinstance(err.get("input"), list | tuple) else "?"
            return f"too few values, {given} given ({item} missing)"  # as core.errors says
        return f"{item}: {msg}"
    return msg


def _check(fields: list[FormField], flat: dict[str, Any]) -> dict[str, str]:
    """Validate with TrainConfig; each error placed at the deepest field it names.

    TrainConfig's whole-config check (`m=1 must be a multiple of 8 ...`) runs only when
    every field passed its own: so the fields that failed are left out (their defaults
    stand in) and the rest checked again, until no field fails alone, and every error
    is shown at once."""
    keys = {f.key for f in fields}
    out: dict[str, str] = {}
    while True:
        errors = _train_errors(flat)
        failed: set[str] = set()
        for err in errors:
            loc = [str(p) for p in err["loc"]]
            where = GENERAL
            for n in range(len(loc), 0, -1):
                if ".".join(loc[:n]) in keys:
                    where = ".".join(loc[:n])
                    # worded as the model fields' are ("too few values, 1 given ...")
                    msg = _field_message({**err, "loc": err["loc"][n - 1 :]})
                    break
            else:
                msg = err["msg"].removeprefix("Value error, ")
            if where == GENERAL and loc:
                msg = f"{'.'.join(loc)}: {msg}"
            for key, problem in (_by_field(msg, keys) if not loc else {where: msg}).items():
                out.setdefault(key, problem)
            if loc:  # the values it is about (a section's: all of the section's)
                failed.update(_keys_at(flat, loc))
        if not failed:
            return out
        flat = {k: v for k, v in flat.items() if k not in failed}


def _keys_at(flat: dict[str, Any], loc: list[str]) -> set[str]:
    """The keys of `flat` an error at `loc` is about: the deepest one it names, else
    those under it (an error of a whole section)."""
    for n in range(len(loc), 0, -1):
        key = ".".join(loc[:n])
        if key in flat:
            return {key}
        if key == "model" and "model.name" in flat:  # the picker's name, nested as model
            return {k for k in flat if k == "model.name" or k.startswith("model.")}
    dotted = ".".join(loc)
    return {k for k in flat if k.startswith(dotted + ".")}


def _train_errors(flat: dict[str, Any]) -> list[Any]:
    """TrainConfig's errors for the dotted settings `flat` ([] if it validates)."""
    nested: dict[str, Any] = {}
    if isinstance(flat.get("model"), str):  # the picker's name, beside model.overrides.*
        flat = {**flat, "model.name": flat["model"]}
        del flat["model"]
    for key, value in flat.items():
        node = nested
        *parents, last = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    try:
        TrainConfig.model_validate(nested)
    except ValidationError as e:
        return e.errors()
    return []


_NAMED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)=")  # "m=1 must be ...": the field m
_WHOSE = re.compile(r"^model '[^']*': (config: )?")  # model_config's "which model" prefix


def _by_field(msg: str, keys: set[str]) -> dict[str, str]:
    """The problems of a whole-config error (TrainConfig's check of the model: "model
    'frankenstein': config: m=1 must be a multiple of 8 that divides 256; pad_len=0
    must be >= 1") by the field each names first, so that they go under their fields
    as docs/tui.md promises; the problems that name no field stay general, together."""
    out: dict[str, list[str]] = {}
    for problem in msg.split("; "):
        named = [n for n in _NAMED.findall(problem) if n in keys]
        if named:
            out.setdefault(named[0], []).append(_WHOSE.sub("", problem))
        else:
            out.setdefault(GENERAL, []).append(problem)
    return {key: "; ".join(problems) for key, problems in out.items()}
