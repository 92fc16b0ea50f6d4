"""compute_index: the whole method, from long indicator values to published scores.

Steps (each in its own module): build the area x year x indicator array (panel.py),
transform and score against the goalposts (transforms.py), impute (impute.py), weight
(weights.py), diagnose (diagnostics.py), aggregate (aggregate.py), rank and difference
(ranking.py). No randomness, no per-area Python loops.

Method variants are options (README "Method variants"): missing-data rules that fill
nothing, component-level goalposts (the classic SPI) and separate rows for the weights
and the imputation regressions. The defaults are the published SPI method.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np
import pandas as pd

from .aggregate import AGGREGATIONS, mean_of, standardised_component, weighted_available_mean, weighted_sum
from .diagnostics import diagnose
from .errors import IndexInputError
from .framework import WEIGHTINGS, Framework
from .impute import IMPUTATION_OPTIONS, impute, regression_stats
from .panel import Panel, build_panel, row_selection
from .result import IndexResult
from .stats import Moments
from .transforms import apply_transform, bound, score
from .weights import ComponentWeights, equal_weights, fixed_weights, pca_weights

PCA_DATA = ("observed", "imputed")
GOALPOSTS = ("indicator", "component")
#: IndexOptions.imputation_level default: the imputation regressions use weight_level's rows
SAME_AS_WEIGHT_LEVEL = "same_as_weight_level"
Rows = tuple  # (area mask | None, year mask | None), see panel.row_selection


def _years(value, name: str) -> tuple[int, ...] | None:
    """A years option as a sorted tuple of ints (None = all years)."""
    if value is None:
        return None
    items = [value] if isinstance(value, (int, np.integer)) else list(value)
    if not items:
        raise IndexInputError(f"{name} is empty (None means all years)")
    out = []
    for y in items:
        if isinstance(y, (bool, np.bool_)) or not isinstance(y, (int, np.integer, float, np.floating)) \
                or not float(y).is_integer():
            raise IndexInputError(f"{name}: {y!r} is not a year")
        out.append(int(y))
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class IndexOptions:
    """How to run the method.

    aggregation: 'arithmetic' (SPI) or 'power_mean' (order ``power``; EU regional SPI) for
      dimensions and the index; components are the weighted sum (but see goalposts and
      'available_mean').
    imputation: 'interpolate_then_regression' (default), 'interpolate' or 'regression';
      or a rule that fills nothing: 'none' (a component is scored only when all its
      indicators are observed; max_missing_component_share has no effect) or
      'available_mean' (weighted mean of the indicators present, weights renormalised,
      when the missing share is within max_missing_component_share).
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
    weight_level: area_level whose rows estimate PCA weights and (unless imputation_level
      says otherwise) imputation regressions (None = all rows, all levels).
    pca_data: 'observed' (pairwise-complete correlations of the observed scores; the
      default, so imputed values never shape the weights) or 'imputed'.
    goalposts: 'indicator' (each indicator scored 0-100 on its goalposts, component =
      weighted sum; default) or 'component' (classic SPI: z-scores, weighted sum, rescaled
      between the component's dystopia and utopia; aggregate.standardised_component).
    weight_years: years whose rows estimate the weights (and standardise the indicators
      under component goalposts); None = all years.
    imputation_level: area_level whose rows fit the imputation regressions; default
      SAME_AS_WEIGHT_LEVEL (weight_level's), None = all levels.
    imputation_years: years whose rows fit the imputation regressions; None = all years
      (not weight_years: each choice is separate).
    """

    aggregation: str = "arithmetic"
    power: float = 0.5
    imputation: str = "interpolate_then_regression"
    max_missing_share: float = 0.5
    max_missing_component_share: float | None = None
    weighting_override: str | Mapping[str, float] | None = None
    weight_level: str | None = None
    pca_data: str = "observed"
    goalposts: str = "indicator"
    weight_years: tuple[int, ...] | None = None
    imputation_level: str | None = SAME_AS_WEIGHT_LEVEL
    imputation_years: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {self.aggregation!r}")
        if self.imputation not in IMPUTATION_OPTIONS:
            raise ValueError(f"imputation must be one of {IMPUTATION_OPTIONS}, got {self.imputation!r}")
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
        if self.goalposts not in GOALPOSTS:
            raise ValueError(f"goalposts must be one of {GOALPOSTS}, got {self.goalposts!r}")
        for name in ("weight_level", "imputation_level"):
            level = getattr(self, name)
            if level is not None and not isinstance(level, str):
                raise IndexInputError(f"{name} must be an area_level (text) or None, got {level!r}")
        for name in ("weight_years", "imputation_years"):
            object.__setattr__(self, name, _years(getattr(self, name), name))

    @property
    def imputation_rows_level(self) -> str | None:
        """The area_level the imputation regressions are fitted on (None = all)."""
        return self.weight_level if self.imputation_level == SAME_AS_WEIGHT_LEVEL else self.imputation_level


def transform_and_score(panel: Panel, framework: Framework, clip: bool = True) -> np.ndarray:
    """0-100 scores (area, year, indicator); NaN where the value is missing. Raw values are
    held within the indicator's floor/ceiling first. ``clip=False``: unclipped goalpost
    scores (component goalposts)."""
    fw, fb = framework.goalposts()
    out = np.empty(panel.raw.shape, dtype=np.float64)
    for i, s in enumerate(framework.indicators):
        fx = apply_transform(s.transform, bound(panel.raw[:, :, i], s.floor, s.ceiling), s.transform_param)
        out[:, :, i] = score(fx, fw[i], fb[i], clip=clip)
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


def pooled(basis: np.ndarray, cols: np.ndarray, rows: Rows) -> np.ndarray:
    """(area, year, k) scores of one component over the pooled areas and years."""
    area, year = rows
    x = basis[:, :, cols]
    x = x if area is None else x[area]
    return x if year is None else x[:, year]


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
                  framework: Framework, aggregation: str, power: float, available: bool = False,
                  comp: np.ndarray | None = None):
    """(component (a, y, k), dimension (a, y, d), index (a, y)) from filled indicator scores
    (``comp``: component scores already computed, e.g. under component goalposts).
    ``available``: the weighted mean of the indicators present (available_mean)."""
    one = weighted_available_mean if available else weighted_sum
    if comp is None:
        comp = np.stack([one(filled, cols, w) for cols, w in zip(cols_of, weights)], axis=2)
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
    clip = options.goalposts == "indicator"
    return run_method(panel, framework, options, transform_and_score(panel, framework, clip=clip), inplace=True,
                      scores_clipped=clip)


def weight_rows(panel: Panel, options: IndexOptions) -> Rows:
    """Rows estimating the weights (and standardising under component goalposts)."""
    return row_selection(panel, options.weight_level, options.weight_years, "weight_level", "weight_years")


def imputation_rows(panel: Panel, options: IndexOptions) -> Rows:
    """Rows fitting the imputation regressions."""
    same = options.imputation_level == SAME_AS_WEIGHT_LEVEL
    return row_selection(panel, options.imputation_rows_level, options.imputation_years,
                         "weight_level" if same else "imputation_level", "imputation_years")


def as_mask(rows: Rows, panel: Panel) -> np.ndarray | None:
    """Rows as impute() takes them: None (all), an area mask, or an (area, year) mask."""
    area, year = rows
    if year is None:
        return area
    a = np.ones(len(panel.area_codes), dtype=bool) if area is None else area
    return a[:, None] & year[None, :]


def pool_mask(panel: Panel, options: IndexOptions) -> np.ndarray | None:
    """The rows whose observed values fit the imputation regressions (as impute() takes them)."""
    weight_rows(panel, options)           # an unknown weight_level / year is reported first
    return as_mask(imputation_rows(panel, options), panel)


def _same_rows(a: Rows, b: Rows) -> bool:
    return all((x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
               for x, y in zip(a, b))


def z_weights(cw: ComponentWeights) -> np.ndarray:
    """Weights on the standardised indicators under component goalposts: the first
    principal component's (non-negative) loadings normalised to 1 for PCA, else the
    component's equal / fixed / override weights as they are."""
    if cw.method != "pca":
        return cw.weights
    v = np.where(cw.loadings < 0, 0.0, cw.loadings)
    return v / v.sum()


def standardised(framework: Framework, cols_of, weights: list[ComponentWeights], moments: list[Moments],
                 filled: np.ndarray, available: bool) -> tuple[np.ndarray, list[ComponentWeights]]:
    """Component goalposts: (component scores (a, y, k), the weights with each one's
    equivalent weight on the 0-100 score, wz_i / sd_i renormalised, for the tables)."""
    comps, out_w = [], []
    for c, cols, cw, m in zip(framework.components, cols_of, weights, moments):
        sd = m.sd
        for i, s in zip(cols, sd):
            if not s > 0:
                raise IndexInputError(f"indicator {framework.indicators[i].id!r}: zero variance (or under 2 observed "
                                      f"values) in the rows that standardise it for component goalposts "
                                      f"(component {c!r})")
        wz = z_weights(cw)
        comps.append(standardised_component(filled, cols, wz, m.mean, sd, available))
        e = wz / sd
        out_w.append(replace(cw, weights=e / e.sum()))
    return np.stack(comps, axis=2), out_w


def run_method(panel: Panel, framework: Framework, options: IndexOptions, scores: np.ndarray,
               filled: tuple[np.ndarray, np.ndarray] | None = None,
               weights: list[ComponentWeights] | None = None, inplace: bool = False,
               scores_clipped: bool = True) -> IndexResult:
    """Everything after scoring. ``filled``/``weights`` let the sensitivity analysis reuse an
    imputation or pass perturbed weights; ``inplace`` lets ``scores`` be overwritten
    (weights and diagnostics on observed values are computed before it is filled).
    Component goalposts need unclipped scores: clipped ones (``scores_clipped``) are redone."""
    classic = options.goalposts == "component"
    if classic and scores_clipped and filled is None:
        scores, inplace = transform_and_score(panel, framework, clip=False), True
    available = options.imputation == "available_mean"
    comps = framework.components
    cols_of = component_columns(framework)
    ids_of = [[framework.indicators[i].id for i in cols] for cols in cols_of]
    pool = weight_rows(panel, options)
    irows = imputation_rows(panel, options)
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
    obs_m = None
    if filled is None or weights is None:
        obs_x = [pooled(scores, cols, pool).reshape(-1, len(cols)) for cols in cols_of]
        obs_m = [Moments(x) for x in obs_x]
        if weights is None and options.pca_data == "observed":
            weights = weigh(scores, obs_m)
        if filled is None:
            for c, ids, m, cw in zip(comps, ids_of, obs_m, weights or [None] * len(comps)):
                diag_rows.append({"component": c} | diagnose(m, ids, cw.warnings if cw else []))
            stats = None
            if options.imputation in ("interpolate_then_regression", "regression"):
                if not _same_rows(pool, irows):       # the regressions have rows of their own
                    obs_x = [pooled(scores, cols, irows).reshape(-1, len(cols)) for cols in cols_of]
                    reg_m = [Moments(x) for x in obs_x]
                else:
                    reg_m = obs_m
                stats = [regression_stats(x, m) if len(x.T) > 1 else None for x, m in zip(obs_x, reg_m)]
            del obs_x
            filled = impute(scores, panel.years, cols_of, options.imputation, as_mask(irows, panel),
                            inplace=inplace, stats=stats)
        if weights is None:
            weights = weigh(filled[0], [None] * len(comps))
            for row, cw in zip(diag_rows, weights):
                row["warnings"] = "; ".join(w for w in [*cw.warnings, row["warnings"]] if w)
    s_filled, method = filled
    own = s_filled is scores and inplace

    # ---- missing-data rules: too much missing -> no score ------------------------------
    area_ok, comp_ok = missing_rules(observed, present, cols_of, options.max_missing_share,
                                     0.0 if options.imputation == "none" else options.max_missing_component_share)
    if available:         # at least one indicator with a positive weight must be present
        for k, (cols, cw) in enumerate(zip(cols_of, weights)):
            comp_ok[:, :, k] &= (observed[:, :, cols] & (cw.weights > 0)).any(axis=2)
    comp_scores = None
    if classic:
        if options.pca_data == "imputed" or obs_m is None:
            basis = s_filled if options.pca_data == "imputed" else scores
            obs_m = [Moments(pooled(basis, cols, pool).reshape(-1, len(cols))) for cols in cols_of]
        comp_scores, weights = standardised(framework, cols_of, weights, obs_m, s_filled, available)
        if own:
            np.clip(s_filled, 0.0, 100.0, out=s_filled)       # published indicator scores stay 0-100
        else:
            s_filled = np.clip(s_filled, 0.0, 100.0)
    comp_scores, dim_scores, index = aggregate_all(s_filled, cols_of, [cw.weights for cw in weights], comp_ok,
                                                   framework, options.aggregation, options.power, available,
                                                   comp=comp_scores)
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
