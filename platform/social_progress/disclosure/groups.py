"""Additive relations between published cells ("groups") and their expansion into equations.

A group table has one row per (parent, child) pair:

    dimension        'area' (default when the column is absent) or 'period'
    parent_boundary  boundary of the parent ('ward19', 'lad', ...); for 'period' rows the
                     boundary the relation holds on, or missing for every boundary
    parent_code      area code of the parent; for 'period' rows the period's year code
    child_boundary   boundary of the children (one child boundary per group)
    child_code       area code of the child; for 'period' rows a year of the period

A group is (dimension, parent_boundary, parent_code, child_boundary): the parent's count
is the sum of its children's counts. Per indicator and year ('area') or per indicator and
area ('period') each group becomes one equation, `parent = sum(children)`, between cells
that exist in the cell table: a child or parent absent from the table is left out, and so
is a cell whose count was already missing in the input (an unknown that the control cannot
protect, and that an attacker treats as unknown too).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

GROUP_COLUMNS = ("parent_boundary", "parent_code", "child_boundary", "child_code")
DIMENSIONS = ("area", "period")
ALL_BOUNDARIES = "*"
KEY_COLUMNS = ("indicator_id", "year", "boundary", "area_code")


def year_key(value: object) -> str:
    """A comparable text key for a year or period code: 2019, 2019.0, '2019' -> '2019'."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value) and float(value).is_integer():
            return str(int(value))
        return str(value)
    return str(value).strip()


def year_keys(values: pd.Series) -> np.ndarray:
    """year_key of every value (computed once per distinct value; missing -> 'nan')."""
    codes, uniques = pd.factorize(pd.Series(values, copy=False).astype(object))
    table = np.array([year_key(u) for u in uniques] + ["nan"], dtype=object)
    return table[codes]


def normalise_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """Check a group table; return it with a `dimension` column, text codes, no duplicates."""
    missing = [c for c in GROUP_COLUMNS if c not in groups.columns]
    if missing:
        raise ValueError(f"groups table lacks columns {missing} (needs {list(GROUP_COLUMNS)})")
    g = pd.DataFrame({c: groups[c] for c in GROUP_COLUMNS}).reset_index(drop=True)
    g["dimension"] = groups["dimension"].to_numpy() if "dimension" in groups.columns else "area"
    g["dimension"] = g["dimension"].fillna("area").astype(str).str.lower().to_numpy(dtype=object)
    bad = sorted(set(g["dimension"]) - set(DIMENSIONS))
    if bad:
        raise ValueError(f"groups: unknown dimension {bad} (use 'area' or 'period')")
    area = (g["dimension"] == "area").to_numpy()
    if g.loc[area, ["parent_boundary", "parent_code", "child_boundary", "child_code"]].isna().any().any():
        raise ValueError("groups: an 'area' row needs parent_boundary, parent_code, child_boundary and child_code")
    if g.loc[~area, ["parent_code", "child_code"]].isna().any().any():
        raise ValueError("groups: a 'period' row needs parent_code (the period) and child_code (a year)")
    out = pd.DataFrame({"dimension": g["dimension"].to_numpy(dtype=object)})
    for c in ("parent_boundary", "child_boundary"):
        out[c] = np.array([ALL_BOUNDARIES if pd.isna(v) else str(v) for v in g[c].tolist()], dtype=object)
    out["parent_code"] = np.where(area, g["parent_code"].astype(object).map(str).to_numpy(dtype=object),
                                  year_keys(g["parent_code"]))
    out["child_code"] = np.where(area, g["child_code"].astype(object).map(str).to_numpy(dtype=object),
                                 year_keys(g["child_code"]))
    per = ~area
    pb, cb = out["parent_boundary"].to_numpy(), out["child_boundary"].to_numpy()
    clash = per & (pb != ALL_BOUNDARIES) & (cb != ALL_BOUNDARIES) & (pb != cb)
    if clash.any():
        raise ValueError("groups: a 'period' row relates years of one area: parent_boundary and child_boundary must agree")
    both = np.where(pb == ALL_BOUNDARIES, cb, pb)
    out.loc[per, "parent_boundary"] = both[per]
    out.loc[per, "child_boundary"] = both[per]
    self_loop = (out["parent_boundary"] == out["child_boundary"]) & (out["parent_code"] == out["child_code"])
    if self_loop.any():
        row = out[self_loop].iloc[0]
        raise ValueError(f"groups: {row['parent_boundary']} {row['parent_code']} is listed as its own child")
    return out.drop_duplicates(ignore_index=True)


# --------------------------------------------------------------------------- builders

