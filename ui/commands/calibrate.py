"""`frankenstein calibrate`: refit a checkpoint's temperature, ending prior and familiarity in place."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="refit a checkpoint's temperature, ending prior and familiarity from its run's data",
        description="Rebuild the data of the run that made CHECKPOINT (from the training "
        "config stored in it), refit the calibration temperature on its validation set, "
        "count the strokes each class is drawn with in its training data (the ending "
        "prior the finished guess uses), fit the familiarity statistics the snap policy "
        "checks (on the validation set, with that temperature and prior), and "
        "store them in CHECKPOINT, atomically, keeping its weights' precision. Training "
        "does this at the end of every run; this is for checkpoints made before.",
        epilog="example: frankenstein calibrate core/weights/cnn.pt",
    )
    p.add_argument("checkpoint", metavar="CHECKPOINT", help="a .pt checkpoint or a run folder")
    p.set_defaults(func=run_calibrate)


def run_calibrate(args: argparse.Namespace) -> int:
    from core.checkpoint import load_checkpoint, resolve_checkpoint
    from training.finish import recalibrate
    from ui.progress import RichProgress

    path = resolve_checkpoint(_not_bundled(args.checkpoint))
    bar = RichProgress()  # as train's: on stderr, each phase's bar (counts and ETA)
    try:
        temperature, ending = recalibrate(path, progress=bar.on_progress)
    finally:
        bar.close()
    if ending is None:  # loss_at="final": its guesses already assume the drawing ends
        prior = "no ending prior (trained at the final stroke only)"
    else:
        prior = f"ending prior from {int(ending.counts.sum()):,} training drawings"
    familiarity = load_checkpoint(path).familiarity
    gate = (
        "no familiarity (its validation set lacks a class or a right snap)"
        if familiarity is None
        else f"familiarity limit {familiarity.limit:.1f} ({familiarity.quantile:.0%} of "
        "validation right snaps pass)"
    )
    print(f"{path}: temperature {temperature:.3f}, {prior}, {gate}")
    return 0


def _not_bundled(name: str) -> str:
    """`name`, unless it names a bundled model (`cnn`): calibrate rewrites a checkpoint
    in place, and the bundled ones are the installed package's own files, which a
    slip of the keys should not change. Its path refits it on purpose (how they were
    made: the example above)."""
    from core import checkpoint_file
    from core.errors import FrankensteinError

    if name in checkpoint_file.BUNDLED:
        raise FrankensteinError(
            f"{name!r} is a bundled model, which calibrate would rewrite in place; to refit "
            f"it on purpose, give its path: {checkpoint_file.WEIGHTS_DIR / f'{name}.pt'}"
        )
    return name
