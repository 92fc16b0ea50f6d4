"""The explorer in headless Chromium: loads cleanly, maps every ward, opens scorecards
with the release's numbers, follows the year selector, and is keyboard-operable."""
import base64

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]


def open_page(browser, url):
    browser.get("about:blank")
    browser.get_log("browser")  # drop anything logged before
    browser.get(url)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true")


def severe(browser):
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def scores(release):
    return pd.read_csv(release / "scores.csv", dtype={"area_code": str})


def scorecard(browser) -> dict[str, dict]:
    rows = {}
    for tr in browser.find_elements(By.CSS_SELECTOR, "#scorecard-table tbody tr"):
        cells = {c.get_attribute("class").split()[-1]: c.text for c in tr.find_elements(By.CSS_SELECTOR, "td")}
        rows[tr.get_attribute("data-measure")] = cells
    return rows


def rank_text(rank: int, shared: bool, n: int) -> str:
    """Standard competition ranking as the page writes it: "=2nd of 19" when shared."""
    suffix = "th" if 11 <= rank % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{'=' if shared else ''}{rank}{suffix} of {n}"


def check_scorecard_matches_csv(browser, s, boundary, code, year):
    here = s[(s["boundary"] == boundary) & (s["year"] == year)]
    n = here["area_code"].nunique()
    sharing = here.groupby(["measure", "rank"])["area_code"].nunique()
    expected = here[here["area_code"] == code]
    card = scorecard(browser)
    assert set(card) == set(expected["measure"])
    for r in expected.itertuples():
        assert card[r.measure]["score"] == f"{r.score:.1f}", (r.measure, card[r.measure])
        assert card[r.measure]["rank"] == rank_text(int(r.rank), sharing[(r.measure, r.rank)] > 1, n), (r.measure, card[r.measure])
    return card


def test_page_loads_without_console_errors_and_maps_every_area(browser, serve, real_release):
    url = serve(real_release)
    open_page(browser, url)
    assert severe(browser) == []
    s = scores(real_release)
    for boundary in ("ward22", "ward19", "lsoa11"):
        Select(browser.find_element(By.ID, "boundary-select")).select_by_value(boundary)
        codes = {p.get_attribute("data-code") for p in browser.find_elements(By.CSS_SELECTOR, "#map path[data-code]")}
        assert codes == set(s[s["boundary"] == boundary]["area_code"]), boundary
        rows = browser.find_elements(By.CSS_SELECTOR, "#map-table tbody tr")
        assert len(rows) == len(codes)  # the text alternative lists every area
    paths = browser.find_elements(By.CSS_SELECTOR, "#map path[data-code]")
    assert all(p.get_attribute("tabindex") == "0" and p.get_attribute("aria-label") for p in paths)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#legend li")) >= 5
    assert severe(browser) == []


def test_selecting_a_ward_opens_its_scorecard_with_the_release_numbers(browser, serve, real_release):
    url = serve(real_release)
    open_page(browser, url)
    s = scores(real_release)
    year = int(s["year"].max())
    wards = s[(s["boundary"] == "ward22")][["area_code", "area_name"]].drop_duplicates().sort_values("area_code")
    code, name = wards.iloc[3]
    browser.find_element(By.CSS_SELECTOR, f'#map path[data-code="{code}"]').click()
    title = browser.find_element(By.ID, "scorecard-title").text
    assert name in title and code in title and str(year) in title
    card = check_scorecard_matches_csv(browser, s, "ward22", code, year)
    ratings = {r.get_attribute("data-rating") for r in browser.find_elements(By.CSS_SELECTOR, "#scorecard-table .rating[data-rating]")}
    assert ratings <= {"better", "worse", "no significant change", "not assessed", "no new data"} and ratings
    assert card["Social Progress Index"]["score"] == browser.find_element(By.ID, "card-index").text
    assert "similar" in browser.find_element(By.ID, "strengths").text  # peers by income deprivation
    assert severe(browser) == []

    # keyboard: Tab to another ward on the map and press Enter
    other_code, other_name = wards.iloc[7]
    path = browser.find_element(By.CSS_SELECTOR, f'#map path[data-code="{other_code}"]')
    browser.execute_script("arguments[0].focus()", path)
    path.send_keys(Keys.ENTER)
    assert other_name in browser.find_element(By.ID, "scorecard-title").text
    check_scorecard_matches_csv(browser, s, "ward22", other_code, year)


