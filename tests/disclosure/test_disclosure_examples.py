"""Worked examples of disclosure control, each written out by hand."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from disclosure_helpers import area_groups, by_code, cells, exactly_determined, suppressed_codes
from social_progress.disclosure import (DisclosurePolicy, apply_disclosure_control, groups_from_lookup,
                                        period_groups, recover_by_differencing, round_half_up)

WARD = [("ward19", "W", 30), ("lsoa11", "A", 2), ("lsoa11", "B", 7), ("lsoa11", "C", 9), ("lsoa11", "D", 12)]
WARD_GROUPS = area_groups({"W": ["A", "B", "C", "D"]}, "ward19", "lsoa11")


def test_ward_of_four_lsoas_primary_then_secondary():
    out, report = apply_disclosure_control(cells(WARD), WARD_GROUPS)
    o = by_code(out)
    assert o.loc["A", "suppression"] == "primary" and o.loc["A", "quality_flag"] == "suppressed_small_count"
    assert o.loc["B", "suppression"] == "secondary" and o.loc["B", "quality_flag"] == "suppressed_secondary"
    assert suppressed_codes(out) == {"A", "B"}
    for code in ("A", "B"):
        assert np.isnan(o.loc[code, "numerator"]) and np.isnan(o.loc[code, "value"])
        assert o.loc[code, "denominator"] == 1000.0  # residents: not personal, stays published
    assert o.loc["C", "numerator"] == 9 and o.loc["D", "numerator"] == 12 and o.loc["W", "numerator"] == 30
    assert o.loc["C", "suppression"] is None and not o.loc["C", "suppressed"]
    assert (report.primary, report.secondary, report.secondary_parents, report.unresolved) == (1, 1, 0, 0)
    assert report.by_boundary["lsoa11"] == {"cells": 4, "primary": 1, "secondary": 1}
    assert report.by_boundary["ward19"] == {"cells": 1, "primary": 0, "secondary": 0}
    # the attacker: 30 - 9 - 12 = 9 for A and B together -> nothing
    assert recover_by_differencing(out, WARD_GROUPS).empty


def test_attacker_recovers_the_cell_when_only_primary_suppression_is_applied():
    only_primary, _ = apply_disclosure_control(cells(WARD), WARD_GROUPS.iloc[:0])  # no groups: no secondary
    assert suppressed_codes(only_primary) == {"A"}
    found = recover_by_differencing(only_primary, WARD_GROUPS)
    assert len(found) == 1
    hit = found.iloc[0]
    assert (hit["kind"], hit["parent"], hit["children"], hit["recovered_total"]) == ("single_cell", "W", ("A",), 2.0)
    assert (hit["indicator_id"], hit["year"], hit["n_suppressed"]) == ("ind1", 2021, 1)


def test_attacker_reports_a_small_recoverable_total():
    t = cells([("ward19", "W", 20), ("lsoa11", "A", 1), ("lsoa11", "B", 2), ("lsoa11", "C", 8), ("lsoa11", "D", 9)])
    published, _ = apply_disclosure_control(t, WARD_GROUPS.iloc[:0])
    found = recover_by_differencing(published, WARD_GROUPS)
    assert found[["kind", "recovered_total"]].values.tolist() == [["small_total", 3.0]]
    assert set(found.iloc[0]["children"]) == {"A", "B"}
    out, _ = apply_disclosure_control(t, WARD_GROUPS)
    assert suppressed_codes(out, "secondary") == {"C"}  # 1 + 2 + 8 = 11 >= 5
    assert recover_by_differencing(out, WARD_GROUPS).empty


BOROUGH = {"W1": {"A": 2, "B": 7, "C": 9, "D": 12}, "W2": {"E": 1, "F": 2},
           "W3": {"G": 20, "H": 21}, "W4": {"I": 6, "J": 20}}  # wards 30, 3, 41, 26 = 100


def _borough(wards=BOROUGH, borough=None):
    rows = [("lad", "B0", borough if borough is not None else sum(sum(l.values()) for l in wards.values()))]
    for w, ls in wards.items():
        rows.append(("ward19", w, sum(ls.values())))
        rows += [("lsoa11", l, v) for l, v in ls.items()]
    lookup = pd.DataFrame([(l, w) for w, ls in wards.items() for l in ls], columns=["LSOA11CD", "WD19CD"])
    return cells(rows), lookup


def test_borough_with_one_small_ward():
    t, lookup = _borough()
    wards_only = t[t["boundary"] != "lsoa11"]
    groups = area_groups({"B0": ["W1", "W2", "W3", "W4"]}, "lad", "ward19")
    out, report = apply_disclosure_control(wards_only, groups)
    assert suppressed_codes(out, "primary") == {"W2"}          # 3 < 5
    assert suppressed_codes(out, "secondary") == {"W4"}        # 26: the smallest published ward
    assert recover_by_differencing(out, groups).empty           # 100 - 30 - 41 = 29 for two wards
    assert report.iterations == 1


def test_secondary_suppression_of_a_ward_triggers_one_in_its_lsoas():
    """The docstring's example: ward W4 (26) hides ward W2 (3) within the borough, then one of
    W4's LSOAs must go too, or 6 + 20 gives W4 back and with it W2."""
    t, lookup = _borough()
    groups = groups_from_lookup(lookup, borough_code="B0")  # lsoa11 in ward19, ward19 and lsoa11 in lad
    out, report = apply_disclosure_control(t, groups)
    assert suppressed_codes(out, "primary") == {"W2", "E", "F", "A"}
    assert suppressed_codes(out, "secondary") == {"B", "W4", "I"}
    assert report.iterations >= 2 and report.secondary == 3
    assert recover_by_differencing(out, groups).empty
    assert exactly_determined(out, groups) == []
    # without the LSOA I the ward is the sum of its LSOAs: the attacker finds it
    leaky = out.copy()
    leaky.loc[leaky["area_code"] == "I", ["numerator", "suppressed"]] = [6.0, False]
    found = recover_by_differencing(leaky, groups)
    assert ("parent_from_children", "W4", 26.0) in set(zip(found["kind"], found["parent"], found["recovered_total"]))


