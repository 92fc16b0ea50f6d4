"""Comparisons with a benchmark and recent trends, on worked examples computed by hand here."""
import math

import pandas as pd
import pytest

from social_progress.publish.benchmark import (BETTER, HIGHER, LOWER, NOT_COMPARED, SIMILAR, WORSE, benchmark_table,
                                               compare)
from social_progress.publish.trend import (DECREASING, INCREASING, NO_TREND, NOT_ENOUGH, chi_squared_trend,
                                           least_squares, series_trend, trend_table)

# A ward with 30 of its 100 residents in a state; the Wilson 95% interval, by hand (z = 1.96):
#   centre = (2*30 + z^2) / (2*(100 + z^2)) = 63.8415 / 207.683 = 0.30740
#   half   = z * sqrt(z^2 + 4*30*0.7) / (2*(100 + z^2)) = 1.96 * 9.3724 / 207.683 = 0.08845
WARD_CI = (0.2190, 0.3959)


@pytest.mark.parametrize("benchmark,direction,expected", [
    (0.20, "lower_is_better", WORSE),     # wholly above the borough, and lower is better
    (0.20, "higher_is_better", BETTER),
    (0.20, None, HIGHER),                 # no direction: only higher / lower
    (0.25, "lower_is_better", SIMILAR),   # the interval holds the borough's value
    (0.40, "lower_is_better", BETTER),    # wholly below
    (0.40, None, LOWER),
])
def test_compare_uses_the_interval_and_the_polarity(benchmark, direction, expected):
    assert compare(0.30, *WARD_CI, benchmark, direction) == expected


def test_compare_without_an_interval_or_a_benchmark_is_not_compared():
    assert compare(0.30, math.nan, math.nan, 0.2, "lower_is_better") == NOT_COMPARED
    assert compare(0.30, *WARD_CI, None, "lower_is_better") == NOT_COMPARED


def test_benchmark_table_wards_against_the_borough_and_the_borough_against_london():
    iv = pd.DataFrame([
        # indicator, boundary, area, year, value, lo, hi, method, flag
        ("smoking", "ward22", "E05000001", 2022, 0.30, *WARD_CI, "wilson", None),
        ("smoking", "ward22", "E05000002", 2022, 0.21, 0.15, 0.27, "wilson", None),
        ("smoking", "ward22", "E05000003", 2022, None, None, None, None, "suppressed_small_count"),
        ("smoking", "ward22", "E05000001", 2021, 0.30, *WARD_CI, "wilson", None),   # no borough value in 2021
        ("greenery", "ward22", "E05000001", 2022, 12.0, None, None, None, None),     # no interval for its kind
        ("smoking", "lad", "E09000002", 2022, 0.20, 0.19, 0.21, "wilson", None),
        ("greenery", "lad", "E09000002", 2022, 10.0, 9.0, 11.0, "byar_poisson", None),
    ], columns=["indicator_id", "boundary", "area_code", "year", "value", "ci_lower", "ci_upper", "ci_method",
                "quality_flag"])
    meta = pd.DataFrame({"indicator_id": ["smoking", "greenery"], "direction": ["lower_is_better", "higher_is_better"]})
    london = pd.DataFrame({"comparator_code": ["E12000007"], "indicator_id": ["smoking"], "year": [2022], "value": [0.15]})
    out = benchmark_table(iv, meta, {"code": "E09000002", "name": "Barking and Dagenham"}, london)
    got = out.set_index(["indicator_id", "area_code", "year"])
    assert got.loc[("smoking", "E05000001", 2022), "comparison"] == WORSE
    assert got.loc[("smoking", "E05000001", 2022), "benchmark_value"] == 0.20
    assert "wholly above Barking and Dagenham's value" in got.loc[("smoking", "E05000001", 2022), "reason"]
    assert got.loc[("smoking", "E05000002", 2022), "comparison"] == SIMILAR
    assert got.loc[("smoking", "E05000003", 2022), "reason"] == "not compared: value withheld by disclosure control"
    assert got.loc[("smoking", "E05000001", 2021), "reason"] == "not compared: no value for Barking and Dagenham in 2021"
    assert got.loc[("greenery", "E05000001", 2022), "comparison"] == NOT_COMPARED
    assert "no confidence interval" in got.loc[("greenery", "E05000001", 2022), "reason"]
    # the borough (0.19-0.21) against London's 0.15: wholly above, and lower is better
    assert got.loc[("smoking", "E09000002", 2022), "comparison"] == WORSE
    assert got.loc[("smoking", "E09000002", 2022), "benchmark_name"] == "London"
    assert "no London value for 2022" in got.loc[("greenery", "E09000002", 2022), "reason"]
    # without London's figures the borough is not compared, and says why
    alone = benchmark_table(iv, meta, {"code": "E09000002", "name": "Barking and Dagenham"}, None)
    assert alone.set_index(["indicator_id", "area_code", "year"]).loc[("smoking", "E09000002", 2022), "comparison"] == NOT_COMPARED


