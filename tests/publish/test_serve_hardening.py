"""`serve` under hostile or heavy use: a content security policy on every response, no
directory listings, bad paths answered 400/404 (never an unhandled error), a stalled client
dropped, and 200 concurrent connections for 10 seconds with no failed request."""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse

import pytest

from social_progress.publish import serve as serve_module
from social_progress.publish.serve import serve_in_thread

HTML = b"<!doctype html><title>explorer</title><p>Social progress</p>"


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "release"
    (folder / "explorer").mkdir(parents=True)
    (folder / "audit").mkdir()
    (folder / "audit" / "component_statistics.csv").write_bytes(b"component,alpha\nShelter,0.9\n")
    (folder / "index.html").write_bytes(HTML)
    (folder / "explorer" / "app.js").write_bytes(b"var x = 1;\n")
    server, url = serve_in_thread(folder)
    yield server, urllib.parse.urlsplit(url).port
    server.shutdown()
    server.server_close()


def request(port, path, method="GET", timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_every_response_forbids_inline_and_foreign_script(site):
    _, port = site
    for path in ("/", "/index.html", "/explorer/app.js", "/no-such-file"):
        status, headers, _ = request(port, path)
        csp = headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], path
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        assert headers.get("x-content-type-options") == "nosniff"


def test_no_directory_listing(site):
    _, port = site
    status, _, body = request(port, "/audit/")
    assert status == 404 and b"component_statistics.csv" not in body
    status, _, _ = request(port, "/audit/component_statistics.csv")
    assert status == 200


@pytest.mark.parametrize("path", ["/index.html%00.csv", "/%00", "/explorer/%00app.js", "/a%0d%0aSet-Cookie:x=1"])
def test_bad_paths_are_a_400_not_an_unhandled_error(site, path):
    server, port = site
    status, _, _ = request(port, path)
    assert status == 400
    assert request(port, "/index.html")[0] == 200            # the server is still up


def test_a_stalled_client_is_dropped_after_the_request_timeout(site, monkeypatch):
    server, port = site
    monkeypatch.setattr(serve_module._Handler, "timeout", 1)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")       # never finishes the headers
        t0 = time.monotonic()
        assert s.recv(1024) == b""                                  # closed by the server
        assert time.monotonic() - t0 < 5
    finally:
        s.close()


def test_the_listen_backlog_is_realistic(site):
    server, _ = site
    assert server.request_queue_size >= 128


@pytest.mark.slow
def test_200_concurrent_connections_for_10_seconds_without_a_failed_request(site):
    _, port = site
    stop = time.monotonic() + 10
    ok, failed, errors = [0], [0], []
    lock = threading.Lock()
    start = threading.Barrier(200)

    def client():
        start.wait()
        while time.monotonic() < stop:
            try:
                status, _, body = request(port, "/index.html", timeout=30)
                good = status == 200 and body == HTML
            except OSError as exc:
                good = False
                with lock:
                    errors.append(repr(exc))
            with lock:
                if good:
                    ok[0] += 1
                else:
                    failed[0] += 1

    threads = [threading.Thread(target=client) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    print(f"serve load: {ok[0]} requests in 10 s from 200 connections, {failed[0]} failed")
    assert failed[0] == 0, errors[:5]
    assert ok[0] >= 200