def test_chain_is_order_independent():
    t, lookup = _borough()
    groups = groups_from_lookup(lookup, borough_code="B0")
    out1, _ = apply_disclosure_control(t, groups)
    shuffled = t.sample(frac=1.0, random_state=3)
    out2, _ = apply_disclosure_control(shuffled, groups.sample(frac=1.0, random_state=4))
    assert out2.index.tolist() == shuffled.index.tolist()  # same rows, same order as given
    assert out1.sort_index()["suppression"].tolist() == out2.sort_index()["suppression"].tolist()


def test_zeros_are_small_by_default_and_published_when_allowed():
    t = cells([("ward19", "W", 30), ("lsoa11", "A", 0), ("lsoa11", "B", 8), ("lsoa11", "C", 9), ("lsoa11", "D", 13)])
    out, _ = apply_disclosure_control(t, WARD_GROUPS)
    assert suppressed_codes(out, "primary") == {"A"} and suppressed_codes(out, "secondary") == {"B"}
    assert np.isnan(by_code(out).loc["A", "numerator"])
    out, report = apply_disclosure_control(t, WARD_GROUPS, DisclosurePolicy(suppress_zero=False))
    assert report.suppressed == 0 and by_code(out).loc["A", "numerator"] == 0.0


def test_published_zero_does_not_count_as_a_complement():
    # 3 is hidden; hiding the published 0 as well would still give 3 back: the 9 goes instead
    t = cells([("ward19", "W", 25), ("lsoa11", "A", 0), ("lsoa11", "B", 3), ("lsoa11", "C", 9), ("lsoa11", "D", 13)])
    out, _ = apply_disclosure_control(t, WARD_GROUPS, DisclosurePolicy(suppress_zero=False))
    assert suppressed_codes(out, "primary") == {"B"} and suppressed_codes(out, "secondary") == {"C"}
    assert by_code(out).loc["A", "numerator"] == 0.0
    assert recover_by_differencing(out, WARD_GROUPS).empty


