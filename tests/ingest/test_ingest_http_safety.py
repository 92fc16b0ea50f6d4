"""HTTP sources against hostile or broken servers: redirects, slow bodies, oversized bodies.

Why: a download must obey the offline rule on every redirect hop, say where its bytes came
from, and neither hang the run nor fill the disk. Real http.servers on 127.0.0.1 (and
127.0.0.2, which is on this machine but counts as "outside" for the offline rule, so the
test can see whether it was contacted) play the servers.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from social_progress.ingest import IngestError, ingest_source

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ingest" / "police_sample.csv"
REQUIRED = ["Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "Crime type"]
LAST_MODIFIED = "Sun, 01 Jan 2023 00:00:00 GMT"

Route = Callable[[BaseHTTPRequestHandler, "Site"], None]


class Site:
    """A real http.server whose paths run scripted routes; records every requested path."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()  # set at teardown so slow routes give up
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(self.path)
                route = site.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                try:
                    route(self, site)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.host, self.port = host, self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect(location: str, status: int = 302) -> Route:
    def route(h, site):
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def serve(data: bytes) -> Route:
    """200 with Last-Modified; 304 when asked "modified since?" with that date."""
    def route(h, site):
        if h.headers.get("If-Modified-Since") == LAST_MODIFIED:
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Last-Modified", LAST_MODIFIED)
        h.end_headers()
        h.wfile.write(data)
    return route


def dribble(size: int, every: float) -> Route:
    """Announces `size` bytes, then sends one byte every `every` seconds."""
    def route(h, site):
        h.send_response(200)
        h.send_header("Content-Length", str(size))
        h.end_headers()
        for _ in range(size):
            if site.stopping.wait(every):
                return
            h.wfile.write(b"x")
            h.wfile.flush()
    return route


def dribble_headers(every: float) -> Route:
    """Sends the status line, then one byte of a header every `every` seconds (for 20 bytes,
    so a client without a deadline is held for a while but the suite never hangs)."""
    def route(h, site):
        h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        h.wfile.flush()
        for _ in range(20):
            if site.stopping.wait(every):
                return
            h.wfile.write(b"x")
            h.wfile.flush()
    return route


def body(data: bytes, announce: int | None = None) -> Route:
    """Sends `data`; Content-Length is `announce` if given, else absent (ends at close)."""
    def route(h, site):
        h.send_response(200)
        if announce is not None:
            h.send_header("Content-Length", str(announce))
        h.end_headers()
        h.wfile.write(data)
    return route


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def outside():
    """A server this machine runs but the offline rule treats as remote (not 127.0.0.1)."""
    s = Site("127.0.0.2")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.delenv("SPI_ALLOW_DOWNLOADS", raising=False)
    monkeypatch.delenv("SPI_DOWNLOAD_MAX_BYTES", raising=False)
    monkeypatch.delenv("SPI_DOWNLOAD_DEADLINE_S", raising=False)
    for proxy in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)


def http_reader(url: str, **extra) -> dict:
    return {"kind": "http", "url": url, "format": "csv", "encoding": "utf-8", "timeout": 5, **extra}


def cache_files(project, pattern: str) -> list[Path]:
    return list(project.settings.http_cache_dir.rglob(pattern))


def assert_nothing_landed(project, source_id: str) -> None:
    """No cached body, no table; the partial download is removed (at once, or as soon as the
    abandoned transfer's next read returns)."""
    assert not project.has_table(source_id)
    assert cache_files(project, "body.*") == []
    assert not (project.settings.landing_dir / source_id).exists()
    give_up = time.monotonic() + 3
    while cache_files(project, ".download-*") and time.monotonic() < give_up:
        time.sleep(0.05)
    assert cache_files(project, ".download-*") == []


