"""Each area's value against a benchmark: better, similar or worse, beyond its uncertainty.

Why: a ward's figure means little alone; the question a reader asks is "is this ward doing
better or worse than the borough?", and for the borough "than London?". Small areas' values
are noisy, so, as the public health profiles (PHE/OHID Fingertips) do, a value is called
different from its benchmark only when its 95% confidence interval excludes the benchmark.

Method (Fingertips "compared with benchmark", PHE Technical Guide: Confidence intervals):
- benchmarks: an LSOA or ward is compared with the borough as a whole, the borough with
  London (the London row of marts.indicator_comparators), each in the same data year;
- the area's 95% confidence interval comes from its numerator and denominator, as in
  marts.indicator_intervals (social_progress.publish.uncertainty): the Wilson score
  interval for proportions, Byar's approximation to the exact Poisson interval for counts
  per population;
- the interval wholly above the benchmark's value -> "higher", wholly below -> "lower",
  containing it -> "similar". The benchmark's value is taken as fixed (it rests on many
  more people than the area), as Fingertips does;
- polarity: for an indicator where lower is better, "lower" is "better"; where higher is
  better, "higher" is "better"; with no direction the result stays "higher" / "lower";
- a value with no interval is "not compared", with the reason: a measure whose kind has no
  sampling interval (modelled values, resident-weighted means), a value withheld by
  disclosure control, no value, or no benchmark value for that year. The index, its
  dimensions and components have no score interval (the release's uncertainty for the
  index is a rank interval, from the Monte Carlo sensitivity analysis), so they are "not
  compared" with that reason rather than compared without one.
"""
from __future__ import annotations

import math

import pandas as pd

BETTER, SIMILAR, WORSE, HIGHER, LOWER, NOT_COMPARED = "better", "similar", "worse", "higher", "lower", "not compared"
COMPARISONS = [BETTER, SIMILAR, WORSE, HIGHER, LOWER, NOT_COMPARED]
LONDON = "E12000007"
METHOD_NAMES = {"wilson": "Wilson score interval", "byar_poisson": "Byar's Poisson interval"}
NO_SCORE_INTERVAL = ("not compared: a score has no confidence interval (the index's uncertainty is a rank interval, "
                     "shown beside its rank)")
BENCHMARK_COLUMNS = ["indicator_id", "boundary", "area_code", "year", "value", "ci_lower", "ci_upper", "ci_method",
                     "benchmark_code", "benchmark_name", "benchmark_value", "comparison", "reason"]


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def compare(value, ci_lower, ci_upper, benchmark, direction: str | None) -> str:
    """better / similar / worse (higher / lower without a direction) of one value with its
    95% interval against a benchmark value; NOT_COMPARED when any of them is missing."""
    if any(_missing(x) for x in (value, ci_lower, ci_upper, benchmark)):
        return NOT_COMPARED
    if ci_lower > benchmark:
        side = HIGHER
    elif ci_upper < benchmark:
        side = LOWER
    else:
        return SIMILAR
    d = (direction or "").lower()
    if d.startswith("lower"):
        return BETTER if side == LOWER else WORSE
    if d.startswith("higher"):
        return BETTER if side == HIGHER else WORSE
    return side


def _reason(side: str, method: str | None, name: str) -> str:
    """Why: where the interval lies against the benchmark (`side`: higher, lower, similar)."""
    how = f"95% confidence interval ({METHOD_NAMES.get(method or '', method or 'none')})"
    if side == SIMILAR:
        return f"the {how} includes {name}'s value"
    return f"the {how} is wholly {'above' if side == HIGHER else 'below'} {name}'s value"


def benchmark_table(intervals: pd.DataFrame, metadata: pd.DataFrame, borough: dict,
                    comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator, area and data year of `intervals` (marts.indicator_intervals:
    value, ci_lower, ci_upper, ci_method, quality_flag): its benchmark and the comparison.

    `comparators`: marts.indicator_comparators (comparator_code, indicator_id, year, value),
    whose London row is the borough's benchmark; without it the borough is "not compared"."""
    direction = metadata.set_index("indicator_id")["direction"].to_dict() if "direction" in metadata else {}
    iv = intervals
    own = iv[iv["boundary"] == "lad"]
    borough_value = {(i, int(y)): v for i, y, v in zip(own["indicator_id"], own["year"], own["value"]) if not _missing(v)}
    london_value = {}
    if comparators is not None and len(comparators):
        lon = comparators[comparators["comparator_code"] == LONDON]
        london_value = {(i, int(y)): v for i, y, v in zip(lon["indicator_id"], lon["year"], lon["value"]) if not _missing(v)}
    borough_name = str(borough.get("name") or "the borough")
    flags = iv["quality_flag"] if "quality_flag" in iv else pd.Series([None] * len(iv), index=iv.index)
    rows = []
    for ind, b, code, year, value, lo, hi, method, flag in zip(
            iv["indicator_id"], iv["boundary"], iv["area_code"], iv["year"], iv["value"], iv["ci_lower"],
            iv["ci_upper"], iv["ci_method"], flags):
        year = int(year)
        if b == "lad":
            bench_code, bench_name, bench = LONDON, "London", london_value.get((ind, year))
            missing_bench = (f"not compared: no London value for {year} in this release" if london_value
                             else "not compared: no London values in this release (marts.indicator_comparators)")
        else:
            bench_code, bench_name, bench = borough.get("code"), borough_name, borough_value.get((ind, year))
            missing_bench = f"not compared: no value for {borough_name} in {year}"
        method = None if _missing(method) else str(method)
        if _missing(value):
            reason = ("not compared: value withheld by disclosure control" if not _missing(flag) and str(flag).startswith("suppressed")
                      else "not compared: no value")
            comparison = NOT_COMPARED
        elif _missing(lo) or _missing(hi):
            comparison, reason = NOT_COMPARED, "not compared: no confidence interval for this kind of measure"
        elif _missing(bench):
            comparison, reason = NOT_COMPARED, missing_bench
        else:
            comparison = compare(value, lo, hi, bench, direction.get(ind))
            side = HIGHER if lo > bench else LOWER if hi < bench else SIMILAR
            reason = _reason(side, method, bench_name)
        rows.append((ind, b, code, year, value, lo, hi, method, bench_code, bench_name,
                     None if _missing(bench) else float(bench), comparison, reason))
    out = pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)
    return out.sort_values(["indicator_id", "boundary", "area_code", "year"], kind="mergesort").reset_index(drop=True)
