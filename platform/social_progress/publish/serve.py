"""Serve a release folder (by default `releases/latest`) over HTTP on 127.0.0.1.

Why a plain static server: the explorer is static files, so anything that serves files
will do; this one binds to the loopback address only, follows the `latest` pointer at
every request (a new release shows up without a restart) and logs quietly.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

HOST = "127.0.0.1"


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".geojson": "application/geo+json", ".json": "application/json",
                      ".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


def make_server(directory: Path, port: int = 0, verbose: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for `directory` on 127.0.0.1:`port` (0: any free port); call serve_forever()."""
    directory = Path(directory)
    if not (directory / "index.html").exists():
        raise FileNotFoundError(f"{directory}: no release with an explorer (index.html) here; run `social-progress refresh` first")
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.verbose = verbose
    server.daemon_threads = True
    return server


def serve_in_thread(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a server in a daemon thread; returns it and its base URL (for tests)."""
    server = make_server(directory, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}/"
