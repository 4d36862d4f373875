"""`frankenstein train`: train a model (a config file and/or key=value settings)."""

from __future__ import annotations

import argparse
import os
import sys

from core.errors import FrankensteinError
from training.callbacks import Callback  # light: no torch
from training.commandline import command, resume_words

EPILOG = """\
examples:
  frankenstein train                                  # defaults: frankenstein on synthetic data
  frankenstein train model=cnn epochs=5 name=cnn-try
  frankenstein train run.toml augment.rotate=10 data.per_class=500
  frankenstein train bundled model=cnn name=my-cnn    # a shipped recipe, by name
  frankenstein train data.sources='["data/quickdraw"]' data.cap_per_class=10000
  frankenstein train --resume name=cnn-try            # continue after Ctrl-C or a crash
  frankenstein train --dry-run                        # one tiny batch end to end
  torchrun --nproc_per_node 2 -m ui.cli train threads=1 name=ddp   # several processes

Settings are TrainConfig fields (training/config.py), dotted for sections; values
are JSON where they parse. The run folder is OUT_DIR/NAME (default runs/<model>-<time>)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model; keeps best/last checkpoints, resumes, ends with an eval",
        description="Train Frankenstein or the CNN-only model on synthetic or real "
        "drawings, with validation, checkpoints, resume and a final evaluation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "settings",
        nargs="*",
        metavar="[CONFIG] KEY=VALUE",
        help="an optional .toml/.json config file or shipped recipe name (bundled), then "
        "overrides such as epochs=5",
    )
    p.add_argument("--resume", action="store_true", help="continue the run named by name=...")
    p.add_argument("--dry-run", action="store_true", help="one tiny batch end to end, in seconds")
    p.add_argument("--events", action="store_true", help="JSON lines on stdout instead of bars")
    p.set_defaults(func=run_train)


def split_settings(settings: list[str]) -> tuple[str | None, list[str]]:
    """(config file or None, key=value overrides)."""
    if settings and "=" not in settings[0]:
        return settings[0], settings[1:]
    bad = [s for s in settings if "=" not in s]
    if bad:
        raise FrankensteinError(f"{bad[0]!r}: expected key=value (a config file comes first)")
    return None, settings


def resolve_config(settings: list[str], resume: bool):
    """The run's TrainConfig: from the file and overrides, or for --resume from the run."""
    from training.config import ConfigError, load_config, parse_override, set_dotted
    from training.runfolder import RunFolder

    path, overrides = split_settings(settings)
    cfg = load_config(path, overrides)
    if not resume:
        return cfg
    if cfg.name is None:
        raise ConfigError("--resume needs the run's name: frankenstein train --resume name=RUN")
    saved = RunFolder(cfg.run_dir).resume_config().model_dump(mode="json")
    given = set()
    for item in overrides:  # e.g. epochs=20 to extend a finished run
        key, value = parse_override(item)
        set_dotted(saved, key, value)
        given.add(key)
    from training.config import check_stored_data, config_from_dict

    source = str(RunFolder(cfg.run_dir).config)
    resumed = config_from_dict(saved, source=source)
    stored = tuple(k for k in ("data.sources", "eval_data") if not given & {k, k.split(".")[0]})
    for key in stored:
        how = (
            f"if the run was trained elsewhere, resume from there; else give {key}=... "
            "as the folder's path from here"
        )
        check_stored_data(resumed, source, how, keys=(key,))
    return resumed


def _another_rank() -> bool:
    """Whether this process is a torchrun rank other than 0 (RANK and WORLD_SIZE set):
    a setting refused is refused on every rank, and was printed once by each."""
    return os.environ.get("RANK", "0") != "0" and os.environ.get("WORLD_SIZE", "1") != "1"


def run_train(args: argparse.Namespace) -> int:
    from training.events import JsonEvents

    events = JsonEvents(sys.stdout) if args.events else None
    from training.config import ConfigError
    from training.runfolder import LostPeerError, SaidByRankZero  # light: no torch

    try:
        return _train(args, events)
    except SaidByRankZero:
        return 2  # rank 0 says why
    except LostPeerError as e:  # said, then out without tearing down the broken group
        if events is None:
            print(f"frankenstein: error: {e}", file=sys.stderr)
        else:
            events.error(e)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(2)
    except FrankensteinError as e:
        if isinstance(e, ConfigError) and _another_rank():
            return 2  # every process read the same settings: rank 0 says it, once
        if events is None:
            raise
        events.error(e)
        return 2
    except Exception as e:  # a bug: tell the supervisor, then fail loudly (exit 1)
        if events is not None:
            events.error(e)
        raise


class DataWarnings(Callback):
    """Prints what the run should know about its data as warnings: its folders' listing
    at once (training/datainfo.py), what reading them found at the start (training/data.py)."""

    def on_warning(self, text: str) -> None:
        print(f"frankenstein: warning: {text}", file=sys.stderr)

    def on_start(self, info: dict) -> None:
        for warning in info.get("data_warnings", ()):
            print(f"frankenstein: warning: {warning}", file=sys.stderr)


def _train(args: argparse.Namespace, events) -> int:
    from core.atomic import check_output_dir

    cfg = resolve_config(args.settings, args.resume)  # a bad setting fails before torch loads
    check_output_dir(cfg.out_dir)
    from training.loop import train
    from training.runfolder import RunFolder
    from ui.progress import RichProgress

    class Bars(RichProgress):
        """The progress bars and their lines, but for a run stopped before it started
        (Ctrl-C while it prepared its data): its one line is the stderr one below, which
        says how to start it, where the bars' 'interrupted: no epoch finished' came too."""

        started = False

        def on_start(self, info) -> None:
            self.started = True
            super().on_start(info)

        def on_done(self, info) -> None:
            if self.started or info.get("status") != "interrupted":
                super().on_done(info)

    callbacks = [events] if events is not None else [Bars(), DataWarnings()]
    try:
        result = train(cfg, callbacks, resume=args.resume, dry_run=args.dry_run)
    finally:
        for c in callbacks:
            if isinstance(c, RichProgress):
                c.close()
    if result.status == "interrupted":
        if int(os.environ.get("RANK", "0")) != 0:
            return 130  # rank 0 says it, once
        again = resume_words(result.run_dir.name, result.run_dir.parent)  # pasteable: quoted
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # under torchrun: the same again
            how = f"the same torchrun command with {command(*again)}"
        else:
            how = command("frankenstein", "train", *again)
        if RunFolder(result.run_dir).last.is_file():
            said = f"interrupted; last.pt saved. Continue with: {how}"
        else:  # stopped while preparing data: a resume starts the run
            said = f"interrupted before training began (no last.pt yet). Start it with: {how}"
        print(f"frankenstein: {said}", file=sys.stderr)
        return 130
    return 0
