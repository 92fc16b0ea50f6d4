"""GX Data Docs render offline, in the warehouse and in a release: every style and script a
page loads is a vendored file beside it (no CDN), no inline script or handler is left for the
release's Content-Security-Policy to block, and the release holds the shared static folder as
real files. In headless Chromium, a served page is styled, its tables and icons show, and no
request leaves 127.0.0.1."""
from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from social_progress.quality import docs_offline
from social_progress.quality.suites import ExpectationSpec, Suite
from social_progress.quality.validate import run_suite

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "publish"))
CHROMIUM = os.environ.get("SPI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SPI_CHROMEDRIVER", "/usr/bin/chromedriver")
DOCS = "gx/docs"          # where the fixture warehouse's quality.check_results say the Data Docs are


def _suite() -> Suite:
    return Suite(name="offline", asset="raw/offline", owner="steward@example.org", batches={
        "main": [ExpectationSpec("expect_column_values_to_be_in_set",
                                 {"column": "code", "value_set": ["E01000001", "E01000002"]}, row_level=True),
                 ExpectationSpec("expect_column_values_to_not_be_null", {"column": "name"})],
        "other": [ExpectationSpec("expect_column_values_to_be_between", {"column": "n", "min_value": 0, "max_value": 10})],
    })


def build_docs(docs_dir: Path):
    frames = {"main": pd.DataFrame({"code": ["E01000001", "E0X-BAD", "E01000002"], "name": ["a", "b", "c"],
                                    "_row": [2, 3, 4]}),
              "other": pd.DataFrame({"n": [1, 2, 30]})}
    outcome = run_suite(_suite(), frames, docs_dir=docs_dir)
    assert outcome.docs_index is not None and outcome.docs_index.is_file()
    return outcome


class _Refs(HTMLParser):
    """What a page loads (link/script/img), its inline scripts, handlers and outside links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads, self.anchors, self.inline_scripts, self.handlers, self.styles = [], [], 0, [], []
        self._in_script = self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.handlers += [k for k in a if k.startswith("on")]
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.loads.append(a["src"])
        elif tag == "style":
            self._in_style = True
        elif tag == "link" and a.get("href"):
            self.loads.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.loads.append(a["src"])
        elif tag == "a" and a.get("href"):
            self.anchors.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1
        if self._in_style:
            self.styles.append(data)


def _css_urls(css: str) -> list[str]:
    return [u for u in re.findall(r"""url\(\s*['"]?([^'")]+)""", css) if not u.startswith("data:")]


def assert_pages_offline(site: Path) -> int:
    """Every page of the site at `site` loads only files that exist on disk (and the fonts
    their stylesheets name), runs no inline script, has no inline handler; returns the page count."""
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        refs = _Refs()
        refs.feed(page.read_text(encoding="utf-8"))
        where = page.relative_to(site)
        assert refs.loads, where
        assert not [u for u in refs.loads if urlsplit(u).scheme or u.startswith("//")], where
        assert not [u for s in refs.styles for u in _css_urls(s)], f"{where}: a <style> loads a URL"
        assert refs.inline_scripts == 0, f"{where}: inline script (the CSP blocks it)"
        assert refs.handlers == [], f"{where}: inline handlers {refs.handlers}"
        # links a reader may follow stay; only to GX's own site
        assert {urlsplit(u).hostname for u in refs.anchors if urlsplit(u).scheme} <= {"greatexpectations.io"}, where
        for url in refs.loads:
            target = (page.parent / url).resolve()
            assert target.is_file(), f"{where}: {url} missing"
            if target.suffix == ".css":
                for font in _css_urls(target.read_text(encoding="utf-8")):
                    assert (target.parent / font.split("?")[0].split("#")[0]).is_file(), f"{target}: {font}"
    return len(pages)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """The fixture warehouse (its check results point at gx/docs/index.html) with real Data Docs there."""
    from fixture_warehouse import make_warehouse

    base = tmp_path_factory.mktemp("offline-docs")
    db = make_warehouse(base / "wh" / "social_progress.duckdb", checks=True)
    build_docs(base / "wh" / DOCS)
    return db