def test_fractional_counts_on_apportioned_boundaries():
    kids = {"L1": 1.5, "L2": 2.25, "L3": 6.25, "L4": 10.0, "L5": 20.5}  # sum 40.5
    t = cells([("lad", "B0", 40.5)] + [("lsoa21", c, v) for c, v in kids.items()])
    groups = area_groups({"B0": list(kids)}, "lad", "lsoa21")
    out, _ = apply_disclosure_control(t, groups)
    assert suppressed_codes(out, "primary") == {"L1", "L2"}    # both < 5
    assert suppressed_codes(out, "secondary") == {"L3"}        # 1.5 + 2.25 = 3.75 < 5: add the smallest
    assert by_code(out).loc["L5", "numerator"] == 20.5
    assert recover_by_differencing(out, groups).empty
    # two small fractional cells whose total reaches the threshold need no complement
    kids = {"L1": 2.25, "L2": 2.75, "L3": 4.99, "L4": 12.0, "L5": 16.0}  # 4.99 is below 5
    t = cells([("lad", "B0", sum(kids.values()))] + [("lsoa21", c, v) for c, v in kids.items()])
    out, report = apply_disclosure_control(t, area_groups({"B0": list(kids)}, "lad", "lsoa21"))
    assert suppressed_codes(out) == {"L1", "L2", "L3"} and report.secondary == 0


def test_parent_is_suppressed_when_no_child_is_left():
    """A ward count from the source includes 3 people with no LSOA: 6 = 2 + 1 + 3 unlocated.
    Both LSOAs are small and together only 3, and there is no other LSOA to hide: the ward goes,
    which in turn exposes it within the borough, and so on down to an LSOA of ward V."""
    rows = [("lad", "B0", 50), ("ward19", "W", 6), ("lsoa11", "A", 2), ("lsoa11", "B", 1),
            ("ward19", "V", 20), ("lsoa11", "C", 8), ("lsoa11", "D", 12),
            ("ward19", "U", 24), ("lsoa11", "E", 10), ("lsoa11", "F", 14)]
    groups = pd.concat([area_groups({"W": ["A", "B"], "V": ["C", "D"], "U": ["E", "F"]}, "ward19", "lsoa11"),
                        area_groups({"B0": ["W", "V", "U"]}, "lad", "ward19")])
    out, report = apply_disclosure_control(cells(rows), groups)
    assert suppressed_codes(out, "primary") == {"A", "B"}
    assert suppressed_codes(out, "secondary") == {"W", "V", "C"}
    assert report.secondary_parents == 1 and report.non_additive_equations == 1
    assert recover_by_differencing(out, groups).empty


def test_single_child_group_hides_its_parent():
    """Ward X is a single LSOA, B. B is hidden as the complement of A within the borough's
    LSOAs; X = B would give it back and there is no other child: X goes, then ward Y with it."""
    rows = [("lad", "B0", 40), ("lsoa11", "A", 3), ("lsoa11", "B", 9), ("lsoa11", "C", 28),
            ("ward19", "X", 9), ("ward19", "Y", 31)]
    groups = pd.concat([area_groups({"X": ["B"]}, "ward19", "lsoa11"),
                        area_groups({"B0": ["A", "B", "C"]}, "lad", "lsoa11"),
                        area_groups({"B0": ["X", "Y"]}, "lad", "ward19")])
    out, report = apply_disclosure_control(cells(rows), groups)
    assert suppressed_codes(out, "primary") == {"A"}
    assert suppressed_codes(out, "secondary") == {"B", "X", "Y"}
    assert report.secondary_parents == 1
    assert recover_by_differencing(out, groups).empty
    assert exactly_determined(out, groups) == []


