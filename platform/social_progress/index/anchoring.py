"""Anchoring sub-area scores to their parent area's score (EU regional SPI).

Why: sub-areas scored on their own (LSOAs or wards of a borough, boroughs of London)
say how they compare with each other, but their level floats with the sub-area data; the
parent's own score (from its own, usually better, data) fixes the level. The EU regional
SPI anchors regions to their country this way:

    anchored_a = score_a + parent_score - sum_b(pop_b * score_b) / sum_b(pop_b)

per measure (index, each dimension, each component) and year, where b runs over the
parent's sub-areas of a's level that have a score for that measure and year. So the
population-weighted mean of the anchored scores equals the parent's score exactly, and
differences between sub-areas of one parent are unchanged. Anchored scores are not
clipped to 0-100 (clipping would break that equality); a sub-area with no score stays
missing and the mean is over the scored ones (their populations reweighted); a missing
parent score makes its sub-areas' anchored scores missing.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

#: measure types anchored by default (indicator scores are not)
ANCHORED_TYPES = ("index", "dimension", "component")
KEY = ["year", "measure_type", "measure"]
#: columns of the input that anchoring makes stale (recompute them on the anchored scores)
STALE = ("rank", "change")


def _need(frame: pd.DataFrame, name: str, cols: list[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; needs {cols}")


def _no_duplicates(frame: pd.DataFrame, name: str, cols: list[str]) -> None:
    dup = frame.duplicated(cols, keep=False)
    if dup.any():
        first = frame.loc[dup, cols].iloc[0].to_dict()
        raise ValueError(f"{name}: duplicated rows for {first}")


def anchor_to_parents(scores: pd.DataFrame, parents: pd.DataFrame, parent_scores: pd.DataFrame,
                      measure_types: Iterable[str] = ANCHORED_TYPES) -> pd.DataFrame:
    """Anchor ``scores`` to ``parent_scores`` (see the module docstring for the formula).

    scores: long, like ``IndexResult.scores`` (area_code, year, measure_type, measure,
      score; an ``area_level`` column, if any, keeps levels apart: LSOAs and wards of one
      borough are each anchored over their own level).
    parents: area_code, parent_code, population (> 0, needed for every area of
      ``scores``); optional ``year`` (populations per year) and ``area_level`` columns
      refine the match.
    parent_scores: the parents' scores, same columns as ``scores`` (area_code = the
      parent's code).
    measure_types: which rows to anchor; other rows (indicator scores) are left out.

    Returns the anchored rows: the input's columns with ``score`` anchored, ``rank`` and
    ``change`` dropped (stale), plus parent_code, unanchored_score, parent_score and
    parent_mean (the population-weighted mean of the scored sub-areas). ValueError names
    the area for a missing parent or population, and the parent missing from parent_scores.
    """
    _need(scores, "scores", ["area_code", *KEY, "score"])
    _need(parents, "parents", ["area_code", "parent_code", "population"])
    _need(parent_scores, "parent_scores", ["area_code", *KEY, "score"])
    level = ["area_level"] if "area_level" in scores.columns else []
    subs = scores[scores["measure_type"].astype(str).isin(list(measure_types))]
    subs = subs.drop(columns=[c for c in STALE if c in subs.columns])
    subs = subs.astype({c: str for c in ["area_code", *level, "measure_type", "measure"]})
    _no_duplicates(subs, "scores", [*level, "area_code", *KEY])

    par = parents.astype({"area_code": str, "parent_code": str})
    on = ["area_code"] + [c for c in ("area_level", "year") if c in par.columns and c in subs.columns]
    if "area_level" in on:
        par = par.astype({"area_level": str})
    _no_duplicates(par, "parents", on)
    pop = pd.to_numeric(par["population"], errors="coerce")
    par = par.assign(population=pop)[[*on, "parent_code", "population"]]
    out = subs.merge(par, on=on, how="left", validate="many_to_one")
    no_parent = out["parent_code"].isna()
    if no_parent.any():
        raise ValueError(f"area {out.loc[no_parent, 'area_code'].iloc[0]!r}: no row in parents "
                         "(its parent_code and population are needed to anchor it)")
    bad = ~(np.isfinite(out["population"]) & (out["population"] > 0))
    if bad.any():
        r = out[bad].iloc[0]
        raise ValueError(f"area {r['area_code']!r}: population is missing or not a positive number "
                         f"({r['population']!r}); it weights the parent's mean")

    ps = parent_scores.astype({"area_code": str, "measure_type": str, "measure": str})
    ps = ps[ps["measure_type"].isin(list(measure_types))]
    ps = ps.rename(columns={"area_code": "parent_code", "score": "parent_score"})[["parent_code", *KEY, "parent_score"]]
    _no_duplicates(ps, "parent_scores", ["parent_code", *KEY])
    unknown = sorted(set(out["parent_code"]) - set(ps["parent_code"]))
    if unknown:
        raise ValueError(f"parent {unknown[0]!r}: no rows in parent_scores (needed to anchor its sub-areas)")

    scored = out["score"].notna()
    group = [*level, "parent_code", *KEY]
    weighted = out.assign(wx=np.where(scored, out["score"] * out["population"], 0.0),
                          w=np.where(scored, out["population"], 0.0))
    sums = weighted.groupby(group, sort=False, dropna=False)[["wx", "w"]].sum().reset_index()
    sums["parent_mean"] = np.where(sums["w"] > 0, sums["wx"] / sums["w"].where(sums["w"] > 0), np.nan)
    out = out.merge(sums[[*group, "parent_mean"]], on=group, how="left").merge(ps, on=["parent_code", *KEY],
                                                                               how="left")
    out["unanchored_score"] = out["score"]
    out["score"] = out["score"] + out["parent_score"] - out["parent_mean"]
    cols = [*subs.columns, "parent_code", "unanchored_score", "parent_score", "parent_mean"]
    return out[cols].sort_values([*level, "area_code", "year"], kind="stable").reset_index(drop=True)
