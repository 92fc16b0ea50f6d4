"""Browser tests of the explorer in real headless Chromium (Debian's chromium + chromedriver).

The release under test comes from a real refresh of the bundled data in a copy of the
project (as the end-to-end tests do), or from SPI_EXPLORER_RELEASE if set (a release folder
built earlier, to iterate quickly). It is served by the platform's own `serve` code on
127.0.0.1 with an ephemeral port. No browser is downloaded: the tests skip when Chromium
is not installed, unless SPI_REQUIRE_BROWSER=1 (set by .ci/run), where they fail.
"""
import os
import shutil
import sys
from pathlib import Path

import pytest

from explorer_viewports import VIEWPORTS  # noqa: E402  (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("SPI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SPI_CHROMEDRIVER", "/usr/bin/chromedriver")
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
sys.path.insert(0, str(ROOT / "tests" / "publish"))


def _need_browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        msg = f"headless Chromium not installed ({', '.join(missing)}): apt-get install -y chromium chromium-driver"
        if os.environ.get("SPI_REQUIRE_BROWSER") == "1":
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def real_release(tmp_path_factory):
    """One refresh shared by every xdist worker: the first builds it under a file lock,
    the others wait and reuse it (xdist groups alone are not relied on)."""
    _need_browser()
    given = os.environ.get("SPI_EXPLORER_RELEASE")
    if given:
        return Path(given)
    from project_copy import shared_good_refresh
    return shared_good_refresh(tmp_path_factory) / "releases" / "latest"


@pytest.fixture(scope="session")
def fixture_releases(tmp_path_factory):
    """Two small releases from the hand-made warehouse: with and without the optional tables."""
    _need_browser()
    from fixture_warehouse import make_warehouse
    from fixture_targets import write_fixture_targets
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.release import publish
    out = {}
    for name, optional in (("with", dict(uncertainty=True, comparators=True, checks=True)), ("without", {})):
        base = tmp_path_factory.mktemp(f"fixture-{name}")
        db = make_warehouse(base / "wh" / "social_progress.duckdb", **optional)
        year, files = build_release(read_warehouse(db), borough={"code": "E09000002", "name": "Barking and Dagenham"},
                                    sources_path=ROOT / "catalogue" / "sources.yml",
                                    targets_path=write_fixture_targets(base / "catalogue"), code_version="test")
        out[name] = publish(base / "releases", year, files).path
    return out


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1280,2000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def serve():
    from social_progress.publish.serve import serve_in_thread
    servers = []

    def _serve(folder):
        server, url = serve_in_thread(folder)
        servers.append(server)
        return url
    yield _serve
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def viewport(browser):
    """Emulate a screen size (a VIEWPORTS name) for one test, then give the shared browser
    back its own size."""
    def _set(name):
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORTS[name])
    try:
        yield _set
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.get("about:blank")
        assert browser.execute_script("return window.innerWidth") == 1280
