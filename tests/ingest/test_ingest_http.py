"""HTTP sources against a real http.server on 127.0.0.1: download, cache, checksum, fallback."""
from __future__ import annotations

import functools
import hashlib
import os
import socket
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from social_progress.ingest import IngestError, ingest_source

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ingest" / "police_sample.csv"


class Server:
    """Serves a folder; records (path, status) of every request."""

    def __init__(self, folder: Path, conditional: bool = True):
        self.folder = folder
        self.log: list[tuple[str, int]] = []
        log = self.log

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                log.append((self.path, int(getattr(code, "value", code))))

            def send_head(self):
                if not conditional:  # a server that always sends the whole body
                    del self.headers["If-Modified-Since"]
                return super().send_head()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def statuses(self, name: str) -> list[int]:
        return [code for path, code in self.log if path == f"/{name}"]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "crimes.csv").write_bytes(FIXTURE.read_bytes())
    srv = Server(folder)
    yield srv
    srv.close()


@pytest.fixture
def plain_server(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "crimes.csv").write_bytes(FIXTURE.read_bytes())
    srv = Server(folder, conditional=False)
    yield srv
    srv.close()


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_reader(url: str, **extra) -> dict:
    return {"kind": "http", "url": url, "format": "csv", "encoding": "utf-8", "timeout": 5, **extra}


REQUIRED = ["Crime ID", "Month", "Longitude", "Latitude", "LSOA code", "Crime type"]


def test_download_is_cached_and_not_fetched_again(project, make, server):
    url = server.url("crimes.csv")
    source = make("police", http_reader(url), REQUIRED)

    first = ingest_source(source, project.settings)
    assert (first.status, first.origin, first.rows) == ("ingested", "download", 20)
    assert first.content_hash == hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert project.query("SELECT DISTINCT _source_file FROM raw.police") == [(url,)]
    assert Path(first.landed_path).read_bytes() == FIXTURE.read_bytes()
    assert Path(first.landed_path).name == f"{first.content_hash}.csv"
    cached = list(project.settings.http_cache_dir.rglob("body.csv"))
    assert len(cached) == 1 and cached[0].read_bytes() == FIXTURE.read_bytes()

    second = ingest_source(source, project.settings)
    assert (second.status, second.origin, second.rows) == ("unchanged", "cache", 20)
    assert server.statuses("crimes.csv") == [200, 304]  # asked "modified since?", body not sent again

    # The publisher updates the file: it is downloaded and ingested.
    served = server.folder / "crimes.csv"
    lines = served.read_text().splitlines(keepends=True)
    served.write_text("".join(lines[:11]))
    later = time.time() + 10
    os.utime(served, (later, later))
    third = ingest_source(source, project.settings)
    assert (third.status, third.origin, third.rows) == ("ingested", "download", 10)
    assert server.statuses("crimes.csv") == [200, 304, 200]
    assert project.count("police") == 10


def test_same_content_sent_again_is_not_reingested(project, make, plain_server):
    source = make("police", http_reader(plain_server.url("crimes.csv")), REQUIRED)
    first = ingest_source(source, project.settings)
    second = ingest_source(source, project.settings)
    assert plain_server.statuses("crimes.csv") == [200, 200]
    assert (second.status, second.origin, second.content_hash) == ("unchanged", "download", first.content_hash)
    assert len(project.log("police")) == 1


def test_declared_checksum_is_verified(project, make, server):
    url = server.url("crimes.csv")
    good = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert ingest_source(make("ok", http_reader(url, sha256=good)), project.settings).rows == 20

    wrong = "0" * 64
    with pytest.raises(IngestError) as err:
        ingest_source(make("tampered", http_reader(url, sha256=wrong)), project.settings)
    assert str(err.value) == (f"source 'tampered' ({url}): checksum mismatch: declared sha256 {wrong} "
                              f"but the download has {good}")
    assert not project.has_table("tampered")
    assert not (project.settings.http_cache_dir / "tampered").exists() or not list(
        (project.settings.http_cache_dir / "tampered").rglob("body.*"))


def test_unreachable_url_without_fallback_is_a_clear_error(project, make):
    url = f"http://127.0.0.1:{unused_port()}/crimes.csv"
    with pytest.raises(IngestError) as err:
        ingest_source(make("police", http_reader(url)), project.settings)
    assert str(err.value) == (f"source 'police' ({url}): cannot download: connection failed: "
                              "Connection refused; and no local fallback is declared")
    assert not project.has_table("police")


def test_unreachable_url_uses_the_local_fallback_and_says_so(project, make):
    project.add("police_sample.csv", "data/records/police.csv")
    url = f"http://127.0.0.1:{unused_port()}/crimes.csv"
    source = make("police", http_reader(url, fallback="data/records/police.csv"), REQUIRED)

    result = ingest_source(source, project.settings)

    assert (result.status, result.origin, result.rows) == ("ingested", "fallback", 20)
    assert result.notes == (f"{url} unreachable (connection failed: Connection refused); "
                            "used local fallback data/records/police.csv",)
    assert project.query("SELECT DISTINCT _source_file FROM raw.police") == [("data/records/police.csv",)]
    assert ingest_source(source, project.settings).status == "unchanged"


def test_http_error_status_falls_back_or_fails(project, make, server):
    url = server.url("missing.csv")
    with pytest.raises(IngestError, match=r"cannot download: HTTP 404 File not found; and no local fallback"):
        ingest_source(make("nofile", http_reader(url)), project.settings)
    project.add("police_sample.csv", "data/police.csv")
    result = ingest_source(make("withfb", http_reader(url, fallback="data/police.csv")), project.settings)
    assert result.origin == "fallback" and "HTTP 404" in result.notes[0]


def test_remote_url_is_not_contacted_unless_downloads_are_allowed(project, make, monkeypatch):
    """The default run stays on the machine: a remote URL uses the fallback without a request."""
    import requests as requests_mod

    def no_network(*args, **kwargs):
        raise AssertionError("a request was made")

    monkeypatch.delenv("SPI_ALLOW_DOWNLOADS", raising=False)
    monkeypatch.setattr(requests_mod, "get", no_network)
    project.add("police_sample.csv", "data/records/police.csv")
    url = "https://data.police.uk/data/2023-01/2023-01-metropolitan-street.csv"
    result = ingest_source(make("police", http_reader(url, fallback="data/records/police.csv"), REQUIRED), project.settings)
    assert result.origin == "fallback" and "SPI_ALLOW_DOWNLOADS=1" in result.notes[0]
    with pytest.raises(IngestError, match="downloads are off"):
        ingest_source(make("nofb", http_reader(url)), project.settings)