def _first_column(frame: pd.DataFrame, wanted: str | None, candidates: Iterable[str], what: str) -> str:
    if wanted is not None:
        if wanted not in frame.columns:
            raise ValueError(f"lookup has no column {wanted!r}")
        return wanted
    for c in candidates:
        if c in frame.columns:
            return c
    raise ValueError(f"lookup: cannot find the {what} column (tried {list(candidates)}); pass it explicitly")


def groups_within(parent_code: str, codes_by_boundary: Mapping[str, Iterable[str]], *,
                  parent_boundary: str = "lad") -> pd.DataFrame:
    """Every area of each boundary set is a child of one parent (the borough by default).

    >>> groups_within("E09000002", {"ward22": ["E05014053", "E05014054"]}).iloc[0].tolist()
    ['area', 'lad', 'E09000002', 'ward22', 'E05014053']
    """
    rows = [("area", parent_boundary, str(parent_code), str(b), str(c))
            for b, codes in codes_by_boundary.items() for c in sorted({str(x) for x in codes})]
    return pd.DataFrame(rows, columns=["dimension", *GROUP_COLUMNS])


def groups_from_lookup(lookup: pd.DataFrame, *, borough_code: str | None = None,
                       codes_by_boundary: Mapping[str, Iterable[str]] | None = None,
                       child_col: str | None = None, parent_col: str | None = None,
                       child_boundary: str = "lsoa11", parent_boundary: str = "ward19",
                       borough_boundary: str = "lad") -> pd.DataFrame:
    """The group table of a borough from an LSOA 2011 -> ward 2019 lookup.

    Always: every lsoa11 within its ward19. With `borough_code`: also every ward19 and every
    lsoa11 of the lookup within the borough, and every code of `codes_by_boundary` (e.g.
    {'ward22': [...], 'lsoa21': [...]}) within the borough. The lookup's columns are found
    by name (`lsoa11_code`/`LSOA11CD`, `ward19_code`/`WD19CD`) unless given.
    """
    cc = _first_column(lookup, child_col, ("lsoa11_code", "LSOA11CD", "lsoa11cd", "child_code"), "child (LSOA)")
    pc = _first_column(lookup, parent_col, ("ward19_code", "WD19CD", "wd19cd", "parent_code"), "parent (ward)")
    pairs = lookup[[pc, cc]].dropna().astype(str).drop_duplicates()
    twice = pairs[cc].duplicated(keep=False)
    if twice.any():
        raise ValueError(f"lookup: {pairs.loc[twice, cc].iloc[0]} lies in more than one {parent_boundary}: "
                         "groups must be additive (each child in one parent)")
    pairs = pairs.sort_values([pc, cc])
    frames = [pd.DataFrame({"dimension": "area", "parent_boundary": parent_boundary,
                            "parent_code": pairs[pc].to_numpy(), "child_boundary": child_boundary,
                            "child_code": pairs[cc].to_numpy()})]
    if borough_code is not None:
        codes: dict[str, list[str]] = {parent_boundary: sorted(pairs[pc].unique()),
                                       child_boundary: sorted(pairs[cc].unique())}
        for b, more in (codes_by_boundary or {}).items():
            codes[b] = sorted(set(codes.get(b, [])) | {str(x) for x in more})
        frames.append(groups_within(borough_code, codes, parent_boundary=borough_boundary))
    elif codes_by_boundary:
        raise ValueError("codes_by_boundary needs borough_code (their parent)")
    return pd.concat(frames, ignore_index=True)


def period_groups(periods: Mapping[object, Iterable[object]], boundaries: Iterable[str] | None = None) -> pd.DataFrame:
    """Years within multi-year periods, e.g. {'2019-21': [2019, 2020, 2021]}.

    The relation holds for every area of the listed boundaries (all boundaries if None).
    """
    bounds = [None] if boundaries is None else [str(b) for b in boundaries]
    rows = [("period", b, year_key(p), b, year_key(y)) for b in bounds for p, years in periods.items() for y in years]
    return pd.DataFrame(rows, columns=["dimension", *GROUP_COLUMNS])


# --------------------------------------------------------------------------- equations

@dataclass(frozen=True)
class Equations:
    """Groups instantiated on a cell table (positions 0..n-1 of the table's rows).

    Equation i says cell `parent[i]` = sum of the cells `member_cell[j]` with
    `member_eq[j] == i` (member rows sorted by equation). `kind[i]` indexes `kinds`
    ('area:ward19>lsoa11', 'period:lsoa11', ...).
    """
    parent: np.ndarray
    kind: np.ndarray
    kinds: tuple[str, ...]
    dimension: np.ndarray
    member_eq: np.ndarray
    member_cell: np.ndarray

    @property
    def n(self) -> int:
        return len(self.parent)


