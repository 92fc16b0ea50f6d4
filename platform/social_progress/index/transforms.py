"""Indicator transforms and the utopia/dystopia (best/worst) scoring.

Scores are ``clip(100 * (f(x) - f(worst)) / (f(best) - f(worst)), 0, 100)``.
Goalposts (``worst``/``best``) are by default given in the indicator's own raw units
and passed through ``f`` like the values: this is what the published SPI 2025 spec does
(its three ``sqrt`` indicators have goalposts in DALYs/100000, not in sqrt units;
reading them as transformed values is 25+ points off). ``Framework(goalpost_scale=
"transformed")`` switches to goalposts already on the transformed scale.

An indicator's optional ``floor``/``ceiling`` hold its raw value within bounds before
``f`` (``bound``): an outlier beyond them says no more about progress than the bound
itself. The goalposts are not moved by them.
"""

from __future__ import annotations

import numpy as np

#: Transforms the engine knows; ``transform_param`` is needed by the ones in PARAM_TRANSFORMS.
TRANSFORMS = ("none", "log", "log1p", "sqrt", "cap", "distance")
PARAM_TRANSFORMS = ("cap", "distance")


def domain_problem(transform: str, x: np.ndarray) -> np.ndarray:
    """Boolean mask of values outside the transform's domain (NaN is not a problem)."""
    with np.errstate(invalid="ignore"):
        if transform == "log":
            return x <= 0
        if transform == "log1p":
            return x <= -1
        if transform == "sqrt":
            return x < 0
    return np.zeros(np.shape(x), dtype=bool)


DOMAIN_TEXT = {"log": "values must be > 0", "log1p": "values must be > -1", "sqrt": "values must be >= 0"}


def bound(x, floor: float | None = None, ceiling: float | None = None) -> np.ndarray:
    """``x`` held within [floor, ceiling] (raw units, before the transform); None = no
    bound on that side; NaN stays NaN."""
    x = np.asarray(x, dtype=np.float64)
    if floor is None and ceiling is None:
        return x
    return np.clip(x, -np.inf if floor is None else floor, np.inf if ceiling is None else ceiling)


def apply_transform(transform: str, x, param: float | None = None) -> np.ndarray:
    """f(x). ``cap`` = min(x, param) (truncate outliers above param); ``distance`` = |x - param|."""
    x = np.asarray(x, dtype=np.float64)
    if transform == "none":
        return x
    if transform == "log":
        return np.log(x)
    if transform == "log1p":
        return np.log1p(x)
    if transform == "sqrt":
        return np.sqrt(x)
    if transform == "cap":
        return np.minimum(x, param)
    if transform == "distance":
        return np.abs(x - param)
    raise ValueError(f"unknown transform {transform!r}")


def score(fx: np.ndarray, f_worst, f_best, clip: bool = True) -> np.ndarray:
    """0-100 score on the transformed scale; NaN stays NaN. Works on stacked indicators
    (``fx`` last axis = indicator, ``f_worst``/``f_best`` 1-d over indicators).
    ``clip=False`` keeps values beyond the goalposts (below 0, above 100): the component
    goalposts variant standardises those, as the classic SPI standardises raw values."""
    f_worst = np.asarray(f_worst, dtype=np.float64)
    f_best = np.asarray(f_best, dtype=np.float64)
    out = (fx - f_worst) * (100.0 / (f_best - f_worst))
    if clip:
        np.clip(out, 0.0, 100.0, out=out)
    return out
