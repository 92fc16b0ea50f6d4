"""The explorer's comparisons mean something, on the real release: each value against its
benchmark (text and a shape, with its reason printed), its recent trend, values carried
forward read "No new data since <year>", shared ranks read "=", badges are not buttons, a
unit is said once, and a ward lists at most five strengths and five weaknesses."""
import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

COMPARISON_WORDS = ("Better", "Similar", "Worse", "Higher", "Lower", "Not compared")


def open_view(browser, url, year, base, boundary, code):
    browser.get("about:blank")
    browser.get(f"{url}#year={year}&compare={base}&areas={boundary}&area={code}&measure=Social%20Progress%20Index")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true")
    WebDriverWait(browser, 30).until(lambda d: code in d.find_element(By.ID, "scorecard-title").text)


def read(release, name):
    return pd.read_csv(release / name, dtype={"area_code": str})


def ordinal(n: int) -> str:
    return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def row(browser, measure):
    return browser.find_element(By.CSS_SELECTOR, f'#scorecard-table tr[data-measure="{measure}"]')


def test_a_value_carried_forward_reads_no_new_data_not_no_change(browser, serve, real_release):
    p = read(real_release, "progress.csv")
    year = int(p["year"].max())
    carried = p[(p["boundary"] == "ward22") & (p["year"] == year) & (p["base_year"] == year - 1)
                & p["reason"].str.startswith("no new data since")]
    assert len(carried), "the release has values carried forward"
    r = carried.iloc[0]
    since = r["reason"].removeprefix("no new data since ")
    open_view(browser, serve(real_release), year, year - 1, "ward22", r["area_code"])
    tr = row(browser, r["measure"])
    rating = tr.find_element(By.CSS_SELECTOR, ".progress .rating")
    assert rating.text.endswith(f"No new data since {since}") and rating.get_attribute("data-rating") == "no new data"
    assert tr.find_element(By.CSS_SELECTOR, "td.change").text == f"No new data since {since}"
    assert "No significant change" not in tr.text
    # a rating that was assessed prints its reason, not only on hover
    assessed = p[(p["boundary"] == "ward22") & (p["year"] == year) & (p["base_year"] == year - 1)
                 & (p["area_code"] == r["area_code"]) & (p["measure_type"] == "indicator")
                 & p["reason"].str.contains("confidence intervals")].iloc[0]
    reason = row(browser, assessed["measure"]).find_element(By.CSS_SELECTOR, ".progress small.reason")
    assert reason.is_displayed() and reason.text == assessed["reason"]


def test_shared_ranks_read_as_ties(browser, serve, real_release):
    s = read(real_release, "scores.csv")
    year = int(s["year"].max())
    w = s[(s["boundary"] == "ward22") & (s["year"] == year)]
    n = w["area_code"].nunique()
    sizes = w.groupby(["measure", "rank"])["area_code"].transform("size")
    tied, alone = w[sizes > 1].iloc[0], w[(sizes == 1) & (w["area_code"] == w[sizes > 1].iloc[0]["area_code"])].iloc[0]
    open_view(browser, serve(real_release), year, year - 1, "ward22", tied["area_code"])
    assert row(browser, tied["measure"]).find_element(By.CSS_SELECTOR, "td.rank").text == f"={ordinal(int(tied['rank']))} of {n}"
    assert row(browser, alone["measure"]).find_element(By.CSS_SELECTOR, "td.rank").text == f"{ordinal(int(alone['rank']))} of {n}"