def cell_keys(cells: pd.DataFrame) -> pd.DataFrame:
    """indicator, year key, boundary, code and position of every cell; duplicates are refused."""
    missing = [c for c in KEY_COLUMNS if c not in cells.columns]
    if missing:
        raise ValueError(f"cells lack columns {missing}")
    k = pd.DataFrame({
        "ind": cells["indicator_id"].astype(object).map(str).to_numpy(dtype=object),
        "yk": year_keys(cells["year"]),
        "b": cells["boundary"].astype(object).map(str).to_numpy(dtype=object),
        "code": cells["area_code"].astype(object).map(str).to_numpy(dtype=object),
        "cid": np.arange(len(cells)),
    })
    dup = k.duplicated(["ind", "yk", "b", "code"], keep=False)
    if dup.any():
        r = k[dup].iloc[0]
        raise ValueError(f"cells: {int(dup.sum())} rows share a key, e.g. indicator {r['ind']} year {r['yk']} "
                         f"{r['b']} {r['code']}")
    return k


def build_equations(keys: pd.DataFrame, groups: pd.DataFrame) -> Equations:
    """Instantiate a normalised group table on the cells described by `keys` (see cell_keys)."""
    parents, members = [], []
    ga = groups[groups["dimension"] == "area"]
    if len(ga):
        p = (ga[["parent_boundary", "parent_code", "child_boundary"]].drop_duplicates()
             .merge(keys, left_on=["parent_boundary", "parent_code"], right_on=["b", "code"]))
        p = pd.DataFrame({"g1": p["parent_boundary"], "g2": p["parent_code"], "g3": p["child_boundary"],
                          "ind": p["ind"], "yk": p["yk"], "parent": p["cid"],
                          "kind": "area:" + p["parent_boundary"] + ">" + p["child_boundary"], "dimension": "area"})
        c = ga.merge(keys, left_on=["child_boundary", "child_code"], right_on=["b", "code"])
        c = pd.DataFrame({"g1": c["parent_boundary"], "g2": c["parent_code"], "g3": c["child_boundary"],
                          "ind": c["ind"], "yk": c["yk"], "cell": c["cid"]})
        parents.append(p)
        members.append(c)
    gp = groups[groups["dimension"] == "period"]
    if len(gp):
        def on_years(frame: pd.DataFrame, year_col: str) -> pd.DataFrame:
            m = frame.merge(keys, left_on=year_col, right_on="yk")
            return m[(m["parent_boundary"] == ALL_BOUNDARIES) | (m["parent_boundary"] == m["b"])]
        p = on_years(gp[["parent_boundary", "parent_code"]].drop_duplicates(), "parent_code")
        p = pd.DataFrame({"g1": p["parent_boundary"], "g2": p["parent_code"], "g3": p["b"] + "|" + p["code"],
                          "ind": p["ind"], "yk": p["parent_code"], "parent": p["cid"],
                          "kind": "period:" + p["b"], "dimension": "period"})
        c = on_years(gp[["parent_boundary", "parent_code", "child_code"]].drop_duplicates(), "child_code")
        c = pd.DataFrame({"g1": c["parent_boundary"], "g2": c["parent_code"], "g3": c["b"] + "|" + c["code"],
                          "ind": c["ind"], "yk": c["parent_code"], "cell": c["cid"]})
        parents.append(p)
        members.append(c)
    if not parents:
        e = np.zeros(0, dtype=np.int64)
        return Equations(e, e, (), np.zeros(0, dtype=object), e, e)
    P = pd.concat(parents, ignore_index=True)
    P = P.sort_values(["kind", "g2", "ind", "yk", "g3"], ignore_index=True)
    P["eq"] = np.arange(len(P))
    M = pd.concat(members, ignore_index=True).merge(P[["g1", "g2", "g3", "ind", "yk", "eq", "parent"]],
                                                    on=["g1", "g2", "g3", "ind", "yk"])
    M = M[M["cell"] != M["parent"]].drop_duplicates(["eq", "cell"])
    # equations without any child in the table say nothing: renumber the others
    used = np.zeros(len(P), dtype=bool)
    used[M["eq"].to_numpy()] = True
    P = P[used].reset_index(drop=True)
    renumber = np.cumsum(used) - 1
    M = M.assign(eq=renumber[M["eq"].to_numpy()]).sort_values(["eq", "cell"])
    kinds = tuple(sorted(P["kind"].unique()))
    kind_idx = pd.Categorical(P["kind"], categories=list(kinds)).codes.astype(np.int64)
    return Equations(parent=P["parent"].to_numpy(np.int64), kind=kind_idx, kinds=kinds,
                     dimension=P["dimension"].to_numpy(dtype=object),
                     member_eq=M["eq"].to_numpy(np.int64), member_cell=M["cell"].to_numpy(np.int64))
