"""The explorer's targets section in headless Chromium: every target carries a visible label
beside it, "Illustrative target, not adopted" or "Adopted target" with its source, as the
release's targets.csv says; relative targets say what they are measured against, and one
that cannot be evaluated says so and why."""
import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from test_explorer_browser import open_page, severe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]
WORDS = {"illustrative": "Illustrative target, not adopted", "adopted": "Adopted target"}


def target_rows(browser):
    """(indicator, kind, row header text, label element, cells) for each row of the table."""
    out = []
    for tr in browser.find_elements(By.CSS_SELECTOR, "#targets-table tbody tr"):
        label = tr.find_element(By.CSS_SELECTOR, "th .target-label")
        out.append((tr.get_attribute("data-measure"), tr.get_attribute("data-kind"),
                    tr.find_element(By.CSS_SELECTOR, "th").text, label, [td.text for td in tr.find_elements(By.TAG_NAME, "td")]))
    return out


def check_labels(browser, release):
    expected = pd.read_csv(release / "targets.csv")
    rows = target_rows(browser)
    assert len(rows) == len(expected)
    for (ind, kind, header, label, _), r in zip(rows, expected.itertuples()):
        assert (ind, kind) == (r.indicator_id, r.kind)
        # shown as text in the row, not only in a tooltip
        assert label.is_displayed() and label.size["width"] > 0 and label.text == WORDS[r.adoption_status]
        assert WORDS[r.adoption_status] in header and r.source in header
    return rows


def test_fixture_targets_show_adopted_and_illustrative_labels_and_not_evaluated(browser, serve, fixture_releases):
    release = fixture_releases["with"]
    open_page(browser, serve(release))
    rows = {(ind, kind): (header, cells) for ind, kind, header, _, cells in check_labels(browser, release)}
    header, cells = rows[("crime_rate", "absolute")]
    assert "Adopted target" in header and "Illustrative" not in header
    assert "minute 12" in header            # an adopted target names the decision it comes from
    assert "Illustrative target, not adopted" in rows[("green_share", "absolute")][0]
    # the gap to London: the fixture's baseline 2019 and London 6.11 per 1,000 in 2021 (55,000 / 9 million)
    gap_cells = rows[("crime_rate", "london_gap")][1]
    assert gap_cells[0].startswith("Close 50% of the 2019 gap to London by 2030")
    assert "London 6.11" in gap_cells[1]
    # a rank needs the 33 boroughs; the fixture has 4: not evaluated, and why, never a status
    rank_cells = rows[("crime_rate", "london_rank")][1]
    assert rank_cells[0] == "Rank 16 or better of London's 33 boroughs by 2030"
    assert "Not evaluated" in rank_cells[4] and "only 4 of the 33 London boroughs" in rank_cells[4]
    assert "On track" not in rank_cells[4] and "Off track" not in rank_cells[4]
    assert severe(browser) == []


def test_real_release_labels_every_target_as_the_release_does(browser, serve, real_release):
    open_page(browser, serve(real_release))
    expected = pd.read_csv(real_release / "targets.csv")
    rows = check_labels(browser, real_release)
    shown = [label.text for _, _, _, label, _ in rows]
    assert shown.count(WORDS["illustrative"]) == int((expected["adoption_status"] == "illustrative").sum()) > 0
    # the section does not present the drafts under the Manifesto's name
    assert browser.find_element(By.ID, "targets-heading").text == "Targets"
    assert severe(browser) == []
