"""Confidence intervals and progress ratings: coloured only beyond the uncertainty."""
import pandas as pd
import pytest

from social_progress.publish.uncertainty import (BETTER, NOT_ASSESSED, SAME, WORSE, byar_interval, indicator_intervals,
                                                 rank_change, rate_change, wilson_interval)


@pytest.mark.parametrize("count", [10, 41, 64, 250, 3600])
def test_byar_is_close_to_the_exact_poisson_interval(count):
    from scipy.stats import chi2
    lo, hi = byar_interval(count)
    exact = chi2.ppf(0.025, 2 * count) / 2, chi2.ppf(0.975, 2 * count + 2) / 2
    assert lo == pytest.approx(exact[0], rel=2e-3) and hi == pytest.approx(exact[1], rel=2e-3)


def test_byar_for_zero_and_ten():
    lo, hi = byar_interval(10)  # PHE's worked example: 4.79 to 18.39 (exact: 4.795 to 18.39)
    assert lo == pytest.approx(4.787, abs=1e-3) and hi == pytest.approx(18.391, abs=1e-3)
    assert byar_interval(0)[0] == 0.0 and byar_interval(0)[1] == pytest.approx(3.689, abs=0.03)


def test_wilson_interval():
    lo, hi = wilson_interval(10, 100)
    assert lo == pytest.approx(0.0552, abs=1e-4) and hi == pytest.approx(0.1744, abs=1e-4)


def test_rates_get_intervals_in_their_units_and_weighted_means_get_none():
    values = pd.DataFrame({"indicator_id": ["r", "r", "m"], "numerator": [10.0, 0.0, 50.0], "denominator": [1000.0, 1000.0, 100.0],
                           "value": [10.0, 0.0, 0.5]})
    meta = pd.DataFrame({"indicator_id": ["r", "m"], "aggregation": ["rate", "mean_population_weighted"],
                         "unit": ["per 1,000 residents", "share of land"]})
    out = indicator_intervals(values, meta)
    assert out["ci_lower"].iloc[0] == pytest.approx(4.787, abs=1e-3)  # per 1,000: count 10 in 1,000 people
    assert out["ci_upper"].iloc[1] == pytest.approx(3.689, abs=0.03)   # a zero count still has an upper bound
    assert pd.isna(out["ci_lower"].iloc[2]) and pd.isna(out["ci_method"].iloc[2])


@pytest.mark.parametrize("now,base,direction,expected", [
    ((5.0, 4.0, 6.0), (10.0, 9.0, 11.0), "lower_is_better", BETTER),
    ((5.0, 4.0, 6.0), (10.0, 9.0, 11.0), "higher_is_better", WORSE),
    ((9.5, 8.0, 11.0), (10.0, 9.0, 11.0), "lower_is_better", SAME),     # overlapping: no colour
    ((9.5, None, None), (10.0, 9.0, 11.0), "lower_is_better", NOT_ASSESSED),
])
def test_rate_change_is_significant_only_when_intervals_do_not_overlap(now, base, direction, expected):
    assert rate_change(*now, *base, direction) == expected


def test_rank_change_uses_the_rank_interval():
    assert rank_change(1, 3, 6, 9) == BETTER     # ranks count from 1 = best
    assert rank_change(6, 9, 1, 3) == WORSE
    assert rank_change(2, 6, 4, 8) == SAME
    assert rank_change(None, 6, 4, 8) == NOT_ASSESSED


def test_progress_in_a_release(build):
    import io
    _, files = build(uncertainty=True)
    p = pd.read_csv(io.BytesIO(files["progress.csv"]), dtype={"area_code": str})
    crime = p[(p["measure"] == "crime_rate") & (p["base_year"] == 2020) & (p["year"] == 2021)].set_index(["boundary", "area_code"])
    assert crime.loc[("ward19", "E05000001"), "rating"] == BETTER   # 216 -> 90 crimes: intervals far apart
    assert crime.loc[("ward19", "E05000002"), "rating"] == SAME     # 151 -> 150
    green = p[(p["measure"] == "green_share") & (p["year"] == 2021)]
    assert set(green["rating"]) == {SAME} and green["reason"].str.startswith("no new data").all()
    idx = p[(p["measure_type"] == "index") & (p["boundary"] == "ward19") & (p["base_year"] == 2020)].set_index("area_code")
    # fixture rank intervals are the ranks themselves: the two wards swap places, so both move significantly
    assert set(idx["rating"]) <= {BETTER, WORSE, SAME}
    comp = p[p["measure_type"] == "component"]
    assert set(comp["rating"]) == {NOT_ASSESSED}


@pytest.mark.parametrize("aggregation,unit,method", [
    ("rate", "offences per 1,000 residents", "byar_poisson"),
    ("rate (sum of numerators / sum of denominators at every level)", "offences per 1,000 residents", "byar_poisson"),
    ("rate (total kWh / meters at every level)", "kWh per meter", None),
    ("rate (pupils eligible / pupils)", "share of pupils", "wilson"),
    ("share (sum of counts / sum of base at every level)", "share of residents", "wilson"),
    ("mean_population_weighted (sum of value x residents / sum of residents)", "share of households", None),
    ("sum (counts add up at every level)", "residents", None),
])
def test_interval_method_follows_aggregation_and_unit(aggregation, unit, method):
    from social_progress.publish.uncertainty import interval_method
    assert interval_method(aggregation, unit) == method