def test_comparisons_and_trends_show_words_a_shape_and_the_release_verdict(browser, serve, real_release):
    s, b, t = read(real_release, "scores.csv"), read(real_release, "benchmarks.csv"), read(real_release, "trends.csv")
    year = int(s["year"].max())
    w = s[(s["boundary"] == "ward22") & (s["year"] == year) & (s["measure_type"] == "indicator")].dropna(subset=["data_year"])
    key = ["indicator_id", "boundary", "area_code", "year"]
    j = w.rename(columns={"measure": "indicator_id", "year": "index_year", "data_year": "year"}).astype({"year": int}).merge(b, on=key)
    code = j[j["comparison"].isin(["better", "worse"])]["area_code"].iloc[0]
    open_view(browser, serve(real_release), year, year - 1, "ward22", code)
    mine = j[j["area_code"] == code]
    for r in mine.itertuples():
        cell = row(browser, r.indicator_id).find_element(By.CSS_SELECTOR, "td.benchmark")
        badge = cell.find_element(By.CSS_SELECTOR, ".cmp")
        assert badge.get_attribute("data-comparison") == r.comparison, r.indicator_id
        assert badge.find_element(By.CSS_SELECTOR, ".cmp-icon").text.strip()                # a shape
        assert any(badge.text.split("\n")[-1].lstrip("\u25B2\u25BC\u25C6\u25B3\u25BD\u2013 ").startswith(x)
                   for x in COMPARISON_WORDS), badge.text                                    # and words
        assert cell.find_element(By.CSS_SELECTOR, "small.reason").is_displayed()
    # colour is not the only signal: better and worse have different shapes
    icons = {e.get_attribute("data-comparison"): e.find_element(By.CSS_SELECTOR, ".cmp-icon").text
             for e in browser.find_elements(By.CSS_SELECTOR, "#scorecard-table .cmp")}
    assert len(set(icons.values())) == len(icons)
    # the trend of each indicator is the release's, for the data year its value comes from
    tr = t[(t["boundary"] == "ward22") & (t["area_code"] == code) & (t["measure_type"] == "indicator")]
    tr = tr.set_index(["measure", "year"])["recent_trend"]
    for r in mine.itertuples():
        mark = row(browser, r.indicator_id).find_element(By.CSS_SELECTOR, "td.trend .trend-mark")
        assert mark.get_attribute("data-trend") == tr[(r.indicator_id, r.year)], r.indicator_id
    assert {m.get_attribute("data-trend") for m in browser.find_elements(By.CSS_SELECTOR, "td.trend .trend-mark")} >= {
        "no significant trend"}


def test_badges_are_labels_not_buttons_and_units_are_said_once(browser, serve, real_release):
    s = read(real_release, "scores.csv")
    year = int(s["year"].max())
    code = sorted(s[s["boundary"] == "ward22"]["area_code"].unique())[0]
    open_view(browser, serve(real_release), year, year - 1, "ward22", code)
    looks = browser.execute_script("""
      return Array.prototype.map.call(document.querySelectorAll('.rating, .cmp, .trend-mark'), function (e) {
        var st = getComputedStyle(e);
        return [e.tagName, e.getAttribute('role'), e.tabIndex, st.backgroundColor, st.borderTopWidth, st.cursor, st.borderTopLeftRadius];
      });""")
    assert len(looks) > 100
    for tag, role, tabindex, bg, border, cursor, radius in looks:
        assert tag != "BUTTON" and role != "button" and tabindex < 0
        assert bg == "rgba(0, 0, 0, 0)" and border == "0px" and cursor != "pointer" and radius == "0px"
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "% %" not in page and "%%" not in page
    labels = [p.get_attribute("aria-label") for p in browser.find_elements(By.CSS_SELECTOR, "#map path[data-code]")]
    assert labels and not any("% %" in a for a in labels)
    # the comparators table gives each indicator's unit
    units = browser.find_elements(By.CSS_SELECTOR, "#comparators-table tbody th .unit")
    assert units and all(u.text.strip() for u in units)


def test_a_ward_lists_at_most_five_strengths_and_weaknesses_strongest_first(browser, serve, real_release):
    sw = read(real_release, "strengths_weaknesses.csv")
    year = int(sw["year"].max())
    w = sw[(sw["boundary"] == "ward22") & (sw["year"] == year) & (sw["assessment"] == "relative weakness")]
    code = w["area_code"].value_counts().index[0]
    mine = w[w["area_code"] == code].sort_values("difference")
    assert len(mine) > 5, "the release has a ward with more than five weaknesses"
    open_view(browser, serve(real_release), year, year - 1, "ward22", code)
    items = browser.find_elements(By.CSS_SELECTOR, "#weaknesses-list li")
    assert len(items) == 5
    assert f"{mine['score'].iloc[0]:.1f} against {mine['peer_mean'].iloc[0]:.1f}" in items[0].text
    assert f"of {len(mine)}" in browser.find_element(By.CSS_SELECTOR, "#weaknesses-list h4").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#strengths-list li")) <= 5
