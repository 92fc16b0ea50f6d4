"""`social-progress serve` serves the latest release on 127.0.0.1."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from social_progress.publish.release import publish
from social_progress.publish.serve import make_server, serve_in_thread

BIN = Path(sys.executable).parent


def release(tmp_path, body=b"<html>release</html>"):
    publish(tmp_path / "releases", 2021, {"index.html": body, "scores.csv": b"a\n1\n"})
    return tmp_path / "releases"


def test_serves_the_latest_release_on_loopback(tmp_path):
    releases = release(tmp_path)
    server, url = serve_in_thread(releases / "latest")
    try:
        assert url.startswith("http://127.0.0.1:")
        assert urllib.request.urlopen(url, timeout=5).read() == b"<html>release</html>"
        assert urllib.request.urlopen(url + "scores.csv", timeout=5).headers["Content-Type"].startswith("text/csv")
        # a newer release shows up without a restart: `latest` is followed at each request
        publish(releases, 2021, {"index.html": b"<html>r2</html>", "scores.csv": b"a\n2\n"})
        assert urllib.request.urlopen(url, timeout=5).read() == b"<html>r2</html>"
    finally:
        server.shutdown()
        server.server_close()


def test_no_release_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="refresh"):
        make_server(tmp_path / "latest")


def test_cli_serve_prints_the_url_and_serves(tmp_path):
    releases = release(tmp_path)
    env = {**os.environ, "SPI_RELEASES_DIR": str(releases)}
    proc = subprocess.Popen([str(BIN / "social-progress"), "serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        assert urllib.request.urlopen(url, timeout=5).read() == b"<html>release</html>"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_cli_serve_without_release_exits_1(tmp_path):
    env = {**os.environ, "SPI_RELEASES_DIR": str(tmp_path / "none")}
    proc = subprocess.run([str(BIN / "social-progress"), "serve", "--port", "0"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "refresh" in proc.stderr