def test_least_squares_slope_and_interval_by_hand():
    # x - 2021 = -2..2, y = 10, 12, 13, 15, 16: Sxy = 15, Sxx = 10 -> slope 1.5; residuals
    # -0.2, 0.3, -0.2, 0.3, -0.2 -> SSR 0.30, se = sqrt(0.30 / 3 / 10) = 0.1; t(0.975, 3) = 3.182
    slope, lo, hi = least_squares([2019, 2020, 2021, 2022, 2023], [10, 12, 13, 15, 16])
    assert slope == pytest.approx(1.5) and lo == pytest.approx(1.5 - 0.3182, abs=1e-4) and hi == pytest.approx(1.5 + 0.3182, abs=1e-4)
    t = series_trend([2019, 2020, 2021, 2022, 2023], [10, 12, 13, 15, 16], direction="lower_is_better")
    assert (t["recent_trend"], t["trend_assessment"], t["trend_test"]) == (INCREASING, "getting worse", "least_squares")
    # Sxy = 2.8 - 2.6 + 1.6 - 0.8 = 1.0 -> slope 0.1, far inside its interval
    flat = series_trend([2019, 2020, 2021, 2022, 2023], [10, 14, 9, 13, 11], direction="lower_is_better")
    assert (flat["recent_trend"], flat["trend_assessment"]) == (NO_TREND, "")
    down = series_trend([2019, 2020, 2021, 2022, 2023], [16, 15, 13, 12, 10], direction="higher_is_better")
    assert (down["recent_trend"], down["trend_assessment"]) == (DECREASING, "getting worse")


def test_chi_squared_for_trend_by_hand():
    # r = 10, 20, 30 of 100 each: p = 0.2, weighted mean year 2020, T = -10 + 30 = 20,
    # Var = 0.2 * 0.8 * (100 + 100) = 32 -> chi2 = 400 / 32 = 12.5
    assert chi_squared_trend([2019, 2020, 2021], [10, 20, 30], [100, 100, 100]) == pytest.approx(12.5)
    # 10%, 14%, 15% of 100 each: p = 0.13, T = 5, Var = 0.13 * 0.87 * 200 = 22.62 -> 1.105 (not significant)
    assert chi_squared_trend([2019, 2020, 2021], [10, 14, 15], [100, 100, 100]) == pytest.approx(25 / 22.62, rel=1e-4)
    small = series_trend([2019, 2020, 2021], [0.10, 0.14, 0.15], [10, 14, 15], [100, 100, 100], proportion=True,
                         direction="lower_is_better")
    assert (small["recent_trend"], small["trend_test"]) == (NO_TREND, "chi_squared_trend")
    # the same proportions of 10,000 each: chi2 = 500^2 / 2262 = 110.5, an increase (getting worse);
    # a least-squares line through the three proportions alone (1 df, t = 12.71) would not call it
    big = series_trend([2019, 2020, 2021], [0.10, 0.14, 0.15], [1000, 1400, 1500], [10000] * 3, proportion=True,
                       direction="lower_is_better")
    assert (big["recent_trend"], big["trend_assessment"]) == (INCREASING, "getting worse")
    assert big["chi_squared"] == pytest.approx(250000 / 2262, rel=1e-4)
    assert big["slope_ci_lower"] < 0 < big["slope_ci_upper"]


def test_fewer_than_three_points_is_not_enough_for_a_trend():
    t = series_trend([2022, 2023], [1.0, 5.0], direction="lower_is_better")
    assert t["recent_trend"] == NOT_ENOUGH and t["n_points"] == 2


def test_trend_table_takes_the_last_five_data_years_and_scores_by_index_year():
    years = [2017, 2018, 2019, 2020, 2021, 2022]
    iv = pd.DataFrame({"indicator_id": "crime", "boundary": "ward22", "area_code": "E05000001", "year": years,
                       # 2017 is far off the line: outside the window ending 2022, inside the one ending 2021
                       "value": [90.0, 10, 12, 13, 15, 16], "numerator": None, "denominator": None, "ci_method": None})
    scores = pd.DataFrame({"measure_type": "index", "measure": "Social Progress Index", "boundary": "ward22",
                           "area_code": "E05000001", "year": [2021, 2022], "score": [50.0, 55.0]})
    meta = pd.DataFrame({"indicator_id": ["crime"], "direction": ["lower_is_better"]})
    out = trend_table(iv, scores, meta).set_index(["measure", "year"])
    last = out.loc[("crime", 2022)]
    assert (last["first_year"], last["n_points"], last["recent_trend"], last["trend_assessment"]) == (2018, 5, INCREASING, "getting worse")
    assert last["slope"] == pytest.approx(1.5)
    assert out.loc[("crime", 2021), "first_year"] == 2017 and out.loc[("crime", 2021), "recent_trend"] == NO_TREND
    assert out.loc[("crime", 2018), "recent_trend"] == NOT_ENOUGH
    assert out.loc[("Social Progress Index", 2022), "recent_trend"] == NOT_ENOUGH
