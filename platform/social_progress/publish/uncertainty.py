"""Progress ratings that mean something: a change is better or worse only beyond its uncertainty.

Why: year-to-year changes in small areas are mostly noise. As in the public health
profiles (Fingertips), a rate gets a 95% confidence interval from its numerator and
denominator, and a change is called significant only when the two years' intervals do not
overlap; otherwise it reads "no significant change". The index uses the index engine's
Monte Carlo rank interval (marts.index_uncertainty, 5th-95th percentile): a move is
significant only when the two years' rank intervals do not overlap.

Methods (PHE "Technical Guide: Confidence intervals"):
- counts per population (aggregation `rate`, unit "... per 1,000 ..."): Byar's
  approximation to the exact Poisson interval for the count, divided by the denominator
  and scaled like the value;
- shares of a base (aggregation `share`/`proportion`, or a rate whose unit is a share):
  Wilson score interval;
- other measures (population-weighted means of modelled values, distances, ratios) have no
  sampling interval from the data: their changes are "not assessed" and never coloured.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

Z95 = 1.959964
BETTER, WORSE, SAME, NOT_ASSESSED = "better", "worse", "no significant change", "not assessed"
RATINGS = [BETTER, WORSE, SAME, NOT_ASSESSED]
PROPORTION_KINDS = {"share", "proportion", "percentage"}


def interval_method(aggregation: str | None, unit: str | None = None) -> str | None:
    """Which interval an indicator gets, from its aggregation rule and unit.

    The aggregation is read by its first word ("rate (sum of numerators / ...)" is a rate):
    - a count per population ("rate", unit "... per 1,000 ...") -> Byar (Poisson);
    - a share of a base ("share", or a "rate" whose unit is a share) -> Wilson;
    - anything else (resident-weighted means, kWh per meter, sums) -> no interval."""
    kind = re.split(r"[\s(]", (aggregation or "").strip().lower(), maxsplit=1)[0]
    unit = (unit or "").strip().lower()
    if kind in PROPORTION_KINDS or (kind == "rate" and unit.startswith(("share", "proportion", "percentage"))):
        return "wilson"
    if kind == "rate" and re.search(r"\bper [0-9][0-9,]*\b", unit):
        return "byar_poisson"
    return None


def byar_interval(count: float, z: float = Z95) -> tuple[float, float]:
    """95% interval for a Poisson count (Byar's method; lower bound 0 for a zero count)."""
    o = float(count)
    if o < 0 or math.isnan(o):
        return (math.nan, math.nan)
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    u = o + 1
    upper = u * (1 - 1 / (9 * u) + z / (3 * math.sqrt(u))) ** 3
    return (max(lower, 0.0), upper)


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for a proportion successes / n."""
    if not n or n <= 0 or math.isnan(successes) or not 0 <= successes <= n:
        return (math.nan, math.nan)
    p = successes / n
    centre = (2 * successes + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * successes * (1 - p)) / (2 * (n + z * z))
    return (max(centre - half, 0.0), min(centre + half, 1.0))


def indicator_intervals(values: pd.DataFrame, metadata: pd.DataFrame) -> pd.DataFrame:
    """indicator_values with ci_lower, ci_upper (in the value's units) and ci_method."""
    units = metadata["unit"] if "unit" in metadata else [None] * len(metadata)
    method_of = {i: interval_method(a, u) for i, a, u in zip(metadata["indicator_id"], metadata["aggregation"], units)}
    out = values.copy()
    # the multiplier of each indicator (1,000 for "per 1,000"), read from its rows with a count
    has = (out["numerator"] > 0) & (out["denominator"] > 0) & out["value"].notna()
    ratio = out.loc[has, "value"] / (out.loc[has, "numerator"] / out.loc[has, "denominator"])
    scale_of = ratio.groupby(out.loc[has, "indicator_id"]).median().round(6).to_dict()
    lower, upper, methods = [], [], []
    for ind, num, den, val in zip(out["indicator_id"], out["numerator"], out["denominator"], out["value"]):
        method = method_of.get(ind)
        lo = hi = math.nan
        if method and pd.notna(num) and pd.notna(den) and den > 0 and pd.notna(val):
            if method == "byar_poisson":
                scale = scale_of.get(ind, 1.0)
                lo_c, hi_c = byar_interval(num)
                lo, hi = lo_c / den * scale, hi_c / den * scale
            else:
                scale = scale_of.get(ind, 1.0)
                lo_p, hi_p = wilson_interval(num, den)
                lo, hi = lo_p * scale, hi_p * scale
        lower.append(lo)
        upper.append(hi)
        methods.append(method if not math.isnan(lo) else None)
    out["ci_lower"], out["ci_upper"], out["ci_method"] = lower, upper, methods
    if "quality_flag" not in out:   # a warehouse from before values carried their flag
        out["quality_flag"] = None
    return out


def _direction_sign(direction: str | None) -> int:
    return -1 if (direction or "").startswith("lower") else 1


def rate_change(value: float, lo: float, hi: float, base_value: float, base_lo: float, base_hi: float,
                direction: str | None) -> str:
    """better / worse when the two intervals do not overlap, else no significant change."""
    if any(pd.isna(x) for x in (lo, hi, base_lo, base_hi)):
        return NOT_ASSESSED
    if lo > base_hi or hi < base_lo:
        up = value > base_value
        return BETTER if (up == (_direction_sign(direction) > 0)) else WORSE
    return SAME


def rank_change(p05: float, p95: float, base_p05: float, base_p95: float) -> str:
    """Ranks count from 1 (best): better when this year's whole interval is above last year's."""
    if any(pd.isna(x) for x in (p05, p95, base_p05, base_p95)):
        return NOT_ASSESSED
    if p95 < base_p05:
        return BETTER
    if p05 > base_p95:
        return WORSE
    return SAME


def progress_table(scores: pd.DataFrame, intervals: pd.DataFrame, metadata: pd.DataFrame,
                   uncertainty: pd.DataFrame | None, years: list[int]) -> pd.DataFrame:
    """One row per area, measure and pair of index years (base_year < year): change and rating."""
    direction = metadata.set_index("indicator_id")["direction"].to_dict()
    s = scores[["boundary", "area_code", "area_level", "year", "measure_type", "measure", "value", "score", "data_year"]].copy()
    ind = s["measure_type"] == "indicator"
    ci = intervals[["indicator_id", "boundary", "area_code", "year", "ci_lower", "ci_upper"]].rename(
        columns={"indicator_id": "measure", "year": "data_year"})
    ci["data_year"] = ci["data_year"].astype(float)
    s["data_year"] = s["data_year"].astype(float)
    s = s.merge(ci, on=["measure", "boundary", "area_code", "data_year"], how="left")
    s.loc[~ind.values, ["ci_lower", "ci_upper"]] = np.nan
    if uncertainty is not None and len(uncertainty):
        u = uncertainty[["boundary", "area_code", "year", "rank_p05", "rank_p95"]].assign(measure_type="index")
        s = s.merge(u, on=["boundary", "area_code", "year", "measure_type"], how="left")
    else:
        s["rank_p05"] = s["rank_p95"] = np.nan
    key = ["boundary", "area_code", "measure_type", "measure"]
    rows = []
    for i, base in enumerate(years):
        for year in years[i + 1:]:
            a = s[s["year"] == base].set_index(key)
            b = s[s["year"] == year].set_index(key)
            j = b.join(a, rsuffix="_base", how="inner")
            for k, r in zip(j.index, j.itertuples(index=False)):
                boundary, area, mtype, measure = k
                rating, reason = _rate(mtype, measure, r, direction, uncertainty is not None, boundary)
                rows.append((boundary, area, r.area_level, base, year, mtype, measure, r.value_base, r.value,
                             r.value - r.value_base if pd.notna(r.value) and pd.notna(r.value_base) else np.nan,
                             r.score - r.score_base, r.ci_lower_base, r.ci_upper_base, r.ci_lower, r.ci_upper,
                             r.rank_p05_base, r.rank_p95_base, r.rank_p05, r.rank_p95, rating, reason))
    cols = ["boundary", "area_code", "area_level", "base_year", "year", "measure_type", "measure", "value_base", "value",
            "value_change", "score_change", "ci_lower_base", "ci_upper_base", "ci_lower", "ci_upper",
            "rank_p05_base", "rank_p95_base", "rank_p05", "rank_p95", "rating", "reason"]
    return pd.DataFrame(rows, columns=cols)


def _rate(mtype, measure, r, direction, have_uncertainty, boundary) -> tuple[str, str]:
    if mtype == "indicator":
        if pd.notna(r.data_year) and r.data_year == r.data_year_base:
            return SAME, f"no new data since {int(r.data_year)}"
        rating = rate_change(r.value, r.ci_lower, r.ci_upper, r.value_base, r.ci_lower_base, r.ci_upper_base,
                             direction.get(measure))
        if rating == NOT_ASSESSED:
            return rating, "no confidence interval for this kind of measure"
        return rating, ("95% confidence intervals do not overlap" if rating != SAME
                        else "95% confidence intervals overlap")
    if mtype == "index":
        if boundary == "lad":
            return NOT_ASSESSED, "a single area has no rank interval"
        if not have_uncertainty:
            return NOT_ASSESSED, "rank intervals unavailable (no Monte Carlo sensitivity analysis in this release)"
        rating = rank_change(r.rank_p05, r.rank_p95, r.rank_p05_base, r.rank_p95_base)
        if rating == NOT_ASSESSED:
            return rating, "no rank interval for this area"
        return rating, ("90% rank intervals do not overlap" if rating != SAME else "90% rank intervals overlap")
    return NOT_ASSESSED, "uncertainty is assessed for indicators and the index"
