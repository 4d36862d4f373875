"""`frankenstein draw`: open the live drawing window (what `make run` starts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import FrankensteinError
from ui.commands.eval import add_steadiness_flags, check_numbers, flag_error


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "draw",
        help="open the drawing window: draw, see the guesses, watch shapes snap",
        description="Open the drawing window. After every stroke the side panel shows the "
        "top 3 guesses; when the snap policy is confident, your ink is replaced by a clean "
        "template fitted to it, once the shape is steady or the pen has rested 1.5 s. Keys: "
        "H or F1 lists them (undo Ctrl+Z/Cmd+Z/Backspace, redo Ctrl+Y/Ctrl+Shift+Z/Cmd+Shift+Z, "
        "clear C, switch model M, snap now Space, auto-snap A, completion preview P, "
        "threshold [ and ], save S/Ctrl+S/Cmd+S, export E; Esc quits, twice with unsaved ink).",
    )
    p.add_argument(
        "--model",
        choices=("frankenstein", "cnn"),
        default=None,
        help="model to start with: Frankenstein (CNN+LSTM) or the CNN-only ablation "
        "(default: the checkpoint marked as default in the TUI, else frankenstein)",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="a checkpoint to draw with (default: the bundled one), of the model it holds "
        "(a --model naming another is refused); M switches to the other model's bundled "
        "checkpoint",
    )
    p.add_argument("--threshold", type=float, default=None, help="snap threshold (0..1)")
    add_steadiness_flags(p)
    p.add_argument("--no-auto-snap", action="store_true", help="start with auto-snap off")
    p.add_argument(
        "--no-preview",
        action="store_true",
        help="start with the completion preview off (P turns it on: the top guess's "
        "template under the ink, faint)",
    )
    p.add_argument(
        "--no-reopen",
        action="store_true",
        help="every stroke after a snap starts a new shape (a stroke on a snapped shape "
        "does not reopen it)",
    )
    p.add_argument(
        "--ignore-familiarity",
        action="store_true",
        help="snap without checking that the ink looks like the class's training doodles",
    )
    p.add_argument(
        "--save-dir",
        type=Path,
        default=None,
        help="where S saves and E exports (default: data/drawings, under $FRANKENSTEIN_DATA "
        "if set)",
    )
    p.add_argument(
        "--label",
        default=None,
        metavar="CLASS",
        help="S saves every shape under CLASS, whatever the model guessed or snapped to "
        "(collecting your own doodles of one class)",
    )
    p.add_argument(
        "--replay",
        type=Path,
        default=None,
        metavar="NDJSON",
        help="first draw the doodles of a raw or simplified .ndjson file (with --limit)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="with --replay, the doodles to replay (default 6); with --score, the doodles "
        "a class (default all)",
    )
    p.add_argument(
        "--score",
        type=Path,
        default=None,
        metavar="DIR",
        help="headless: replay every doodle of DIR's <class>.ndjson files alone, with "
        "its timing, through the window and report the snaps left on the canvas "
        "(the checkpoint used; precision and recall, recall per class, each wrong snap), "
        "then exit",
    )
    p.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="PNG",
        help="render headless (after --replay) into a PNG and exit instead of opening",
    )
    p.set_defaults(func=run_draw)


def _settings(args: argparse.Namespace):
    from pydantic import ValidationError

    from live.settings import POLICY_FIELDS, LiveSettings

    check_numbers(args, ("threshold", "steady_override"))

    values: dict = {
        "model": args.model or "frankenstein",
        "auto_snap": not args.no_auto_snap,
        "preview": not args.no_preview,
        "reopen_snaps": not args.no_reopen,
        "heed_familiarity": not args.ignore_familiarity,
    }
    if args.checkpoint is not None:
        from core.checkpoint_file import held_model

        values["checkpoint"] = args.checkpoint
        # Read without torch, so the window still opens before the model loads: a
        # checkpoint that is not there or cannot be read is refused now; one that does
        # not say its model (broken: the load says why) is reported in the window.
        held = held_model(args.checkpoint)
        if args.model is None:  # the panel names the model the checkpoint holds
            values["model"] = held or values["model"]
        elif held is not None and held != args.model:
            raise _mismatch(args.model, args.checkpoint, held)
    elif args.model is None:
        values.update(_default_model())
    for key in POLICY_FIELDS:
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    if args.save_dir is not None:
        values["save_dir"] = args.save_dir
    if args.label is not None:  # the class's own message, with the nearest name
        from core.classes import UnknownClassError, class_index

        try:
            class_index(args.label)
        except UnknownClassError as e:
            raise FrankensteinError(f"--label {args.label}: {e}") from None
        values["save_label"] = args.label
    try:
        return LiveSettings(**values)
    except ValidationError as e:
        raise flag_error(e) from None


def _mismatch(model: str, checkpoint: Path, held: str) -> FrankensteinError:
    """--model naming another family than the checkpoint's network: refused, as the
    window would draw with the checkpoint's network under the other's name (and M would
    "switch" to the family already in use)."""
    return FrankensteinError(
        f"--model {model}: {checkpoint} holds a {held} model; leave out --model "
        f"(or give --model {held}) to draw with it"
    )


def _default_model() -> dict:
    """The model and checkpoint marked as default in the TUI, if any and still there."""
    from live.default_model import default_model_file, read_default_model

    saved = read_default_model()
    if saved is None:
        return {}
    if not saved.checkpoint.is_file():
        _warn(
            f"the default checkpoint {saved.checkpoint} (set in {default_model_file()}) is "
            "gone; using the bundled model"
        )
        return {}
    return {"model": saved.model, "checkpoint": saved.checkpoint}


def _warn(message: str) -> None:
    print(f"frankenstein: warning: {message}", file=sys.stderr)


def _check_combination(args: argparse.Namespace) -> None:
    """Flags that would be ignored are refused: the user meant something by them."""
    if args.limit is not None and args.replay is None and args.score is None:
        raise FrankensteinError(f"--limit {args.limit}: counts doodles of --replay or --score")
    if args.score is not None and (args.replay is not None or args.screenshot is not None):
        raise FrankensteinError(
            "--score replays each doodle of its folder alone and reports the snaps; "
            "it takes neither --replay nor --screenshot"
        )
    if args.label is not None and (args.score is not None or args.screenshot is not None):
        raise FrankensteinError(
            f"--label {args.label}: names the class S saves under in the window; "
            "--score and --screenshot save nothing"
        )
    if args.replay is not None and args.replay.is_dir():  # not "cannot open (Is a directory)"
        raise FrankensteinError(
            f"{args.replay}: a directory, not a file (--replay takes one .ndjson file; "
            "--score a folder of them)"
        )


def run_draw(args: argparse.Namespace) -> int:
    _check_combination(args)
    settings = _settings(args)
    if args.limit is not None and args.limit < 1:
        raise FrankensteinError(f"--limit {args.limit}: must be at least 1")
    if args.screenshot is not None:
        from core.atomic import check_output_file

        check_output_file(args.screenshot)
        if args.screenshot.suffix.lower() != ".png":  # PNG bytes under another name
            raise FrankensteinError(f"{args.screenshot}: the screenshot is written as a .png file")
    drawings = []
    if args.replay is not None:
        from core.strokes import ReadReport, iter_ndjson

        limit = 6 if args.limit is None else args.limit
        read = ReadReport()
        drawings = list(iter_ndjson(args.replay, limit=limit, report=read))
        if not drawings:
            raise FrankensteinError(read.nothing_read(str(args.replay), "replay"))
        if read.bad:  # as every reader does: skip bad lines, and say which
            _warn(read.skipped())
    if args.score is not None:
        return _score(settings, args.score, args.limit, from_default=args.checkpoint is None)
    if args.screenshot is not None:
        import pyglet

        pyglet.options["headless"] = True  # no display needed for a screenshot
        from live.app import screenshot

        out = screenshot(settings, args.screenshot, replay=drawings)
        print(f"wrote {out}")
        return 0
    from live.app import run

    run(settings, report=_warn, replay=drawings)
    return 0


def _scored_model(settings, from_default: bool) -> str:
    """Which checkpoint `--score` replays through, for its report: the TUI's default
    would otherwise change the figures with nothing on screen to say so."""
    from core.checkpoint import resolve_checkpoint
    from live.controller import MODEL_TITLES

    title = MODEL_TITLES[settings.model]
    if settings.checkpoint is None:
        return f"{title}, the bundled {resolve_checkpoint(settings.model)}"
    if from_default:
        from live.default_model import default_model_file

        return f"{title}, {settings.checkpoint} (draw's default, set in {default_model_file()})"
    return f"{title}, {settings.checkpoint}"


def _score(settings, directory: Path, limit: int | None, *, from_default: bool = False) -> int:
    import pyglet

    pyglet.options["headless"] = True
    from rich.console import Console
    from rich.progress import Progress

    from core.strokes import ReadReport
    from live.app import score_replays
    from training.cache import directory_files
    from training.datainfo import FilesRead, labelled_drawings
    from training.replay import first_per_class
    from ui.progress import off_terminal, reading_bar

    files = directory_files(directory)
    read = ReadReport()
    with reading_bar() as progress:
        files_read = FilesRead(files, progress)

        def drawings_of(f):  # raw, with their timing
            return labelled_drawings(f, files_read, report=read)

        drawings = first_per_class(files, drawings_of, limit)
    if not drawings:
        raise FrankensteinError(read.nothing_read(str(directory), "score"))
    bars = Console(stderr=True)  # stdout: the report
    with Progress(transient=True, console=bars, disable=off_terminal(bars)) as bar:
        task = bar.add_task("replaying through the window", total=len(drawings))
        score = score_replays(
            settings, drawings, progress=lambda i, n: bar.update(task, completed=i)
        )
    precision = "n/a" if score["precision"] is None else f"{score['precision']:.1%}"
    print(f"model: {_scored_model(settings, from_default)}")
    print(
        f"{score['n']} doodles replayed through the window: {score['snaps']} snaps, "
        f"precision {precision}, recall {score['recall']:.1%}"
    )
    for cls, recall in score["recall_per_class"].items():
        print(f"  {cls:<13} recall {recall:.0%}")
    if score["wrong"]:
        print(f"{len(score['wrong'])} wrong snaps (doodle, its class -> the class snapped to):")
        ids = [w["key_id"] or "?" for w in score["wrong"]]
        width = max(map(len, ids))  # Quick, Draw!'s 16 digits, the window's live-... 21
        for key_id, w in zip(ids, score["wrong"], strict=True):
            print(f"  {key_id:<{width}}  {w['true']} -> {w['snapped']}")
    if score["familiarity_note"] is not None:
        print(f"({score['familiarity_note']})")
    untimed = sum(d.times is None for d in drawings)
    if untimed:  # the pause rule then judges made-up timing: say so beside the figures
        print(
            f"({untimed} of {len(drawings)} doodles had no timing (simplified drawings): "
            "replayed at 10 ms a point and 300 ms between strokes; the raw files keep "
            "the pen's own)"
        )
    if read.bad:
        print(f"({read.skipped()})")
    if read.mismatches:
        print(f"({read.mismatch_warning()})")
    return 0
