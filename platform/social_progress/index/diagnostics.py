"""Per-component coherence diagnostics: is the component one thing?

Cronbach's alpha (internal consistency), Kaiser-Meyer-Olkin (is there shared variance
for a principal component to find?) and the share of variance the first component
explains. All on pairwise-complete moments of the observed 0-100 scores, like the weights.
"""

from __future__ import annotations

import numpy as np

from .stats import Moments

ALPHA_MIN = 0.6
KMO_MIN = 0.5
VARIANCE_MIN = 0.4
#: decimals of a statistic and its threshold in a warning
DECIMALS = 3


def below_threshold(value: float, threshold: float, decimals: int = DECIMALS) -> str:
    """``"<value> < <threshold>"`` for a statistic that fell short of its threshold.

    Both print with ``decimals`` decimals; when the value would then print as the threshold
    (0.5997 -> "0.600" against 0.6), the value gets more decimals until it differs
    ("0.5997 < 0.600"), so a value below the threshold never reads as equal to it.
    """
    shown = f"{value:.{decimals}f}"
    limit = f"{threshold:.{decimals}f}"
    d = decimals
    while shown == f"{threshold:.{d}f}" and d < 17:
        d += 1
        shown = f"{value:.{d}f}"
    if shown == f"{threshold:.{d}f}":      # closer than 17 decimals: the shortest exact repr
        shown = repr(float(value))
    return f"{shown} < {limit}"


def cronbach_alpha(m: Moments) -> float:
    k = m.k
    if k < 2:
        return float("nan")
    cov = m.cov
    total = np.nansum(cov) if np.isfinite(cov).all() else np.nan
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def kmo(corr: np.ndarray) -> float:
    k = corr.shape[0]
    if k < 2 or not np.isfinite(corr).all():
        return float("nan")
    inv = np.linalg.pinv(corr)
    d = np.sqrt(np.abs(np.diag(inv)))
    partial = -inv / np.outer(d, d)
    off = ~np.eye(k, dtype=bool)
    r2 = (corr[off] ** 2).sum()
    p2 = (partial[off] ** 2).sum()
    return float(r2 / (r2 + p2))


def diagnose(m: Moments, ids: list[str], extra_warnings: list[str]) -> dict:
    """Diagnostics row for one component from the moments of its observed scores."""
    k = m.k
    warnings = list(extra_warnings)
    if k < 2:
        if not any("single indicator" in w for w in warnings):
            warnings.append("single indicator: weight 1")
        warnings.append("alpha/KMO undefined for a single indicator")
        return dict(n_indicators=k, cronbach_alpha=np.nan, kmo=np.nan, variance_explained=1.0,
                    warnings="; ".join(warnings))
    corr = m.corr
    if not np.isfinite(corr).all():
        warnings.append("correlations undefined (zero variance or indicators never observed together)")
        return dict(n_indicators=k, cronbach_alpha=np.nan, kmo=np.nan, variance_explained=np.nan,
                    warnings="; ".join(warnings))
    alpha = cronbach_alpha(m)
    k_val = kmo(corr)
    vals = np.linalg.eigvalsh(corr)
    share = float(vals[-1] / k)
    reasons = []
    if not alpha >= ALPHA_MIN:
        reasons.append(f"Cronbach's alpha {below_threshold(alpha, ALPHA_MIN)}")
    if not k_val >= KMO_MIN:
        reasons.append(f"KMO {below_threshold(k_val, KMO_MIN)}")
    if not share >= VARIANCE_MIN:
        reasons.append(f"first component explains {below_threshold(share, VARIANCE_MIN)} of the variance")
    if reasons:
        warnings.append("incoherent component: " + ", ".join(reasons))
    return dict(n_indicators=k, cronbach_alpha=alpha, kmo=k_val, variance_explained=share,
                warnings="; ".join(warnings))
