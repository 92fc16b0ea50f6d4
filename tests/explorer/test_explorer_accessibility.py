"""Accessibility of the explorer, in headless Chromium against a real release.

axe-core (vendored from the npm registry for the tests only: tests/explorer/vendor/axe-core,
MPL-2.0) checks every view at a phone's and a desktop's size against WCAG 2.1 A and AA
(colour contrast included) and best practice; a serious or critical violation fails the
test with the rule, the elements and axe's own help text. Keyboard-only use is walked with
real key presses: skip link, search, the map's areas and the area list, each reachable by
Tab and used with Enter, with a visible focus indicator."""
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import Select

from test_explorer_browser import open_page, scores, severe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 200))}))))
   .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def axe_violations(browser) -> list[dict]:
    if not browser.execute_script("return typeof window.axe !== 'undefined'"):
        browser.execute_script(AXE)  # through the driver, not a page <script>: the release's CSP stays untouched
    browser.set_script_timeout(60)
    return browser.execute_async_script(RUN_AXE, TAGS)


def serious(violations):
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def open_all_details(browser):
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")


def views(browser, real_release):
    """(name, how to get there): the borough's page, a ward, a neighbourhood, with every
    disclosure opened so hidden tables are checked too."""
    s = scores(real_release)
    wards = sorted(set(s[s["boundary"].str.startswith("ward")]["boundary"]))
    ward_boundary = wards[-1]
    ward = s[s["boundary"] == ward_boundary]["area_code"].sort_values().iloc[3]
    lsoa = s[s["boundary"] == "lsoa11"]["area_code"].sort_values().iloc[7]

    def select(boundary, code):
        def go():
            Select(browser.find_element(By.ID, "boundary-select")).select_by_value(boundary)
            Select(browser.find_element(By.ID, "area-select")).select_by_value(code)
        return go
    return [("borough", lambda: None), ("ward", select(ward_boundary, ward)), ("lsoa", select("lsoa11", lsoa))]


@pytest.mark.parametrize("size", ["390x844", "1400x1000"])
def test_axe_finds_no_serious_or_critical_violation_on_any_view(browser, serve, real_release, viewport, size):
    viewport(size)
    url = serve(real_release)
    found = {}
    for name, go in views(browser, real_release):
        open_page(browser, url)
        go()
        open_all_details(browser)
        found[name] = serious(axe_violations(browser))
    assert found == {name: [] for name in found}, found
    assert severe(browser) == []


def test_axe_itself_reports_a_planted_violation(browser, serve, real_release):
    """The check can fail: an image without alternative text and grey-on-white text are found."""
    open_page(browser, serve(real_release))
    browser.execute_script("""
        const img = document.createElement('img'); img.src = 'data:,'; document.querySelector('main').prepend(img);
        const p = document.createElement('p'); p.textContent = 'faint'; p.style.color = '#eee';
        document.querySelector('main').prepend(p);""")
    ids = {v["id"] for v in serious(axe_violations(browser))}
    assert {"image-alt", "color-contrast"} <= ids


def focused(browser):
    return browser.switch_to.active_element


def tab_until(browser, predicate, limit=400):
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if predicate(focused(browser)):
            return focused(browser)
    raise AssertionError("not reachable by Tab")


FOCUS_STYLE = """
    const s = getComputedStyle(arguments[0]);
    return [s.outlineStyle === 'none' ? '0px' : s.outlineWidth, s.boxShadow, s.stroke, s.strokeWidth,
            s.backgroundColor, s.textDecorationLine].join('|');"""


def has_visible_focus(browser, element) -> bool:
    """The focused element looks different from the same element unfocused (an outline, a
    ring, a thicker border line or another background): WCAG 2.4.7."""
    assert browser.switch_to.active_element == element
    with_focus = browser.execute_script(FOCUS_STYLE, element)
    browser.execute_script("arguments[0].blur()", element)
    without = browser.execute_script(FOCUS_STYLE, element)
    browser.execute_script("arguments[0].focus()", element)
    return with_focus != without


def test_keyboard_only_use_reaches_and_opens_areas(browser, serve, real_release):
    s = scores(real_release)
    open_page(browser, serve(real_release))
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    # 1. the first Tab stop is the skip link, and Enter on it moves focus into the main content
    skip = tab_until(browser, lambda e: e.get_attribute("class") == "skip", limit=3)
    assert has_visible_focus(browser, skip)
    skip.send_keys(Keys.ENTER)
    assert browser.execute_script("return location.hash") == "#main"
    # 2. the search box by Tab; typing a ward's name and Enter opens its scorecard
    box = tab_until(browser, lambda e: e.get_attribute("id") == "search-input")
    assert has_visible_focus(browser, box)
    wards = sorted(set(s[s["boundary"].str.startswith("ward")]["boundary"]))
    ward_rows = s[s["boundary"] == wards[-1]][["area_code", "area_name"]].drop_duplicates().sort_values("area_code")
    code, name = ward_rows.iloc[2]
    box.send_keys(name)
    box.send_keys(Keys.ENTER)
    assert name in browser.find_element(By.ID, "scorecard-title").text
    # 3. an area of the map by Tab, opened with Enter
    browser.execute_script("window.scrollTo(0, 0)")
    area = tab_until(browser, lambda e: e.tag_name == "path" and e.get_attribute("data-code"))
    assert has_visible_focus(browser, area)
    other = area.get_attribute("data-code")
    area.send_keys(Keys.ENTER)
    title = browser.find_element(By.ID, "scorecard-title").text
    names = dict(s[["area_code", "area_name"]].drop_duplicates().itertuples(index=False))
    assert names[other] in title
    # 4. the area list by Tab, changed with the arrow keys alone
    chooser = tab_until(browser, lambda e: e.get_attribute("id") == "area-select")
    assert has_visible_focus(browser, chooser)
    before = browser.find_element(By.ID, "scorecard-title").text
    chooser.send_keys(Keys.ARROW_DOWN)
    assert browser.find_element(By.ID, "scorecard-title").text != before
    assert severe(browser) == []
