"""A real HTTP server on 127.0.0.1 standing in for the Quick, Draw! bucket in tests.

It serves generated `<class>.ndjson` files under /simplified/, honours `Range:
bytes=N-` with 206 answers and an `x-goog-hash` MD5 header like Google Cloud Storage,
records every request, and can misbehave on purpose: drop the connection after some
bytes, hold it open until released, ignore Range, answer with an error status, announce
a Content-Length shorter than the body it sends, send no Content-Length at all (the
body ends when the connection closes), or send the body chunked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import numpy as np

from core.classes import CLASSES
from core.strokes import Drawing, drawing_to_json


def ndjson_bytes(cls: str, n: int, seed: int = 0) -> bytes:
    """`n` random but valid simplified drawings of class `cls` as ndjson."""
    rng = np.random.default_rng([seed, CLASSES.index(cls)])
    lines = []
    for i in range(n):
        strokes = tuple(
            rng.integers(0, 256, (int(rng.integers(2, 12)), 2)).astype(np.float32)
            for _ in range(int(rng.integers(1, 6)))
        )
        d = Drawing(strokes=strokes, word=cls, key_id=f"test-{cls}-{i}")
        lines.append(json.dumps(drawing_to_json(d), separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Request:
    method: str
    name: str  # the file name, percent-decoded
    raw_path: str  # as sent, still percent-encoded
    range: str | None


@dataclass
class Bucket:
    """What the server serves and how it behaves; tests change the fields freely."""

    files: dict[str, bytes]
    url: str = ""  # base URL, set when serving
    requests: list[Request] = field(default_factory=list)
    status: int | None = None  # answer every request with this error status
    ignore_range: bool = False
    drop_after: list[int] = field(default_factory=list)  # per response, then serve fully
    hold_after: int | None = None  # send this many bytes, then wait for `release`
    release: threading.Event = field(default_factory=threading.Event)
    md5: dict[str, str] = field(default_factory=dict)  # overrides of the announced MD5
    send_hash: bool = True
    short_length: list[int] = field(default_factory=list)  # per GET: announce this much less
    send_length: bool = True  # False: no Content-Length, the connection's close ends the body
    chunked: bool = False  # Transfer-Encoding: chunked (one chunk; drop_after cuts inside it)

    def hits(self, method: str = "GET") -> list[Request]:
        return [r for r in self.requests if r.method == method]


def _handler(bucket: Bucket) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # keep test output clean
            pass

        def do_HEAD(self):
            self._serve(body=False)

        def do_GET(self):
            self._serve(body=True)

        def _serve(self, body: bool) -> None:
            raw = urlsplit(self.path).path
            name = unquote(raw.rsplit("/", 1)[-1])
            rng = self.headers.get("Range")
            bucket.requests.append(Request(self.command, name, raw, rng))
            data = bucket.files.get(name) if raw.startswith("/simplified/") else None
            if bucket.status is not None or data is None:
                code = bucket.status or 404
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = 0
            if rng and not bucket.ignore_range and body:
                start = int(rng.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            part = data[start:]
            short = bucket.short_length.pop(0) if body and bucket.short_length else 0
            self.send_response(206 if start else 200)
            self.send_header("Content-Type", "application/x-ndjson")
            if bucket.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif bucket.send_length:
                self.send_header("Content-Length", str(len(part) - short))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            if bucket.send_hash:
                md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
                md5 = bucket.md5.get(name, md5)
                self.send_header("x-goog-hash", "crc32c=AAAAAA==")
                self.send_header("x-goog-hash", f"md5={md5}")
            self.end_headers()
            if not body:
                return
            if bucket.chunked:
                self.wfile.write(f"{len(part):x}\r\n".encode())
            if bucket.drop_after:
                self.wfile.write(part[: bucket.drop_after.pop(0)])
                self.close_connection = True
                return
            if bucket.hold_after is not None:
                self.wfile.write(part[: bucket.hold_after])
                self.wfile.flush()
                bucket.release.wait(timeout=30)
                self.close_connection = True
                return
            self.wfile.write(part)
            if bucket.chunked:
                self.wfile.write(b"\r\n0\r\n\r\n")
            if short or not (bucket.send_length or bucket.chunked):
                self.close_connection = True  # the rest of the body is not a next request

    return Handler


@contextlib.contextmanager
def serve(files: dict[str, bytes]) -> Iterator[Bucket]:
    """Serve `files` ({"circle.ndjson": b"..."}) at `bucket.url` until the block ends."""
    bucket = Bucket(files)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(bucket))
    server.daemon_threads = True
    bucket.url = f"http://127.0.0.1:{server.server_address[1]}/simplified"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield bucket
    finally:
        bucket.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def refused_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/simplified"
