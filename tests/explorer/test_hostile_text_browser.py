"""Text from feeds stays text: payloads planted in every name, description and unit of a
release, and in the failing values, headers and observed columns of a Data Docs page, are
escaped in every published HTML page and run no script in Chromium (served by `serve`).

The release is the hand-made fixture warehouse's (tests/publish/fixture_warehouse.py) with
every free-text column of every table replaced by a payload; codes and keys are left alone,
so the release builds as usual."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "quality"))

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

#: free-text columns (names, descriptions, units, notes): not codes, keys or enumerations
TEXT_COLUMN = re.compile(r"(^|_)(name|description|unit|rationale|note|why|basis|comparators_note|coverage_note)$")


def payloads(n: int) -> str:
    """A distinct payload per planted cell, so a leak names its column."""
    kinds = ['<script>window.__pwned="{n}"</script>', '<img src=x onerror="window.__pwned=\'{n}\'">',
             '<iframe src="javascript:parent.__pwned=\'{n}\'"></iframe>', '<svg onload="window.__pwned=\'{n}\'">']
    return kinds[n % len(kinds)].format(n=n)


def plant(db: Path) -> dict[str, str]:
    """Replace every free-text column of every table by a payload; returns {table.column: payload}."""
    planted = {}
    con = duckdb.connect(str(db))
    cols = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                       "WHERE data_type = 'VARCHAR'").fetchall()
    for schema, table, column in cols:
        if TEXT_COLUMN.search(column):
            p = payloads(len(planted))
            con.execute(f'UPDATE "{schema}"."{table}" SET "{column}" = ? || "{column}"', [p])
            planted[f"{schema}.{table}.{column}"] = p
    con.close()
    return planted


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory):
    from fixture_warehouse import make_warehouse
    from fixture_targets import write_fixture_targets
    from test_data_docs_escaping import build_planted_docs

    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.release import publish

    base = tmp_path_factory.mktemp("hostile")
    db = make_warehouse(base / "wh" / "social_progress.duckdb", uncertainty=True, comparators=True, checks=True)
    planted = plant(db)
    assert len(planted) >= 8 and any(k.startswith("geography.areas.") for k in planted)
    year, files = build_release(read_warehouse(db), borough={"code": "E09000002", "name": "Barking and Dagenham"},
                                sources_path=ROOT / "catalogue" / "sources.yml",
                                targets_path=write_fixture_targets(base / "catalogue"), code_version="test")
    release = publish(base / "releases", year, files).path
    docs = build_planted_docs(release / "quality" / "planted")
    assert docs.docs_index is not None
    return release, planted, docs.docs_index


def _pwned(browser):
    return browser.execute_script("return window.__pwned === undefined ? null : String(window.__pwned)")


def test_no_published_page_holds_a_payload_unescaped(hostile_release):
    release, planted, _ = hostile_release
    pages = [p for p in release.rglob("*.html")]
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"<(script|img|iframe|svg)\b[^<>]*__pwned", text), f"live payload in {page}"


def test_no_planted_script_runs_in_the_served_explorer_or_data_docs(browser, serve, hostile_release):
    release, planted, docs_index = hostile_release
    url = serve(release)
    browser.get("about:blank")
    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true")
    for boundary in ("ward22", "ward19", "lsoa11"):
        Select(browser.find_element(By.ID, "boundary-select")).select_by_value(boundary)
        area = Select(browser.find_element(By.ID, "area-select"))
        # the planted area names are in the list, as text
        assert any("__pwned" in o.text for o in area.options), boundary
        for i in range(len(area.options)):
            area.select_by_index(i)
            assert _pwned(browser) is None, (boundary, i)
    pages = [docs_index, *sorted(docs_index.parent.glob("validations/**/*.html"))]
    assert len(pages) >= 2, "no Data Docs validation page"
    for page in pages:
        browser.get(f"{url.rstrip('/')}/{page.relative_to(release).as_posix()}")
        WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if page != docs_index:
            assert "window.__pwned=1" in browser.find_element(By.TAG_NAME, "body").text   # shown as text
        assert _pwned(browser) is None, page