def test_changing_the_year_changes_the_numbers(browser, serve, real_release):
    url = serve(real_release)
    open_page(browser, url)
    s = scores(real_release)
    years = sorted(s["year"].unique())
    code = sorted(s[s["boundary"] == "ward19"]["area_code"].unique())[0]
    Select(browser.find_element(By.ID, "boundary-select")).select_by_value("ward19")
    Select(browser.find_element(By.ID, "area-select")).select_by_value(code)
    latest = check_scorecard_matches_csv(browser, s, "ward19", code, int(years[-1]))
    Select(browser.find_element(By.ID, "year-select")).select_by_value(str(years[0]))
    assert str(years[0]) in browser.find_element(By.ID, "scorecard-title").text
    first = check_scorecard_matches_csv(browser, s, "ward19", code, int(years[0]))
    assert any(first[m]["score"] != latest[m]["score"] for m in first)
    # the comparison year follows: the first year has nothing earlier to compare with
    assert Select(browser.find_element(By.ID, "compare-select")).first_selected_option.get_attribute("value") == "0"
    Select(browser.find_element(By.ID, "year-select")).select_by_value(str(years[-1]))
    Select(browser.find_element(By.ID, "compare-select")).select_by_value(str(years[0]))
    change = scorecard(browser)["Social Progress Index"]["change"]
    expected = s[(s["boundary"] == "ward19") & (s["area_code"] == code) & (s["measure_type"] == "index")].set_index("year")["score"]
    assert float(change) == pytest.approx(expected[years[-1]] - expected[years[0]], abs=0.051)
    assert severe(browser) == []


def test_borough_sections_downloads_and_screenshot(browser, serve, real_release):
    url = serve(real_release)
    open_page(browser, url)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#worst-table tbody tr")) == 10
    assert browser.find_elements(By.CSS_SELECTOR, "#targets-table tbody tr")
    statuses = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "#targets-table .status")}
    assert statuses <= {"\u2714 On track", "\u2716 Off track", "On track", "Off track"} and statuses
    assert browser.find_element(By.ID, "comparators").text  # a table, or why it is unavailable
    links = [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")]
    for name in ("scores.csv", "scores.parquet", "indicator_values.csv", "areas.geojson", "data_dictionary.csv", "metadata.json"):
        assert name in links
    assert "How this is calculated" in browser.page_source
    # the method page: nothing is left out of Barking and Dagenham's framework, and it says
    # which components use the common London weights: the four holding no council (nor
    # FixMyStreet) indicator; the others are weighted on the borough's own neighbourhoods
    assert browser.find_elements(By.ID, "left-out-none")
    note = browser.find_element(By.ID, "weighting-note").text
    assert "4 of 12 components are weighted with the common London weights" in note
    own = note.split("own neighbourhoods and years", 1)[1].split("Weighted equally", 1)
    assert "Water and Sanitation" in own[0] and "Shelter" in own[0] and "Access to Advanced Education" not in own[0]
    assert "Personal Rights" in own[1]    # FixMyStreet's civic reports: no London weight, so equal
    ARTIFACTS.mkdir(exist_ok=True)
    browser.find_element(By.CSS_SELECTOR, "#map path[data-code]").click()
    browser.save_screenshot(str(ARTIFACTS / "explorer.png"))
    assert (ARTIFACTS / "explorer.png").stat().st_size > 10_000
    # the whole page, through the DevTools protocol
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
        "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    (ARTIFACTS / "explorer-full-page.png").write_bytes(base64.b64decode(shot["data"]))
    assert severe(browser) == []


def test_comparators_and_rank_ratings_shown_when_present_and_explained_when_absent(browser, serve, fixture_releases):
    open_page(browser, serve(fixture_releases["with"]))
    table = browser.find_element(By.ID, "comparators-table").text
    assert "London" in table and "Havering" in table and "Newham" in table and "Redbridge" in table
    assert "Worse" in table  # the fixture borough's crime rate is far above London's
    index_rating = browser.find_element(By.CSS_SELECTOR, '#scorecard-table tr[data-measure="Social Progress Index"] .rating')
    assert index_rating.get_attribute("data-rating") in {"better", "worse", "no significant change"}
    assert severe(browser) == []
    open_page(browser, serve(fixture_releases["without"]))
    assert "Not available in this release" in browser.find_element(By.ID, "comparators").text
    index_rating = browser.find_element(By.CSS_SELECTOR, '#scorecard-table tr[data-measure="Social Progress Index"] .rating')
    assert index_rating.get_attribute("data-rating") == "not assessed"
    assert severe(browser) == []
