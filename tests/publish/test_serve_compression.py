"""`serve` compresses text and sends caching headers, without serving anything outside
the release folder: the explorer's data is tens of megabytes of text, read on phones."""
import gzip
import http.client
import urllib.parse

import pytest

from social_progress.publish.serve import accepts_gzip, serve_in_thread

JS = ("var SPI_DATA = " + ", ".join(f'{{"ward": "E05{i:06d}", "score": {i * 0.37:.2f}}}' for i in range(2000)) + ";\n").encode()
HTML = b"<!doctype html><title>explorer</title>" + b"<p>Social progress</p>" * 100
CSV = b"area_code,score\n" + b"".join(f"E05{i:06d},{i * 0.1:.1f}\n".encode() for i in range(500))
PARQUET = bytes(range(256)) * 20


@pytest.fixture
def site(tmp_path):
    """A small release-like folder, with a file beside it (outside it) that must stay unreachable."""
    folder = tmp_path / "release"
    (folder / "explorer").mkdir(parents=True)
    (folder / "index.html").write_bytes(HTML)
    (folder / "explorer" / "app.js").write_bytes(JS)
    (folder / "scores.csv").write_bytes(CSV)
    (folder / "scores.parquet").write_bytes(PARQUET)
    (folder / "metadata.json").write_bytes(b'{"release": 2021, "inputs": []}' + b" " * 1000)
    (tmp_path / "secret.txt").write_bytes(b"not part of the release")
    server, url = serve_in_thread(folder)
    yield urllib.parse.urlsplit(url).port
    server.shutdown()
    server.server_close()


def request(port, path, method="GET", **headers):
    """One raw request (http.client sends the path as given: no '..' clean-up on the way)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_gzip_when_accepted_with_the_right_headers(site):
    status, headers, body = request(site, "/explorer/app.js", **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert int(headers["content-length"]) == len(body) < len(JS) / 3
    assert gzip.decompress(body) == JS
    assert headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_plain_body_when_gzip_not_accepted(site, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    status, got, body = request(site, "/explorer/app.js", **headers)
    assert status == 200 and body == JS
    assert "content-encoding" not in got
    assert int(got["content-length"]) == len(JS)
    assert got["vary"] == "Accept-Encoding"  # a shared cache must not hand gzip to this client


def test_every_text_type_is_compressed_and_binary_is_not(site):
    for path, original in (("/", HTML), ("/index.html", HTML), ("/scores.csv", CSV)):
        status, headers, body = request(site, path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", path
        assert gzip.decompress(body) == original, path
    status, headers, body = request(site, "/scores.parquet", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == PARQUET and "content-encoding" not in headers


def test_cache_control_revalidates_the_page_and_caches_downloads(site):
    for path in ("/", "/index.html", "/metadata.json", "/explorer/app.js"):
        assert request(site, path)[1]["cache-control"] == "no-cache", path
    for path in ("/scores.csv", "/scores.parquet"):
        assert request(site, path)[1]["cache-control"] == "public, max-age=3600", path
    status, headers, _ = request(site, "/missing.csv")
    assert status == 404 and headers["cache-control"] == "no-cache"  # an error is never cached


def test_head_sends_the_headers_without_a_body(site):
    _, get_headers, get_body = request(site, "/explorer/app.js", **{"Accept-Encoding": "gzip"})
    status, headers, body = request(site, "/explorer/app.js", method="HEAD", **{"Accept-Encoding": "gzip"})
    assert status == 200 and body == b""
    assert headers["content-encoding"] == "gzip"
    assert headers["content-length"] == get_headers["content-length"] == str(len(get_body))
    assert headers["etag"] == get_headers["etag"]
    status, headers, body = request(site, "/scores.csv", method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(len(CSV))


def test_etag_gives_304_and_differs_between_encodings(site):
    _, plain, _ = request(site, "/explorer/app.js")
    _, zipped, _ = request(site, "/explorer/app.js", **{"Accept-Encoding": "gzip"})
    assert plain["etag"] and zipped["etag"] and plain["etag"] != zipped["etag"]
    assert plain["last-modified"]
    status, headers, body = request(site, "/explorer/app.js", **{"Accept-Encoding": "gzip", "If-None-Match": zipped["etag"]})
    assert status == 304 and body == b""
    assert headers["etag"] == zipped["etag"] and headers["cache-control"] == "no-cache"
    status, _, body = request(site, "/explorer/app.js", **{"If-None-Match": plain["etag"]})
    assert status == 304 and body == b""
    status, _, body = request(site, "/explorer/app.js", **{"If-None-Match": '"something-else"'})
    assert status == 200 and body == JS
    status, _, body = request(site, "/explorer/app.js", **{"If-Modified-Since": plain["last-modified"]})
    assert status == 304 and body == b""


def test_a_changed_file_gets_a_new_etag(site, tmp_path):
    _, before, _ = request(site, "/scores.csv")
    (tmp_path / "release" / "scores.csv").write_bytes(CSV + b"E05999999,1.0\n")
    status, after, body = request(site, "/scores.csv", **{"If-None-Match": before["etag"]})
    assert status == 200 and body.endswith(b"E05999999,1.0\n") and after["etag"] != before["etag"]


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/explorer/../../secret.txt",
                                  "/..%2fsecret.txt", "//../secret.txt"])
def test_paths_outside_the_folder_are_refused(site, path):
    status, _, body = request(site, path, **{"Accept-Encoding": "gzip"})
    assert status == 404 and b"not part of the release" not in body


def test_accept_encoding_parsing():
    assert accepts_gzip("gzip") and accepts_gzip("br, gzip;q=0.5") and accepts_gzip("*") and accepts_gzip("x-gzip")
    assert not accepts_gzip(None) and not accepts_gzip("") and not accepts_gzip("gzip;q=0") and not accepts_gzip("br, deflate")
    assert not accepts_gzip("gzip;q=0, *") and accepts_gzip("identity;q=0.5, *;q=0.1")
