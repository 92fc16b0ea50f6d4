"""The borough's targets: where each target indicator is, its trend, and whether it is on track.

`catalogue/targets.yml` (validated by `social_progress.publish.targets_file`) lists targets of
three kinds. For each, a *measured series* over the data years up to the release year:

- `absolute`: the borough's value of the indicator; the target is a value.
- `london_gap`: the borough's gap to London (how much worse than London's value of the same
  indicator in the same year; negative when better); the target is the gap left after closing
  `close_gap_share` of the gap of `baseline_year` (0 when the borough was no worse then).
- `london_rank`: the borough's gap to the value that holds rank N among the other London
  boroughs that year (the N-th best of them: a value at least that good ranks N or better);
  the target is a gap of 0 or less. The rule compares the trend of the borough's value with
  the trend of the rank-N value, through the trend of their difference.

The trend is the least-squares slope over the last `TREND_POINTS` years of the series; the
projection extends it from the latest year to the target year. A target is **on track** when
it is met already or the projection meets it, **off track** otherwise (with one data year:
whether it is met). It is **no data** when the release has no value of the indicator, and
**not evaluated** (with the reason) when a relative target lacks London's or the other
boroughs' values: never on or off track by default.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_progress.publish.targets_file import (LONDON_BOROUGHS, Target, TargetsError, load_targets,  # noqa: F401
                                                  parse_targets, targets_borough)

TREND_POINTS = 5
LONDON = "E12000007"
# ranks are read among the boroughs with a value that year; one may be missing (the City of
# London, which the Met's crime data do not cover), more and the rank is not evaluated
MIN_BOROUGHS_RANKED = LONDON_BOROUGHS - 1
TARGET_COLUMNS = ["indicator_id", "kind", "adoption_status", "name", "unit", "direction", "target", "target_year",
                  "baseline_year", "baseline_value", "current_year", "current_value", "reference_value",
                  "boroughs_compared", "current_rank", "current_gap", "target_gap", "trend_per_year", "trend", "projected_value",
                  "status", "status_reason", "note", "source"]
NO_LONDON_MART = "no London data: marts.indicator_comparators is not in the warehouse"


def _as_target(t: Target | dict) -> Target:
    return t if isinstance(t, Target) else Target.model_validate(t)


def _lower_better(direction: str) -> bool:
    return str(direction).startswith("lower")


def _project(years: pd.Series, measured: pd.Series, target_year: int, scale: float, lower_better: bool,
             meets) -> dict:
    """Trend, projection and status of a measured series (sorted by year)."""
    current, cy = float(measured.iloc[-1]), int(years.iloc[-1])
    met = meets(current)
    if len(measured) < 2:
        return {"trend": "no trend (one data year)", "status": "on track" if met else "off track",
                "status_reason": f"one data year ({cy}): " + ("met" if met else "not met")}
    recent_y, recent_m = years.tail(TREND_POINTS).astype(float), measured.tail(TREND_POINTS).astype(float)
    slope = float(np.polyfit(recent_y, recent_m, 1)[0])
    projected = current + slope * (target_year - cy)
    good = -slope if lower_better else slope
    flat = 0.005 * max(abs(scale), 1e-9)
    trend = "improving" if good > flat else "worsening" if good < -flat else "flat"
    on = met or meets(projected)
    reason = (f"met in {cy}" if met else f"the trend meets it by {target_year}" if on
              else f"the trend does not meet it by {target_year}")
    return {"trend_per_year": slope, "projected_value": projected, "trend": trend,
            "status": "on track" if on else "off track", "status_reason": reason}


def _not_evaluated(row: dict, reason: str) -> dict:
    row.update(trend="not evaluated", status="not evaluated", status_reason=reason)
    return row


def _absolute(row: dict, t: Target, s: pd.DataFrame, lower: bool) -> dict:
    meets = (lambda v: v <= t.target) if lower else (lambda v: v >= t.target)
    row.update(_project(s["year"], s["value"], t.target_year, row["current_value"], lower, meets))
    return row


def _shortfall(own: pd.Series, reference: pd.Series, lower: bool) -> pd.Series:
    """How much worse the borough is than the reference (in the indicator's unit)."""
    return own - reference if lower else reference - own


def _relative(row: dict, t: Target, s: pd.DataFrame, lower: bool, reference: pd.Series, what: str,
              target_gap: float) -> dict:
    """Common to both relative kinds: the gap series over the years with both values."""
    own = s.set_index("year")["value"]
    years = sorted(set(own.index) & set(reference.index))
    cy = row["current_year"]
    if cy not in reference.index:
        return _not_evaluated(row, f"no {what} for {cy}, the borough's latest data year")
    gap = _shortfall(own.loc[years], reference.loc[years], lower)
    row.update(reference_value=float(reference.loc[cy]), current_gap=float(gap.loc[cy]), target_gap=target_gap)
    meets = lambda g: g <= target_gap + 1e-12  # noqa: E731
    # for a relative kind, trend_per_year and projected_value are those of the gap
    row.update(_project(pd.Series(years), gap.reset_index(drop=True), t.target_year, row["current_value"], True, meets))
    return row


def _london_gap(row: dict, t: Target, s: pd.DataFrame, lower: bool, london: pd.DataFrame | None) -> dict:
    if london is None:
        return _not_evaluated(row, NO_LONDON_MART)
    ref = london[(london["comparator_code"] == LONDON)].dropna(subset=["value"]).set_index("year")["value"]
    if ref.empty:
        return _not_evaluated(row, f"no London value of {t.indicator} in marts.indicator_comparators "
                                   "(an indicator whose sources do not cover London has none)")
    own = s.set_index("year")["value"]
    if t.baseline_year not in own.index or t.baseline_year not in ref.index:
        who = "borough" if t.baseline_year not in own.index else "London"
        return _not_evaluated(row, f"no {who} value of {t.indicator} for the baseline year {t.baseline_year}")
    base_gap = float(_shortfall(own.loc[t.baseline_year], ref.loc[t.baseline_year], lower))
    row.update(baseline_year=t.baseline_year, baseline_value=float(own.loc[t.baseline_year]))
    return _relative(row, t, s, lower, ref, "London value", (1 - t.close_gap_share) * max(base_gap, 0.0))


def _london_rank(row: dict, t: Target, s: pd.DataFrame, lower: bool, london: pd.DataFrame | None,
                 borough: str | None) -> dict:
    if london is None:
        return _not_evaluated(row, NO_LONDON_MART)
    others = london[london["comparator_code"].astype(str).str.startswith("E09")
                    & (london["comparator_code"] != borough)].dropna(subset=["value"])
    cy, current = row["current_year"], row["current_value"]
    now = others[others["year"] == cy]["value"]
    row["boroughs_compared"] = len(now) + 1
    if len(now) + 1 < MIN_BOROUGHS_RANKED:
        return _not_evaluated(row, f"values for only {len(now) + 1} of the {LONDON_BOROUGHS} London boroughs in {cy} "
                                   f"(a rank needs at least {MIN_BOROUGHS_RANKED}; marts.indicator_comparators holds "
                                   "London and the boroughs the dbt project computes comparator rows for)")
    better = (now < current) if lower else (now > current)
    row["current_rank"] = int(better.sum()) + 1
    if t.rank > len(now):   # no other borough holds rank N: the rank says nothing about progress
        return _not_evaluated(row, f"rank {t.rank} needs at least {t.rank} other boroughs with a value in {cy}; "
                                   f"there are {len(now)}")
    # the value holding rank N among the other boroughs, each year they are (almost) all there
    ref = {}
    for y, g in others.groupby("year"):
        if len(g) + 1 >= MIN_BOROUGHS_RANKED and len(g) >= t.rank:
            ordered = g["value"].sort_values(ascending=lower)
            ref[int(y)] = float(ordered.iloc[t.rank - 1])
    return _relative(row, t, s, lower, pd.Series(ref, dtype="float64"), f"rank-{t.rank} value", 0.0)


def target_status(targets: list[Target | dict], series: pd.DataFrame, metadata: pd.DataFrame, release_year: int,
                  london: pd.DataFrame | None = None, borough: str | None = None) -> pd.DataFrame:
    """One row per target. `series`: the borough's indicator_values (indicator_id, year,
    value); `london`: marts.indicator_comparators (indicator_id, comparator_code, year,
    value), None when the warehouse has none; `borough`: the borough's code (left out of
    the other boroughs it is ranked against)."""
    meta = metadata.set_index("indicator_id")
    rows = []
    for t in map(_as_target, targets):
        ind = t.indicator
        m = meta.loc[ind] if ind in meta.index else None
        direction = (m["direction"] if m is not None else "higher_is_better") or "higher_is_better"
        lower = _lower_better(direction)
        s = series[(series["indicator_id"] == ind) & (series["year"] <= release_year)].dropna(subset=["value"])
        s = s.sort_values("year")[["year", "value"]].astype({"year": int, "value": float})
        row = {c: None for c in TARGET_COLUMNS}
        row.update(indicator_id=ind, kind=t.kind, adoption_status=t.status,
                   name=m["name"] if m is not None else ind, unit=m["unit"] if m is not None else "",
                   direction=direction, target_year=t.target_year, source=t.source, note=t.note,
                   target={"absolute": t.target, "london_gap": t.close_gap_share, "london_rank": t.rank}[t.kind],
                   trend="no data", status="no data", status_reason=f"no value of {ind} in this release")
        if s.empty:
            rows.append(row)
            continue
        row.update(baseline_year=int(s["year"].iloc[0]), baseline_value=float(s["value"].iloc[0]),
                   current_year=int(s["year"].iloc[-1]), current_value=float(s["value"].iloc[-1]))
        ldn = None if london is None else london[(london["indicator_id"] == ind) & (london["year"] <= release_year)]
        if t.kind == "absolute":
            rows.append(_absolute(row, t, s, lower))
        elif t.kind == "london_gap":
            rows.append(_london_gap(row, t, s, lower, ldn))
        else:
            rows.append(_london_rank(row, t, s, lower, ldn, borough))
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


# what the release and the explorer call each status, word for word
LABELS = {"adopted": "Adopted target", "illustrative": "Illustrative target, not adopted"}


def target_labels(status: pd.DataFrame) -> dict:
    """metadata.json's account of the targets: how many are adopted or illustrative, and each
    one's label and source, so no reader of the metadata alone takes a draft for policy."""
    rows = status.astype(object).where(status.notna(), None)
    return {"adopted": int((status["adoption_status"] == "adopted").sum()),
            "illustrative": int((status["adoption_status"] == "illustrative").sum()),
            "labels": dict(LABELS),
            "targets": [{"indicator_id": r["indicator_id"], "kind": r["kind"], "target_year": int(r["target_year"]),
                         "adoption_status": r["adoption_status"], "label": LABELS.get(r["adoption_status"], ""),
                         "source": r["source"], "status": r["status"]}
                        for r in rows.to_dict(orient="records")]}
