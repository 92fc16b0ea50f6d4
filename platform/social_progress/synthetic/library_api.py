"""A tiny stand-in for the library management system's JSON API (for tests).

Why: the platform reads library activity over HTTP, with paging, as it would from the
real system. This serves the synthetic payload on 127.0.0.1 only:

    GET /api/v1/member-activity                    the whole flat array (application/json)
    GET /api/v1/member-activity?page=2&per_page=50 one page; a `Link: <...>; rel="next"`
                                                   header while more pages follow, and
                                                   X-Total-Count with the number of records

    server, url = serve_library_api("libraries_activity.json")
    ...
    server.shutdown(); server.server_close()
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PATH = "/api/v1/member-activity"
MAX_PER_PAGE = 10_000


def _records(json_path: Path) -> list[dict]:
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "members" in data:  # the nested payload: flatten it
        flat = []
        for m in data["members"]:
            person = {k: v for k, v in m.items() if k != "activity"}
            flat += [{**person, **a} for a in m.get("activity", [])]
        return flat
    if not isinstance(data, list):
        raise ValueError(f"{json_path}: expected a JSON array or a members payload")
    return data


def serve_library_api(json_path: str | Path, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve the member-activity records of `json_path` in a background thread; return
    (server, base URL). Call server.shutdown() and server.server_close() to stop it."""
    records = _records(Path(json_path))
    body_all = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: tests read the responses
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            parts = urlsplit(self.path)
            if parts.path.rstrip("/") != PATH:
                self._send(404, b'{"error":"not found"}')
                return
            q = parse_qs(parts.query)
            if "page" not in q and "per_page" not in q:
                self._send(200, body_all, {"X-Total-Count": str(len(records))})
                return
            try:
                page = int(q.get("page", ["1"])[0])
                per_page = int(q.get("per_page", ["100"])[0])
                if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
                    raise ValueError
            except ValueError:
                self._send(400, b'{"error":"page must be >= 1 and per_page 1..10000"}')
                return
            lo = (page - 1) * per_page
            chunk = records[lo:lo + per_page]
            headers = {"X-Total-Count": str(len(records))}
            if lo + per_page < len(records):
                host_hdr = self.headers.get("Host") or f"{host}:{server.server_port}"
                headers["Link"] = f'<http://{host_hdr}{PATH}?page={page + 1}&per_page={per_page}>; rel="next"'
            self._send(200, json.dumps(chunk, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), headers)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="synthetic-library-api", daemon=True).start()
    return server, f"http://{host}:{server.server_port}"
