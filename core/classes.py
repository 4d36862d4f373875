"""The 18 shape classes: the single source of truth for names and indices.

The order is ARCHITECTURE.md's; a class's index is its position. Checkpoints store
this tuple and loading checks it, so a model never silently maps to other names.
"""

from __future__ import annotations

import difflib

from core.errors import FrankensteinError

CLASSES: tuple[str, ...] = (
    "circle",
    "cloud",
    "donut",
    "eye",
    "fish",
    "hexagon",
    "hockey stick",
    "hourglass",
    "house",
    "ice cream",
    "line",
    "mountain",
    "octagon",
    "paper clip",
    "smiley face",
    "square",
    "sun",
    "triangle",
)
NUM_CLASSES = len(CLASSES)
_INDEX = {name: i for i, name in enumerate(CLASSES)}


class UnknownClassError(FrankensteinError, ValueError):
    """A class name that is not one of CLASSES."""


def normalize_name(name: str) -> str:
    """Lower-case, trim and turn '_' or '-' into spaces: 'Hockey_Stick' -> 'hockey stick'."""
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def class_index(name: str) -> int:
    """Index of a class name (forgiving of case, '_' and '-'); raises UnknownClassError."""
    key = normalize_name(name)
    if key in _INDEX:
        return _INDEX[key]
    close = difflib.get_close_matches(key, CLASSES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UnknownClassError(f"unknown class {name!r}{hint} (known: {', '.join(CLASSES)})")


def class_name(index: int) -> str:
    """Name of the class at an index."""
    if not 0 <= index < NUM_CLASSES:
        raise UnknownClassError(f"class index {index} out of range 0..{NUM_CLASSES - 1}")
    return CLASSES[index]
