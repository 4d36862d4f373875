"""`frankenstein export`: a small shipping copy of a checkpoint (float16, no resume state)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="copy a checkpoint for shipping: half-precision weights, no optimiser state",
        description="Copy a checkpoint (a .pt file or a run folder's best.pt) to OUT with "
        "its weights in float16 and without the resume state, about a quarter of a "
        "last.pt. This is how core/weights/{frankenstein,cnn}.pt, the bundled models, are "
        "made from a training run.",
        epilog="example: frankenstein export runs/bundled-frankenstein core/weights/frankenstein.pt",
    )
    p.add_argument("source", metavar="CHECKPOINT", help="a .pt checkpoint or a run folder")
    p.add_argument("out", type=Path, metavar="OUT", help="the .pt file to write")
    p.add_argument("--full", action="store_true", help="keep float32 weights instead of float16")
    p.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from core.checkpoint import export_checkpoint, resolve_checkpoint

    src = resolve_checkpoint(args.source)
    out = export_checkpoint(src, args.out, half=not args.full)
    kib = out.stat().st_size / 1024
    print(f"{src} -> {out} ({kib:,.0f} KiB, {'float32' if args.full else 'float16'} weights)")
    return 0
