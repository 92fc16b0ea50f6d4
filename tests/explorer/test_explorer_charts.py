"""The explorer's charts in headless Chromium, on the real release: a ward's trend beside the
borough and London with the values of the release's CSVs, its profile (one row per indicator,
its marker within the range across the wards), its 10 weakest indicators with their trend,
all readable as text and by keyboard, drawn with the vendored library loaded from 127.0.0.1
only when the charts are reached, and fitting a 390 px phone."""
import json
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_explorer_browser import open_page, scores, severe
from test_explorer_phone import check_no_horizontal_overflow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LIBRARY = "explorer/vendor/uplot/uPlot.iife.min.js"
FETCHED = "return performance.getEntriesByType('resource').map(function (r) { return r.name; })"
PLOTTED = """var u = document.getElementById('trend-plot')._uplot;
return {labels: u.series.map(function (s) { return s.label; }), data: u.data,
        dash: u.series.map(function (s) { return s.dash ? s.dash.join(' ') : ''; }), width: u.width};"""

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]


def comparators(release):
    return pd.read_csv(release / "comparators.csv", dtype={"comparator_code": str})


def london_by_year(comp, indicator, years):
    """London's value in each index year: its latest data year on or before it (or None)."""
    lon = comp[(comp["role"] == "london") & (comp["indicator_id"] == indicator)].dropna(subset=["value"])
    lon = lon.set_index("year")["value"].sort_index()
    return [float(lon[lon.index <= y].iloc[-1]) if (lon.index <= y).any() else None for y in years]


def line(s, boundary, code, measure, years, column):
    v = s[(s["boundary"] == boundary) & (s["area_code"] == code) & (s["measure"] == measure)].set_index("year")[column]
    return [None if y not in v.index or pd.isna(v[y]) else float(v[y]) for y in years]


def same(plotted, expected):
    assert len(plotted) == len(expected)
    for p, e in zip(plotted, expected):
        assert (p is None) if e is None else p == pytest.approx(e, rel=1e-5, abs=1e-6), (plotted, expected)


def a_ward_and_an_indicator_with_london(release):
    """A ward (the 4th by code) and the first indicator the release compares with London
    that has a value for that ward in every year."""
    s, comp = scores(release), comparators(release)
    years = sorted(int(y) for y in s["year"].unique())
    wards = s[s["boundary"] == "ward22"][["area_code", "area_name"]].drop_duplicates().sort_values("area_code")
    code, name = wards.iloc[3]
    with_london = sorted(set(comp[comp["role"] == "london"]["indicator_id"]))
    for ind in with_london:
        if all(v is not None for v in line(s, "ward22", code, ind, years, "value")):
            return s, comp, years, code, name, ind
    pytest.fail("no indicator with London comparators and a value in every year for " + code)


def reach_the_charts(browser):
    browser.execute_script("document.getElementById('charts-section').scrollIntoView()")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "var b = document.getElementById('trend-plot'); return !!(b && b._uplot)"))


def open_a_wards_charts(browser, serve, release):
    """Open the explorer, click the ward the tests use on the map and scroll to its charts:
    (the release's scores, its years, the ward's code and name)."""
    s, _, years, code, name, _ = a_ward_and_an_indicator_with_london(release)
    open_page(browser, serve(release))
    browser.find_element(By.CSS_SELECTOR, f'#map path[data-code="{code}"]').click()
    reach_the_charts(browser)
    return s, years, code, name


def choose(browser, code, measure):
    Select(browser.find_element(By.ID, "measure-select")).select_by_value(measure)
    browser.find_element(By.CSS_SELECTOR, f'#map path[data-code="{code}"]').click()