def test_rounding_to_base_five_recomputes_values():
    t = cells([("ward19", "W", 44, 1000), ("lsoa11", "A", 2, 100), ("lsoa11", "B", 7, 200),
               ("lsoa11", "C", 13, 300), ("lsoa11", "D", 22, 400)])
    out, report = apply_disclosure_control(t, WARD_GROUPS, DisclosurePolicy(rounding_base=5))
    o = by_code(out)
    assert suppressed_codes(out) == {"A", "B"}
    assert o.loc["C", "numerator"] == 15 and o.loc["C", "value"] == pytest.approx(50.0)   # 15/300*1000
    assert o.loc["D", "numerator"] == 20 and o.loc["D", "value"] == pytest.approx(50.0)   # 20/400*1000
    assert o.loc["W", "numerator"] == 45 and o.loc["W", "value"] == pytest.approx(45.0)
    assert o.loc["C", "denominator"] == 300  # residents are not rounded
    assert np.isnan(o.loc["A", "value"]) and np.isnan(o.loc["B", "numerator"])
    assert report.rounded == 3
    assert recover_by_differencing(out, WARD_GROUPS).empty


def test_round_half_up():
    got = round_half_up(np.array([12.5, 22.5, 7.4999, 2.5, 0.0, np.nan, 17.4, 5.0]), 5)
    assert got[:5].tolist() == [15.0, 25.0, 5.0, 5.0, 0.0] and np.isnan(got[5]) and got[6:].tolist() == [15.0, 5.0]


def test_rounding_with_a_multiplier_column():
    t = cells([("ward19", "W", 44, 1000), ("lsoa11", "A", 2, 100), ("lsoa11", "B", 7, 200),
               ("lsoa11", "C", 13, 300), ("lsoa11", "D", 22, 400)])
    t["multiplier"] = 1000.0
    out, _ = apply_disclosure_control(t, WARD_GROUPS, DisclosurePolicy(rounding_base=5))
    assert by_code(out).loc["C", "value"] == pytest.approx(50.0)


def test_secondary_uses_the_rounded_counts_an_attacker_sees():
    # 2.5 + 2.5 = 5 is enough, but rounded the ward is 20 and the two others 10 + 10:
    # the recoverable total would be 0, so one more cell is hidden
    t = cells([("ward19", "W", 20), ("lsoa11", "A", 2.5), ("lsoa11", "B", 2.5),
               ("lsoa11", "C", 7.5), ("lsoa11", "D", 7.5)])
    out, _ = apply_disclosure_control(t, WARD_GROUPS)
    assert suppressed_codes(out) == {"A", "B"}
    out, _ = apply_disclosure_control(t, WARD_GROUPS, DisclosurePolicy(rounding_base=5))
    assert suppressed_codes(out) == {"A", "B", "C"}  # tie 7.5 / 7.5 broken by area code
    assert by_code(out).loc["D", "numerator"] == 10 and by_code(out).loc["W", "numerator"] == 20
    assert recover_by_differencing(out, WARD_GROUPS).empty


