"""Aggregation: indicators -> components -> dimensions -> index.

Component = weighted sum of its (imputed) indicator scores; dimension = mean of its
components; index = mean of the dimensions. ``power_mean`` (order 0.5, EU regional SPI)
penalises unbalanced profiles: a low component drags the dimension more than with the
arithmetic mean. A missing part gives a missing whole (no re-weighting).
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
