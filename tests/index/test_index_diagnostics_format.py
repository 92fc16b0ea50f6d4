"""How the coherence warnings print a statistic against its threshold.

Three decimals for both; a value below the threshold never prints equal to it (0.5997 against
0.6 reads "0.5997 < 0.600", not "0.600 < 0.600" nor the old "0.60 < 0.6"). The variance
explained is a share with three decimals, not a percentage.
"""

from __future__ import annotations

import numpy as np
import pytest

from social_progress.index.diagnostics import ALPHA_MIN, KMO_MIN, VARIANCE_MIN, below_threshold, diagnose
from social_progress.index.stats import Moments


@pytest.mark.parametrize("value, threshold, text", [
    (0.385, 0.4, "0.385 < 0.400"),             # three decimals, threshold too
    (0.5997, 0.6, "0.5997 < 0.600"),           # rounds to the threshold at 3 -> 4 decimals
    (0.59996, 0.6, "0.59996 < 0.600"),         # ... and at 4 -> 5
    (0.49995, 0.5, "0.49995 < 0.500"),         # round-half at 4 decimals is still "0.5000"
    (0.5994, 0.6, "0.599 < 0.600"),            # already differs at 3 decimals: stays at 3
    (0.12, 0.6, "0.120 < 0.600"),
    (-0.25, 0.6, "-0.250 < 0.600"),            # alpha can be negative
    (0.6 - 2 ** -53, 0.6, "0.5999999999999999 < 0.600"),   # one ulp below: still not "0.600"
])
def test_below_threshold_text(value, threshold, text):
    assert below_threshold(value, threshold) == text


@pytest.mark.parametrize("threshold", [ALPHA_MIN, KMO_MIN, VARIANCE_MIN])
def test_value_below_threshold_never_prints_as_threshold(threshold):
    rng = np.random.default_rng(0)
    below = np.concatenate([threshold - 10.0 ** -rng.uniform(3, 15, 2000), threshold - rng.uniform(0, 0.01, 2000)])
    for v in below[below < threshold]:
        shown, limit = below_threshold(v, threshold).split(" < ")
        assert limit == f"{threshold:.3f}"
        assert float(shown) < threshold, (v, shown)
        assert len(shown.split(".")[1]) >= 3


def _equicorrelated(k: int, r: float, n: int = 200) -> np.ndarray:
    """(n, k) scores whose sample correlations are all exactly ``r`` and variances equal."""
    rng = np.random.default_rng(1)
    q = rng.normal(size=(n, k + 1))
    q = q - q.mean(axis=0)                    # centred columns ...
    q, _ = np.linalg.qr(q)                    # ... orthonormal again (still centred)
    return 50.0 + 10.0 * (np.sqrt(r) * q[:, [0]] + np.sqrt(1 - r) * q[:, 1:])


def test_alpha_just_below_threshold_in_diagnostics():
    # k equicorrelated indicators: alpha = k r / (1 + (k - 1) r); aim at 0.5997
    k, alpha = 3, 0.5997
    r = alpha / (k - (k - 1) * alpha)
    row = diagnose(Moments(_equicorrelated(k, r)), ["a", "b", "c"], [])
    assert row["cronbach_alpha"] == pytest.approx(alpha, abs=1e-9)
    assert row["warnings"] == "incoherent component: Cronbach's alpha 0.5997 < 0.600"


def test_variance_share_just_below_threshold_in_diagnostics():
    # k equicorrelated indicators: first eigenvalue / k = (1 + (k - 1) r) / k; aim at 0.3996
    k, share = 5, 0.3996
    r = (k * share - 1) / (k - 1)
    row = diagnose(Moments(_equicorrelated(k, r)), list("abcde"), [])
    assert row["variance_explained"] == pytest.approx(share, abs=1e-9)
    assert row["cronbach_alpha"] > ALPHA_MIN and row["kmo"] > KMO_MIN
    assert row["warnings"] == "incoherent component: first component explains 0.3996 < 0.400 of the variance"


def test_kmo_just_below_threshold_in_diagnostics(monkeypatch):
    # equicorrelated indicators have KMO >= 0.5, so move the threshold just above this KMO
    x = _equicorrelated(3, 0.5)
    base = diagnose(Moments(x), ["a", "b", "c"], [])
    assert base["warnings"] == ""
    kmo = base["kmo"]
    limit = kmo + 1e-5
    assert f"{limit:.3f}" == f"{kmo:.3f}"                  # the 3-decimal texts would read equal
    monkeypatch.setattr("social_progress.index.diagnostics.KMO_MIN", limit)
    text = diagnose(Moments(x), ["a", "b", "c"], [])["warnings"]
    assert text.startswith("incoherent component: KMO ") and text.endswith(f" < {limit:.3f}")
    shown = text.split("KMO ")[1].split(" < ")[0]
    assert float(shown) < limit and shown != f"{limit:.3f}" and len(shown.split(".")[1]) > 3
    assert abs(float(shown) - kmo) < 1e-4
