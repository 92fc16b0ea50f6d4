"""The explorer's headline with a London layer, in headless Chromium: London's own score and
the borough's rank among London's boroughs on the first screen (a phone's too), London's
dimension scores beside the borough's, and a layer on another framework not compared.

Releases of the hand-made warehouse (tests/publish/fixture_warehouse.py) with the hand-made
London layer (tests/publish/london_layer_fixture.py: "=5th of 33" in 2021, London 61.2)."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import london_layer_fixture as lf
from explorer_viewports import VIEWPORTS
from test_explorer_browser import open_page, severe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

ROOT = Path(__file__).resolve().parents[2]
BOROUGH = {"code": "E09000002", "name": "Barking and Dagenham"}


def _release(base: Path, **layer) -> Path:
    from fixture_warehouse import make_warehouse
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.london_comparison import for_release
    from social_progress.publish.marts import write_derived_marts
    from social_progress.publish.release import publish

    lf.write_common_weights(base / "catalogue")
    lf.write_layer(base / "releases" / "E12000007", **layer)
    settings = SimpleNamespace(project_root=base, catalogue_dir=base / "catalogue",
                               sources_path=ROOT / "catalogue" / "sources.yml")
    cfg = SimpleNamespace(index=SimpleNamespace(weighting="london"), borough=SimpleNamespace(code=BOROUGH["code"]))
    db = make_warehouse(base / "wh" / "social_progress.duckdb")
    write_derived_marts(db, BOROUGH, None)
    wh = read_warehouse(db, require_marts=True)
    year, files = build_release(wh, borough=BOROUGH, sources_path=ROOT / "catalogue" / "sources.yml",
                                targets_path=None, code_version="test", london=for_release(settings, cfg, wh))
    return publish(base / "releases" / BOROUGH["code"], year, files).path


@pytest.fixture(scope="module")
def london_releases(browser, tmp_path_factory):
    return {"same": _release(tmp_path_factory.mktemp("london-same")),
            "other": _release(tmp_path_factory.mktemp("london-other"), fw=lf.framework(crime_rate={"worst": 150.0}))}


def test_the_headline_shows_londons_score_and_the_boroughs_rank(browser, serve, london_releases):
    open_page(browser, serve(london_releases["same"]))
    london = browser.find_element(By.ID, "headline-london")
    assert "London: 61.2" in london.text and "=5th of 33 London boroughs" in london.text
    assert "London common framework" in london.text and "not in this release" not in london.text
    assert london.get_attribute("data-london") == "61.2"
    dims = {li.get_attribute("data-measure"): li for li in browser.find_elements(By.CSS_SELECTOR, "#headline-dimensions li")}
    assert "London 58.7" in dims["Basic Human Needs"].text and "of 33" in dims["Basic Human Needs"].text
    # another year: its own London score and rank
    Select(browser.find_element(By.ID, "year-select")).select_by_value("2019")
    london = browser.find_element(By.ID, "headline-london")
    assert "London: 57.0" in london.text and "11th of 33 London boroughs" in london.text and "=11th" not in london.text
    assert severe(browser) == []


def test_londons_score_and_rank_are_on_a_phones_first_screen(browser, serve, london_releases, viewport):
    viewport("390x844")
    open_page(browser, serve(london_releases["same"]))
    bottom = browser.execute_script("window.scrollTo(0, 0); "
                                    "return document.getElementById('headline-london-rank').getBoundingClientRect().bottom")
    assert bottom <= VIEWPORTS["390x844"]["height"]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= VIEWPORTS["390x844"]["width"]


def test_a_layer_on_another_framework_is_not_compared(browser, serve, london_releases):
    open_page(browser, serve(london_releases["other"]))
    london = browser.find_element(By.ID, "headline-london")
    assert "London comparison not in this release" in london.text and "61.2" not in london.text
    assert "crime_rate" in london.get_attribute("title")     # the reason, for whoever hovers
    assert severe(browser) == []
