"""Aggregation rules: how an indicator's values combine when areas are merged or split.

Why: the right way to move a number from LSOAs to wards depends on what it is, and
getting it wrong is silent. Each indicator declares one rule:

* 'count'  - people, crimes, households: summed. A source split between targets is
  shared by the mapping weight; whole-number counts are shared by largest remainder,
  so every source's total, and therefore every grand total, is kept exactly.
* 'rate'   - e.g. crimes per 1,000 residents: numerator and denominator are moved as
  counts and the rate recomputed (sum num / sum den * multiplier). Averaging rates
  would give a small LSOA the same say as a large one.
* 'mean_population_weighted' - continuous measures about people (modelled NO2
  exposure, a score): weighted by the population in each piece.
* 'mean_area_weighted' - continuous measures about places (tree cover, noise):
  weighted by the area of each piece.

A mapping is any bridge DataFrame (source_code, target_code, weight, optional area_m2
and population of each piece): an official lookup (weight 1), a best fit, or an
apportionment. Chains (LSOA -> ward -> borough) are successive calls.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from .match_report import MatchReport

RULES = ("count", "rate", "mean_population_weighted", "mean_area_weighted")


def allocate_exact(values: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Split each group's value over its rows by weight, keeping each group's total exactly.

    `values` is the group's value repeated on each of its rows; `groups` labels rows
    (rows of a group must be contiguous); weights per group sum to 1. Whole numbers
    are split into whole numbers (largest remainder, ties to the earlier row); other
    values give the largest piece the remainder of the total minus the other pieces.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0)
    raw = values * weights
    starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
    gid = np.cumsum(np.concatenate([[False], groups[1:] != groups[:-1]]))
    gval = values[starts]
    integral = np.isfinite(gval) & (np.floor(gval) == gval) & (np.abs(gval) < 2**52)
    out = raw.copy()
    # whole numbers: floor, then hand out the shortfall by largest remainder
    rows_int = integral[gid]
    if rows_int.any():
        sign = np.sign(values)
        mag = np.abs(raw)
        base = np.floor(mag + 1e-9 * np.maximum(mag, 1))
        base = np.minimum(base, np.abs(values))
        rem = mag - base
        short = np.abs(gval) - np.bincount(gid, weights=np.where(rows_int, base, 0), minlength=len(gval))
        # rank rows within group by remainder (desc), ties by row order
        idx = np.lexsort((np.arange(n), -rem, gid))
        rank = np.empty(n, np.int64)
        pos = np.arange(n) - starts[gid[idx]]
        rank[idx] = pos
        bump = (rank < np.round(short[gid]).astype(np.int64)) & rows_int
        out = np.where(rows_int, sign * (base + bump), out)
    # other values: the largest piece absorbs rounding
    if (~integral).any():
        for g in np.flatnonzero(~integral):
            s = starts[g]
            e = starts[g + 1] if g + 1 < len(starts) else n
            piece = raw[s:e]
            if not np.all(np.isfinite(piece)):
                continue
            top = s + int(np.argmax(weights[s:e]))
            others = math.fsum(np.delete(piece, top - s))
            out[top] = gval[g] - others
    return out


def aggregate(
    df: pd.DataFrame,
    mapping_df: pd.DataFrame,
    rule: str,
    *,
    code_col: str = "code",
    value_col: str | Sequence[str] = "value",
    numerator_col: str = "numerator",
    denominator_col: str = "denominator",
    multiplier: float = 1.0,
    population_col: str | None = "population",
    area_col: str | None = "area_m2",
    by: Sequence[str] | None = None,
    source: str = "",
    step: str = "aggregate",
    key_cols: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, MatchReport]:
    """Aggregate `df` (one row per source area, per `by` group such as year) to targets.

    df: `code_col` (source area code), the value column(s) the rule needs, optional
        `by` columns (e.g. ["year"]) kept apart.
    mapping_df: source_code, target_code[, weight, area_m2, population].
    rule: one of RULES.

    Returns (DataFrame sorted by `by` then code with columns [*by, code, values...,
    n_sources, coverage], MatchReport). `coverage` is the share of the target's mapped
    source weight present with a usable value (1.0 = built from all of its sources).
    Rows with an unknown source code are `unknown_codes`; rows with a missing value
    are `invalid`; neither fails the run.
    """
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}; use one of {RULES}")
    by = list(by or [])
    rep = MatchReport(source=source, step=f"{step}:{rule}")
    values = [value_col] if isinstance(value_col, str) else list(value_col)
    if rule == "rate":
        values = [numerator_col, denominator_col]
    m = mapping_df.copy()
    if "weight" not in m.columns:
        m["weight"] = 1.0
    m["source_code"] = m["source_code"].astype(str)
    m["target_code"] = m["target_code"].astype(str)

    d = df.copy()
    d["_row"] = np.arange(len(d))
    d["_code"] = d[code_col].astype("string").str.strip()
    rep.total = len(d)
    known = d["_code"].isin(set(m["source_code"])).to_numpy(bool)
    num = {c: pd.to_numeric(d[c], errors="coerce") for c in values}
    valid = np.ones(len(d), bool)
    for c in values:
        valid &= num[c].notna().to_numpy()
    wcol = None
    if rule == "mean_population_weighted":
        wcol = population_col if population_col in d.columns else None
        if wcol is None and "population" not in m.columns:
            raise ValueError("mean_population_weighted needs a population column in df or in the mapping")
        if wcol:
            num[wcol] = pd.to_numeric(d[wcol], errors="coerce")
            valid &= num[wcol].notna().to_numpy()
    if rule == "mean_area_weighted" and "area_m2" not in m.columns:
        if not area_col or area_col not in d.columns:
            raise ValueError("mean_area_weighted needs area_m2 in the mapping or an area column in df")
        wcol = area_col
        num[wcol] = pd.to_numeric(d[wcol], errors="coerce")
        valid &= num[wcol].notna().to_numpy()
    unknown = ~known
    invalid = known & ~valid
    rep.unknown_codes = int(unknown.sum())
    rep.unmatched = rep.unknown_codes
    rep.invalid = int(invalid.sum())
    rep.matched = rep.total - rep.unmatched - rep.invalid
    keys = [c for c in (key_cols or []) if c in d.columns]
    rep.add_examples("unknown_codes", d.loc[unknown, ["_row", code_col, *keys]].rename(columns={"_row": "row"}))
    rep.add_examples("unmatched", d.loc[unknown, ["_row", code_col, *keys]].rename(columns={"_row": "row"}))
    rep.add_examples("invalid", d.loc[invalid, ["_row", code_col, *keys, *values]].rename(columns={"_row": "row"}))
    dup = d.loc[known & valid].duplicated(subset=[*by, "_code"], keep=False)
    if dup.any():
        rep.note(f"{int(dup.sum())} rows repeat a source code within a group: their values are combined by the rule")

    use = d.loc[known & valid, [*by, "_code"]].copy()
    for c in num:
        use[c] = num[c][known & valid].astype(float)
    j = use.merge(m, left_on="_code", right_on="source_code", how="inner")
    j = j.sort_values([*by, "_code", "target_code"], kind="stable", ignore_index=True)
    gkey = j.groupby([*by, "_code"], sort=False, dropna=False).ngroup().to_numpy() if len(j) else np.zeros(0, int)
    # rows repeating a (group, code) become separate groups only if they were separate rows;
    # sum them first so each (group, source) is one value
    if dup.any() and rule in ("count", "rate"):
        agg = use.groupby([*by, "_code"], dropna=False)[values].sum().reset_index()
        j = agg.merge(m, left_on="_code", right_on="source_code", how="inner")
        j = j.sort_values([*by, "_code", "target_code"], kind="stable", ignore_index=True)
        gkey = j.groupby([*by, "_code"], sort=False, dropna=False).ngroup().to_numpy()

    w = j["weight"].to_numpy(float)
    tgt_cols = [*by, "target_code"]
    if rule in ("count", "rate"):
        for c in values:
            j[c] = allocate_exact(j[c].to_numpy(float), w, gkey)
        out = j.groupby(tgt_cols, dropna=False)[values].sum()
        if rule == "rate":
            den = out[denominator_col]
            out["value"] = np.where(den != 0, out[numerator_col] / den.where(den != 0, 1.0) * multiplier, np.nan)
    else:
        if rule == "mean_population_weighted":
            ww = (j[wcol].to_numpy(float) * w) if wcol else j["population"].to_numpy(float)
        else:
            ww = (j[wcol].to_numpy(float) * w) if wcol else j["area_m2"].to_numpy(float)
        j["_w"] = ww
        parts = {}
        for c in values:
            j["_vw"] = j[c].to_numpy(float) * ww
            s = j.groupby(tgt_cols, dropna=False)[["_vw", "_w"]].sum()
            parts[c] = np.where(s["_w"] > 0, s["_vw"] / s["_w"].where(s["_w"] > 0, 1.0), np.nan)
        out = pd.DataFrame(parts, index=s.index)
        out["weight_total"] = s["_w"]
    out["n_sources"] = j.groupby(tgt_cols, dropna=False)["_code"].nunique()
    present = j.drop_duplicates([*by, "_code", "target_code"]).groupby(tgt_cols, dropna=False)["weight"].sum()
    expected = m.groupby("target_code")["weight"].sum()
    out["coverage"] = (present / present.index.get_level_values("target_code").map(expected).to_numpy()).clip(upper=1.0)
    out = out.reset_index().rename(columns={"target_code": "code"})
    out = out.sort_values([*by, "code"], ignore_index=True)
    return out, rep
