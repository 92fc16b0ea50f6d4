"""compute_index: the whole method, from long indicator values to published scores.

Steps (each in its own module): build the area x year x indicator array (panel.py),
transform and score against the goalposts (transforms.py), impute (impute.py), weight
(weights.py), diagnose (diagnostics.py), aggregate (aggregate.py), rank and difference
(ranking.py). No randomness, no per-area Python loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .aggregate import AGGREGATIONS, mean_of, weighted_sum
from .diagnostics import diagnose
from .errors import IndexInputError
from .framework import WEIGHTINGS, Framework
from .impute import IMPUTATIONS, impute, regression_stats
from .panel import Panel, build_panel
from .result import IndexResult
from .stats import Moments
from .transforms import apply_transform, score
from .weights import ComponentWeights, equal_weights, fixed_weights, pca_weights

PCA_DATA = ("observed", "imputed")


@dataclass(frozen=True)
class IndexOptions:
    """How to run the method.

    aggregation: 'arithmetic' (SPI) or 'power_mean' (order ``power``; EU regional SPI) for
      dimensions and the index; components are always the weighted sum.
    imputation: 'interpolate_then_regression' (default), 'interpolate' or 'regression'.
    max_missing_share: a component (area, year) with a larger share of its indicators not
      observed that year gets no score; so does a whole area-year with a larger share of
      all indicators missing.
    max_missing_component_share: the component rule's own limit, when it differs (None:
      max_missing_share). 1.0 scores a component whose indicators are all held from the
      area's own other years (a snapshot source before its date), as the Social Progress
      Imperative does; the area-year rule still applies.
    weighting_override: None, a weighting name applied to every component, or an explicit
      {indicator_id: weight} mapping (weights of each component renormalised to 1; a
      component not fully covered by the mapping keeps the framework's weighting).
    weight_level: area_level whose rows estimate PCA weights and imputation regressions
      (None = all rows, all levels).
    pca_data: 'observed' (pairwise-complete correlations of the observed scores; the
      default, so imputed values never shape the weights) or 'imputed'.
    """

    aggregation: str = "arithmetic"
    power: float = 0.5
    imputation: str = "interpolate_then_regression"
    max_missing_share: float = 0.5
    max_missing_component_share: float | None = None
    weighting_override: str | Mapping[str, float] | None = None
    weight_level: str | None = None
    pca_data: str = "observed"

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {self.aggregation!r}")
        if self.imputation not in IMPUTATIONS:
            raise ValueError(f"imputation must be one of {IMPUTATIONS}, got {self.imputation!r}")
        if not 0.0 <= self.max_missing_share <= 1.0:
            raise ValueError(f"max_missing_share must be within [0, 1], got {self.max_missing_share}")
        c = self.max_missing_component_share
        if c is not None and not 0.0 <= c <= 1.0:
            raise ValueError(f"max_missing_component_share must be within [0, 1], got {c}")
        if not (np.isfinite(self.power) and self.power >= 0):
            raise ValueError(f"power must be a finite number >= 0 (0 = geometric mean), got {self.power}")
        if isinstance(self.weighting_override, str) and self.weighting_override not in WEIGHTINGS:
            raise ValueError(f"weighting_override must be one of {WEIGHTINGS} or a mapping")
        if self.pca_data not in PCA_DATA:
            raise ValueError(f"pca_data must be one of {PCA_DATA}, got {self.pca_data!r}")


def transform_and_score(panel: Panel, framework: Framework) -> np.ndarray:
    """0-100 scores (area, year, indicator); NaN where the value is missing."""
    fw, fb = framework.goalposts()
    out = np.empty(panel.raw.shape, dtype=np.float64)
    for i, s in enumerate(framework.indicators):
        fx = apply_transform(s.transform, panel.raw[:, :, i], s.transform_param)
        out[:, :, i] = score(fx, fw[i], fb[i])
    return out


def component_columns(framework: Framework) -> list[np.ndarray]:
    pos = {s.id: i for i, s in enumerate(framework.indicators)}
    return [np.array([pos[s.id] for s in framework.indicators_of(c)]) for c in framework.components]


def component_weights(framework: Framework, options: IndexOptions, comp: str, moments: Moments,
                      by_year: list[np.ndarray] | None) -> ComponentWeights:
    """Weights of one component; ``moments`` of the scores the PCA is estimated on."""
    specs = framework.indicators_of(comp)
    ids = [s.id for s in specs]
    override = options.weighting_override
    if isinstance(override, Mapping) and all(i in override for i in ids):
        cw = fixed_weights([float(override[i]) for i in ids], ids, comp)
        cw.method = "override"
        return cw
    how = override if isinstance(override, str) else framework.weighting_of(comp)
    if how == "equal":
        return equal_weights(len(ids))
    if how == "fixed":
        return fixed_weights([s.weight for s in specs], ids, comp)
    return pca_weights(moments, ids, comp, by_year)


def pooled(basis: np.ndarray, cols: np.ndarray, pool: np.ndarray | None) -> np.ndarray:
    """(area, year, k) scores of one component over the pooled areas."""
    x = basis[:, :, cols]
    return x if pool is None else x[pool]


def missing_rules(observed: np.ndarray, present: np.ndarray, cols_of: list[np.ndarray],
                  max_share: float, component_share: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(area_ok (area, year), comp_ok (area, year, component)): which area-years and
    components have little enough missing data (observed that year) to be scored."""
    component_share = max_share if component_share is None else component_share
    area_ok = (1.0 - observed.mean(axis=2) <= max_share) & present
    comp_ok = np.stack([area_ok & (1.0 - observed[:, :, cols].mean(axis=2) <= component_share) for cols in cols_of],
                       axis=2)
    return area_ok, comp_ok


def aggregate_all(filled: np.ndarray, cols_of: list[np.ndarray], weights: list[np.ndarray], comp_ok: np.ndarray,
                  framework: Framework, aggregation: str, power: float):
    """(component (a, y, k), dimension (a, y, d), index (a, y)) from filled indicator scores."""
    comp = np.stack([weighted_sum(filled, cols, w) for cols, w in zip(cols_of, weights)], axis=2)
    comp[~comp_ok] = np.nan
    idx = {c: k for k, c in enumerate(framework.components)}
    dims = np.stack([mean_of(comp[:, :, [idx[c] for c in framework.components_of(d)]], aggregation, power)
                     for d in framework.dimensions], axis=2)
    return comp, dims, mean_of(dims, aggregation, power)


def compute_index(values: pd.DataFrame, framework: Framework, options: IndexOptions = IndexOptions()) -> IndexResult:
    """Score every area and year in ``values`` (long: area_code, area_level, year,
    indicator_id, value) on ``framework``. See IndexResult for the outputs."""
    if not isinstance(framework, Framework):
        raise TypeError("framework must be a Framework")
    panel = build_panel(values, framework)
    return run_method(panel, framework, options, transform_and_score(panel, framework), inplace=True)


def pool_mask(panel: Panel, options: IndexOptions) -> np.ndarray | None:
    if options.weight_level is None:
        return None
    mask = panel.area_levels == options.weight_level
    if mask.all():
        return None
    if not mask.any():
        raise IndexInputError(f"weight_level {options.weight_level!r}: no areas of that level in the input "
                              f"(levels present: {panel.levels})")
    return mask


def run_method(panel: Panel, framework: Framework, options: IndexOptions, scores: np.ndarray,
               filled: tuple[np.ndarray, np.ndarray] | None = None,
               weights: list[ComponentWeights] | None = None, inplace: bool = False) -> IndexResult:
    """Everything after scoring. ``filled``/``weights`` let the sensitivity analysis reuse an
    imputation or pass perturbed weights; ``inplace`` lets ``scores`` be overwritten
    (weights and diagnostics on observed values are computed before it is filled)."""
    comps = framework.components
    cols_of = component_columns(framework)
    ids_of = [[framework.indicators[i].id for i in cols] for cols in cols_of]
    pool = pool_mask(panel, options)
    observed = ~np.isnan(scores)
    present = panel.present

    def weigh(basis: np.ndarray, moments: list[Moments | None]) -> list[ComponentWeights]:
        out = []
        for c, cols, m in zip(comps, cols_of, moments):
            x3 = pooled(basis, cols, pool)
            if m is None:
                m = Moments(x3.reshape(-1, len(cols)))
            by_year = [x3[:, y, :] for y in range(x3.shape[1])] if x3.shape[1] > 1 else None
            out.append(component_weights(framework, options, c, m, by_year))
        return out

    diag_rows = []
    if filled is None or weights is None:
        obs_x = [pooled(scores, cols, pool).reshape(-1, len(cols)) for cols in cols_of]
        obs_m = [Moments(x) for x in obs_x]
        if weights is None and options.pca_data == "observed":
            weights = weigh(scores, obs_m)
        if filled is None:
            for c, ids, m, cw in zip(comps, ids_of, obs_m, weights or [None] * len(comps)):
                diag_rows.append({"component": c} | diagnose(m, ids, cw.warnings if cw else []))
            stats = [regression_stats(x, m) if len(x.T) > 1 else None for x, m in zip(obs_x, obs_m)]
            del obs_x
            filled = impute(scores, panel.years, cols_of, options.imputation, pool, inplace=inplace, stats=stats)
        if weights is None:
            weights = weigh(filled[0], [None] * len(comps))
            for row, cw in zip(diag_rows, weights):
                row["warnings"] = "; ".join(w for w in [*cw.warnings, row["warnings"]] if w)
    s_filled, method = filled
    own = s_filled is scores and inplace

    # ---- missing-data rules: too much missing -> no score ------------------------------
    area_ok, comp_ok = missing_rules(observed, present, cols_of, options.max_missing_share,
                                     options.max_missing_component_share)
    comp_scores, dim_scores, index = aggregate_all(s_filled, cols_of, [cw.weights for cw in weights], comp_ok,
                                                   framework, options.aggregation, options.power)
    comp_reason = np.where(~comp_ok, 1, np.where(np.isnan(comp_scores), 2, 0)).astype(np.int8)
    keep_ind = np.zeros(scores.shape, dtype=bool)                   # indicator scores that get published
    for k, cols in enumerate(cols_of):
        keep_ind[:, :, cols] = comp_ok[:, :, k, None] | observed[:, :, cols]
    keep_ind &= present[:, :, None]
    if own:        # publish in place: the filled array becomes the indicator scores
        ind_scores = s_filled
        ind_scores[~keep_ind] = np.nan
    else:
        ind_scores = np.where(keep_ind, s_filled, np.nan)
    imputed = (method > 0) & keep_ind & ~np.isnan(ind_scores)
    del keep_ind

    return IndexResult(
        panel=panel, framework=framework, options=options, raw=panel.raw, indicator=ind_scores,
        imputed=imputed, method=np.where(imputed, method, 0).astype(np.int8), component=comp_scores,
        component_reason=comp_reason, dimension=dim_scores, index=index, area_ok=area_ok,
        weight_list=weights, diagnostic_rows=diag_rows)