def publish_with_docs(db: Path, releases: Path) -> Path:
    """A release of the warehouse at `db` with its Data Docs, as the publish asset makes it."""
    from fixture_warehouse import BOROUGH
    from fixture_targets import write_fixture_targets

    from social_progress.publish.assemble import run_data_docs
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.release import publish
    from social_progress.settings import Settings

    settings = Settings(project_root=ROOT, data_dir=ROOT / "data", catalogue_dir=ROOT / "catalogue",
                        warehouse_dir=db.parent, releases_dir=releases, dbt_project_dir=ROOT / "dbt_project")
    links, docs = run_data_docs(settings)
    assert links == {"index_scores_expectations": "quality/data_docs/index_scores_expectations/index.html",
                     "indicator_values_expectations": "quality/data_docs/indicator_values_expectations/index.html"}
    year, files = build_release(read_warehouse(db), borough={"code": BOROUGH[0], "name": BOROUGH[1]},
                                sources_path=ROOT / "catalogue" / "sources.yml",
                                targets_path=write_fixture_targets(db.parent / "catalogue"), code_version="test",
                                data_docs=links)
    return publish(releases, year, files, run_records=docs).path


@pytest.fixture(scope="module")
def release(warehouse, tmp_path_factory):
    return publish_with_docs(warehouse, tmp_path_factory.mktemp("offline-releases"))


def test_warehouse_pages_load_only_vendored_files_beside_them(warehouse):
    site = warehouse.parent / DOCS
    assert assert_pages_offline(site) == 3                          # the index and a page per batch
    text = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    for vendored in ("vendor/bootstrap/bootstrap.min.css", "vendor/jquery/jquery.min.js",
                     "vendor/bootstrap-table/bootstrap-table.min.js", "vendor/fontawesome-free/css/solid.min.css"):
        assert f"static/{vendored}" in text
    assert "cdn" not in text.lower() and "unpkg" not in text
    # the index's table is built by a script that is now a file beside it
    index_scripts = [p.read_text(encoding="utf-8") for p in site.glob("index.*.js")]
    assert any("bootstrapTable(" in s and "offline.main" in s for s in index_scripts)
    # one shared static folder beside the sites, the site's own a link to it
    shared = site.parent / "static"
    assert shared.is_dir() and not shared.is_symlink() and (site / "static").resolve() == shared.resolve()
    assert (shared / "vendor" / "bootstrap" / "bootstrap.min.css").stat().st_size > 100_000
    assert not (shared / "images" / "glossary_scroller.gif").exists()    # GX's unused 4 MB left out
    # rewriting again changes nothing (the release rewrites pages older code built)
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
             and p.relative_to(site).parts[0] != "static"}
    assert docs_offline.offline_files(files) == files


