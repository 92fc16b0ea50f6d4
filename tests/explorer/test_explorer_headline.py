"""The explorer's way in, in headless Chromium: the borough's headline figures on the first
screen (from the release's own CSVs), a scorecard for the borough itself, ward names on the
map, and the offline search by ward name or postcode."""
import json

import pandas as pd
import pytest

from explorer_viewports import VIEWPORTS
from test_explorer_browser import open_page, scores, severe
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

INDEX = "Social Progress Index"
DIMENSIONS = ["Basic Human Needs", "Foundations of Wellbeing", "Opportunity"]
FETCHED = "return performance.getEntriesByType('resource').map(function (r) { return r.name; })"


def signed(x):
    s = f"{x:.1f}"
    return "0.0" if float(s) == 0 else (f"+{s}" if x > 0 else s)


def lad_scores(s):
    lad = s[s["boundary"] == "lad"]
    return lad["area_code"].iloc[0], lad["area_name"].iloc[0], lad.set_index(["year", "measure"])["score"]


def text(element):
    return element.get_attribute("textContent").strip()




def test_the_headline_shows_the_boroughs_index_dimensions_and_change_from_the_release(browser, serve, real_release):
    open_page(browser, serve(real_release))
    s = scores(real_release)
    code, name, lad = lad_scores(s)
    years = sorted(s["year"].unique())
    year, prev = int(years[-1]), int(years[-2])
    assert name in browser.find_element(By.ID, "headline-heading").text and str(year) in browser.find_element(By.ID, "headline-heading").text
    assert browser.find_element(By.ID, "headline-index").text == f"{lad[(year, INDEX)]:.1f}"
    main = browser.find_element(By.CSS_SELECTOR, "#headline-figures .hl-main")
    assert text(main.find_element(By.CSS_SELECTOR, ".hl-change-value")) == signed(lad[(year, INDEX)] - lad[(prev, INDEX)])
    assert f"since {prev}" in main.text

    # the change's rating is the release's own (progress.csv), with its reason when not assessed
    p = pd.read_csv(real_release / "progress.csv", dtype={"area_code": str})
    p = p[(p["boundary"] == "lad") & (p["base_year"] == prev) & (p["year"] == year)].set_index("measure")
    assert main.find_element(By.CSS_SELECTOR, ".rating").get_attribute("data-rating") == p.loc[INDEX, "rating"]
    if p.loc[INDEX, "rating"] == "not assessed":
        assert p.loc[INDEX, "reason"] in main.text

    dims = {li.get_attribute("data-measure"): li for li in browser.find_elements(By.CSS_SELECTOR, "#headline-dimensions li")}
    assert list(dims) == DIMENSIONS
    for d, li in dims.items():
        assert text(li.find_element(By.CSS_SELECTOR, ".hl-dim-name")) == d
        assert text(li.find_element(By.CSS_SELECTOR, ".hl-dim-score")) == f"{lad[(year, d)]:.1f}"
        assert text(li.find_element(By.CSS_SELECTOR, ".hl-change-value")) == signed(lad[(year, d)] - lad[(prev, d)])
        assert li.find_element(By.CSS_SELECTOR, ".rating").get_attribute("data-rating") == p.loc[d, "rating"]

    # London: its score and the borough's rank from the London layer (london_comparison.parquet), else its value
    # when comparators.csv holds the index, else the page says it is absent
    london = browser.find_element(By.ID, "headline-london")
    comp = pd.read_csv(real_release / "comparators.csv") if (real_release / "comparators.csv").exists() else pd.DataFrame()
    has_index = not comp.empty and ((comp["indicator_id"] == INDEX) & (comp["role"] == "london") & (comp["year"] == year)).any()
    if (real_release / "london_comparison.parquet").exists():
        lc = pd.read_parquet(real_release / "london_comparison.parquet").set_index(["year", "measure"]).loc[(year, INDEX)]
        assert f"London: {lc['london_score']:.1f}" in london.text and f"{lc['rank_text']} London boroughs" in london.text
    elif has_index:
        value = comp[(comp["indicator_id"] == INDEX) & (comp["role"] == "london") & (comp["year"] == year)]["value"].iloc[0]
        assert f"London: {value:.1f}" in london.text
    else:
        assert "London comparison not in this release" in london.text
    assert "0" in browser.find_element(By.ID, "scale-note").text and "100" in browser.find_element(By.ID, "scale-note").text

    # the year selector moves the headline too
    Select(browser.find_element(By.ID, "year-select")).select_by_value(str(prev))
    assert browser.find_element(By.ID, "headline-index").text == f"{lad[(prev, INDEX)]:.1f}"
    assert severe(browser) == []