def test_personal_denominators():
    """Items per patient: 12 items for 3 patients is disclosive through its denominator."""
    rows = [("ward19", "W", 132, 45), ("lsoa11", "A", 12, 3), ("lsoa11", "B", 30, 10),
            ("lsoa11", "C", 40, 12), ("lsoa11", "D", 50, 20)]
    t = cells(rows, indicator="items_per_patient", multiplier=1.0)
    out, report = apply_disclosure_control(t, WARD_GROUPS, personal_denominators={"items_per_patient"})
    o = by_code(out)
    assert suppressed_codes(out, "primary") == {"A"} and suppressed_codes(out, "secondary") == {"B"}
    assert report.primary_by_denominator == 1
    for code in ("A", "B"):
        assert np.isnan(o.loc[code, "numerator"]) and np.isnan(o.loc[code, "denominator"])
        assert np.isnan(o.loc[code, "value"])
    assert o.loc["C", "denominator"] == 12
    assert recover_by_differencing(out, WARD_GROUPS, columns=["numerator", "denominator"]).empty
    # the same indicator with a residents denominator: nothing to hide
    out, report = apply_disclosure_control(t, WARD_GROUPS)
    assert report.suppressed == 0
    # or declared by a column, but with the denominator check off
    t2 = t.assign(denominator_personal=True)
    out, report = apply_disclosure_control(t2, WARD_GROUPS, DisclosurePolicy(check_denominator=False))
    assert report.suppressed == 0
    out, report = apply_disclosure_control(t2, WARD_GROUPS)
    assert suppressed_codes(out) == {"A", "B"}


def test_personal_denominator_differencing_is_checked():
    """Numerators are fine per group, but hiding one cell leaves its personal denominator
    recoverable from the ward's: 45 - 10 - 12 - 20 = 3 patients."""
    rows = [("ward19", "W", 132, 45), ("lsoa11", "A", 12, 3), ("lsoa11", "B", 30, 10),
            ("lsoa11", "C", 40, 12), ("lsoa11", "D", 50, 20)]
    t = cells(rows, indicator="ipp")
    published = t.copy()
    published["suppressed"] = published["area_code"] == "A"
    published.loc[published["suppressed"], ["numerator", "denominator", "value"]] = np.nan
    found = recover_by_differencing(published, WARD_GROUPS, columns=["numerator", "denominator"])
    assert set(zip(found["column"], found["recovered_total"])) == {("numerator", 12.0), ("denominator", 3.0)}


def test_periods_of_years():
    """One LSOA over 2019-21 and the three-year total: 2 + 8 + 10 = 20."""
    t = cells([("lsoa11", "A", 2, 1000, 2019), ("lsoa11", "A", 8, 1000, 2020), ("lsoa11", "A", 10, 1000, 2021),
               ("lsoa11", "A", 20, 3000, "2019-21")])
    groups = period_groups({"2019-21": [2019, 2020, 2021]})
    out, _ = apply_disclosure_control(t, groups)
    assert suppressed_codes(out, "primary") == {("A", 2019)} and suppressed_codes(out, "secondary") == {("A", 2020)}
    assert recover_by_differencing(out, groups).empty
    only_primary, _ = apply_disclosure_control(t, groups.iloc[:0])
    found = recover_by_differencing(only_primary, groups)
    assert found[["dimension", "year", "parent", "children", "recovered_total"]].values.tolist() == \
        [["period", "2019-21", "A", (2019,), 2.0]]


def test_periods_and_areas_together():
    rows = []
    for year, (a, b) in {2019: (2, 9), 2020: (8, 6), 2021: (10, 11)}.items():
        rows += [("lsoa11", "A", a, 1000, year), ("lsoa11", "B", b, 1000, year), ("ward19", "W", a + b, 2000, year)]
    rows += [("lsoa11", "A", 20, 3000, "2019-21"), ("lsoa11", "B", 26, 3000, "2019-21"),
             ("ward19", "W", 46, 6000, "2019-21")]
    groups = pd.concat([area_groups({"W": ["A", "B"]}, "ward19", "lsoa11"),
                        period_groups({"2019-21": [2019, 2020, 2021]})])
    out, _ = apply_disclosure_control(cells(rows), groups)
    assert suppressed_codes(out, "primary") == {("A", 2019)}
    assert suppressed_codes(out, "secondary") == {("B", 2019), ("A", 2020), ("B", 2020)}
    assert recover_by_differencing(out, groups).empty
    assert exactly_determined(out, groups) == []


