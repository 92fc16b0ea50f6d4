"""Group tables: builders, validation; policy validation; bad cell tables."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from disclosure_helpers import area_groups, cells
from social_progress.disclosure import (DisclosurePolicy, apply_disclosure_control, groups_from_lookup,
                                        groups_within, normalise_groups, period_groups, recover_by_differencing)
from social_progress.disclosure.groups import build_equations, cell_keys

LOOKUP = pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002", "E01000003", "E01000004", "E01000004"],
                       "WD19CD": ["E05000001", "E05000001", "E05000002", "E05000002", "E05000002"],
                       "LAD19CD": ["E09000002"] * 5})


def test_groups_from_an_ons_lookup_and_code_lists():
    g = groups_from_lookup(LOOKUP, borough_code="E09000002",
                           codes_by_boundary={"ward22": ["E05014053", "E05014054"], "lsoa21": ["E01033001"]})
    rel = g.groupby(["parent_boundary", "child_boundary"]).size().to_dict()
    assert rel == {("ward19", "lsoa11"): 4, ("lad", "ward19"): 2, ("lad", "lsoa11"): 4,
                   ("lad", "ward22"): 2, ("lad", "lsoa21"): 1}
    assert set(g["dimension"]) == {"area"}
    wards = g[g["parent_boundary"] == "ward19"]
    assert wards[wards["parent_code"] == "E05000002"]["child_code"].tolist() == ["E01000003", "E01000004"]
    assert (g.loc[g["parent_boundary"] == "lad", "parent_code"] == "E09000002").all()


def test_groups_from_the_platform_lookup_without_borough():
    look = LOOKUP.rename(columns={"LSOA11CD": "lsoa11_code", "WD19CD": "ward19_code"})
    g = groups_from_lookup(look)
    assert len(g) == 4 and set(g["parent_boundary"]) == {"ward19"}
    with pytest.raises(ValueError, match="borough_code"):
        groups_from_lookup(look, codes_by_boundary={"ward22": ["x"]})


def test_an_lsoa_in_two_wards_is_refused():
    bad = pd.DataFrame({"LSOA11CD": ["A", "A"], "WD19CD": ["W1", "W2"]})
    with pytest.raises(ValueError, match="more than one"):
        groups_from_lookup(bad)
    with pytest.raises(ValueError, match="column"):
        groups_from_lookup(pd.DataFrame({"x": [1]}))


def test_groups_within_and_periods():
    g = groups_within("B0", {"ward22": ["V2", "V1", "V1"]})
    assert g[["parent_boundary", "parent_code", "child_boundary", "child_code"]].values.tolist() == \
        [["lad", "B0", "ward22", "V1"], ["lad", "B0", "ward22", "V2"]]
    p = period_groups({"2019-21": [2019, 2020, 2021]}, boundaries=["lsoa11"])
    assert p["child_code"].tolist() == ["2019", "2020", "2021"] and set(p["dimension"]) == {"period"}
    assert set(p["parent_boundary"]) == {"lsoa11"}


def test_normalise_groups_validates():
    with pytest.raises(ValueError, match="lacks columns"):
        normalise_groups(pd.DataFrame({"parent_code": ["W"]}))
    base = dict(parent_boundary=["ward19"], parent_code=["W"], child_boundary=["lsoa11"], child_code=["A"])
    with pytest.raises(ValueError, match="unknown dimension"):
        normalise_groups(pd.DataFrame({**base, "dimension": ["time"]}))
    with pytest.raises(ValueError, match="own child"):
        normalise_groups(pd.DataFrame({**base, "child_boundary": ["ward19"], "child_code": ["W"]}))
    with pytest.raises(ValueError, match="must agree"):
        normalise_groups(pd.DataFrame({**base, "dimension": ["period"]}))
    twice = normalise_groups(pd.DataFrame({k: v * 2 for k, v in base.items()}))
    assert len(twice) == 1 and twice.loc[0, "dimension"] == "area"


def test_equations_are_per_child_boundary_indicator_and_year():
    t = pd.concat([cells([("lad", "B0", 30), ("ward19", "W1", 10), ("ward19", "W2", 20),
                          ("ward22", "V1", 30)], indicator=i, year=y) for i in ("a", "b") for y in (2020, 2021)],
                  ignore_index=True)
    g = pd.concat([groups_within("B0", {"ward19": ["W1", "W2"], "ward22": ["V1"]}),
                   area_groups({"W1": ["Z"]}, "ward19", "lsoa11")])  # Z is not in the table: no equation
    eqs = build_equations(cell_keys(t), normalise_groups(g))
    assert eqs.n == 2 * 2 * 2  # (lad>ward19, lad>ward22) x 2 indicators x 2 years
    assert sorted(eqs.kinds) == ["area:lad>ward19", "area:lad>ward22"]
    assert sorted(pd.Series(eqs.member_eq).value_counts().tolist()) == [1] * 4 + [2] * 4


def test_duplicate_cells_and_bad_input_are_refused():
    t = cells([("ward19", "W", 30), ("lsoa11", "A", 2), ("lsoa11", "A", 3)])
    with pytest.raises(ValueError, match="share a key"):
        apply_disclosure_control(t, area_groups({"W": ["A"]}, "ward19", "lsoa11"))
    with pytest.raises(ValueError, match="numerator"):
        apply_disclosure_control(t.drop(columns=["numerator"]), area_groups({"W": ["A"]}, "ward19", "lsoa11"))
    with pytest.raises(ValueError, match="no column"):
        recover_by_differencing(t.iloc[:2], area_groups({"W": ["A"]}, "ward19", "lsoa11"), columns=["count"])


def test_policy_is_frozen_and_validated():
    p = DisclosurePolicy()
    assert (p.threshold, p.suppress_zero, p.rounding_base, p.check_denominator) == (5, True, None, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.threshold = 3  # type: ignore[misc]
    for bad in (dict(threshold=0), dict(threshold=-1), dict(rounding_base=0), dict(rounding_base=2.5)):
        with pytest.raises(ValueError):
            DisclosurePolicy(**bad)


def test_no_groups_means_primary_only():
    t = cells([("ward19", "W", 30), ("lsoa11", "A", 2), ("lsoa11", "B", 7)])
    empty = pd.DataFrame(columns=["parent_boundary", "parent_code", "child_boundary", "child_code"])
    out, report = apply_disclosure_control(t, empty)
    assert report.primary == 1 and report.secondary == 0 and report.equations == 0
    assert recover_by_differencing(out, empty).empty
