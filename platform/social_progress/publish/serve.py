"""Serve a release folder (by default `releases/latest`) over HTTP on 127.0.0.1.

Why a plain static server: the explorer is static files, so anything that serves files
will do; this one binds to the loopback address only, follows the `latest` pointer at
every request (a new release shows up without a restart) and logs quietly.

Why it compresses and sends validators: the explorer's data (explorer/data*.js) is megabytes
of text that gzip shrinks several times over, which matters on a phone; and an
ETag lets a browser revalidate a file it already holds with a body-less 304.

Caching: `latest` moves to a new release folder under the same URLs, so the page and the
explorer's own files (explorer/: code and data that must match the page) are `no-cache`,
always revalidated (cheap with the ETag), as is metadata.json; the other downloads are
`public, max-age=3600`, as the folder they come from never changes once written (just
after a new release, a browser may keep an earlier download for up to that hour).
"""
from __future__ import annotations

import datetime
import email.utils
import functools
import gzip
import http.server
import io
import os
import threading
import urllib.parse
from collections import OrderedDict
from http import HTTPStatus
from pathlib import Path

HOST = "127.0.0.1"
# Text formats worth compressing (parquet, png and the like are already compressed).
COMPRESSIBLE = {".html", ".htm", ".js", ".css", ".json", ".geojson", ".csv", ".svg", ".txt", ".md", ".xml"}
MIN_COMPRESS_BYTES = 512          # below this gzip's header outweighs what it saves
REVALIDATE = "no-cache"
# Served pages run only the release's own script files: no inline script or handler, no
# plugin, frame or form target, nothing from another origin (a value planted in a feed that
# escaped into a page still could not run). Inline styles stay allowed (style attributes).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; object-src 'none'; frame-src 'none'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:")
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}
REQUEST_TIMEOUT_S = 30            # a client that stalls mid-request is dropped (the handler's socket timeout)
LISTEN_BACKLOG = 128              # pending connections the kernel queues (the library's 5 dropped requests)
CACHE_FOR_AN_HOUR = "public, max-age=3600"


class _GzipCache:
    """Compressed bodies keyed by file identity (device, inode, mtime, size), so data.js is
    compressed once per release rather than at every request; bounded in total bytes."""

    def __init__(self, max_bytes: int = 128 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, path: str) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        with open(path, "rb") as fh:
            body = gzip.compress(fh.read(), compresslevel=6, mtime=0)
        with self._lock:
            if key not in self._items and len(body) <= self.max_bytes:
                self._items[key] = body
                self._size += len(body)
                while self._size > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._size -= len(old)
        return body


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip: `gzip` (or `x-gzip`) with q > 0, or
    `*` with q > 0 when gzip is not named."""
    qualities = {}
    for item in (header or "").split(","):
        name, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for p in params:
            if p.lower().startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        qualities[name.lower()] = q
    named = [qualities[n] for n in ("gzip", "x-gzip") if n in qualities]
    return max(named) > 0 if named else qualities.get("*", 0.0) > 0


def cache_control(relative: str) -> str:
    """The Cache-Control for a file at `relative` (a /-separated path within the release)."""
    name = relative.rsplit("/", 1)[-1].lower()
    if name.endswith((".html", ".htm")) or name == "metadata.json" or relative.startswith("explorer/"):
        return REVALIDATE
    return CACHE_FOR_AN_HOUR


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".geojson": "application/geo+json", ".json": "application/json",
                      ".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}
    _cache_control = REVALIDATE
    timeout = REQUEST_TIMEOUT_S

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def end_headers(self):
        self.send_header("Cache-Control", self._cache_control)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def list_directory(self, path):
        """No directory listings: a folder without index.html is not found."""
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def send_head(self):
        """As the base class (same path translation, so nothing outside the folder is
        reachable), plus gzip, ETag/304 and Cache-Control for files; a path the file
        system cannot take (a NUL byte, say) is a 400, never an unhandled error."""
        self._cache_control = REVALIDATE
        raw = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if "\x00" in raw or any(ord(c) < 32 for c in raw):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad path")
            return None
        try:
            path = self.translate_path(self.path)
            is_dir = os.path.isdir(path)
        except (ValueError, OSError):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad path")
            return None
        if is_dir:
            index = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/") or not os.path.isfile(index):
                return super().send_head()    # the redirect to "dir/", or (list_directory) a 404
            path = index
        if path.endswith("/"):
            return super().send_head()        # its 404 for "file/"
        try:
            f = open(path, "rb")
        except (OSError, ValueError):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            fs = os.fstat(f.fileno())
            relative = os.path.relpath(path, self.directory).replace(os.sep, "/")
            self._cache_control = cache_control(relative)
            ext = os.path.splitext(path)[1].lower()
            compressible = ext in COMPRESSIBLE
            use_gzip = compressible and fs.st_size >= MIN_COMPRESS_BYTES and accepts_gzip(self.headers.get("Accept-Encoding"))
            etag = f'"{fs.st_ino:x}-{fs.st_mtime_ns:x}-{fs.st_size:x}{"-gzip" if use_gzip else ""}"'

            if self._etag_matches(etag) or ("If-None-Match" not in self.headers and self._not_modified_since(fs.st_mtime)):
                f.close()
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                if compressible:
                    self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return None

            body = f
            length = fs.st_size
            if use_gzip:
                data = self.server.gzip_cache.get((fs.st_dev, fs.st_ino, fs.st_mtime_ns, fs.st_size), path)
                f.close()
                body, length = io.BytesIO(data), len(data)
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-type", self.guess_type(path))
            self.send_header("Content-Length", str(length))
            self.send_header("Last-Modified", self.date_time_string(fs.st_mtime))
            self.send_header("ETag", etag)
            if use_gzip:
                self.send_header("Content-Encoding", "gzip")
            if compressible:
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return body
        except BaseException:
            f.close()
            raise

    def _etag_matches(self, etag: str) -> bool:
        header = self.headers.get("If-None-Match")
        if not header:
            return False
        tags = [t.strip() for t in header.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)

    def _not_modified_since(self, mtime: float) -> bool:
        header = self.headers.get("If-Modified-Since")
        if not header:
            return False
        try:
            since = email.utils.parsedate_to_datetime(header)
        except (TypeError, IndexError, OverflowError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=datetime.timezone.utc)
        return int(mtime) <= since.timestamp()


class _Server(http.server.ThreadingHTTPServer):
    """A thread per request, with a realistic listen backlog."""
    request_queue_size = LISTEN_BACKLOG


def make_server(directory: Path, port: int = 0, verbose: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for `directory` on 127.0.0.1:`port` (0: any free port); call serve_forever()."""
    directory = Path(directory)
    if not (directory / "index.html").exists():
        raise FileNotFoundError(f"{directory}: no release with an explorer (index.html) here; run `social-progress refresh` first")
    handler = functools.partial(_Handler, directory=str(directory))
    server = _Server((HOST, port), handler)
    server.verbose = verbose
    server.daemon_threads = True
    server.gzip_cache = _GzipCache()
    return server


def serve_in_thread(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a server in a daemon thread; returns it and its base URL (for tests)."""
    server = make_server(directory, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}/"