def test_selecting_a_ward_draws_its_trend_beside_the_borough_and_london_with_the_release_values(browser, serve, real_release):
    s, comp, years, code, name, ind = a_ward_and_an_indicator_with_london(real_release)
    url = serve(real_release)
    open_page(browser, url)
    # the first view has neither the charts nor their library
    fetched = [n.removeprefix(url) for n in browser.execute_script(FETCHED)]
    assert "explorer/charts.js" not in fetched and LIBRARY not in fetched
    assert browser.execute_script("return typeof window.uPlot") == "undefined"

    choose(browser, code, ind)
    reach_the_charts(browser)
    plotted = browser.execute_script(PLOTTED)
    lad = s[s["boundary"] == "lad"]["area_code"].iloc[0]
    assert plotted["labels"][1:] == [name, f"{s[s['boundary'] == 'lad']['area_name'].iloc[0]} (borough)", "London"]
    assert plotted["data"][0] == years
    same(plotted["data"][1], line(s, "ward22", code, ind, years, "value"))
    same(plotted["data"][2], line(s, "lad", lad, ind, years, "value"))
    same(plotted["data"][3], london_by_year(comp, ind, years))
    # told apart by line style, not colour alone; the legend shows the same styles
    assert len(set(plotted["dash"][1:])) == 3
    dashes = [ln.get_attribute("stroke-dasharray") for ln in browser.find_elements(By.CSS_SELECTOR, "#trend-legend li svg line")]
    assert len(dashes) == 3 and len(set(dashes)) == 3

    # text alternatives: a summary on the chart (reachable by Tab) and a table of every value
    chart = browser.find_element(By.ID, "trend-plot")
    assert chart.get_attribute("role") == "img" and chart.get_attribute("tabindex") == "0"
    label = chart.get_attribute("aria-label")
    assert name in label and "London" in label and str(years[0]) in label and str(years[-1]) in label
    rows = browser.find_elements(By.CSS_SELECTOR, "#trend-table tbody tr")
    assert [r.get_attribute("data-year") for r in rows] == [str(y) for y in years]
    assert all(len(r.find_elements(By.CSS_SELECTOR, "td")) == 3 for r in rows)
    assert browser.find_element(By.CSS_SELECTOR, "#trend-plot canvas").size["width"] > 200

    # the index: London only if the release has it, and the chart says so when it has not
    Select(browser.find_element(By.ID, "measure-select")).select_by_value("Social Progress Index")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "trend-figure").get_attribute("data-measure") == "Social Progress Index")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script(PLOTTED)["labels"][1] == name)
    plotted = browser.execute_script(PLOTTED)
    same(plotted["data"][1], line(s, "ward22", code, "Social Progress Index", years, "score"))
    if (comp["indicator_id"] == "Social Progress Index").any():
        assert plotted["labels"][-1] == "London"
    else:
        assert len(plotted["labels"]) == 3
        assert "London not in this release" in browser.find_element(By.ID, "trend-note").text

    # everything came from the release's own server
    fetched = browser.execute_script(FETCHED)
    assert fetched and all(n.startswith(url) for n in fetched), [n for n in fetched if not n.startswith(url)]
    assert url + LIBRARY in fetched and url + "explorer/series-ward22.js" in fetched
    assert severe(browser) == []


def test_the_profile_shows_every_indicator_with_the_ward_within_the_range_of_wards(browser, serve, real_release):
    s, years, code, name = open_a_wards_charts(browser, serve, real_release)
    year = years[-1]
    rows = browser.find_elements(By.CSS_SELECTOR, "#profile .spine-row")
    ward = s[(s["boundary"] == "ward22") & (s["year"] == year) & (s["measure_type"] == "indicator")]
    assert [r.get_attribute("data-measure") for r in rows] and \
        {r.get_attribute("data-measure") for r in rows} == set(ward["measure"])
    assert len(rows) == ward["measure"].nunique()
    lad = s[(s["boundary"] == "lad") & (s["year"] == year)].set_index("measure")["score"]
    drawn = 0
    for r in rows:
        m = r.get_attribute("data-measure")
        across = ward[ward["measure"] == m]["score"].dropna()
        mine = ward[(ward["measure"] == m) & (ward["area_code"] == code)]["score"].dropna()
        got = {k: r.get_attribute(f"data-{k}") for k in ("score", "min", "p25", "p75", "max", "borough")}
        assert float(got["min"]) == pytest.approx(across.min(), abs=1e-4) and float(got["max"]) == pytest.approx(across.max(), abs=1e-4)
        assert float(got["p25"]) == pytest.approx(across.quantile(0.25), abs=1e-3)
        assert float(got["p75"]) == pytest.approx(across.quantile(0.75), abs=1e-3)
        assert (got["borough"] == "") if pd.isna(lad.get(m)) else float(got["borough"]) == pytest.approx(lad[m], abs=1e-4)
        if mine.empty:
            assert got["score"] == "" and "no data" in r.get_attribute("aria-label")
            continue
        assert float(got["score"]) == pytest.approx(mine.iloc[0], abs=1e-4)
        assert float(got["min"]) <= float(got["score"]) <= float(got["max"])
        # drawn where the figures say: the marker's centre inside the range's bar
        marker, bar = browser.execute_script(
            "var r = arguments[0], a = r.querySelector('.spine-area').getBoundingClientRect(), b = r.querySelector('.spine-range').getBoundingClientRect();"
            "return [a.left + a.width / 2, [b.left, b.right]];", r)
        assert bar[0] - 1.5 <= marker <= bar[1] + 1.5, (m, marker, bar)
        assert f"{mine.iloc[0]:.1f}" in r.get_attribute("aria-label") and "Higher is better" in r.get_attribute("aria-label")
        drawn += 1
    assert drawn >= len(rows) // 2

    # keyboard: one Tab stop, arrows move between rows
    first, second = rows[0], rows[1]
    assert first.get_attribute("tabindex") == "0" and second.get_attribute("tabindex") == "-1"
    browser.execute_script("arguments[0].focus()", first)
    first.send_keys(Keys.ARROW_DOWN)
    assert browser.switch_to.active_element == second
    assert severe(browser) == []


