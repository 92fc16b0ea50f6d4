"""Aggregation rules, and LSOA populations adding up to wards and borough exactly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from social_progress.geography.aggregation import aggregate, allocate_exact

BD = "E09000002"


@pytest.fixture()
def mapping():
    # L1 wholly in W1; L2 split 0.25 / 0.75 between W1 and W2
    return pd.DataFrame({"source_code": ["L1", "L2", "L2"], "target_code": ["W1", "W1", "W2"],
                         "weight": [1.0, 0.25, 0.75], "area_m2": [100.0, 50.0, 150.0]})


def test_count_is_summed_and_split_exactly(mapping):
    df = pd.DataFrame({"code": ["L1", "L2"], "value": [10, 7]})
    out, rep = aggregate(df, mapping, "count")
    assert out.set_index("code")["value"].to_dict() == {"W1": 12.0, "W2": 5.0}  # 7 -> 1.75/5.25 -> 2/5
    assert out["value"].sum() == 17


def test_rate_recomputed_from_numerator_and_denominator(mapping):
    df = pd.DataFrame({"code": ["L1", "L2"], "numerator": [10, 40], "denominator": [1000, 4000]})
    out, _ = aggregate(df, mapping.iloc[:2].assign(weight=1.0), "rate", multiplier=1000)
    # both into W1: (10 + 40) / (1000 + 4000) * 1000 = 10 per 1,000, not the mean of rates
    assert out.loc[0, "value"] == pytest.approx(10.0)
    df2 = pd.DataFrame({"code": ["L1", "L2"], "numerator": [1, 90], "denominator": [1000, 1000]})
    out2, _ = aggregate(df2, pd.DataFrame({"source_code": ["L1", "L2"], "target_code": ["W", "W"]}), "rate", multiplier=1000)
    assert out2.loc[0, "value"] == pytest.approx(45.5)
    assert out2.loc[0, "numerator"] == 91 and out2.loc[0, "denominator"] == 2000


def test_population_weighted_mean(mapping):
    df = pd.DataFrame({"code": ["L1", "L2"], "value": [20.0, 40.0], "population": [1000, 3000]})
    out, _ = aggregate(df, mapping, "mean_population_weighted")
    r = out.set_index("code")["value"]
    # W1 holds 1000 people at 20 and 750 at 40; W2 only L2 people
    assert r["W1"] == pytest.approx((20 * 1000 + 40 * 750) / 1750)
    assert r["W2"] == pytest.approx(40.0)


def test_area_weighted_mean(mapping):
    df = pd.DataFrame({"code": ["L1", "L2"], "value": [20.0, 40.0]})
    out, _ = aggregate(df, mapping, "mean_area_weighted")
    r = out.set_index("code")["value"]
    assert r["W1"] == pytest.approx((20 * 100 + 40 * 50) / 150)
    out2, _ = aggregate(df.assign(area=[100.0, 200.0]), mapping.drop(columns="area_m2"), "mean_area_weighted", area_col="area")
    assert out2.set_index("code")["value"]["W1"] == pytest.approx((20 * 100 + 40 * 50) / 150)


def test_unknown_rule_refused(mapping):
    with pytest.raises(ValueError):
        aggregate(pd.DataFrame({"code": ["L1"], "value": [1]}), mapping, "median")


def test_by_groups_kept_apart(mapping):
    df = pd.DataFrame({"year": [2019, 2019, 2020, 2020], "code": ["L1", "L2", "L1", "L2"], "value": [1, 2, 3, 4]})
    out, _ = aggregate(df, mapping, "count", by=["year"])
    assert out.groupby("year")["value"].sum().to_dict() == {2019: 3, 2020: 7}
    assert list(out.columns[:2]) == ["year", "code"]


def test_allocate_exact_whole_numbers_and_negatives():
    v = np.array([5.0, 5.0, 5.0, -3.0, -3.0])
    w = np.array([1 / 3, 1 / 3, 1 / 3, 0.5, 0.5])
    g = np.array([0, 0, 0, 1, 1])
    out = allocate_exact(v, w, g)
    assert out[:3].sum() == 5 and out[3:].sum() == -3
    assert set(out[:3]) <= {1.0, 2.0}


def test_lsoa_population_sums_to_wards_and_borough_exactly(pop2019, bridges):
    """Mid-2019 LSOA populations summed to the 17 old wards, the 19 new wards and the borough."""
    bd = pop2019[pop2019["lad"] == BD]
    assert len(bd) == 110
    total = int(bd["value"].sum())
    w19, r19 = aggregate(bd, bridges["lsoa11->ward19"][0], "count")
    w22, r22 = aggregate(bd, bridges["lsoa11->ward22"][0], "count")
    lad, rl = aggregate(bd, bridges["lsoa11->lad"][0], "count")
    assert len(w19) == 17 and w19["value"].sum() == total
    assert w22["value"].sum() == total and (w22["value"] == w22["value"].round()).all()
    assert lad.set_index("code")["value"][BD] == total
    # and wards on to the borough, by the chained lookup
    w19b, _ = aggregate(w19, bridges["ward19->lad"][0], "count")
    assert w19b["value"].sum() == total
    for r in (r19, r22, rl):
        assert r.matched == 110 and r.unknown_codes == 0
    assert (w19["coverage"] == 1.0).all()
