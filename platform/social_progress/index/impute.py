"""Missing-data imputation, done before aggregation (never by re-weighting).

The published SPI fills a gap from the area's own other years where it has them and
from a regression on the other indicators of the same component where it never has;
re-normalising weights over the indicators present is far off (README: RMSE 6.5).
Both steps work on the 0-100 scores (bounded, comparable across indicators) and on the
whole (area, year, indicator) array at once; there is no per-area loop.

Method codes kept per value (and published as flags): see METHOD_LABELS.

Two missing-data rules fill nothing (NO_FILL), for comparison with methods that do not
impute: ``none`` (a component needs all its indicators) and ``available_mean`` (a
component is the weighted mean of the indicators present, weights renormalised); the
engine applies them when aggregating (engine.missing_rules, aggregate.py).
"""

from __future__ import annotations

import numpy as np

from .stats import Moments

OBSERVED, INTERPOLATED, HELD, REGRESSION = 0, 1, 2, 3
#: label published in ``imputation_method`` for each code (None = observed)
METHOD_LABELS = {OBSERVED: None, INTERPOLATED: "interpolated", HELD: "held_end", REGRESSION: "regression"}
#: the filling methods (the sensitivity analysis draws from these)
IMPUTATIONS = ("interpolate_then_regression", "interpolate", "regression")
#: missing-data rules that fill nothing
NO_FILL = ("none", "available_mean")
#: every value of IndexOptions.imputation
IMPUTATION_OPTIONS = IMPUTATIONS + NO_FILL


def interpolate_years(s: np.ndarray, years: np.ndarray, method: np.ndarray) -> None:
    """Fill gaps in place along the year axis of ``s`` (area, year, indicator): linear
    between the area's own observed years (on the actual year values), held flat before
    the first and after the last. Updates ``method`` codes in place."""
    n_years = s.shape[1]
    if n_years < 2:
        return
    yrs = years.astype(np.float64)
    idx = np.arange(n_years, dtype=np.int64)[None, :]
    for i in range(s.shape[2]):          # per indicator: keeps temporaries at area x year
        col = s[:, :, i]
        obs = ~np.isnan(col)
        if obs.all() or not obs.any():
            continue
        prev = np.maximum.accumulate(np.where(obs, idx, -1), axis=1)
        nxt = np.minimum.accumulate(np.where(obs, idx, n_years)[:, ::-1], axis=1)[:, ::-1]
        gap = ~obs & ((prev >= 0) | (nxt < n_years))
        if not gap.any():
            continue
        a, y = np.nonzero(gap)
        p, q = prev[a, y], nxt[a, y]
        has_p, has_q = p >= 0, q < n_years
        p0, q0 = np.where(has_p, p, 0), np.where(has_q, q, 0)
        vp, vq = col[a, p0], col[a, q0]
        both = has_p & has_q
        span = np.where(both, yrs[q0] - yrs[p0], 1.0)
        t = np.where(both, (yrs[y] - yrs[p0]) / span, 0.0)
        val = np.where(both, vp + t * (np.where(both, vq, vp) - vp), np.where(has_p, vp, vq))
        col[a, y] = val
        method[a, y, i] = np.where(both, INTERPOLATED, HELD)


