"""Builders for small hand-written cell tables, and a whole-system audit used by the tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_progress.disclosure.groups import build_equations, cell_keys, normalise_groups

LEVEL = {"lsoa11": "lsoa", "lsoa21": "lsoa", "ward19": "ward", "ward22": "ward", "lad": "borough"}


def cells(rows, indicator="ind1", year=2021, multiplier=1000.0) -> pd.DataFrame:
    """rows: (boundary, code, numerator[, denominator[, year]]); value = multiplier * num / den."""
    out = []
    for r in rows:
        boundary, code, num = r[0], r[1], r[2]
        den = r[3] if len(r) > 3 else 1000.0
        yr = r[4] if len(r) > 4 else year
        val = np.nan if (num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0) \
            else multiplier * num / den
        out.append({"indicator_id": indicator, "area_code": code, "area_level": LEVEL[boundary],
                    "boundary": boundary, "year": yr,
                    "numerator": np.nan if num is None else float(num),
                    "denominator": np.nan if den is None else float(den),
                    "value": val, "quality_flag": None})
    return pd.DataFrame(out)


def area_groups(pairs, parent_boundary, child_boundary) -> pd.DataFrame:
    """pairs: {parent_code: [child codes]}."""
    return pd.DataFrame([{"parent_boundary": parent_boundary, "parent_code": p,
                          "child_boundary": child_boundary, "child_code": c}
                         for p, kids in pairs.items() for c in kids])


def by_code(out: pd.DataFrame, boundary: str | None = None, year=None) -> pd.DataFrame:
    o = out
    if boundary is not None:
        o = o[o["boundary"] == boundary]
    if year is not None:
        o = o[o["year"] == year]
    return o.set_index("area_code")


def suppressed_codes(out: pd.DataFrame, how: str | None = None) -> set:
    s = out[out["suppressed"]] if how is None else out[out["suppression"] == how]
    return set(s["area_code"]) if out["year"].nunique() <= 1 else set(zip(s["area_code"], s["year"]))


def exactly_determined(published: pd.DataFrame, groups: pd.DataFrame, column: str = "numerator") -> list:
    """Suppressed cells whose count follows exactly from ALL the published equations together.

    Stronger than the per-group attack: the unknowns of every equation parent - sum(children) = 0
    form a linear system; a cell is determined iff its unit vector lies in the system's row space
    (its component of every null-space vector is zero). Valid for additive, unrounded tables.
    """
    keys = cell_keys(published)
    eqs = build_equations(keys, normalise_groups(groups))
    x = pd.to_numeric(published[column], errors="coerce").to_numpy(dtype=float)
    unknown = np.isnan(x)
    if (unknown & ~published["suppressed"].to_numpy(dtype=bool)).any():
        raise ValueError("the audit needs complete tables: every missing count must be a suppressed one")
    reported = unknown
    present = np.ones(len(x), dtype=bool)
    found = []
    ind = keys["ind"].to_numpy()
    for indicator in np.unique(ind[unknown]):
        var = np.flatnonzero(unknown & (ind == indicator))
        col = {c: i for i, c in enumerate(var)}
        rows = []
        for e in range(eqs.n):
            p = eqs.parent[e]
            if ind[p] != indicator or not present[p]:
                continue
            kids = eqs.member_cell[eqs.member_eq == e]
            kids = kids[present[kids]]
            if len(kids) == 0:
                continue
            row = np.zeros(len(var))
            if unknown[p]:
                row[col[p]] += 1.0
            for k in kids:
                if unknown[k]:
                    row[col[k]] -= 1.0
            if row.any():
                rows.append(row)
        if not rows:
            continue
        a = np.array(rows)
        _, s, vt = np.linalg.svd(a)
        rank = int((s > 1e-9 * max(1.0, s.max())).sum())
        null = vt[rank:].T
        for j, c in enumerate(var):
            if not reported[c]:
                continue
            if null.shape[1] == 0 or np.abs(null[j]).max() < 1e-9:
                found.append((indicator, keys["yk"].iloc[c], keys["b"].iloc[c], keys["code"].iloc[c]))
    return found
