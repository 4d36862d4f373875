"""Download the Quick, Draw! simplified files from Google's public bucket, resumably.

Each `<class>.ndjson` is fetched into `<class>.ndjson.part`. A transfer that drops or
is interrupted (Ctrl-C) leaves the .part behind and the next attempt resumes it with
an HTTP Range request; a server that ignores Range sends the whole file again and the
.part restarts cleanly. A finished .part is renamed into place only when its size
matches the server's (Content-Length / Content-Range) and its MD5 the server's
`x-goog-hash` or `Content-MD5` header, when one is sent. A server that sends no hash
and a Content-Length shorter than the file, or none at all, can end a transfer early
without a sign; so a transfer whose last line is not a whole JSON object (ndjson is
one drawing a line, and any piece of a JSON object short of all of it is not JSON) is
taken for cut short and resumed like a dropped one, and never installed. (A cut that
falls exactly at the end of a line cannot be told this way from the whole file: only
a size or a hash from the server can tell.) The SHA-256 of every finished file is
recorded in `<dir>/checksums.json`; a later run verifies a file against it and skips
it without touching the network, so a complete directory works offline.

One process downloads into a folder at a time (`<dir>/.download.lock`, held however the
process ends and removed when it is done): two at once (the TUI's Download and a
terminal's) both appended to the same .part, and one could install it while the other
still wrote into it.

Standard library only (urllib). Progress is reported to a callback; nothing prints.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from core.atomic import Busy, atomic_write_text, one_process, remove_temporaries, write_all
from core.classes import CLASSES, class_index, class_name
from core.errors import FrankensteinError
from core.paths import data_dir

BASE_URL = "https://storage.googleapis.com/quickdraw_dataset/full/simplified"
MANIFEST = "checksums.json"
LOCK = ".download.lock"  # held by the one process downloading into the folder
CHUNK = 1 << 16  # bytes per read and per progress report
USER_AGENT = "frankenstein-download/1"


class DownloadError(FrankensteinError):
    """A file that could not be fetched or verified; the message names the URL or file."""


Status = Literal["downloaded", "resumed", "skipped", "verified"]


@dataclass(frozen=True)
class Progress:
    """One report to the progress callback.

    `event`: "start" (a transfer begins at `done` of `total` bytes), "bytes" (more
    arrived), "verify" (`done` of `total` bytes checksummed), "retry" (`message` says
    why), "done" (`status` says how the file was made complete).
    """

    event: Literal["start", "bytes", "verify", "retry", "done"]
    name: str
    done: int = 0
    total: int | None = None
    status: Status | None = None
    message: str = ""


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class FileResult:
    """A complete, verified file."""

    name: str
    path: Path
    size: int
    sha256: str
    status: Status


def default_dir() -> Path:
    """Where downloads go unless told otherwise: <data>/quickdraw."""
    return data_dir() / "quickdraw"


def class_url(cls: str, base_url: str = BASE_URL) -> str:
    """The URL of a class's file; the name is percent-encoded ('hockey stick' -> %20)."""
    return f"{base_url.rstrip('/')}/{quote(class_name(class_index(cls)) + '.ndjson')}"


def download(
    classes: Iterable[str] = CLASSES,
    out_dir: str | os.PathLike | None = None,
    *,
    base_url: str = BASE_URL,
    on_progress: ProgressFn | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    retry_wait: float = 2.0,
    chunk_size: int = CHUNK,
) -> list[FileResult]:
    """Make `<out_dir>/<class>.ndjson` complete and verified for every class, in order.

    `retries`: attempts after a dropped connection, a timeout or a server error before
    giving up (a retry that got further than any before it does not count). Raises
    DownloadError naming the URL and the cause; a partial file stays as .part.
    """
    out = Path(out_dir) if out_dir is not None else default_dir()
    names = list(dict.fromkeys(class_name(class_index(c)) for c in classes))  # errors first
    if out.exists() and not out.is_dir():
        raise DownloadError(f"{out}: exists and is not a directory")
    made = [d for d in (out, *out.parents) if not d.exists()]  # deepest first
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DownloadError(f"{out}: cannot create the directory ({e.strerror})") from None
    report = on_progress or (lambda p: None)
    fetcher = _Fetcher(timeout, retries, retry_wait, chunk_size, report)
    try:
        with _downloading_into(out):
            return _download_all(names, out, base_url, fetcher)
    except BaseException:
        for folder in made:  # folders this call made and left empty (offline, a 404)
            try:
                folder.rmdir()
            except OSError:  # not empty: a .part to resume from stays, and all above it
                break
        raise


