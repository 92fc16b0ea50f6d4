"""Aggregation: indicators -> components -> dimensions -> index.

Component = weighted sum of its (imputed) indicator scores; dimension = mean of its
components; index = mean of the dimensions. ``power_mean`` (order 0.5, EU regional SPI)
penalises unbalanced profiles: a low component drags the dimension more than with the
arithmetic mean. A missing part gives a missing whole (no re-weighting).

Variants: ``weighted_available_mean`` (the ``available_mean`` missing-data rule: weights
renormalised over the indicators present), ``standardised_component`` (component
goalposts, the classic SPI) and ``mean_of_available`` (skip missing parts; used by
component_aggregation.py).
"""

from __future__ import annotations

import numpy as np

AGGREGATIONS = ("arithmetic", "power_mean")


def weighted_sum(scores: np.ndarray, cols: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(area, year) component score; NaN where any of its indicators is NaN.

    Weights sum to one, so the score is a weighted mean of 0-100 scores; floating-point
    rounding alone can take it past a bound (100 * 0.5089 + 100 * 0.4911 = 100.00000000000001),
    so it is held within 0-100."""
    out = scores[:, :, cols[0]] * w[0]
    for c, wi in zip(cols[1:], w[1:]):
        out = out + scores[:, :, c] * wi
    return np.clip(out, 0.0, 100.0)


def mean_of(parts: np.ndarray, how: str = "arithmetic", power: float = 0.5) -> np.ndarray:
    """Mean over the last axis: arithmetic, or power mean (mean(x^p))^(1/p) of 0-100 scores."""
    if how == "arithmetic":
        return parts.mean(axis=-1)
    if how == "power_mean":
        if power == 0:
            with np.errstate(divide="ignore"):
                return np.exp(np.log(parts).mean(axis=-1))
        return np.power(np.power(np.clip(parts, 0.0, None), power).mean(axis=-1), 1.0 / power)
    raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how!r}")


def weighted_available_mean(scores: np.ndarray, cols: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(area, year) weighted mean of the indicators present, weights renormalised over
    them; NaN where none with a positive weight is present."""
    x = scores[:, :, cols]
    have = ~np.isnan(x)
    wp = np.where(have, w, 0.0)
    total = wp.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (np.where(have, x, 0.0) * wp).sum(axis=2) / total
    out[~(total > 0)] = np.nan
    return np.clip(out, 0.0, 100.0)


def standardised_component(scores: np.ndarray, cols: np.ndarray, wz: np.ndarray, mean: np.ndarray,
                           sd: np.ndarray, available: bool = False) -> np.ndarray:
    """Component goalposts (classic SPI): z_i = (u_i - mean_i) / sd_i, raw = sum wz_i z_i,
    score = 100 (raw - D) / (U - D), with D and U the same sum at every indicator's worst
    (u = 0) and best (u = 100) goalpost. ``scores`` are the unclipped goalpost scores u,
    an increasing affine map of f(x) in the direction of progress, so z is the
    direction-aware z-score of f(x). ``mean``/``sd`` come from the rows that estimate the
    weights. The result IS clipped to 0-100 (values beyond the goalposts can take raw past
    U or D). ``available``: sum over the indicators present only (D and U too)."""
    z = (scores[:, :, cols] - mean) / sd
    z_d, z_u = (0.0 - mean) / sd, (100.0 - mean) / sd
    if available:
        have = ~np.isnan(z)
        w = np.where(have, wz, 0.0)
        raw = (np.where(have, z, 0.0) * w).sum(axis=2)
        d, u = (w * z_d).sum(axis=2), (w * z_u).sum(axis=2)
        raw[~have.any(axis=2)] = np.nan
    else:
        raw, d, u = z @ wz, z_d @ wz, z_u @ wz
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 100.0 * (raw - d) / (u - d)
    return np.clip(out, 0.0, 100.0)


def mean_of_available(parts: np.ndarray, how: str = "arithmetic", power: float = 0.5) -> np.ndarray:
    """mean_of over the parts present only (NaN skipped; NaN when none is)."""
    have = ~np.isnan(parts)
    n = have.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "arithmetic":
            out = np.where(have, parts, 0.0).sum(axis=-1) / n
        elif how == "power_mean" and power == 0:
            out = np.exp(np.where(have, np.log(np.where(have, parts, 1.0)), 0.0).sum(axis=-1) / n)
        elif how == "power_mean":
            p = np.power(np.clip(np.where(have, parts, 0.0), 0.0, None), power)
            out = np.power(p.sum(axis=-1) / n, 1.0 / power)
        else:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how!r}")
    return np.where(n > 0, out, np.nan)