@pytest.mark.parametrize("size", ["390x844", "1400x1000"])
def test_the_headline_is_on_the_first_screen(browser, serve, real_release, viewport, size):
    viewport(size)
    open_page(browser, serve(real_release))
    bottoms = browser.execute_script(
        "window.scrollTo(0, 0); return ['scale-note', 'headline-index', 'headline-dimensions', 'headline-london']"
        ".map(function (id) { return document.getElementById(id).getBoundingClientRect().bottom; })")
    assert max(bottoms) <= VIEWPORTS[size]["height"], dict(zip(["scale", "index", "dimensions", "london"], bottoms))
    assert browser.execute_script("return document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]


def test_the_borough_has_a_scorecard_in_the_area_list(browser, serve, real_release):
    open_page(browser, serve(real_release))
    s = scores(real_release)
    code, name, _ = lad_scores(s)
    year = int(s["year"].max())
    area = Select(browser.find_element(By.ID, "area-select"))
    assert code in [o.get_attribute("value") for o in area.options]
    area.select_by_value(code)
    title = browser.find_element(By.ID, "scorecard-title").text
    assert name in title and code in title and str(year) in title
    expected = s[(s["boundary"] == "lad") & (s["year"] == year)]
    rows = {tr.get_attribute("data-measure"): tr for tr in browser.find_elements(By.CSS_SELECTOR, "#scorecard-table tbody tr")}
    assert set(rows) == set(expected["measure"])
    for r in expected.itertuples():
        assert text(rows[r.measure].find_element(By.CSS_SELECTOR, "td.score")) == f"{r.score:.1f}", r.measure
    assert browser.find_element(By.ID, "card-index").text == f"{expected.set_index('measure').loc[INDEX, 'score']:.1f}"
    # it stays chosen when the map changes area set
    Select(browser.find_element(By.ID, "boundary-select")).select_by_value("lsoa11")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "map-section").get_attribute("aria-busy") == "false")
    assert name in browser.find_element(By.ID, "scorecard-title").text
    assert severe(browser) == []


def test_ward_names_are_on_the_map_and_not_on_neighbourhoods(browser, serve, real_release):
    open_page(browser, serve(real_release))
    s = scores(real_release)
    wards = dict(s[s["boundary"] == "ward22"][["area_code", "area_name"]].drop_duplicates().itertuples(index=False))
    labels = browser.find_elements(By.CSS_SELECTOR, "#map text.ward-label")
    assert {t.get_attribute("data-code"): text(t) for t in labels} == wards
    # small, haloed, inside the map, and a click goes through them to the ward
    style = browser.execute_script("var c = getComputedStyle(arguments[0]); return [c.pointerEvents, c.paintOrder, c.stroke]", labels[0])
    assert style[0] == "none" and style[1].startswith("stroke") and style[2] in ("rgb(255, 255, 255)", "#fff", "#ffffff")
    inside = browser.execute_script("""
      var m = document.getElementById('map').getBoundingClientRect();
      return Array.from(document.querySelectorAll('#map text.ward-label')).every(function (t) {
        var r = t.getBoundingClientRect(); return r.height < 30 && r.left >= m.left - 1 && r.right <= m.right + 1; })""")
    assert inside
    under = browser.execute_script("var r = arguments[0].getBoundingClientRect();"
                                   "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)", labels[1])
    assert under.tag_name == "path" and under.get_attribute("data-code") in wards
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", under)
    assert wards[under.get_attribute("data-code")] in browser.find_element(By.ID, "scorecard-title").text
    Select(browser.find_element(By.ID, "boundary-select")).select_by_value("lsoa11")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "map-section").get_attribute("aria-busy") == "false")
    assert browser.find_elements(By.CSS_SELECTOR, "#map text.ward-label") == []
    assert severe(browser) == []


def search(browser, typed):
    box = browser.find_element(By.ID, "search-input")
    box.clear()
    box.send_keys(typed)
    return box


def results(browser):
    return [(b.get_attribute("data-boundary"), b.get_attribute("data-code"), b.text)
            for b in browser.find_elements(By.CSS_SELECTOR, "#search-results button")]