def _download_all(
    names: list[str], out: Path, base_url: str, fetcher: _Fetcher
) -> list[FileResult]:
    """`download`'s work, holding the folder's lock."""
    manifest = Manifest.load(out / MANIFEST)
    report = fetcher.report
    results = []
    for cls in names:
        url = class_url(cls, base_url)
        try:
            result = _complete_file(url, out / f"{cls}.ndjson", manifest, fetcher)
        except OSError as e:  # the network's OSErrors are handled inside; this is the disk
            where = e.filename or out / f"{cls}.ndjson"
            if e.filename2:
                where = f"{e.filename} -> {e.filename2}"
            raise DownloadError(f"{where}: {e.strerror or e}") from None
        manifest.record(result, url)
        report(Progress("done", result.name, result.size, result.size, status=result.status))
        results.append(result)
    return results


@contextlib.contextmanager
def _downloading_into(out: Path) -> Iterator[None]:
    """Hold `out`'s download lock for the block, or raise DownloadError naming the pid
    of the process that holds it. Once held, the temporaries of a manifest write that a
    killed download left belong to no live writer and are removed."""
    try:
        with one_process(out / LOCK, remove=True):
            remove_temporaries(out, re.escape(MANIFEST))
            yield
    except Busy as e:
        raise DownloadError(
            f"{out}: another process (pid {e.holder}) is downloading into this folder; "
            "wait for it to end or stop it"
        ) from None
    except OSError as e:
        if e.filename is None or Path(e.filename) != out / LOCK:
            raise
        raise DownloadError(f"{e.filename}: {e.strerror or e}") from None


def _complete_file(url: str, path: Path, manifest: Manifest, fetcher: _Fetcher) -> FileResult:
    """Verify `path` if it is there; otherwise (or if it fails) download it."""
    name = path.name
    if path.is_file():
        entry = manifest.files.get(name)
        if entry is not None:
            size, sha, _ = _digests(path, name, fetcher.report)
            if _cut_short(path):  # recorded by a version that did not look
                msg = f"{path} ends in the middle of a line; downloading"
                fetcher.report(Progress("retry", name, message=msg))
            elif size == entry.get("size") and sha == entry.get("sha256"):
                return FileResult(name, path, size, sha, "skipped")
            else:
                msg = f"{path} does not match {MANIFEST}; downloading"
                fetcher.report(Progress("retry", name, message=msg))
        else:  # e.g. copied in by hand or the manifest was deleted: ask the server
            remote = fetcher.head(url)
            size, sha, md5 = _digests(path, name, fetcher.report)
            if (
                remote.size is not None
                and size == remote.size
                and remote.md5 in (None, md5)
                and not _cut_short(path)
            ):
                return FileResult(name, path, size, sha, "verified")
            fetcher.report(
                Progress("retry", name, message=f"{path} does not match {url}; downloading")
            )
    part = path.with_name(name + ".part")
    remote = fetcher.fetch(url, part)
    size, sha, md5 = _digests(part, name, fetcher.report)
    if remote.resumed and remote.md5 is not None and md5 != remote.md5:
        # the .part's old bytes were wrong (another version of the file, a damaged disk):
        # once more from the first byte, before blaming the server
        part.unlink()
        msg = "MD5 does not match after resuming the .part; downloading the whole file"
        fetcher.report(Progress("retry", name, message=msg))
        remote = fetcher.fetch(url, part)
        size, sha, md5 = _digests(part, name, fetcher.report)
    if remote.size is not None and size != remote.size:
        part.unlink()
        raise DownloadError(
            f"{url}: got {size} bytes but the server announced {remote.size}; removed {part}"
        )
    if remote.md5 is not None and md5 != remote.md5:
        part.unlink()
        raise DownloadError(
            f"{url}: MD5 of the download does not match the server's; removed {part}, "
            "run again to download it afresh"
        )
    head = _head_bytes(part)
    if not head.startswith(b"{"):  # e.g. a web page: a login portal, a mirror's error page
        part.unlink()
        shown = head[:40].decode("utf-8", "replace").splitlines()[0] if head else ""
        raise DownloadError(
            f"{url}: the server sent {f'{shown!r}...' if shown else 'an empty file'}, "
            "not ndjson drawings; removed it (is --base-url right?)"
        )
    os.replace(part, path)
    return FileResult(name, path, size, sha, "resumed" if remote.resumed else "downloaded")


def _head_bytes(path: Path) -> bytes:
    """The first bytes of a file, leading whitespace and a UTF-8 BOM left off."""
    with open(path, "rb") as f:
        return f.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()


LONGEST_LINE = 16 << 20  # bytes; a real drawing's line is a few kilobytes


