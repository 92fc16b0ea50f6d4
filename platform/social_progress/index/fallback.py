"""One rule on top of `compute_index`: no indicator silently loses its weight.

Why: a component whose first principal component loads negatively on one of its
indicators does not share one direction of progress, and PCA would give that indicator
weight 0 (dropping it from the index unseen). Such a component falls back to equal
weights, and the caller is told which components and indicators did.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from .engine import IndexOptions, compute_index
from .framework import Framework
from .result import IndexResult

#: the weighting a component falls back to
FALLBACK_WEIGHTING = "equal"


def with_component_weighting(framework: Framework, overrides: dict[str, str]) -> Framework:
    """The same framework with some components weighted differently."""
    return Framework(list(framework.indicators), weighting=framework.weighting,
                     component_weighting={**(framework.component_weighting or {}), **overrides},
                     goalpost_scale=framework.goalpost_scale)


def compute_index_with_fallback(values: pd.DataFrame, framework: Framework, options: IndexOptions,
                                log: Callable[[str], object] = print) -> tuple[Framework, IndexResult, dict[str, list[str]]]:
    """`compute_index`, then once more with equal weights for every PCA-weighted component
    that has an indicator with a negative loading.

    Returns (framework used, result, fallback) where fallback maps each component that
    fell back to its negatively loading indicators (sorted); {} when none did, in which
    case the first result is returned as is. Components not weighted by PCA never fall
    back. `log` gets one line per negatively loading indicator.
    """
    framework, result, unestimable = _compute_estimable(values, framework, options, log)
    pca = [c for c in framework.components if framework.weighting_of(c) == "pca"]
    if not pca:
        return framework, result, unestimable
    w = result.weights
    negative = w[(w["loading"] < 0) & w["component"].astype(str).isin(pca)]
    if negative.empty:
        return framework, result, unestimable
    components = sorted(negative["component"].astype(str).unique())
    for comp, ind in negative[["component", "indicator_id"]].astype(str).itertuples(index=False):
        log(f"{comp}: {ind} loads negatively on the first principal component; the component uses equal weights")
    framework = with_component_weighting(framework, {c: FALLBACK_WEIGHTING for c in components})
    return framework, compute_index(values, framework, options), {**unestimable, **{
        c: sorted(negative.loc[negative["component"].astype(str) == c, "indicator_id"].astype(str)) for c in components}}


def _compute_estimable(values: pd.DataFrame, framework: Framework, options: IndexOptions,
                       log: Callable[[str], object]) -> tuple[Framework, IndexResult, dict[str, list[str]]]:
    """`compute_index`; a PCA-weighted component whose weights cannot be estimated (an
    indicator with no variance or too few observed values, e.g. one whose small counts
    disclosure control withheld in nearly every LSOA) is weighted equally instead, and said so."""
    import re

    from .errors import IndexInputError

    unestimable: dict[str, list[str]] = {}
    for _ in range(len(framework.components) + 1):
        try:
            return framework, compute_index(values, framework, options), unestimable
        except IndexInputError as exc:
            found = re.search(r"indicator '([^']+)'.*principal-component weights of component '([^']+)'", str(exc))
            if not found or framework.weighting_of(found.group(2)) != "pca":
                raise
            indicator, comp = found.groups()
            log(f"{comp}: principal-component weights cannot be estimated ({str(exc).split(': ', 1)[-1].split(';')[0]}); "
                "the component uses equal weights")
            unestimable.setdefault(comp, []).append(indicator)
            framework = with_component_weighting(framework, {comp: FALLBACK_WEIGHTING})
    raise RuntimeError("no estimable weighting found")