def regression_stats(train: np.ndarray, moments: Moments | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance to regress on: complete cases when there are enough of them,
    else pairwise-complete moments (may be indefinite, hence lstsq below)."""
    k = train.shape[1]
    complete = ~np.isnan(train).any(axis=1)
    if complete.sum() >= max(30, 5 * k):
        cc = train[complete]
        return cc.mean(axis=0), np.cov(cc, rowvar=False).reshape(k, k)
    m = moments if moments is not None else Moments(train)
    return m.mean, m.cov


def regress_component(s: np.ndarray, stats: tuple, cols: np.ndarray, method: np.ndarray) -> None:
    """Fill remaining gaps of one component in place: each missing indicator is predicted
    by the linear regression on the component's indicators present in that row, from the
    means/covariances ``stats`` of the observed pooled rows (see regression_stats).
    Rows with none of the component present stay missing. Predictions are clipped to 0-100.
    """
    k = len(cols)
    if k < 2:
        return
    x = s[:, :, cols].reshape(-1, k)
    miss = np.isnan(x)
    rows_any = miss.any(axis=1)
    if not rows_any.any():
        return
    mu, cov = stats
    codes = miss.astype(np.int64) @ (1 << np.arange(k, dtype=np.int64))
    m_flat = method[:, :, cols].reshape(-1, k)
    for code in np.unique(codes[rows_any]):
        mset = (code >> np.arange(k)) & 1 == 1
        if mset.all():
            continue
        pset = _usable_predictors(cov, ~mset, mset)
        rows = np.nonzero(codes == code)[0]
        if not np.isfinite(mu[mset]).all():
            continue
        if not pset.any():
            # no predictor was ever observed with the missing ones (e.g. an indicator whose
            # small counts are withheld in most areas): the pooled mean
            pred = np.broadcast_to(mu[mset], (len(rows), int(mset.sum()))).copy()
        else:
            beta = np.linalg.lstsq(cov[np.ix_(pset, pset)], cov[np.ix_(pset, mset)], rcond=None)[0]
            pred = mu[mset] + (x[np.ix_(rows, pset)] - mu[pset]) @ beta
        np.clip(pred, 0.0, 100.0, out=pred)
        x[np.ix_(rows, mset)] = pred
        m_flat[np.ix_(rows, mset)] = REGRESSION
    s[:, :, cols] = x.reshape(s.shape[0], s.shape[1], k)
    method[:, :, cols] = m_flat.reshape(s.shape[0], s.shape[1], k)


def _usable_predictors(cov: np.ndarray, present: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """The present indicators whose covariances with the missing ones and with each other
    are defined (pairs never observed together have none): the regression uses those."""
    ok = present & np.isfinite(cov[:, missing]).all(axis=1) & np.isfinite(np.diag(cov))
    # drop, worst first, predictors with an undefined covariance among themselves
    while ok.any():
        sub = np.isfinite(cov[np.ix_(ok, ok)])
        if sub.all():
            break
        idx = np.nonzero(ok)[0]
        ok[idx[np.argmin(sub.sum(axis=1))]] = False
    return ok


def impute(scores: np.ndarray, years: np.ndarray, components: list[np.ndarray], how: str,
           pool_rows: np.ndarray | None = None, inplace: bool = False,
           stats: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (filled scores, method codes int8) for ``scores`` (area, year, indicator).

    ``components``: indicator column indices of each component (regression stays within
    a component). ``pool_rows``: boolean over areas, or over (area, year), whose observed
    values estimate the regressions (None = all rows). ``stats``: regression_stats per component, if
    already computed. ``inplace`` fills ``scores`` itself (saves a copy of
    the largest array; the regressions are estimated on the observed values first).
    """
    if how not in IMPUTATION_OPTIONS:
        raise ValueError(f"imputation must be one of {IMPUTATION_OPTIONS}, got {how!r}")
    if how in NO_FILL:
        return (scores if inplace else scores.copy()), np.zeros(scores.shape, dtype=np.int8)
    regress = how in ("interpolate_then_regression", "regression")
    if regress and stats is None:
        stats = []
        for cols in components:
            pool = scores[:, :, cols] if pool_rows is None else scores[:, :, cols][pool_rows]
            stats.append(regression_stats(pool.reshape(-1, len(cols))) if len(cols) > 1 else None)
    filled = scores if inplace else scores.copy()
    method = np.zeros(scores.shape, dtype=np.int8)
    if how in ("interpolate_then_regression", "interpolate"):
        interpolate_years(filled, years, method)
    if regress:
        for cols, st in zip(components, stats):
            if st is not None:
                regress_component(filled, st, cols, method)
    return filled, method