def test_missing_values_stay_missing():
    t = cells([("ward19", "W", 18), ("lsoa11", "A", None), ("lsoa11", "B", 2), ("lsoa11", "C", 7),
               ("lsoa11", "D", 9), ("lsoa11", "E", 11, None)])
    groups = area_groups({"W": ["A", "B", "C", "D", "E"]}, "ward19", "lsoa11")
    t.loc[t["area_code"] == "W", "numerator"] = 29.0
    t.loc[t["area_code"] == "A", "quality_flag"] = "source_missing"
    t.loc[t["area_code"] == "D", "value"] = np.nan
    for policy in (DisclosurePolicy(), DisclosurePolicy(rounding_base=5)):
        out, report = apply_disclosure_control(t, groups, policy)
        o = by_code(out)
        assert np.isnan(o.loc["A", "numerator"]) and np.isnan(o.loc["A", "value"])
        assert not o.loc["A", "suppressed"] and o.loc["A", "suppression"] is None
        assert o.loc["A", "quality_flag"] == "source_missing"
        assert np.isnan(o.loc["D", "value"]) and o.loc["D", "numerator"] in (9.0, 10.0)
        assert np.isnan(o.loc["E", "denominator"]) and np.isnan(o.loc["E", "value"])
        assert suppressed_codes(out) == {"B", "C"}
        assert report.missing_input == 1
        assert not ((out["numerator"] == 0) & (t["numerator"] != 0)).any()
        for col in ("numerator", "denominator", "value"):
            assert out[col].isna().sum() >= t[col].isna().sum()
            assert not (out[col].isna() & ~t[col].isna() & ~out["suppressed"]).any()
        assert recover_by_differencing(out, groups).empty


def test_integer_counts_come_back_as_float_with_nan():
    t = cells(WARD)
    t["numerator"] = t["numerator"].astype("int64")
    out, _ = apply_disclosure_control(t, WARD_GROUPS)
    assert out["numerator"].dtype == np.float64
    assert out["numerator"].isna().tolist() == [False, True, True, False, False]
    assert 0 not in out["numerator"].tolist()


def test_other_flags_are_kept_and_report_is_json():
    t = cells(WARD)
    t["quality_flag"] = [None, "estimated", "estimated", "estimated", None]
    out, report = apply_disclosure_control(t, WARD_GROUPS)
    flags = [None if pd.isna(v) else v for v in out["quality_flag"]]
    assert flags == [None, "suppressed_small_count", "suppressed_secondary", "estimated", None]
    meta = json.loads(json.dumps(report.as_metadata()))
    assert meta["rules"] == {"primary": 1, "primary_by_denominator": 0, "secondary": 1, "secondary_parents": 0}
    assert meta["by_indicator"] == {"ind1": {"cells": 5, "primary": 1, "secondary": 1}}
    assert meta["policy"] == {"threshold": 5, "suppress_zero": True, "rounding_base": None, "check_denominator": True}
    assert meta["iterations"] == report.iterations == 1


def test_indicators_and_years_are_independent():
    a = cells(WARD, indicator="i1", year=2020)
    b = cells([("ward19", "W", 30), ("lsoa11", "A", 6), ("lsoa11", "B", 7), ("lsoa11", "C", 9), ("lsoa11", "D", 8)],
              indicator="i1", year=2021)
    c = cells(WARD, indicator="i2", year=2020)
    out, report = apply_disclosure_control(pd.concat([a, b, c], ignore_index=True), WARD_GROUPS)
    assert set(zip(out.loc[out["suppressed"], "indicator_id"], out.loc[out["suppressed"], "year"],
                   out.loc[out["suppressed"], "area_code"])) == {("i1", 2020, "A"), ("i1", 2020, "B"),
                                                                 ("i2", 2020, "A"), ("i2", 2020, "B")}
    assert report.by_indicator["i1"] == {"cells": 10, "primary": 1, "secondary": 1}
