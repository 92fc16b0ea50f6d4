"""The recent trend of each area's measures: increasing or decreasing significantly, or not.

Why: a reader wants to know where an area is heading, not just whether one year differs
from another; a line through five noisy yearly values moves whatever happens, so, as the
public health profiles (Fingertips "recent trend") do, a trend is called only when a test
says it is unlikely to be chance.

Method:
- the window: the last five data years on or before the year in question (for an
  indicator, its data years; for the index, a dimension or a component, the index years).
  Fewer than three values in it: "not enough data for a trend";
- proportions with a numerator and a denominator in every year (the indicators given a
  Wilson interval): the chi-squared test for trend (Cochran-Armitage, 1 degree of freedom,
  as Fingertips), significant at the 5% level (chi-squared > 3.84); its direction is the
  sign of the statistic;
- everything else (counts per population, modelled values, scores): the ordinary
  least-squares slope of the yearly values on the year, with its 95% confidence interval
  (Student's t with n - 2 degrees of freedom); significant when the interval excludes 0.
  With three points (1 degree of freedom, t = 12.71) only a near-perfect line is;
- wording by polarity: an increase in an indicator where lower is better is "getting
  worse"; scores (0-100, higher always better) and higher-is-better indicators the other
  way round; an indicator with no direction is only "increasing" / "decreasing".
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

WINDOW = 5
MIN_POINTS = 3
INCREASING, DECREASING, NO_TREND, NOT_ENOUGH = ("increasing", "decreasing", "no significant trend",
                                               "not enough data for a trend")
TRENDS = [INCREASING, DECREASING, NO_TREND, NOT_ENOUGH]
CHI2_5PC = float(stats.chi2.ppf(0.95, 1))   # 3.8415
# Student's t, 97.5th percentile, by degrees of freedom (12.706, 4.303, 3.182 for a window of five)
T975 = {df: float(stats.t.ppf(0.975, df)) for df in range(1, WINDOW - 1)}
TREND_COLUMNS = ["measure_type", "measure", "boundary", "area_code", "year", "n_points", "first_year", "last_year",
                 "trend_test", "slope", "slope_ci_lower", "slope_ci_upper", "chi_squared", "recent_trend",
                 "trend_assessment"]


def least_squares(years, values) -> tuple[float, float, float]:
    """(slope per year, lower, upper 95% bound) of the OLS line through the points (n >= 3)."""
    x, y = [float(v) for v in years], [float(v) for v in values]   # a handful of points: plain floats are fastest
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sxx
    ssr = sum((b - (my + slope * (a - mx))) ** 2 for a, b in zip(x, y))
    se = math.sqrt(ssr / (n - 2) / sxx)
    t = T975.get(n - 2) or float(stats.t.ppf(0.975, n - 2))
    return slope, slope - t * se, slope + t * se


def chi_squared_trend(years, numerators, denominators) -> float:
    """Cochran-Armitage chi-squared statistic for a linear trend in proportions r_i / n_i,
    signed: positive when the proportion rises with the year. NaN when it is undefined
    (a proportion of 0 or 1 throughout)."""
    x = np.asarray(years, dtype=float)
    r, n = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    p = r.sum() / n.sum()
    xbar = (n * x).sum() / n.sum()
    t = float((r * (x - xbar)).sum())
    var = p * (1 - p) * float((n * (x - xbar) ** 2).sum())
    if var <= 0:
        return math.nan
    return math.copysign(t * t / var, t)


def _assess(trend: str, direction: str | None) -> str:
    if trend not in (INCREASING, DECREASING):
        return ""
    d = (direction or "").lower()
    if d.startswith("lower"):
        return "getting better" if trend == DECREASING else "getting worse"
    if d.startswith("higher"):
        return "getting better" if trend == INCREASING else "getting worse"
    return ""


def series_trend(years, values, numerators=None, denominators=None, proportion: bool = False,
                 direction: str | None = None) -> dict:
    """The trend of one series (already the window's points, missing values dropped)."""
    years = [int(y) for y in years]
    out = {"n_points": len(years), "first_year": min(years) if years else None,
           "last_year": max(years) if years else None, "trend_test": None, "slope": math.nan,
           "slope_ci_lower": math.nan, "slope_ci_upper": math.nan, "chi_squared": math.nan}
    if len(years) < MIN_POINTS:
        return {**out, "recent_trend": NOT_ENOUGH, "trend_assessment": ""}
    slope, lo, hi = least_squares(years, values)
    out.update(slope=slope, slope_ci_lower=lo, slope_ci_upper=hi)
    usable = (proportion and numerators is not None and denominators is not None
              and all(pd.notna(v) and pd.notna(d) and d > 0 for v, d in zip(numerators, denominators)))
    chi = chi_squared_trend(years, numerators, denominators) if usable else math.nan
    if usable and not math.isnan(chi):
        out.update(trend_test="chi_squared_trend", chi_squared=chi)
        trend = NO_TREND if abs(chi) <= CHI2_5PC else INCREASING if chi > 0 else DECREASING
    else:
        out["trend_test"] = "least_squares"
        trend = INCREASING if lo > 0 else DECREASING if hi < 0 else NO_TREND
    return {**out, "recent_trend": trend, "trend_assessment": _assess(trend, direction)}


def _windows(frame: pd.DataFrame, key: list[str], cols: list[str]):
    """(key, year, {col: array}) for every year of every series: the window's rows, the last
    WINDOW years on or before it with a value (numpy slices: this runs for every row)."""
    frame = frame.sort_values(key + ["year"], kind="mergesort").reset_index(drop=True)
    years_all = frame["year"].to_numpy(dtype=float, na_value=np.nan)
    has = frame["value"].notna().to_numpy()
    arrays = {c: frame[c].to_numpy(dtype=float, na_value=np.nan) for c in cols}
    for k, idx in frame.groupby(key, sort=False).indices.items():
        idx = np.sort(idx)
        kept = idx[has[idx]]
        for year in years_all[idx]:
            w = kept[years_all[kept] <= year][-WINDOW:]
            yield k, int(year), {"year": years_all[w], **{c: arrays[c][w] for c in cols}}


def trend_table(intervals: pd.DataFrame, scores: pd.DataFrame, metadata: pd.DataFrame) -> pd.DataFrame:
    """One row per area, measure and year: the trend over the window ending that year.

    Indicators from `intervals` (marts.indicator_intervals: year is the data year, value,
    numerator, denominator, ci_method); the index, dimensions and components from `scores`
    (marts.index_scores: their score, by index year)."""
    direction = metadata.set_index("indicator_id")["direction"].to_dict()
    rows = []
    iv = intervals[["indicator_id", "boundary", "area_code", "year", "value", "numerator", "denominator", "ci_method"]]
    proportion = set(iv.loc[iv["ci_method"] == "wilson", "indicator_id"])
    for (ind, b, code), year, w in _windows(iv, ["indicator_id", "boundary", "area_code"],
                                            ["value", "numerator", "denominator"]):
        t = series_trend(w["year"], w["value"], w["numerator"], w["denominator"], ind in proportion, direction.get(ind))
        rows.append({"measure_type": "indicator", "measure": ind, "boundary": b, "area_code": code, "year": year, **t})
    agg = scores[scores["measure_type"] != "indicator"][["measure_type", "measure", "boundary", "area_code", "year",
                                                          "score"]].rename(columns={"score": "value"})
    for (mtype, measure, b, code), year, w in _windows(agg, ["measure_type", "measure", "boundary", "area_code"],
                                                       ["value"]):
        t = series_trend(w["year"], w["value"], direction="higher_is_better")
        rows.append({"measure_type": mtype, "measure": measure, "boundary": b, "area_code": code, "year": year, **t})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return out.sort_values(["boundary", "area_code", "year", "measure_type", "measure"], kind="mergesort").reset_index(drop=True)
