"""Ranks and year-on-year changes on (area, year, measure) arrays, vectorised.

Rank 1 = best (highest score), ties share the lowest rank (method 'min'), missing
scores get no rank. Ranks are taken within each ``area_level`` block of the area axis
(areas are sorted by level, so each level is one contiguous slice) and each year.
Sorting runs along a contiguous last axis (areas), which is several times faster than
sorting down the first axis of the (area, year, measure) layout.
"""

from __future__ import annotations

import numpy as np


def min_rank_desc_last(x: np.ndarray) -> np.ndarray:
    """Rank along the last axis, descending, ties -> min rank, NaN -> NaN."""
    n = x.shape[-1]
    if n == 0:
        return np.empty_like(x, dtype=np.float64)
    nan = np.isnan(x)
    key = np.where(nan, np.inf, -x)                       # NaN sorts last
    order = np.argsort(key, axis=-1)
    sk = np.take_along_axis(key, order, axis=-1)
    new = np.ones(sk.shape, dtype=bool)
    new[..., 1:] = sk[..., 1:] != sk[..., :-1]
    del sk
    pos = np.where(new, np.arange(1, n + 1, dtype=np.float64), 0.0)
    np.maximum.accumulate(pos, axis=-1, out=pos)
    ranks = np.empty(x.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, pos, axis=-1)
    ranks[nan] = np.nan
    return ranks


def min_rank_desc(x: np.ndarray) -> np.ndarray:
    """Rank along axis 0 (see min_rank_desc_last)."""
    xt = np.ascontiguousarray(np.moveaxis(x, 0, -1))
    return np.moveaxis(min_rank_desc_last(xt), -1, 0)


def rank_within_levels(x: np.ndarray, level_bounds: list[tuple[int, int]]) -> np.ndarray:
    """Ranks of ``x`` (area, year[, measure]) within each level and year (one year at a
    time, to keep the sort's temporaries small)."""
    out = np.full(x.shape, np.nan)
    for a0, a1 in level_bounds:
        for y in range(x.shape[1]):
            out[a0:a1, y] = min_rank_desc(x[a0:a1, y])
    return out


def change_from_previous(x: np.ndarray) -> np.ndarray:
    """x[a, y] minus the same area's last non-missing value in an earlier year (axis 1);
    NaN when either is missing. One vectorised step per year."""
    out = np.full(x.shape, np.nan)
    if x.shape[1] < 2:
        return out
    last = x[:, 0].copy()
    for y in range(1, x.shape[1]):
        cur = x[:, y]
        np.subtract(cur, last, out=out[:, y])
        np.copyto(last, cur, where=~np.isnan(cur))
    return out