def test_the_ten_weakest_indicators_each_with_its_trend_and_at_most_five_strengths_and_weaknesses(browser, serve, real_release):
    s, years, code, name = open_a_wards_charts(browser, serve, real_release)
    year = years[-1]
    mine = s[(s["boundary"] == "ward22") & (s["year"] == year) & (s["area_code"] == code) & (s["measure_type"] == "indicator")]
    weakest = mine.dropna(subset=["score"]).sort_values(["score", "measure"], kind="mergesort").head(10)
    items = browser.find_elements(By.CSS_SELECTOR, "#weakest-list li")
    assert [i.get_attribute("data-measure") for i in items] == list(weakest["measure"])
    assert name in browser.find_element(By.ID, "weakest-heading").text
    for item, r in zip(items, weakest.itertuples()):
        spark = item.find_element(By.CSS_SELECTOR, "svg.sparkline")
        history = line(s, "ward22", code, r.measure, years, "score")
        assert int(spark.get_attribute("data-points")) == sum(v is not None for v in history) >= 2
        label = spark.get_attribute("aria-label")
        assert all(f"{y} {v:.1f}" in label for y, v in zip(years, history) if v is not None), label
        assert f"score {r.score:.1f}" in item.text
    for ul in ("strengths-list", "weaknesses-list"):
        listed = [li for li in browser.find_elements(By.CSS_SELECTOR, f"#{ul} li") if "None:" not in li.text]
        assert len(listed) <= 5, ul
    assert severe(browser) == []


def test_the_librarys_licence_is_in_the_release(real_release):
    folder = real_release / "explorer" / "vendor" / "uplot"
    assert (folder / "LICENSE").read_text().startswith("The MIT License (MIT)")
    meta = json.loads((real_release / "metadata.json").read_text())
    [lib] = [t for t in meta["third_party"] if t["package"] == "uplot"]
    assert lib["licence"] == "MIT" and "explorer/vendor/uplot/LICENSE" in meta["files"]
    assert (real_release / LIBRARY).stat().st_size == meta["files"][LIBRARY]["bytes"]


@pytest.mark.parametrize("size", ["390x844", "1400x1000"])
def test_the_charts_fit_the_screen_and_are_saved_as_screenshots(browser, serve, real_release, viewport, size):
    _, _, _, code, _, ind = a_ward_and_an_indicator_with_london(real_release)
    width = int(size.split("x")[0])
    viewport(size)
    open_page(browser, serve(real_release))
    Select(browser.find_element(By.ID, "area-select")).select_by_value(code)
    Select(browser.find_element(By.ID, "measure-select")).select_by_value(ind)
    reach_the_charts(browser)
    check_no_horizontal_overflow(browser, width, "with the charts drawn")
    browser.find_element(By.CSS_SELECTOR, "#trend-table-details summary").click()
    check_no_horizontal_overflow(browser, width, "with the trend's table open")
    assert browser.execute_script(PLOTTED)["width"] <= width
    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("document.getElementById('charts-heading').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / f"explorer-charts-{size}.png"))
    assert (ARTIFACTS / f"explorer-charts-{size}.png").stat().st_size > 10_000
    assert severe(browser) == []
