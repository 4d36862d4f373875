"""`frankenstein export`: a small shipping copy of a checkpoint (float16, no resume state)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="copy a checkpoint (or join several into an ensemble) for shipping: "
        "half-precision weights, no optimiser state",
        description="Copy a checkpoint (a .pt file or a run folder's best.pt) to OUT with "
        "its weights in float16 and without the resume state, about a quarter of a "
        "last.pt. This is how core/weights/{frankenstein,cnn}.pt, the bundled models, are "
        "made from training runs. Two or more checkpoints of one kind of model make one "
        "ensemble checkpoint: the members read every drawing together and their "
        "probabilities are averaged.",
        epilog="example: frankenstein export runs/bundled-frankenstein core/weights/frankenstein.pt",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="CHECKPOINT",
        help="a .pt checkpoint or a run folder; two or more make one ensemble checkpoint",
    )
    p.add_argument("out", type=Path, metavar="OUT", help="the .pt file to write")
    p.add_argument("--full", action="store_true", help="keep float32 weights instead of float16")
    p.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from core.atomic import check_output_file
    from core.checkpoint import export_checkpoint, export_ensemble, resolve_checkpoint

    check_output_file(args.out)
    sources = [resolve_checkpoint(s) for s in args.sources]
    _refuse_overwriting(sources, args.out)
    half = not args.full
    if len(sources) == 1:
        out = export_checkpoint(sources[0], args.out, half=half)
    else:
        out = export_ensemble(sources, args.out, half=half)
    kib = out.stat().st_size / 1024
    names = " + ".join(map(str, sources))
    kind = f"an ensemble of {len(sources)}, " if len(sources) > 1 else ""
    print(f"{names} -> {out} ({kind}{kib:,.0f} KiB, {'float16' if half else 'float32'} weights)")
    return 0


def _refuse_overwriting(sources: list[Path], out: Path) -> None:
    """OUT must be a new shipping copy: not one of the checkpoints it is made from, nor
    a run's best.pt or last.pt (`export a/best.pt b/best.pt`, an ensemble's OUT left
    out, replaced run b's checkpoint); and a member named twice is no ensemble."""
    from core.errors import FrankensteinError

    seen: dict[Path, Path] = {}
    for source in sources:
        same = seen.setdefault(source.resolve(), source)
        if same is not source:
            raise FrankensteinError(f"{source} is named twice: an ensemble's members differ")
    if out.resolve() in seen:
        raise FrankensteinError(
            f"OUT {out} is one of the checkpoints it is made from: give the copy another name"
        )
    if out.name in ("best.pt", "last.pt") and (out.parent / "config.json").is_file():
        raise FrankensteinError(
            f"OUT {out} is the {out.name} of the run {out.parent}: export writes a shipping "
            "copy, which would replace it; give the copy another name (the last name given "
            "is OUT)"
        )