def test_every_vendored_package_has_its_licence_and_is_small():
    vendor = docs_offline.VENDOR
    packages = sorted(p for p in vendor.iterdir() if p.is_dir())
    assert {p.name for p in packages} >= {"bootstrap", "bootstrap-table", "jquery", "fontawesome-free", "popper.js"}
    for package in packages:
        licences = list(package.glob("LICENSE*"))
        if package.name == "popper.js":      # the npm package has no licence file: the notice heads the file
            assert "MIT License" in (package / "popper.min.js").read_text(encoding="utf-8")[:300]
        else:
            assert licences and licences[0].stat().st_size > 500, package.name
    total = sum(p.stat().st_size for p in vendor.rglob("*") if p.is_file())
    assert total < 1_500_000
    readme = (vendor.parent / "README.md").read_text(encoding="utf-8")
    lock = json.loads((vendor.parent / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name, version in json.loads((vendor.parent / "package.json").read_text(encoding="utf-8"))["dependencies"].items():
        assert lock[f"node_modules/{name}"]["version"] == version and f"| {name} | {version}" in readme
    # every CDN URL GX's pages name is mapped to vendored files that exist
    for files in docs_offline.CDN.values():
        assert all((vendor / f).is_file() for f in files)


def test_release_holds_the_shared_static_folder_as_real_files(release):
    docs = release / "quality" / "data_docs"
    static = docs / "static"
    assert static.is_dir() and not static.is_symlink()
    assert [p for p in release.rglob("*") if p.is_symlink()] == []
    assert (static / "vendor" / "bootstrap" / "bootstrap.min.css").stat().st_size > 100_000
    assert (static / "vendor" / "fontawesome-free" / "LICENSE.txt").is_file()
    for check in ("index_scores_expectations", "indicator_values_expectations"):
        assert assert_pages_offline(docs / check) == 3


def test_release_rewrites_pages_that_older_code_built(tmp_path, monkeypatch):
    """Data Docs of an earlier run, built before the pages were rewritten (CDN links, inline
    scripts, the site's static/ a link), are carried into the release working offline."""
    from fixture_warehouse import make_warehouse

    db = make_warehouse(tmp_path / "wh" / "social_progress.duckdb", checks=True)
    monkeypatch.setattr(docs_offline, "offline_site", lambda site: None)
    build_docs(tmp_path / "wh" / DOCS)
    index = (tmp_path / "wh" / DOCS / "index.html").read_text(encoding="utf-8")
    assert "https://maxcdn.bootstrapcdn.com" in index and "<script>" in index     # as GX wrote it
    release = publish_with_docs(db, tmp_path / "releases")
    static = release / "quality" / "data_docs" / "static"
    assert static.is_dir() and not static.is_symlink()
    assert assert_pages_offline(release / "quality" / "data_docs" / "index_scores_expectations") == 3


# ------------------------------------------------------------------------------------------ browser

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("SPI_REQUIRE_BROWSER") == "1":
            pytest.fail("headless Chromium not installed")
        pytest.skip("headless Chromium not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=412,1800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def served(release):
    from social_progress.publish.serve import serve_in_thread

    server, url = serve_in_thread(release)
    yield url
    server.shutdown()
    server.server_close()


def _open(driver, url: str) -> list[str]:
    """Load `url` once the page's scripts have run; returns every URL the browser asked the
    network for (not chrome:// pages of the browser itself, nor data: URLs)."""
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    driver.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => setTimeout(done, 300));")
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    urls = [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]
    return [u for u in urls if urlsplit(u).scheme not in ("chrome", "data", "about", "blob")]


def _shown(driver, text: str) -> bool:
    """Whether a table cell holding `text` is on screen (looked up afresh: bootstrap-table
    redraws its tables)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('td')).some(td => td.textContent.includes(arguments[0])"
        " && td.getClientRects().length > 0 && getComputedStyle(td).visibility !== 'hidden')", text)


@pytest.mark.slow
def test_served_pages_are_styled_and_load_nothing_from_another_origin(chromium, served, release):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site = release / "quality" / "data_docs" / "index_scores_expectations"
    page = next(site.glob("validations/offline/main/**/*.html"))

    requested = _open(chromium, f"{served}quality/data_docs/index_scores_expectations/index.html")
    assert len(requested) > 10 and all(u.startswith(served) for u in requested), requested
    assert [e for e in chromium.get_log("browser") if e["level"] == "SEVERE"] == []     # no CSP refusal, no 404
    # the index's table of validations, built by bootstrap-table from the moved script
    assert _shown(chromium, "offline.main") and _shown(chromium, "offline.other")

    requested = _open(chromium, f"{served}{page.relative_to(release).as_posix()}")
    assert len(requested) > 10 and all(u.startswith(served) for u in requested), requested
    assert [e for e in chromium.get_log("browser") if e["level"] == "SEVERE"] == []
    sheets = chromium.execute_script(
        "return Array.from(document.styleSheets).filter(s => s.href).map(s => [s.href, s.cssRules.length])")
    assert any(h.endswith("vendor/bootstrap/bootstrap.min.css") and n > 1000 for h, n in sheets), sheets
    # Bootstrap's table style: cells padded and ruled
    assert _shown(chromium, "E0X-BAD")
    style = chromium.execute_script("const s = getComputedStyle(document.querySelector('table.table td'));"
                                    "return [s.paddingTop, s.borderTopWidth]")
    assert float(style[0].removesuffix("px")) >= 4.8 and style[1] == "1px", style   # unstyled: 1px, 0px
    body = chromium.find_element(By.TAG_NAME, "body").text
    assert "values must belong to this set" in body and "1 unexpected values found" in body
    # a check's status is an icon: Font Awesome's font loaded and drawn
    assert chromium.execute_script("return Array.from(document.fonts).some(f => f.family.includes('Font Awesome')"
                                   " && f.status === 'loaded')")
    assert chromium.execute_script("return document.querySelector('i.fa-times').getBoundingClientRect().width") > 5
    # the "Failed Only" filter (an onclick handler moved to a script file) hides the passing check
    assert _shown(chromium, "values must never be null")
    chromium.find_element(By.XPATH, "//label[contains(., 'Failed Only')]").click()
    WebDriverWait(chromium, 5).until(lambda d: not _shown(d, "values must never be null"))
    assert _shown(chromium, "E0X-BAD")                              # the failing check stays