def test_offline_redirect_to_another_host_is_refused_without_contacting_it(project, make, site, outside):
    outside.routes["/crimes.csv"] = serve(FIXTURE.read_bytes())
    site.routes["/crimes.csv"] = redirect(outside.url("/crimes.csv"))
    url = site.url("/crimes.csv")

    with pytest.raises(IngestError) as err:
        ingest_source(make("police", http_reader(url), REQUIRED), project.settings)

    assert str(err.value) == (f"source 'police' ({url}): redirect hop 1 to {outside.url('/crimes.csv')} refused: "
                              "it leaves this machine and downloads are off (set SPI_ALLOW_DOWNLOADS=1)")
    assert outside.requests == []
    assert_nothing_landed(project, "police")


def test_refused_hop_is_checked_on_later_hops_and_never_shows_credentials(project, make, site, outside):
    site.routes["/a"] = redirect("/b")
    site.routes["/b"] = redirect(f"http://alice:s3cret@{outside.host}:{outside.port}/crimes.csv")
    url = f"http://bob:hunter2@127.0.0.1:{site.port}/a"

    with pytest.raises(IngestError) as err:
        ingest_source(make("police", http_reader(url), REQUIRED), project.settings)

    assert str(err.value) == (f"source 'police' ({site.url('/a')}): redirect hop 2 to {outside.url('/crimes.csv')} "
                              "refused: it leaves this machine and downloads are off (set SPI_ALLOW_DOWNLOADS=1)")
    assert "s3cret" not in str(err.value) and "hunter2" not in str(err.value)
    assert site.requests == ["/a", "/b"] and outside.requests == []


def test_redirect_to_a_non_http_scheme_is_refused(project, make, site):
    site.routes["/crimes.csv"] = redirect("file:///etc/passwd")
    url = site.url("/crimes.csv")
    with pytest.raises(IngestError) as err:
        ingest_source(make("police", http_reader(url), REQUIRED), project.settings)
    assert str(err.value) == (f"source 'police' ({url}): redirect hop 1 to file:///etc/passwd refused: "
                              "only http(s) URLs are downloaded")


def test_same_rule_follows_the_redirect_when_downloads_are_allowed(project, make, site, outside, monkeypatch):
    monkeypatch.setenv("SPI_ALLOW_DOWNLOADS", "1")
    outside.routes["/crimes.csv"] = serve(FIXTURE.read_bytes())
    site.routes["/crimes.csv"] = redirect(outside.url("/crimes.csv"))

    result = ingest_source(make("police", http_reader(site.url("/crimes.csv")), REQUIRED), project.settings)

    assert (result.status, result.origin, result.rows) == ("ingested", "download", 20)
    assert outside.requests == ["/crimes.csv"]
    assert project.query("SELECT DISTINCT _source_file FROM raw.police") == [(outside.url("/crimes.csv"),)]


def test_local_redirect_chain_is_followed_and_the_final_url_is_recorded(project, make, site):
    site.routes["/start"] = redirect(site.url("/hop1"), 301)    # absolute
    site.routes["/hop1"] = redirect("/files/hop2", 307)          # relative to the host
    site.routes["/files/hop2"] = redirect("crimes.csv", 308)     # relative to the folder
    site.routes["/files/crimes.csv"] = serve(FIXTURE.read_bytes())
    start, final = site.url("/start"), site.url("/files/crimes.csv")
    source = make("police", http_reader(start), REQUIRED)

    first = ingest_source(source, project.settings)

    assert (first.status, first.origin, first.rows) == ("ingested", "download", 20)
    assert site.requests == ["/start", "/hop1", "/files/hop2", "/files/crimes.csv"]
    assert project.query("SELECT DISTINCT _source_file FROM raw.police") == [(final,)]
    assert any(f"downloaded {final} (after 3 redirects from {start})" in note for note in first.notes)
    [meta_file] = cache_files(project, "meta.json")
    meta = json.loads(meta_file.read_text())
    assert (meta["url"], meta["final_url"]) == (start, final)

    # The next run asks the final server "modified since?" and reuses the cached copy.
    second = ingest_source(source, project.settings)
    assert (second.status, second.origin) == ("unchanged", "cache")
    assert site.requests[4:] == ["/start", "/hop1", "/files/hop2", "/files/crimes.csv"]


