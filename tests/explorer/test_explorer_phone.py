"""The explorer on a phone and on a wide screen, in headless Chromium: nothing runs off the
right edge (the issue found a 1,107 px wide page on a 390 px phone), tables become labelled
cards on a phone, the controls do not pin a third of the screen, and in-page links land
with their heading below any fixed or sticky bar. Screenshots are kept as artefacts."""
import pytest

from explorer_viewports import VIEWPORTS
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

# A real phone's layout viewport (mobile: the page's meta viewport applies), a small phone,
# and a desktop window; set through the DevTools protocol so window.innerWidth is exactly this.

OVERFLOWING = """
var W = document.documentElement.clientWidth, out = [];
document.querySelectorAll('body *').forEach(function (e) {
  var r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') return;
  if (r.right > W + 1) {
    var cls = typeof e.className === 'string' ? e.className : '';
    out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (cls ? '.' + cls.trim().replace(/\\s+/g, '.') : '') +
             ' right=' + Math.round(r.right) + ' "' + (e.textContent || '').trim().slice(0, 40) + '"');
  }
});
return out;
"""

# The bottom of every fixed or sticky element that starts above the heading (0 if none).
BAR_BOTTOM = """
var h = arguments[0].getBoundingClientRect(), bottom = 0;
document.querySelectorAll('body *').forEach(function (e) {
  var p = getComputedStyle(e).position;
  if (p !== 'fixed' && p !== 'sticky') return;
  var r = e.getBoundingClientRect();
  if (r.height > 0 && r.width > 0 && r.top <= h.top && r.bottom > 0) bottom = Math.max(bottom, r.bottom);
});
return [h.top, bottom, window.innerHeight, window.scrollY];
"""




def open_page(browser, url):
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get(url)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true")


def check_no_horizontal_overflow(browser, width, where):
    inner, scroll, client = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert inner == width, f"{where}: the layout viewport is {inner} px wide, not {width} (the page is {scroll} px wide)"
    assert scroll <= inner and scroll <= client, f"{where}: the page scrolls sideways ({scroll} px in a {client} px window)"
    offenders = browser.execute_script(OVERFLOWING)
    assert offenders == [], f"{where}: {len(offenders)} elements run past the right edge ({client} px):\n" + "\n".join(offenders[:40])


@pytest.mark.parametrize("size", ["390x844", "360x740", "1400x1000"])
def test_no_horizontal_overflow_and_anchors_land_below_the_bar(browser, serve, real_release, viewport, size):
    width, height = VIEWPORTS[size]["width"], VIEWPORTS[size]["height"]
    phone = width < 640
    viewport(size)
    open_page(browser, serve(real_release))
    check_no_horizontal_overflow(browser, width, "on load")
    assert browser.find_element(By.ID, "card-index").text  # the headline score is shown

    # tables: labelled cards on a phone, ordinary tables on a wide screen
    rows = browser.find_elements(By.CSS_SELECTOR, "#scorecard-table tbody tr")
    assert rows
    display = browser.execute_script("return getComputedStyle(arguments[0]).display", rows[0])
    assert display == ("grid" if phone else "table-row")
    for table in ("scorecard-table", "worst-table", "targets-table", "comparators-table"):
        unlabelled = browser.execute_script(
            "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody td'))"
            ".filter(function (c) { return c.textContent.trim() && !c.getAttribute('data-label'); }).length", table)
        assert unlabelled == 0, table
    change = browser.find_element(By.CSS_SELECTOR, '#scorecard-table tr[data-measure="Social Progress Index"] td.change')
    assert change.get_attribute("data-label").startswith("Change")
    if phone:  # the label is shown with the value, where the column header used to be
        label = browser.execute_script("return getComputedStyle(arguments[0], '::before').content", change)
        assert label.strip('"').startswith("Change")

    # the table of the map's values, and the longest names (neighbourhoods) in the selects
    browser.find_element(By.CSS_SELECTOR, "#map-table-details summary").click()
    check_no_horizontal_overflow(browser, width, "with the map's table open")
    for boundary in ("lsoa11", "lsoa21"):
        Select(browser.find_element(By.ID, "boundary-select")).select_by_value(boundary)
        longest = max(browser.find_elements(By.CSS_SELECTOR, "#measure-select option"), key=lambda o: len(o.get_attribute("text")))
        Select(browser.find_element(By.ID, "measure-select")).select_by_value(longest.get_attribute("value"))
        check_no_horizontal_overflow(browser, width, f"with {boundary} and the longest measure name")
    Select(browser.find_element(By.ID, "boundary-select")).select_by_value("ward22")
    browser.find_element(By.CSS_SELECTOR, "#map-table-details summary").click()

    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTIFACTS / f"explorer-{size}.png"))
    assert (ARTIFACTS / f"explorer-{size}.png").stat().st_size > 10_000

    # every in-page link lands with its heading visible below any fixed or sticky bar
    links = browser.find_elements(By.CSS_SELECTOR, 'nav a[href^="#"]')
    assert len(links) >= 7
    scrolled = []
    for link in links:
        target = link.get_attribute("href").split("#", 1)[1]
        browser.execute_script("window.scrollTo(0, 0)")
        link.click()
        heading = browser.find_element(By.CSS_SELECTOR, f"#{target} h2")
        top, bar, inner_height, scroll_y = browser.execute_script(BAR_BOTTOM, heading)
        assert top >= bar - 0.5, f"#{target}: its heading's top ({top:.0f}) is under a fixed/sticky bar ending at {bar:.0f}"
        assert 0 <= top < inner_height, f"#{target}: its heading is off screen (top {top:.0f})"
        assert bar <= inner_height / 4, f"#{target}: a fixed/sticky bar takes {bar:.0f} of {inner_height} px"
        scrolled.append(scroll_y)
        if target == "scorecard-section":
            browser.save_screenshot(str(ARTIFACTS / f"explorer-{size}-scorecard.png"))
        if target == "borough-section":
            browser.save_screenshot(str(ARTIFACTS / f"explorer-{size}-borough.png"))
    assert sum(1 for y in scrolled if y > 0) >= len(links) - 1  # the links really moved the page
    check_no_horizontal_overflow(browser, width, "after following the links")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_phone_controls_scroll_away_and_desktop_controls_stay(browser, serve, real_release, viewport):
    """On a phone the controls are not pinned (they took 289 of 844 px); on a wide screen they stay at the top."""
    url = serve(real_release)
    for size, pinned in (("390x844", False), ("1400x1000", True)):
        viewport(size)
        open_page(browser, url)
        controls = browser.find_element(By.ID, "controls")
        browser.execute_script("document.getElementById('scorecard-section').scrollIntoView()")
        top = browser.execute_script("return arguments[0].getBoundingClientRect().top", controls)
        height = controls.size["height"]
        if pinned:
            assert abs(top) < 1 and height < VIEWPORTS[size]["height"] / 6, (top, height)
        else:
            assert top + height <= 0, f"the controls stay on screen on a phone (top {top}, height {height})"