def _cut_short(path: Path) -> bool:
    """Whether a file that starts as ndjson ends in the middle of a line: its last line
    (blank lines aside) is not a whole JSON object, or is longer than LONGEST_LINE. A
    file that does not start with '{' is not judged here (it is no ndjson at all)."""
    if not _head_bytes(path).startswith(b"{"):
        return False
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        tail = b""
        while end > 0 and b"\n" not in tail.rstrip() and len(tail) <= LONGEST_LINE:
            start = max(0, end - CHUNK)
            f.seek(start)
            tail = f.read(end - start) + tail
            end = start
    last = tail.rstrip().rpartition(b"\n")[2]
    if len(last) > LONGEST_LINE:
        return True
    try:
        return not isinstance(json.loads(last), dict)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
        return True


def _digests(path: Path, name: str, report: ProgressFn) -> tuple[int, str, str]:
    """(size, sha256 hex, md5 base64) of a file, reporting "verify" progress for `name`."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    total = path.stat().st_size
    done = 0
    report(Progress("verify", name, 0, total))
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            sha.update(block)
            md5.update(block)
            done += len(block)
            report(Progress("verify", name, done, total))
    return done, sha.hexdigest(), base64.b64encode(md5.digest()).decode("ascii")


# ------------------------------------------------------------------------- manifest


@dataclass
class Manifest:
    """`checksums.json`: {"files": {name: {"size", "sha256", "url"}}}, written atomically."""

    path: Path
    files: dict[str, dict]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.exists():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data["files"]
            if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
                raise ValueError
        except (OSError, ValueError, KeyError, TypeError):
            raise DownloadError(
                f"{path}: not a checksum manifest; delete it and the files are checked "
                "against the server again"
            ) from None
        return cls(path, files)

    def record(self, result: FileResult, url: str) -> None:
        entry = {"size": result.size, "sha256": result.sha256, "url": url}
        if self.files.get(result.name) == entry:
            return
        self.files[result.name] = entry
        text = json.dumps({"files": dict(sorted(self.files.items()))}, indent=1)
        atomic_write_text(self.path, text + "\n")


# ---------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class _Remote:
    """What the server says about the whole file: its size and MD5 (base64), if known;
    and whether its last answer continued a partial file (206) rather than sent it all."""

    size: int | None
    md5: str | None
    resumed: bool = False


class _Transient(Exception):
    """A failure worth retrying: a dropped connection, a timeout, a 5xx answer."""


def _remote_md5(resp: http.client.HTTPResponse, whole: bool) -> str | None:
    """The whole file's MD5 from `x-goog-hash: crc32c=..., md5=...` (or Content-MD5)."""
    for header in resp.headers.get_all("x-goog-hash") or []:
        for item in header.split(","):
            key, _, value = item.strip().partition("=")
            if key.lower() == "md5" and value:
                return value
    md5 = resp.headers.get("Content-MD5")
    return md5.strip() if md5 and whole else None  # Content-MD5 of a 206 covers the range


def _content_range(resp: http.client.HTTPResponse) -> tuple[int, int | None] | None:
    """(first byte, total size or None) of `Content-Range: bytes a-b/total`."""
    value = resp.headers.get("Content-Range", "")
    unit, _, spec = value.partition(" ")
    rng, _, total = spec.partition("/")
    first = rng.partition("-")[0]
    if unit != "bytes" or not first.isdigit():
        return None
    return int(first), int(total) if total.isdigit() else None


def _cause(e: BaseException) -> str:
    reason = e.reason if isinstance(e, URLError) else e
    if isinstance(reason, socket.gaierror):
        return "cannot resolve the host name (offline?)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (offline, or no server there?)"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


