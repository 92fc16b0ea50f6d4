"""An attacker: what can be recovered by differencing published counts within groups.

It reads only what is published: a cell is unknown when its count is missing and it is
marked suppressed (the `suppressed` column, else a suppression `quality_flag`, else any
missing count). A missing count that is not marked suppressed was never available: such
cells are left out of the equations, as the control does.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .control import SUPPRESSION_FLAGS, truthy
from .groups import build_equations, cell_keys, normalise_groups

ATTACK_TOL = 1e-6
RESULT_COLUMNS = ["indicator_id", "year", "dimension", "parent_boundary", "parent", "child_boundary", "children",
                  "n_suppressed", "recovered_total", "kind", "column"]


def _suppressed_marks(published: pd.DataFrame) -> np.ndarray | None:
    if "suppressed" in published.columns:
        return truthy(published["suppressed"])
    if "quality_flag" in published.columns:
        return published["quality_flag"].astype(object).isin(SUPPRESSION_FLAGS).to_numpy()
    return None


def recover_by_differencing(published: pd.DataFrame, groups: pd.DataFrame, threshold: float = 5, *,
                            columns: Sequence[str] = ("numerator",)) -> pd.DataFrame:
    """Every disclosure by differencing within a group, from published cells.

    For each group whose parent is published, the suppressed children's total is
    recovered as parent - sum(published children); reported when one suppressed cell is
    recovered exactly (kind 'single_cell') or the recovered total is below `threshold`
    ('small_total'). A suppressed parent whose children are all published is recovered
    as their sum ('parent_from_children'). One row per finding and count column.
    """
    keys = cell_keys(published)
    eqs = build_equations(keys, normalise_groups(groups))
    marks = _suppressed_marks(published)
    found = []
    if eqs.n == 0:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    par, me, mc = eqs.parent, eqs.member_eq, eqs.member_cell
    for column in columns:
        if column not in published.columns:
            raise ValueError(f"published cells have no column {column!r}")
        x = pd.to_numeric(published[column], errors="coerce").astype("float64").to_numpy()
        nan = ~np.isfinite(x)
        unknown = nan if marks is None else nan & marks
        present = ~nan | unknown
        pm = present[mc]
        um = pm & unknown[mc]
        n_children = np.bincount(me, weights=pm, minlength=eqs.n)
        n_unknown = np.bincount(me, weights=um, minlength=eqs.n).astype(np.int64)
        known_sum = np.bincount(me, weights=np.where(pm & ~um, np.nan_to_num(x[mc]), 0.0), minlength=eqs.n)
        valid = present[par] & (n_children > 0)
        parent_known = valid & ~unknown[par]
        recovered = np.where(parent_known, x[par] - known_sum, known_sum)
        single = parent_known & (n_unknown == 1)
        small = parent_known & (n_unknown >= 1) & (recovered < threshold - ATTACK_TOL) & ~single
        upward = valid & unknown[par] & (n_unknown == 0)
        for kind, hit in (("single_cell", single), ("small_total", small), ("parent_from_children", upward)):
            for e in np.flatnonzero(hit):
                rows = mc[me == e]
                kids = rows[unknown[rows]] if kind != "parent_from_children" else rows[present[rows]]
                p = int(par[e])
                label = "area_code" if eqs.dimension[e] == "area" else "year"
                found.append({
                    "indicator_id": published["indicator_id"].iloc[p], "year": published["year"].iloc[p],
                    "dimension": eqs.dimension[e], "parent_boundary": keys["b"].iloc[p],
                    "parent": keys["code"].iloc[p],
                    "child_boundary": keys["b"].iloc[int(kids[0])] if len(kids) else None,
                    "children": tuple(published[label].iloc[kids].tolist()),
                    "n_suppressed": int(n_unknown[e]) if kind != "parent_from_children" else 1,
                    "recovered_total": float(recovered[e]), "kind": kind, "column": column})
    return pd.DataFrame(found, columns=RESULT_COLUMNS)
