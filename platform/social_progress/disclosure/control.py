"""Primary and secondary cell suppression, and rounding, of published counts.

See the package docstring for the rules and a worked example.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from .groups import Equations, build_equations, cell_keys, normalise_groups

PRIMARY, SECONDARY = "primary", "secondary"
FLAG_PRIMARY, FLAG_SECONDARY = "suppressed_small_count", "suppressed_secondary"
SUPPRESSION_FLAGS = (FLAG_PRIMARY, FLAG_SECONDARY)
TOL = 1e-9  # float slack of the protector's comparisons (the attacker allows 1e-6: stricter here)


@dataclass(frozen=True)
class DisclosurePolicy:
    """What counts as disclosive, and how published counts are treated.

    threshold:         counts below it (0..4 for 5) are suppressed, and no recoverable
                       total of suppressed cells may be below it
    suppress_zero:     zero counts are small too (a zero says "nobody here": often
                       disclosive for the complementary group); False publishes zeros
    rounding_base:     round published counts to a multiple of this (ties up), value recomputed
    check_denominator: also apply the rules to denominators that are personal-data counts
    """
    threshold: float = 5
    suppress_zero: bool = True
    rounding_base: int | None = None
    check_denominator: bool = True

    def __post_init__(self) -> None:
        if not (isinstance(self.threshold, (int, float)) and np.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"threshold must be a positive number, not {self.threshold!r}")
        if self.rounding_base is not None and not (isinstance(self.rounding_base, (int, np.integer))
                                                   and self.rounding_base >= 1):
            raise ValueError(f"rounding_base must be a positive whole number or None, not {self.rounding_base!r}")


@dataclass
class SuppressionReport:
    """What the control did: counts per rule, per indicator and per boundary."""
    policy: DisclosurePolicy
    cells: int = 0
    missing_input: int = 0               # cells whose numerator was already missing (left as is)
    primary: int = 0
    primary_by_denominator: int = 0      # of which: numerator not small, personal denominator small
    secondary: int = 0
    secondary_parents: int = 0           # of which: parents suppressed (no child candidate left)
    rounded: int = 0                     # published cells whose counts were rounded
    iterations: int = 0                  # rounds of secondary suppression until stable
    equations: int = 0                   # groups instantiated (per indicator and year / area)
    non_additive_equations: int = 0      # parent != sum of children in the input (information)
    unresolved: int = 0                  # exposures left (0 unless a group has no usable cell)
    by_indicator: dict = field(default_factory=dict)
    by_boundary: dict = field(default_factory=dict)

    @property
    def suppressed(self) -> int:
        return self.primary + self.secondary

    def as_metadata(self) -> dict:
        """Plain JSON-able dict (for a release's metadata)."""
        return {
            "policy": {k: _plain(v) for k, v in asdict(self.policy).items()},
            "cells": int(self.cells), "missing_input": int(self.missing_input),
            "suppressed": int(self.suppressed),
            "rules": {"primary": int(self.primary), "primary_by_denominator": int(self.primary_by_denominator),
                      "secondary": int(self.secondary), "secondary_parents": int(self.secondary_parents)},
            "rounded": int(self.rounded), "iterations": int(self.iterations), "equations": int(self.equations),
            "non_additive_equations": int(self.non_additive_equations), "unresolved": int(self.unresolved),
            "by_indicator": {str(k): {kk: int(vv) for kk, vv in v.items()} for k, v in self.by_indicator.items()},
            "by_boundary": {str(k): {kk: int(vv) for kk, vv in v.items()} for k, v in self.by_boundary.items()},
        }


def _plain(v: object) -> object:
    if v is None or isinstance(v, (bool, np.bool_)):
        return None if v is None else bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return int(v) if float(v).is_integer() else float(v)
    return v


def round_half_up(x: np.ndarray, base: int) -> np.ndarray:
    """Nearest multiple of `base`, ties up (12.5 -> 15 for base 5); NaN stays NaN."""
    x = np.asarray(x, dtype=float)
    return np.floor(x / base + 0.5 + TOL) * base


def _numbers(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").astype("float64").to_numpy(copy=True)


def _personal_mask(cells: pd.DataFrame, personal_denominators: Iterable) -> np.ndarray:
    ids = {str(i) for i in personal_denominators}
    mask = cells["indicator_id"].astype(object).map(str).isin(ids).to_numpy(dtype=bool, copy=True)
    if "denominator_personal" in cells.columns:
        mask |= truthy(cells["denominator_personal"])
    return mask


def truthy(values: pd.Series) -> np.ndarray:
    """Booleans from a column as read back from any file: True/1/'true'/'yes'; missing is False."""
    def one(v: object) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return False
        if isinstance(v, str):
            return v.strip().lower() in {"true", "t", "1", "1.0", "yes", "y"}
        return bool(v)
    return values.astype(object).map(one).to_numpy(dtype=bool)


def _small(x: np.ndarray, policy: DisclosurePolicy) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        small = np.isfinite(x) & (x < policy.threshold)
    if not policy.suppress_zero:
        small &= x != 0
    return small


def _secondary(eqs: Equations, supp: np.ndarray, columns: list[tuple], candidate_ok: np.ndarray,
               size: np.ndarray, tiebreak: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Complementary suppression until no equation exposes a suppressed cell.

    columns: (true, published, present) arrays per checked count column. Returns the new
    suppression mask, a mask of parents suppressed for lack of candidates, the number of
    rounds, and the number of exposures that could not be resolved.
    """
    supp = supp.copy()
    parent_supp = np.zeros_like(supp)
    n_eq, par, me, mc = eqs.n, eqs.parent, eqs.member_eq, eqs.member_cell
    if n_eq == 0:
        return supp, parent_supp, 0, 0
    # groups of small equations first: a ward's LSOAs before the borough's, so a cell
    # suppressed for the ward also protects the borough group instead of a second one
    n_children = np.bincount(me, minlength=n_eq)
    mean_size = np.bincount(eqs.kind, weights=n_children, minlength=len(eqs.kinds)) / \
        np.maximum(np.bincount(eqs.kind, minlength=len(eqs.kinds)), 1)
    rank_of_kind = np.empty(len(eqs.kinds), dtype=np.int64)
    rank_of_kind[np.lexsort((np.arange(len(eqs.kinds)), mean_size))] = np.arange(len(eqs.kinds))
    eq_rank = rank_of_kind[eqs.kind]
    present_m = [present[mc] for _, _, present in columns]
    valid = [present[par] & (np.bincount(me, weights=pm, minlength=n_eq) > 0)
             for (_, _, present), pm in zip(columns, present_m)]
    rounds = 0
    for _ in range(len(supp) + 1):
        s_m = supp[mc]
        exp_pub = np.zeros(n_eq, dtype=bool)
        exp_par = np.zeros(n_eq, dtype=bool)
        needs = []
        for (true, pub, _), pm, ok in zip(columns, present_m, valid):
            sm = pm & s_m
            n_supp = np.bincount(me, weights=sm, minlength=n_eq)
            total = np.bincount(me, weights=np.where(sm, np.nan_to_num(true[mc]), 0.0), minlength=n_eq)
            recoverable = pub[par] - np.bincount(me, weights=np.where(pm & ~s_m, np.nan_to_num(pub[mc]), 0.0),
                                                 minlength=n_eq)
            low = np.minimum(total, recoverable) < threshold - TOL
            e_pub = ok & ~supp[par] & ((n_supp == 1) | ((n_supp >= 2) & low))
            exp_pub |= e_pub
            exp_par |= ok & supp[par] & (n_supp == 0)
            needs.append((np.where(e_pub, threshold - total, -np.inf), np.where(e_pub, threshold - recoverable, -np.inf)))
        exposed = exp_pub | exp_par
        if not exposed.any():
            return supp, parent_supp, rounds, 0
        cand = exposed[me] & candidate_ok[mc] & ~s_m
        has_cand = np.bincount(me, weights=cand, minlength=n_eq) > 0
        fixable = exposed & (has_cand | exp_pub)
        if not fixable.any():
            return supp, parent_supp, rounds, int(exposed.sum())
        sel = fixable & (eq_rank == eq_rank[fixable].min())
        rows = np.flatnonzero(cand & sel[me])
        if len(rows):
            eq, cell = me[rows], mc[rows]
            sufficient = np.ones(len(rows), dtype=bool)
            for (true, pub, _), (need_total, need_rec) in zip(columns, needs):
                sufficient &= (np.nan_to_num(true[cell]) >= need_total[eq] - TOL) & \
                              (np.nan_to_num(pub[cell]) >= need_rec[eq] - TOL)
            # the smallest child that closes the gap; if none does alone, the largest
            order = np.lexsort((tiebreak[cell], np.where(sufficient, size[cell], -size[cell]), ~sufficient, eq))
            first = np.concatenate([[True], eq[order][1:] != eq[order][:-1]])
            supp[cell[order][first]] = True
        orphan = sel & exp_pub & ~has_cand
        supp[par[orphan]] = True
        parent_supp[par[orphan]] = True
        rounds += 1
    raise RuntimeError("secondary suppression did not converge")  # unreachable: each round adds a cell


def apply_disclosure_control(cells: pd.DataFrame, groups: pd.DataFrame, policy: DisclosurePolicy = DisclosurePolicy(),
                             personal_denominators: Iterable = frozenset()) -> tuple[pd.DataFrame, SuppressionReport]:
    """Suppress (and optionally round) counts so that no small count is published or derivable.

    cells: indicator_id, area_code, boundary, year, numerator (and usually area_level,
    denominator, value, quality_flag; an optional `multiplier` column recomputes values
    exactly after rounding; an optional boolean `denominator_personal` column adds to
    `personal_denominators`, a set of indicator ids whose denominators are personal counts).
    groups: additive relations (see groups.normalise_groups).
    Returns the cells (same index and row order) with `suppressed`, `suppression`
    (None/'primary'/'secondary') and updated `quality_flag`, and a SuppressionReport.
    """
    if "numerator" not in cells.columns:
        raise ValueError("cells lack a numerator column")
    keys = cell_keys(cells)
    g = normalise_groups(groups)
    n = len(cells)
    num = _numbers(cells, "numerator")
    den = _numbers(cells, "denominator")
    has_den, has_val = "denominator" in cells.columns, "value" in cells.columns
    personal = _personal_mask(cells, personal_denominators) & has_den
    check_den = personal & policy.check_denominator

    # 1. primary
    num_small = _small(num, policy)
    den_small = check_den & _small(den, policy)
    primary = num_small | den_small
    missing_num = ~np.isfinite(num)
    primary &= ~missing_num | den_small

    # published counts as an attacker will see them (rounded when rounding)
    base = policy.rounding_base
    pub_num = round_half_up(num, base) if base else num
    pub_den = np.where(personal, round_half_up(den, base), den) if base else den

    # 2. secondary
    eqs = build_equations(keys, g)
    columns = [(num, pub_num, ~missing_num)]
    if check_den.any():
        columns.append((den, pub_den, check_den & np.isfinite(den)))
    tiebreak = np.empty(n, dtype=np.int64)
    tiebreak[np.lexsort((keys["ind"].to_numpy(), keys["b"].to_numpy(), keys["yk"].to_numpy(),
                         keys["code"].to_numpy()))] = np.arange(n)
    supp, parent_supp, rounds, unresolved = _secondary(eqs, primary, columns, candidate_ok=~missing_num,
                                                       size=np.nan_to_num(num), tiebreak=tiebreak,
                                                       threshold=float(policy.threshold))
    secondary = supp & ~primary

    # 4. output
    out = cells.copy()
    out["numerator"] = np.where(supp, np.nan, pub_num)
    if has_den:  # personal denominators of suppressed cells are blanked; published ones rounded
        out["denominator"] = np.where(supp & personal, np.nan, pub_den)
    rounded = np.zeros(n, dtype=bool)
    if has_val:
        val = _numbers(cells, "value")
        if base:
            rounded = ~supp & np.isfinite(num) & ((pub_num != num) | (personal & np.isfinite(den) & (pub_den != den)))
            val = _revalue(cells, val, num, den, pub_num, pub_den)
        out["value"] = np.where(supp, np.nan, val)
    elif base:
        rounded = ~supp & np.isfinite(num) & (pub_num != num)
    reason = np.full(n, None, dtype=object)
    reason[primary] = PRIMARY
    reason[secondary] = SECONDARY
    out["suppressed"] = supp
    out["suppression"] = pd.Series(reason, index=out.index, dtype=object)
    flags = (out["quality_flag"].astype(object).to_numpy(copy=True) if "quality_flag" in out.columns
             else np.full(n, None, dtype=object))
    flags[primary] = FLAG_PRIMARY
    flags[secondary] = FLAG_SECONDARY
    flag_col = pd.Series(flags, index=out.index, dtype=object)
    if "quality_flag" in cells.columns and cells["quality_flag"].dtype != object:
        try:  # keep the caller's dtype (e.g. pandas' str)
            flag_col = flag_col.astype(cells["quality_flag"].dtype)
        except (TypeError, ValueError):
            pass
    out["quality_flag"] = flag_col

    # report
    report = SuppressionReport(policy=policy, cells=n, missing_input=int(missing_num.sum()),
                               primary=int(primary.sum()), primary_by_denominator=int((den_small & ~num_small).sum()),
                               secondary=int(secondary.sum()), secondary_parents=int((parent_supp & ~primary).sum()),
                               rounded=int(rounded.sum()), iterations=rounds, equations=eqs.n,
                               non_additive_equations=_non_additive(eqs, num), unresolved=unresolved)
    tally = pd.DataFrame({"indicator_id": keys["ind"], "boundary": keys["b"], "primary": primary,
                          "secondary": secondary, "cells": 1})
    for col, attr in (("indicator_id", "by_indicator"), ("boundary", "by_boundary")):
        t = tally.groupby(col, sort=True)[["cells", "primary", "secondary"]].sum()
        setattr(report, attr, {str(k): {c: int(v) for c, v in row.items()} for k, row in t.iterrows()})
    return out, report


def _revalue(cells: pd.DataFrame, val: np.ndarray, num: np.ndarray, den: np.ndarray,
             pub_num: np.ndarray, pub_den: np.ndarray) -> np.ndarray:
    """value = multiplier * numerator / denominator from rounded counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if "multiplier" in cells.columns:
            mult = _numbers(cells, "multiplier")
            new = mult * pub_num / pub_den
        else:  # the multiplier is implicit in value: scale by the counts' changes
            f_num = np.where(num != 0, pub_num / num, 1.0)
            f_den = np.where(pub_den != 0, den / pub_den, np.nan)
            new = val * f_num * f_den
    new = np.where(np.isfinite(new), new, np.nan)
    return np.where(np.isfinite(val), new, val)  # a missing value stays missing


def _non_additive(eqs: Equations, num: np.ndarray) -> int:
    if eqs.n == 0:
        return 0
    ok = np.isfinite(num)
    total = np.bincount(eqs.member_eq, weights=np.where(ok[eqs.member_cell], num[eqs.member_cell], 0.0),
                        minlength=eqs.n)
    complete = np.bincount(eqs.member_eq, weights=~ok[eqs.member_cell], minlength=eqs.n) == 0
    parent = num[eqs.parent]
    off = np.isfinite(parent) & complete & (np.abs(parent - total) > 1e-6 * np.maximum(1.0, np.abs(parent)))
    return int(off.sum())
