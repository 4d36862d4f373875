"""`frankenstein data download`: fetch the Quick, Draw! files, with bars or --events."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import FrankensteinError
from ui.commands.data.progress import EVENTS_HELP, JsonProgress


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `download` action of `frankenstein data`."""
    dl = actions.add_parser(
        "download",
        help="fetch the 18 simplified Quick, Draw! files (resumable, checksummed)",
        description="Download <class>.ndjson for each class from Google's public Quick, Draw! "
        "bucket (simplified format, about 120,000 drawings a class). An interrupted download "
        "resumes from its .part file on the next run; a transfer that ends short of the "
        "server's size or MD5, or in the middle of a line, is resumed too and never "
        "installed; files already complete are checked against the SHA-256 recorded in "
        "DIR/checksums.json and skipped.",
    )
    dl.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the files go (default: $FRANKENSTEIN_DATA/quickdraw, i.e. data/quickdraw)",
    )
    dl.add_argument(
        "--classes",
        default=None,
        metavar="A,B,...",
        help="comma-separated class names (default: all 18)",
    )
    dl.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="a mirror of the bucket's full/simplified/ folder (default: Google's bucket)",
    )
    dl.add_argument("--timeout", type=float, default=60.0, help="seconds without data (60)")
    dl.add_argument("--retries", type=int, default=3, help="retries of a failing file (3)")
    dl.add_argument("--events", action="store_true", help=EVENTS_HELP)
    dl.set_defaults(func=run_download)


def run_download(args: argparse.Namespace) -> int:
    from collections import Counter

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    from core.classes import CLASSES, class_index, class_name
    from training.download import MANIFEST, default_dir
    from ui.progress import off_terminal

    if not args.timeout > 0:  # 0 made non-blocking sockets, below 0 a traceback
        raise FrankensteinError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    if args.timeout > MAX_TIMEOUT:  # inf or 1e10 overflowed the socket's clock
        raise FrankensteinError(
            f"--timeout {args.timeout:g}: must be at most {MAX_TIMEOUT} seconds (a day)"
        )
    if args.retries < 0:
        raise FrankensteinError(f"--retries {args.retries}: must be 0 or more")
    if args.classes is None:
        classes = list(CLASSES)
    else:
        names = [c for c in (c.strip() for c in args.classes.split(",")) if c]
        if not names:
            raise FrankensteinError("--classes: no class names given")
        classes = list(dict.fromkeys(class_name(class_index(c)) for c in names))
    if args.base_url is not None:
        _check_base_url(args.base_url)
    out = args.out if args.out is not None else default_dir()
    if args.events:
        return _download_events(args, classes, out)
    console = Console(markup=False)  # paths may hold [brackets], not markup

    class Amount(DownloadColumn):
        """Bytes for a file's task; "3/18" for the overall task (counted in files)."""

        def render(self, task):
            if task.fields.get("files"):
                return Text(f"{task.completed:.0f}/{task.total:.0f}", style="progress.download")
            return super().render(task)

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        Amount(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    bars = Console(stderr=True)  # stdout: the summary; the bars only on a terminal
    with Progress(*columns, console=bars, disable=off_terminal(bars)) as bar:
        overall = bar.add_task(_files(len(classes)), total=len(classes), files=True)
        tasks: dict[str, int] = {}

        def on_progress(p) -> None:
            if p.name not in tasks:
                tasks[p.name] = bar.add_task(p.name, total=p.total)
            task = tasks[p.name]
            if p.event in ("start", "bytes"):
                bar.update(task, description=p.name, completed=p.done, total=p.total)
            elif p.event == "verify":
                bar.update(
                    task, description=f"{p.name} (checking)", completed=p.done, total=p.total
                )
            elif p.event == "retry":
                # on stdout as before (stderr keeps a failure to its one line); on a
                # terminal, rich shows it above the bars
                console.print(f"{p.name}: {p.message}", markup=False, highlight=False)
            elif p.event == "done":
                bar.update(task, description=f"{p.name} {p.status}", completed=p.done, total=p.done)
                bar.advance(overall)

        try:
            results = _fetch(args, classes, out, on_progress)
        except KeyboardInterrupt:
            bar.stop()
            Console(stderr=True).print(
                f"frankenstein: interrupted; partial files stay in {out} as .part and resume "
                "on the next run",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            return 130
    counts = Counter(r.status for r in results)
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(
        f"{_files(len(results))} complete in {out} ({done}); SHA-256 in {out / MANIFEST}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return 0


MAX_TIMEOUT = 86400


def _check_base_url(url: str) -> None:
    """A one-line error unless `url` is an http(s):// URL with a host, or a file:// one
    (urllib would raise ValueError: 'unknown url type', 'Invalid IPv6 URL')."""
    from urllib.parse import urlsplit

    from training.download import BASE_URL

    if not url.strip():  # `--base-url "$MIRROR"` with MIRROR unset fetched from Google's
        raise FrankensteinError(
            f"--base-url {url!r}: an empty URL; name a mirror's folder, or leave "
            f"--base-url out for Google's bucket ({BASE_URL})"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as e:
        raise FrankensteinError(f"--base-url {url!r}: not a URL ({e})") from None
    if parts.scheme == "file" or (parts.scheme in ("http", "https") and parts.hostname):
        return
    raise FrankensteinError(
        f"--base-url {url!r}: not an http://, https:// or file:// URL of a folder "
        f"(default: {BASE_URL})"
    )


def _fetch(args: argparse.Namespace, classes: list[str], out: Path, on_progress) -> list:
    """The download itself, as the command line asked for it (bars or events report it)."""
    from training.download import BASE_URL, download

    return download(
        classes,
        out,
        base_url=args.base_url or BASE_URL,
        on_progress=on_progress,
        timeout=args.timeout,
        retries=args.retries,
    )


def _download_events(args: argparse.Namespace, classes: list[str], out: Path) -> int:
    """`data download --events`: files done of all, with the current file's megabytes."""
    events = JsonProgress(len(classes))
    finished = 0
    shown: dict[str, int] = {}

    def on_progress(p) -> None:
        nonlocal finished
        if p.event == "done":
            finished += 1
            events.update(finished, f"{p.name} {p.status}", force=True)
        elif p.event in ("start", "bytes", "verify"):
            mb = p.done >> 20
            if shown.get(p.name) != mb:  # one line a megabyte
                shown[p.name] = mb
                total = f"/{p.total >> 20}" if p.total else ""
                verb = "checking" if p.event == "verify" else "downloading"
                events.update(finished, f"{verb} {p.name} {mb}{total} MB", force=True)
        elif p.event == "retry":
            events.update(finished, f"{p.name}: {p.message}", force=True)

    results = _fetch(args, classes, out, on_progress)
    events.done(f"{_files(len(results))} complete in {out}")
    return 0


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"