def test_search_by_part_of_a_ward_name_opens_its_scorecard(browser, serve, real_release):
    url = serve(real_release)
    open_page(browser, url)
    s = scores(real_release)
    wards = s[s["boundary"] == "ward22"][["area_code", "area_name"]].drop_duplicates().sort_values("area_code")
    code, name = wards.iloc[5]
    part = name[1:5].lower()
    box = search(browser, part)
    found = results(browser)
    expected = {c for c, n in wards.itertuples(index=False) if part in n.lower()}
    assert {c for b, c, _ in found if b == "ward22"} == expected and code in expected
    # by mouse (a button: by keyboard too)
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "#search-results button") if b.get_attribute("data-code") == code).click()
    assert name in browser.find_element(By.ID, "scorecard-title").text
    assert browser.switch_to.active_element.get_attribute("id") == "scorecard-title"
    # by keyboard: Enter opens the first match, the arrows move through them
    other_code, other_name = wards.iloc[9]
    box = search(browser, other_name.upper())
    assert results(browser)[0][1] == other_code
    box.send_keys(Keys.ENTER)
    assert other_name in browser.find_element(By.ID, "scorecard-title").text
    box = search(browser, part)
    box.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element.get_attribute("data-code") == found[0][1]
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert areas_name(s, found[0][0], found[0][1]) in browser.find_element(By.ID, "scorecard-title").text
    # a ward name does not load the postcode list
    assert not any(n.endswith("explorer/postcodes.js") for n in browser.execute_script(FETCHED))
    assert severe(browser) == []


def areas_name(s, boundary, code):
    return s[(s["boundary"] == boundary) & (s["area_code"] == code)]["area_name"].iloc[0]


def postcode_lookup(release):
    body = (release / "explorer" / "postcodes.js").read_text(encoding="utf-8")
    assert body.startswith("window.SPI_POSTCODES(") and body.endswith(");\n")
    return json.loads(body[len("window.SPI_POSTCODES("):-3])


def test_search_by_postcode_opens_the_neighbourhood_and_ward_holding_it(browser, serve, real_release):
    if not (real_release / "explorer" / "postcodes.js").exists():
        pytest.skip("this release has no postcode lookup (no staging.stg_postcodes in its warehouse)")
    url = serve(real_release)
    open_page(browser, url)
    assert not any(n.endswith("explorer/postcodes.js") for n in browser.execute_script(FETCHED))   # not before it is needed
    s = scores(real_release)
    lookup = postcode_lookup(real_release)
    postcode, where = sorted(lookup["postcodes"].items())[len(lookup["postcodes"]) // 2]
    areas = {b: lookup["codes"][b][i] for b, i in zip(lookup["boundaries"], where) if i >= 0}
    assert set(areas) == {"lsoa11", "ward22"}
    for b, c in areas.items():
        assert c in set(s[s["boundary"] == b]["area_code"]), (b, c)   # areas of the release

    # typed as people type it: lower case, no space
    search(browser, postcode.replace(" ", "").lower())
    WebDriverWait(browser, 20).until(lambda d: results(d))
    assert any(n.endswith("explorer/postcodes.js") for n in browser.execute_script(FETCHED))
    found = results(browser)
    assert [(b, c) for b, c, _ in found] == [("ward22", areas["ward22"]), ("lsoa11", areas["lsoa11"])]
    assert all(postcode in t for _, _, t in found)
    # the neighbourhood: the map switches to neighbourhoods, loading them, and opens its scorecard
    browser.find_elements(By.CSS_SELECTOR, "#search-results button")[1].click()
    WebDriverWait(browser, 30).until(lambda d: areas["lsoa11"] in d.find_element(By.ID, "scorecard-title").text)
    assert Select(browser.find_element(By.ID, "boundary-select")).first_selected_option.get_attribute("value") == "lsoa11"
    assert browser.find_element(By.CSS_SELECTOR, f'#map path.selected[data-code="{areas["lsoa11"]}"]')
    assert browser.switch_to.active_element.get_attribute("id") == "scorecard-title"
    # the ward, with the spacing and a letter O for the zero as a slip, as geography/postcodes.py reads it
    slipped = postcode.replace("0", "O", 1) if "0" in postcode.split(" ")[0][1:] else postcode
    search(browser, " " + slipped.lower() + " ")
    WebDriverWait(browser, 20).until(lambda d: results(d))
    search_box = browser.find_element(By.ID, "search-input")
    search_box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 30).until(lambda d: areas_name(s, "ward22", areas["ward22"]) in d.find_element(By.ID, "scorecard-title").text)
    assert Select(browser.find_element(By.ID, "boundary-select")).first_selected_option.get_attribute("value") == "ward22"
    # a real postcode outside the borough is said to be so
    search(browser, "SW1A 1AA")
    assert "not a postcode in" in browser.find_element(By.ID, "search-status").text and results(browser) == []
    assert severe(browser) == []