def test_redirect_loop_stops_with_a_clear_error(project, make, site):
    site.routes["/a"] = redirect("/b")
    site.routes["/b"] = redirect("/a")
    url = site.url("/a")
    with pytest.raises(IngestError) as err:
        ingest_source(make("police", http_reader(url), REQUIRED), project.settings)
    assert str(err.value) == (f"source 'police' ({url}): cannot download: more than 10 redirects "
                              f"(stopped before {site.url('/b')}); and no local fallback is declared")
    assert len(site.requests) == 11
    assert_nothing_landed(project, "police")


def test_server_dribbling_the_body_is_stopped_by_the_overall_deadline(project, make, site, monkeypatch):
    """One byte every 0.5 s never trips a 1 s read timeout; the 2 s deadline stops it."""
    monkeypatch.setenv("SPI_DOWNLOAD_DEADLINE_S", "2")
    site.routes["/slow.csv"] = dribble(100, every=0.5)
    url = site.url("/slow.csv")

    started = time.monotonic()
    with pytest.raises(IngestError) as err:
        ingest_source(make("slow", http_reader(url, timeout=1)), project.settings)
    elapsed = time.monotonic() - started

    assert elapsed < 2 + 2
    assert str(err.value) == (f"source 'slow' ({url}): cannot download: no complete answer within the 2 s "
                              "download deadline (SPI_DOWNLOAD_DEADLINE_S); and no local fallback is declared")
    assert_nothing_landed(project, "slow")


def test_server_dribbling_the_headers_is_stopped_by_the_overall_deadline(project, make, site, monkeypatch):
    monkeypatch.setenv("SPI_DOWNLOAD_DEADLINE_S", "2")
    site.routes["/slow.csv"] = dribble_headers(every=0.5)
    project.add("police_sample.csv", "data/police.csv")
    url = site.url("/slow.csv")

    started = time.monotonic()
    result = ingest_source(make("slow", http_reader(url, timeout=1, fallback="data/police.csv")), project.settings)

    assert time.monotonic() - started < 2 + 2
    assert result.origin == "fallback"
    assert result.notes[0] == (f"{url} unreachable (no complete answer within the 2 s download deadline "
                               "(SPI_DOWNLOAD_DEADLINE_S)); used local fallback data/police.csv")


def test_body_over_the_size_limit_is_refused_and_nothing_remains(project, make, site, monkeypatch):
    monkeypatch.setenv("SPI_DOWNLOAD_MAX_BYTES", "1000")
    site.routes["/big.csv"] = body(FIXTURE.read_bytes())  # no Content-Length: only streaming can tell
    url = site.url("/big.csv")
    assert len(FIXTURE.read_bytes()) > 1000

    with pytest.raises(IngestError) as err:
        ingest_source(make("big", http_reader(url)), project.settings)

    assert str(err.value) == (f"source 'big' ({url}): download stopped: more than the limit of 1000 bytes "
                              "(SPI_DOWNLOAD_MAX_BYTES)")
    assert_nothing_landed(project, "big")


def test_announced_size_over_the_limit_is_refused_before_reading(project, make, site, monkeypatch):
    """The server announces 1 GB but sends 10 bytes: only the up-front check reports the size."""
    monkeypatch.setenv("SPI_DOWNLOAD_MAX_BYTES", "1000")
    site.routes["/huge.csv"] = body(b"a,b\n1,2\n3,", announce=10**9)
    url = site.url("/huge.csv")

    with pytest.raises(IngestError) as err:
        ingest_source(make("huge", http_reader(url)), project.settings)

    assert str(err.value) == (f"source 'huge' ({url}): download refused: the server announces 1000000000 bytes, "
                              "more than the limit of 1000 bytes (SPI_DOWNLOAD_MAX_BYTES)")
    assert_nothing_landed(project, "huge")


def test_body_within_the_size_limit_is_downloaded(project, make, site, monkeypatch):
    data = FIXTURE.read_bytes()
    monkeypatch.setenv("SPI_DOWNLOAD_MAX_BYTES", str(len(data)))
    site.routes["/crimes.csv"] = body(data)
    result = ingest_source(make("police", http_reader(site.url("/crimes.csv")), REQUIRED), project.settings)
    assert (result.origin, result.rows) == ("download", 20)
