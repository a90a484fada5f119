"""Headless Chromium and a local web server, shared by `make pdf`, `make bench` and the tests."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .sphinx.chartdom import CHARTS_VISIBLE

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every chart on the page is visible (the build's drawing or the live chart), and every chart is live.
CHARTS_DRAWN = CHARTS_VISIBLE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


# What a static host (GitHub Pages, Netlify, nginx with gzip on) sends compressed; fonts and images are already.
GZIP_SUFFIXES = (".html", ".js", ".css", ".json", ".svg")
GZIP_LEVEL = 6


@functools.cache
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    # Keyed by mtime and size too, so a rebuilt file is compressed again.
    with open(path, "rb") as file:
        return gzip.compress(file.read(), compresslevel=GZIP_LEVEL, mtime=0)


class _GzipHandler(_QuietHandler):
    """Sends text files gzip-compressed to a client that accepts gzip, as a static host does."""

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.endswith(GZIP_SUFFIXES) and os.path.isfile(path)):
            return super().send_head()
        stat = os.stat(path)
        body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serving(directory: Path, compress: bool = False) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 on a free port; yield its base URL.

    With ``compress``, HTML, JavaScript, CSS, JSON and SVG go out gzip-compressed
    (``Content-Encoding: gzip``) to a client that accepts it, as from a static host.
    """
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def find_chromium() -> str | None:
    """Debian's Chromium (or $CHROMIUM), as the tests, `make pdf` and `make bench` use it."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def chromium() -> str:
    found = find_chromium()
    if not found:
        raise SystemExit("Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM=/path)")
    return found
