"""The explorer is light on a phone, in headless Chromium served by `serve` (gzip): its first
view transfers 500 KB or less (its time on emulated Fast 4G is measured by bench/explorer.py,
not asserted here); other area sets
and years arrive as parts when needed, say they are loading, and show the release's numbers."""
import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

BUDGET_BYTES = 500_000
# Chrome DevTools' "Fast 4G" preset (front_end/core/sdk/NetworkManager.ts), as bench/explorer.py
FAST_4G = {"offline": False, "latency": 60 * 2.75, "downloadThroughput": 9e6 / 8 * 0.9, "uploadThroughput": 1.5e6 / 8 * 0.9}
NO_THROTTLING = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}

# The page and every file that had arrived when the page marked its first render.
FIRST_VIEW = """
var t = performance.getEntriesByName('spi-first-render')[0].startTime;
var nav = performance.getEntriesByType('navigation')[0];
var files = performance.getEntriesByType('resource').filter(function (r) { return r.responseEnd <= t; });
return {ms: t, files: [[nav.name, nav.transferSize, nav.encodedBodySize, nav.decodedBodySize]].concat(
  files.map(function (r) { return [r.name, r.transferSize, r.encodedBodySize, r.decodedBodySize]; }))};
"""
FETCHED = "return performance.getEntriesByType('resource').map(function (r) { return r.name; })"


@pytest.fixture
def network(browser):
    """Cold cache (every byte counted) and, when asked, a throttled network; undone after."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        yield lambda conditions: browser.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", NO_THROTTLING)
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        browser.execute_cdp_cmd("Network.disable", {})


def open_page(browser, url):
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get(url)
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true")


def first_view(browser, url):
    view = browser.execute_script(FIRST_VIEW)
    view["names"] = [f[0].removeprefix(url) for f in view["files"]]
    view["bytes"] = sum(f[1] for f in view["files"])
    return view


def scores(release):
    return pd.read_csv(release / "scores.csv", dtype={"area_code": str})


def map_rows(browser) -> dict[str, str]:
    """The map's table (its text alternative): area code -> score as shown."""
    return {tr.get_attribute("data-code"): tr.find_elements(By.CSS_SELECTOR, "td")[1].get_attribute("textContent")
            for tr in browser.find_elements(By.CSS_SELECTOR, "#map-table tbody tr")}


def check_map(browser, s, boundary, year):
    expected = s[(s["boundary"] == boundary) & (s["year"] == year) & (s["measure"] == "Social Progress Index")]
    codes = {p.get_attribute("data-code") for p in browser.find_elements(By.CSS_SELECTOR, "#map path[data-code]")}
    assert codes == set(s[s["boundary"] == boundary]["area_code"]), boundary
    assert map_rows(browser) == {r.area_code: f"{r.score:.1f}" for r in expected.itertuples()}


def test_the_first_view_transfers_at_most_500_kb_and_only_its_own_parts(browser, serve, real_release, network):
    url = serve(real_release)
    open_page(browser, url)
    view = first_view(browser, url)
    year, early = int(scores(real_release)["year"].max()), int(scores(real_release)["year"].min())
    assert sorted(view["names"]) == sorted(["", "explorer/style.css", "explorer/app.js", "explorer/data.js", "explorer/geo.js",
                                            f"explorer/data-ward22-{year}.js", f"explorer/data-ward22-{year - 1}.js",
                                            "explorer/geo-ward22.js"])
    assert all(f[1] > f[2] > 0 for f in view["files"]), view["files"]     # counted from the network, body and headers
    data_js = next(f for f in view["files"] if f[0].endswith("explorer/data.js"))
    assert data_js[2] < data_js[3] / 3                                     # gzipped by serve
    assert view["bytes"] <= BUDGET_BYTES, view
    # the rest came afterwards, in the background: the other area sets, this one's other years
    fetched = [n.removeprefix(url) for n in browser.execute_script(FETCHED)]
    assert f"explorer/data-lsoa11-{year}.js" in fetched and f"explorer/data-ward22-{early}.js" in fetched
    assert f"explorer/data-lsoa11-{early}.js" not in fetched            # two changes away: only when chosen
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_switching_area_set_and_year_loads_their_parts_and_maps_every_area(browser, serve, real_release, network):
    url = serve(real_release)
    open_page(browser, url)
    s = scores(real_release)
    year, early = int(s["year"].max()), int(s["year"].min())
    assert f"explorer/data-lsoa11-{year}.js" not in first_view(browser, url)["names"]

    # on a slow network, neighbourhoods in a year not loaded yet: the page says so, stays
    # operable, then shows them
    network({**FAST_4G, "latency": 1500})
    Select(browser.find_element(By.ID, "boundary-select")).select_by_value("lsoa11")
    Select(browser.find_element(By.ID, "year-select")).select_by_value(str(early))
    status = browser.find_element(By.ID, "loading")
    assert status.is_displayed() and "Loading" in status.text and str(early) in status.text
    assert status.get_attribute("role") == "status"
    assert browser.find_element(By.ID, "map-section").get_attribute("aria-busy") == "true"
    assert browser.find_element(By.ID, "measure-select").is_enabled()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "map-section").get_attribute("aria-busy") == "false")
    assert not status.is_displayed()
    check_map(browser, s, "lsoa11", early)
    assert str(early) in browser.find_element(By.ID, "scorecard-title").text
    Select(browser.find_element(By.ID, "year-select")).select_by_value(str(year))
    check_map(browser, s, "lsoa11", year)
    fetched = [n.removeprefix(url) for n in browser.execute_script(FETCHED)]
    assert {f"explorer/data-lsoa11-{year}.js", f"explorer/data-lsoa11-{early}.js", "explorer/geo-lsoa11.js"} <= set(fetched)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
