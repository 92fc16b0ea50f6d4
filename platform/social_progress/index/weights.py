"""Indicator weights within each component.

Principal-component weights follow the SPI: the first principal component of the
indicators' correlation matrix (pooled over areas and years), its loadings divided by
each 0-100 score's standard deviation (so the weight applies to the score, not the
z-score) and normalised to sum 1. The README measures this against the published
weights. A negative loading would make a better score lower the component, so it is
reported, and its weight set to 0 (renormalising the rest); near-equal first and second
eigenvalues or weights that move a lot from year to year are reported as unstable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import FrameworkError, IndexInputError
from .stats import Moments

#: eigenvalue ratio lambda2/lambda1 above which the first component is called unstable
UNSTABLE_EIGEN_RATIO = 0.8
#: largest change of a weight between the pooled and a single year's PCA deemed stable
UNSTABLE_YEAR_SHIFT = 0.05


@dataclass
class ComponentWeights:
    weights: np.ndarray
    method: str
    loadings: np.ndarray            # correlation of each indicator with the first PC (NaN unless pca)
    eigenvalues: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)


def pca_direction(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first eigenvector, eigenvalues descending); sign chosen so loadings sum positive."""
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    v = vecs[:, 0]
    if v.sum() < 0:
        v = -v
    return v, vals


def pca_weights_from(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Raw PCA weights for ``x`` (rows, k) of 0-100 scores with NaN (pairwise complete).
    Returns (weights before clipping, loadings, eigenvalues, sd)."""
    m = Moments(x)
    corr, sd = m.corr, m.sd
    v, vals = pca_direction(corr)
    w = v / sd
    w = w / w.sum()
    return w, v * np.sqrt(max(vals[0], 0.0)), vals, sd


def pca_weights(m: Moments, ids: list[str], component: str,
                by_year: list[np.ndarray] | None = None) -> ComponentWeights:
    """PCA weights for one component from the moments of its pooled scores.
    ``by_year``: the scores of each year, for the stability check."""
    k = m.k
    if k == 1:
        return ComponentWeights(np.ones(1), "pca", np.array([1.0]), np.array([1.0]),
                                ["single indicator: weight 1"])
    sd = m.sd
    for i, ind in enumerate(ids):
        n_obs = int(m.n[i, i])
        if n_obs < 3:
            raise IndexInputError(f"indicator {ind!r}: only {n_obs} observed values in the rows used for "
                                  f"principal-component weights of component {component!r}")
        if not sd[i] > 0:
            raise IndexInputError(f"indicator {ind!r}: zero variance in the rows used for principal-component "
                                  f"weights of component {component!r}; its correlation is undefined "
                                  "(drop it or weight the component 'equal'/'fixed')")
    corr, n = m.corr, m.n
    bad = np.argwhere(~np.isfinite(corr) | (n < 3))
    if len(bad):
        i, j = bad[0]
        raise IndexInputError(f"indicators {ids[i]!r} and {ids[j]!r} (component {component!r}) are observed "
                              f"together in only {int(n[i, j])} rows; their correlation is undefined")
    v, vals = pca_direction(corr)
    loadings = v * np.sqrt(max(vals[0], 0.0))
    warnings = []
    raw = v / sd
    neg = [ids[i] for i in range(k) if v[i] < 0]
    if neg:
        warnings.append("negative loading (weight set to 0): " + ", ".join(neg))
        raw = np.where(v < 0, 0.0, raw)
    w = raw / raw.sum()
    if vals[0] > 0 and vals[1] / vals[0] > UNSTABLE_EIGEN_RATIO:
        warnings.append(f"unstable: second eigenvalue is {vals[1] / vals[0]:.2f} of the first")
    if by_year:
        shifts = []
        for xy in by_year:
            try:
                wy, *_ = pca_weights_from(xy)
            except Exception:  # pragma: no cover - degenerate year; the pooled weights stand
                continue
            if np.isfinite(wy).all():
                shifts.append(np.abs(wy - w))
        if shifts:
            worst = np.max(shifts, axis=0)
            j = int(np.argmax(worst))
            if worst[j] > UNSTABLE_YEAR_SHIFT:
                warnings.append(f"unstable: weight of {ids[j]!r} moves by up to {worst[j]:.3f} between years")
    return ComponentWeights(w, "pca", loadings, vals, warnings)


def equal_weights(k: int) -> ComponentWeights:
    return ComponentWeights(np.full(k, 1.0 / k), "equal", np.full(k, np.nan))


def fixed_weights(given: list[float], ids: list[str], component: str) -> ComponentWeights:
    w = np.asarray(given, dtype=np.float64)
    for i, x in zip(ids, w):
        if not (np.isfinite(x) and x >= 0):
            raise FrameworkError(f"indicator {i!r}: weight must be a finite number >= 0, got {x}")
    if w.sum() <= 0:
        raise FrameworkError(f"component {component!r}: weights sum to zero")
    warnings = []
    if abs(w.sum() - 1.0) > 1e-3:
        warnings.append(f"fixed weights summed to {w.sum():.4f}; renormalised to 1")
    return ComponentWeights(w / w.sum(), "fixed", np.full(len(w), np.nan), None, warnings)
