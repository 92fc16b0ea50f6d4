"""Monte Carlo sensitivity of the ranks to the method's choices.

Each run re-does the aggregation with one draw of the choices a reasonable analyst could
have made differently: weights perturbed (multiplied by log-normal noise, renormalised),
arithmetic or power mean, and the imputation method. The spread of an area's index rank
over the runs says how much its published rank owes to those choices; a wide 90%
interval is flagged. Seeded, so the same inputs and seed give the same table. The three
imputations are computed once and shared by the runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import AGGREGATIONS, mean_of
from .engine import (IndexOptions, component_columns, missing_rules, pool_mask, run_method,
                     transform_and_score)
from .framework import Framework
from .impute import IMPUTATIONS, impute
from .panel import build_panel
from .ranking import rank_within_levels


def _prepare(filled: np.ndarray, cols_of: list[np.ndarray], comp_ok: np.ndarray):
    """(area*year, indicator) scores with NaN -> 0, for one matrix product per run, and the
    (area, year, component) mask of components that cannot be scored."""
    unscored = ~comp_ok.copy()
    for k, cols in enumerate(cols_of):
        unscored[:, :, k] |= np.isnan(filled[:, :, cols]).any(axis=2)
    flat = np.nan_to_num(filled.reshape(-1, filled.shape[2]), nan=0.0)
    return flat, unscored


def _index_from_components(comp: np.ndarray, framework: Framework, aggregation: str, power: float) -> np.ndarray:
    idx = {c: k for k, c in enumerate(framework.components)}
    dims = np.stack([mean_of(comp[:, :, [idx[c] for c in framework.components_of(d)]], aggregation, power)
                     for d in framework.dimensions], axis=2)
    return mean_of(dims, aggregation, power)


def nan_quantiles(x: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN (numpy's 'linear' method), vectorised over
    columns (np.nanquantile loops over columns in Python)."""
    s = np.sort(x, axis=0)                               # NaN last
    n = (~np.isnan(x)).sum(axis=0)
    out = np.full((len(qs), x.shape[1]), np.nan)
    ok = n > 0
    cols = np.nonzero(ok)[0]
    for i, q in enumerate(qs):
        pos = q * (n[ok] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n[ok] - 1)
        frac = pos - lo
        vlo, vhi = s[lo, cols], s[hi, cols]
        out[i, ok] = vlo + frac * (vhi - vlo)
    return out


def sensitivity_analysis(values: pd.DataFrame, framework: Framework, options: IndexOptions = IndexOptions(),
                         n_runs: int = 200, seed: int = 0, weight_noise: float = 0.25,
                         wide_share: float = 0.10) -> pd.DataFrame:
    """Per area and year: the index rank of the published method (``rank``), the median
    rank and the 5th/95th percentiles over ``n_runs`` perturbed runs, the interval width
    and ``wide_interval`` = width > ``wide_share`` x the number of areas ranked at that
    level and year (at least 1 rank).

    ``weight_noise``: standard deviation of the log-normal multiplier on each weight.
    """
    if n_runs < 1:
        raise ValueError("n_runs must be >= 1")
    panel = build_panel(values, framework)
    scores = transform_and_score(panel, framework)
    base = run_method(panel, framework, options, scores.copy())
    base_w = [cw.weights for cw in base.weight_list]
    cols_of = component_columns(framework)
    pool = pool_mask(panel, options)
    observed = ~np.isnan(scores)
    _, comp_ok = missing_rules(observed, panel.present, cols_of, options.max_missing_share,
                               options.max_missing_component_share)
    present = panel.present

    rng = np.random.default_rng(seed)
    imp_choice = rng.integers(0, len(IMPUTATIONS), n_runs)
    agg_choice = rng.integers(0, len(AGGREGATIONS), n_runs)
    noise = [rng.lognormal(0.0, weight_noise, size=(n_runs, len(w))) for w in base_w]

    filled = {}
    n_ind = scores.shape[2]
    ranks = np.full((n_runs,) + present.shape, np.nan, dtype=np.float32)
    for r in range(n_runs):
        how = IMPUTATIONS[imp_choice[r]]
        if how not in filled:
            filled[how] = _prepare(impute(scores, panel.years, cols_of, how, pool)[0], cols_of, comp_ok)
        flat, unscored = filled[how]
        w_mat = np.zeros((n_ind, len(cols_of)))
        for k, (cols, bw, nz) in enumerate(zip(cols_of, base_w, noise)):
            w = bw * nz[r]
            w_mat[cols, k] = w / w.sum()
        comp = (flat @ w_mat).reshape(present.shape + (len(cols_of),))
        comp[unscored] = np.nan
        index = _index_from_components(comp, framework, AGGREGATIONS[agg_choice[r]], options.power)
        index[~present] = np.nan
        ranks[r] = rank_within_levels(index, panel.level_bounds)

    a, y = np.nonzero(present)
    q = nan_quantiles(ranks[:, a, y].astype(np.float64), [0.5, 0.05, 0.95])
    base_rank = rank_within_levels(np.where(present, base.index, np.nan), panel.level_bounds)[a, y]
    n_ranked = np.zeros(present.shape)
    for a0, a1 in panel.level_bounds:
        n_ranked[a0:a1] = np.isfinite(np.where(present, base.index, np.nan)[a0:a1]).sum(axis=0)
    width = q[2] - q[1]
    limit = np.maximum(wide_share * n_ranked[a, y], 1.0)
    return pd.DataFrame({
        "area_code": pd.array(panel.area_codes[a].astype(str), dtype="str"),
        "area_level": pd.array(panel.area_levels[a].astype(str), dtype="str"),
        "year": panel.years[y],
        "rank": base_rank,
        "median_rank": q[0],
        "rank_p05": q[1],
        "rank_p95": q[2],
        "interval_width": width,
        "wide_interval": np.where(np.isnan(width), False, width > limit),
    })