class _Fetcher:
    """HTTP GET into a .part file with resume and retries; HEAD for the size."""

    def __init__(self, timeout, retries, retry_wait, chunk_size, report: ProgressFn):
        self.timeout, self.retries, self.retry_wait = timeout, retries, retry_wait
        self.chunk_size, self.report = chunk_size, report

    def _open(self, req: Request) -> http.client.HTTPResponse:
        """urlopen, with the failures that mean 'offline' raised as DownloadError."""
        try:
            return urlopen(req, timeout=self.timeout)
        except HTTPError as e:
            if e.code >= 500 or e.code == 429:
                e.close()
                raise _Transient(f"HTTP {e.code} {e.reason}") from None
            raise
        except URLError as e:
            if isinstance(e.reason, TimeoutError) or (
                isinstance(e.reason, ConnectionError)
                and not isinstance(e.reason, ConnectionRefusedError)
            ):
                raise _Transient(_cause(e)) from None
            raise DownloadError(f"cannot download {req.full_url}: {_cause(e)}") from None
        except (TimeoutError, ConnectionError, http.client.HTTPException) as e:
            raise _Transient(_cause(e)) from None

    def head(self, url: str) -> _Remote:
        req = Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
        try:
            with self._open(req) as resp:
                length = resp.headers.get("Content-Length")
                size = int(length) if length and length.isdigit() else None
                return _Remote(size, _remote_md5(resp, whole=True))
        except HTTPError as e:
            raise DownloadError(f"cannot check {url}: HTTP {e.code} {e.reason}") from None
        except _Transient as e:
            raise DownloadError(f"cannot check {url}: {e}") from None

    def fetch(self, url: str, part: Path) -> _Remote:
        """Fill `part` with the whole file at `url`, resuming what is there."""
        failures, furthest = 0, part.stat().st_size if part.exists() else 0
        while True:
            try:
                return self._attempt(url, part)
            except _Transient as e:
                have = part.stat().st_size if part.exists() else 0
                if have > furthest:  # progress was made: this failure does not count
                    furthest = have
                else:
                    failures += 1
                if failures > self.retries:
                    kept = f"; {part} kept ({have} bytes), run again to resume" if have else ""
                    raise DownloadError(f"cannot download {url}: {e}{kept}") from None
                self.report(Progress("retry", part.name[:-5], have, message=f"{e}; retrying"))
                time.sleep(self.retry_wait)
            except HTTPError as e:
                raise DownloadError(f"cannot download {url}: HTTP {e.code} {e.reason}") from None

    def _attempt(self, url: str, part: Path) -> _Remote:
        name = part.name[: -len(".part")]
        offset = part.stat().st_size if part.exists() else 0
        headers = {"User-Agent": USER_AGENT}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            resp = self._open(Request(url, headers=headers))
        except HTTPError as e:
            if e.code == 416 and offset:  # the .part is not a prefix of this file
                whole = e.headers.get("Content-Range", "").rpartition("/")[2]
                if whole == str(offset) and _cut_short(part):  # it is all there is
                    part.unlink()
                    raise DownloadError(
                        f"cannot download {url}: the server's file ends in the middle of a "
                        f"line after {offset} bytes, so it is cut short there (a broken copy?); "
                        f"removed {part}"
                    ) from None
                part.unlink()
                raise _Transient("the partial file does not fit the server's; restarting") from None
            raise
        with resp:
            if resp.status == 206:
                rng = _content_range(resp)
                if rng is None or rng[0] != offset:
                    part.unlink()
                    raise _Transient(f"the server sent another range ({rng}); restarting")
                total = rng[1]
            else:  # 200: the whole file, whether or not Range was asked
                if offset:
                    msg = "the server ignored the Range request; restarting the file"
                    self.report(Progress("retry", name, 0, message=msg))
                offset = 0
                length = resp.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
            remote = _Remote(total, _remote_md5(resp, resp.status == 200), resp.status == 206)
            done = offset
            self.report(Progress("start", name, done, total))
            try:  # unbuffered: what a write took is in the .part, what it did not is not
                f = open(part, "ab" if offset else "wb", buffering=0)  # noqa: SIM115 - closed below
            except OSError as e:
                raise DownloadError(f"{part}: cannot write ({e.strerror})") from None
            with f:
                while True:
                    try:
                        chunk = resp.read1(self.chunk_size)
                    except http.client.IncompleteRead:  # e.g. a chunked answer broken off
                        of = f" of {total}" if total is not None else ""
                        raise _Transient(f"connection closed after {done}{of} bytes") from None
                    except (TimeoutError, ConnectionError, http.client.HTTPException) as e:
                        raise _Transient(_cause(e)) from None
                    if not chunk:
                        break
                    try:  # what arrived is in the file for a resume, whatever happens
                        write_all(f, chunk)
                    except OSError as e:  # a full disk: the bytes before it make a resume
                        raise DownloadError(
                            f"cannot write {part} ({e.strerror}); what arrived is kept there: "
                            "make room, then run again to resume"
                        ) from None
                    done += len(chunk)
                    self.report(Progress("bytes", name, done, total))
                with contextlib.suppress(OSError):
                    f.flush()
                    os.fsync(f.fileno())
        if total is not None and done < total:
            raise _Transient(f"connection closed after {done} of {total} bytes")
        if _cut_short(part):  # a short or missing Content-Length, and no hash to tell
            raise _Transient(
                f"the data ends in the middle of a line after {done} bytes, so the file "
                "was cut short"
            )
        return remote
