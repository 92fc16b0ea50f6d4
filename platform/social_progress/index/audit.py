"""The audit of the index: is each component one thing, what does each indicator really
weigh, and how much do the ranks owe to the method's choices?

Composite-indicator practice (the JRC's COINr audit, the OECD/JRC Handbook) expects every
published index to show, besides the scores: the correlations within and across its
components, each component's Cronbach's alpha, KMO and the variance its first principal
component explains, the nominal and the *effective* weights, and a sensitivity analysis
over the method's choices with rank intervals. This module computes them, numpy/pandas
only; `compute_index_tables` adds its tables to the warehouse's, the Dagster asset turns
`audit_failures` into a blocking check, and the release writes them to `audit/`.

The data audited. Everything is estimated on the rows the weights are estimated on: the
weight level (LSOA 2011) and weight years (all index years), pooled. The statistics of a component use the
scores its weights are estimated on (`IndexOptions.pca_data`): the observed 0-100 scores
(`observed`: pairwise-complete, imputed values left out), or the scores after imputation
(`imputed`: the published indicator scores, imputed values included; area-years whose
component has too little data to be scored are left out). A deployment scored with the
common London weights is audited on its own pooled LSOAs (the London-wide run audits the
data those weights come from).

Statistics per component (`component_statistics`): number of indicators, Cronbach's alpha
(on covariances, as `diagnostics.py`), KMO, the share of variance of the first principal
component of the correlation matrix, its smallest loading (loadings = eigenvector x
sqrt(eigenvalue), signed so they sum positive), the weighting used (and whether it fell
back to equal weights) and the largest absolute correlation between two of its indicators.

Effective weights (`effective_weights`). The index is linear in the indicator scores under
the arithmetic aggregation: I = sum_i c_i s_i with c_i = w_i / (components in the
dimension) / (dimensions), w_i the weight within the component (the *nominal* weight).
An indicator's effective weight is its share of the variance of the aggregate:

    e_i = c_i Cov(s_i, I) / Var(I) = c_i (S c)_i / (c' S c),    sum_i e_i = 1,

with S the covariance matrix of the (imputed) scores the index is computed from. For
independent indicators of equal variance e_i = c_i^2 / sum c_j^2; for perfectly correlated
indicators of equal variance e_i = c_i / sum c_j. An indicator that correlates negatively
with the rest can have a negative effective weight. The same formula with the component
score in place of the index gives the effective weight within the component. Under the
power mean the index is not linear: the effective weights are those of its arithmetic
counterpart (first-order).

Sensitivity over the method's choices (`scenario_ranks`): the index recomputed under each
named scenario of `SCENARIOS` (a set of `IndexOptions` fields), each area's rank per year,
and a summary of the spread (`sensitivity_summary`): min, median and max rank across the
scenarios, the largest move from the published rank, and the Monte Carlo 5th-95th
percentile interval of `sensitivity.py` beside it. A scenario whose options the engine
does not have (yet) is left out, so the list can name variants before they exist. A scenario
whose own weights cannot be estimated (no imputation can leave two snapshot indicators never
observed together) runs with the published weights held (`published_weights`). Anchoring to
the borough (`anchored_scenario`, index.anchoring on the published scores, weighted by the
`resident_population` indicator) moves no rank within one borough, so the summary also gives
each area's largest score shift.

The audit thresholds (`AuditThresholds`, `catalogue/areas.yml` `index.audit`): at least 3
indicators, alpha >= 0.7 (0.6 where the component has a written justification,
`audit_justification` in an indicator's YAML), KMO >= 0.5, every first-component loading
positive (so no component falls back to equal weights), no two indicators of a component
correlated above 0.9 in absolute value (redundant). `audit_failures` names the component
and the statistic of every breach, e.g. "Shelter: Cronbach's alpha 0.5997 < 0.600".
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from .diagnostics import cronbach_alpha, kmo
from .engine import IndexOptions, weight_rows
from .framework import Framework
from .ranking import rank_within_levels
from .stats import Moments

#: floating-point slack when comparing a statistic with its threshold (KMO of two
#: indicators is 0.5 in exact arithmetic, 0.49999999999999994 in floating point)
TOLERANCE = 1e-9

#: the justification column of marts.indicator_metadata (from each indicator's YAML)
JUSTIFICATION_COLUMN = "audit_justification"

#: Scenarios of the sensitivity analysis: (name, IndexOptions fields changed from the
#: published options). A scenario is run only when IndexOptions has those fields and
#: accepts the values (`available_scenarios`): variants being added to the engine join the
#: audit as soon as they exist. "published" is the published result itself.
SCENARIOS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("published", {}),
    ("equal weights", {"weighting_override": "equal"}),
    ("imputation: interpolate only", {"imputation": "interpolate"}),
    ("imputation: regression only", {"imputation": "regression"}),
    ("imputation: available mean", {"imputation": "available_mean"}),
    ("aggregation: power mean 0.5", {"aggregation": "power_mean", "power": 0.5}),
    ("goalposts: component-level", {"goalposts": "component"}),
    # anchoring is a step on the published score tables, not an IndexOptions field:
    # `anchored_scenario` adds it when the sub-areas' populations are known
)

#: the anchoring scenario's name (index.anchoring.anchor_to_parents on the published index)
ANCHORED = "anchored to borough"

SUMMARY_COLUMNS = ["rank", "rank_min", "rank_median", "rank_max", "max_rank_shift", "max_score_shift", "n_scenarios",
                   "mc_rank_p05",
                   "mc_rank_p95"]
COMPONENT_COLUMNS = ["component", "dimension", "n_indicators", "n_rows", "basis", "cronbach_alpha", "kmo",
                     "variance_explained", "min_loading", "min_loading_indicator", "weighting", "fallback",
                     "max_abs_correlation", "max_correlation_a", "max_correlation_b"]


@dataclass(frozen=True)
class AuditThresholds:
    """What every component must meet (areas.yml `index.audit` overrides any of them)."""
    min_indicators: int = 3
    alpha: float = 0.7
    alpha_justified: float = 0.6
    kmo: float = 0.5
    max_correlation: float = 0.9

    @classmethod
    def of(cls, config: Any | None) -> "AuditThresholds":
        """Thresholds from any object with (some of) these attributes; the defaults otherwise."""
        if config is None or isinstance(config, cls):
            return config or cls()
        return cls(**{f.name: getattr(config, f.name) for f in dataclasses.fields(cls)
                      if getattr(config, f.name, None) is not None})


# ------------------------------------------------------------------------------- the data

@dataclass
class AuditData:
    """The pooled rows of the weight level (all years) of one index result."""
    framework: Framework
    basis_name: str                  # "observed" or "imputed"
    basis: np.ndarray                # (rows, indicators): the scores the weights are estimated on
    filled: np.ndarray               # (rows, indicators): the scores the index is computed from
    components: np.ndarray           # (rows, components): the component scores
    cols_of: list[np.ndarray]        # indicator columns of each component
    weights: list[np.ndarray]        # nominal weights within each component
    methods: list[str]               # weighting method of each component


def audit_data(result, options: IndexOptions | None = None, basis: str | None = None) -> AuditData:
    """The audited rows of an `IndexResult` (see the module docstring). ``basis``: 'observed'
    or 'imputed' (default: the options' pca_data, i.e. what the weights were estimated on)."""
    options = options or result.options
    basis = basis or getattr(options, "pca_data", "observed")
    if basis not in ("observed", "imputed"):
        raise ValueError(f"basis must be 'observed' or 'imputed', got {basis!r}")
    fw = result.framework
    keep = weight_rows_mask(result.panel, options)
    ind = result.indicator[keep]                               # (rows, indicators)
    observed = np.where(result.imputed[keep], np.nan, ind)
    pos = {s.id: i for i, s in enumerate(fw.indicators)}
    cols_of = [np.array([pos[s.id] for s in fw.indicators_of(c)]) for c in fw.components]
    return AuditData(framework=fw, basis_name=basis, basis=observed if basis == "observed" else ind, filled=ind,
                     components=result.component[keep], cols_of=cols_of,
                     weights=[np.asarray(cw.weights, dtype=np.float64) for cw in result.weight_list],
                     methods=[str(cw.method) for cw in result.weight_list])


def weight_rows_mask(panel, options: IndexOptions) -> np.ndarray:
    """(area, year) mask of the rows the weights are estimated on (weight_level and, where
    the engine has it, weight_years), among the area-years present."""
    area, year = weight_rows(panel, options)
    mask = panel.present.copy()
    if area is not None:
        mask &= area[:, None]
    if year is not None:
        mask &= year[None, :]
    return mask


# ------------------------------------------------------------------------- the statistics

def first_component(corr: np.ndarray) -> tuple[float, np.ndarray]:
    """(share of variance of the first principal component, its loadings) of a
    correlation matrix; loadings signed so they sum positive."""
    vals, vecs = np.linalg.eigh(corr)
    v = vecs[:, -1]
    if v.sum() < 0:
        v = -v
    lam = max(float(vals[-1]), 0.0)
    return lam / corr.shape[0], v * np.sqrt(lam)


def statistics_of(x: np.ndarray, ids: list[str]) -> dict[str, Any]:
    """Coherence statistics of one component from its pooled scores ``x`` (rows, k) with NaN."""
    k = x.shape[1]
    out: dict[str, Any] = dict(n_indicators=k, n_rows=int((~np.isnan(x)).any(axis=1).sum()),
                               cronbach_alpha=np.nan, kmo=np.nan, variance_explained=np.nan, min_loading=np.nan,
                               min_loading_indicator="", max_abs_correlation=np.nan, max_correlation_a="",
                               max_correlation_b="")
    if k < 2:
        out.update(variance_explained=1.0, min_loading=1.0, min_loading_indicator=ids[0] if ids else "")
        return out
    m = Moments(x)
    corr = m.corr
    off = np.abs(np.where(np.eye(k, dtype=bool), np.nan, corr))
    if np.isfinite(off).any():
        i, j = np.unravel_index(np.nanargmax(off), off.shape)
        i, j = sorted((int(i), int(j)))
        out.update(max_abs_correlation=float(off[i, j]), max_correlation_a=ids[i], max_correlation_b=ids[j])
    if np.isfinite(corr).all():
        share, loadings = first_component(corr)
        j = int(np.argmin(loadings))
        out.update(cronbach_alpha=cronbach_alpha(m), kmo=kmo(corr), variance_explained=share,
                   min_loading=float(loadings[j]), min_loading_indicator=ids[j])
    return out


def component_statistics(data: AuditData, weighting: Mapping[str, str] | None = None,
                         fallback: Iterable[str] = ()) -> pd.DataFrame:
    """One row per component (COMPONENT_COLUMNS). ``weighting``: the label of the weighting
    used per component (index_diagnostics.weighting; default: the engine's method);
    ``fallback``: the components that fell back to equal weights."""
    fw = data.framework
    fallback = set(fallback)
    rows = []
    for c, cols, method in zip(fw.components, data.cols_of, data.methods):
        ids = [fw.indicators[i].id for i in cols]
        rows.append({"component": c, "dimension": fw.dimension_of(c), "basis": data.basis_name,
                     "weighting": str((weighting or {}).get(c, method)), "fallback": c in fallback}
                    | statistics_of(data.basis[:, cols], ids))
    return pd.DataFrame(rows, columns=COMPONENT_COLUMNS)


def correlation_table(data: AuditData) -> pd.DataFrame:
    """Every pair of indicators (within and across components) and of components (within
    and across dimensions), once each (a before b in framework order): level, a, b,
    group_a, group_b (the component of an indicator, the dimension of a component),
    within (same group), correlation (pairwise complete) and n (rows observed together)."""
    fw = data.framework
    parts = []
    for level, x, names, groups in (
            ("indicator", data.basis, fw.indicator_ids, [s.component for s in fw.indicators]),
            ("component", data.components, list(fw.components), [fw.dimension_of(c) for c in fw.components])):
        if x.shape[1] < 2:
            continue
        m = Moments(x)
        corr, n = m.corr, m.n                      # NaN where a pair is never observed together
        i, j = np.triu_indices(len(names), k=1)
        g = np.asarray(groups, dtype=object)
        parts.append(pd.DataFrame({"level": level, "a": np.asarray(names, dtype=object)[i],
                                   "b": np.asarray(names, dtype=object)[j], "group_a": g[i], "group_b": g[j],
                                   "within": g[i] == g[j], "correlation": corr[i, j], "n": n[i, j].astype(np.int64)}))
    cols = ["level", "a", "b", "group_a", "group_b", "within", "correlation", "n"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def effective_shares(cov: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each term's share of the variance of sum_i w_i x_i: w_i (S w)_i / (w' S w); sums to 1.
    NaN when the variance is undefined or zero."""
    w = np.asarray(weights, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    sw = cov @ w
    total = float(w @ sw)
    if not (np.isfinite(total) and total > 0):
        return np.full(len(w), np.nan)
    return w * sw / total


def _covariance(x: np.ndarray) -> np.ndarray:
    """Covariance of the complete rows (the rows that make an aggregate), pairwise-complete
    when fewer than three rows are complete."""
    complete = ~np.isnan(x).any(axis=1)
    if complete.sum() >= 3:
        return np.cov(x[complete], rowvar=False).reshape(x.shape[1], x.shape[1])
    return Moments(x).cov


def index_weights(framework: Framework, weights: list[np.ndarray]) -> np.ndarray:
    """Each indicator's nominal weight in the (arithmetic) index: its weight within the
    component / components of its dimension / dimensions."""
    out = np.zeros(len(framework.indicators))
    pos = {s.id: i for i, s in enumerate(framework.indicators)}
    n_dims = len(framework.dimensions)
    for c, w in zip(framework.components, weights):
        n_comp = len(framework.components_of(framework.dimension_of(c)))
        for s, wi in zip(framework.indicators_of(c), w):
            out[pos[s.id]] = wi / n_comp / n_dims
    return out


def effective_weights(data: AuditData) -> pd.DataFrame:
    """component, dimension, indicator_id, weight (nominal, within the component),
    effective_weight (share of the component's variance), index_weight (nominal, in the
    index), index_effective_weight (share of the index's variance); see the module docstring."""
    fw = data.framework
    c_all = index_weights(fw, data.weights)
    e_all = effective_shares(_covariance(data.filled), c_all)
    rows = []
    for c, cols, w in zip(fw.components, data.cols_of, data.weights):
        e_c = effective_shares(_covariance(data.filled[:, cols]), w)
        for k, i in enumerate(cols):
            rows.append({"component": c, "dimension": fw.dimension_of(c), "indicator_id": fw.indicators[i].id,
                         "weight": float(w[k]), "effective_weight": float(e_c[k]), "index_weight": float(c_all[i]),
                         "index_effective_weight": float(e_all[i])})
    return pd.DataFrame(rows, columns=["component", "dimension", "indicator_id", "weight", "effective_weight",
                                       "index_weight", "index_effective_weight"])


# ------------------------------------------------------------------------------ the gate

def justifications_from(metadata: pd.DataFrame) -> dict[str, str]:
    """{component: written justification} from marts.indicator_metadata: the non-empty
    `audit_justification` of any of the component's index indicators (distinct texts joined
    with " / "); {} when the column is absent."""
    if metadata is None or JUSTIFICATION_COLUMN not in metadata.columns:
        return {}
    m = metadata
    if "in_index" in m.columns:
        m = m[m["in_index"].fillna(False).astype(bool)]
    out: dict[str, list[str]] = {}
    for comp, text in zip(m["component"], m[JUSTIFICATION_COLUMN]):
        if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
            continue
        t = " ".join(str(text).split())
        if t and t.lower() not in ("none", "nan", "null") and t not in out.setdefault(str(comp), []):
            out[str(comp)].append(t)
    return {c: " / ".join(v) for c, v in out.items() if v}


def _shown(value: float, threshold: float, below: bool) -> str:
    """``value`` with 3 decimals, or as many more as it takes for the printed value to be on
    the failing side of the printed threshold (0.5997 against 0.600, never 0.600 < 0.600)."""
    t = round(threshold, 3)
    for d in range(3, 13):
        s = f"{value:.{d}f}"
        if (float(s) < t) if below else (float(s) > t):
            return s
    return repr(float(value))


def audit_failures(stats: pd.DataFrame | Iterable[Mapping[str, Any]], thresholds: Any = None,
                   justifications: Mapping[str, str] | None = None) -> list[str]:
    """One message per breach, naming the component and the statistic, in component order.

    ``stats``: component_statistics rows; ``thresholds``: AuditThresholds (or any object
    with its fields, e.g. the areas.yml model); ``justifications``: {component: text}: a
    component with one needs alpha >= alpha_justified instead of alpha."""
    th = AuditThresholds.of(thresholds)
    justified = justifications or {}
    rows = stats.to_dict(orient="records") if isinstance(stats, pd.DataFrame) else list(stats)
    out = []
    for r in rows:
        c = r["component"]
        k = int(r["n_indicators"])
        if k < th.min_indicators:
            out.append(f"{c}: number of indicators {k} < {th.min_indicators}")
        if k >= 2:
            has_reason = bool(str(justified.get(c) or "").strip())
            a_min = th.alpha_justified if has_reason else th.alpha
            why = " (the minimum with a written justification)" if has_reason else ""
            alpha = _float(r.get("cronbach_alpha"))
            if np.isnan(alpha):
                out.append(f"{c}: Cronbach's alpha cannot be computed (correlations undefined), "
                           f"at least {a_min:.3f} required{why}")
            elif alpha < a_min - TOLERANCE:
                out.append(f"{c}: Cronbach's alpha {_shown(alpha, a_min, True)} < {a_min:.3f}{why}")
            k_val = _float(r.get("kmo"))
            if np.isnan(k_val):
                out.append(f"{c}: KMO cannot be computed (correlations undefined), at least {th.kmo:.3f} required")
            elif k_val < th.kmo - TOLERANCE:
                out.append(f"{c}: KMO {_shown(k_val, th.kmo, True)} < {th.kmo:.3f}")
        loading = _float(r.get("min_loading"))
        if not np.isnan(loading) and loading <= 0:
            out.append(f"{c}: first-component loading of {r.get('min_loading_indicator')} "
                       f"{_shown(loading, 0.0, True) if loading < 0 else '0.000'} <= 0.000 (it does not share the "
                       "component's direction: principal-component weights fall back to equal weights)")
        elif bool(r.get("fallback")):
            out.append(f"{c}: weighting fell back to equal weights ({r.get('weighting')})")
        corr = _float(r.get("max_abs_correlation"))
        if not np.isnan(corr) and corr > th.max_correlation + TOLERANCE:
            out.append(f"{c}: absolute correlation of {r.get('max_correlation_a')} and {r.get('max_correlation_b')} "
                       f"{_shown(corr, th.max_correlation, False)} > {th.max_correlation:.3f} (redundant indicators)")
    return out


def _float(x: Any) -> float:
    try:
        return float(x) if x is not None and x is not pd.NA else float("nan")
    except (TypeError, ValueError):
        return float("nan")


# ------------------------------------------------------------------------ the sensitivity

def available_scenarios(options: IndexOptions,
                        scenarios: Iterable[tuple[str, Mapping[str, Any]]] = SCENARIOS) -> list[tuple[str, dict]]:
    """The scenarios the engine can run now: every field they set exists on IndexOptions and
    takes the value (checked by building the options)."""
    names = {f.name for f in dataclasses.fields(IndexOptions)}
    out = []
    for name, kw in scenarios:
        if not set(kw) <= names:
            continue
        try:
            dataclasses.replace(options, **kw)
        except (ValueError, TypeError):
            continue
        out.append((name, dict(kw)))
    return out


def _ranks(result) -> tuple[np.ndarray, np.ndarray]:
    """(index score, rank within level and year) over the area-years present."""
    present = result.panel.present
    idx = np.where(present, result.index, np.nan)
    return idx, rank_within_levels(idx, result.panel.level_bounds)


def scenario_ranks(values: pd.DataFrame, framework: Framework, options: IndexOptions, published=None,
                   scenarios: Iterable[tuple[str, Mapping[str, Any]]] | None = None,
                   log: Callable[[str], object] = print) -> pd.DataFrame:
    """scenario, area_code, area_level, year, score, rank: the index of every area-year under
    each available scenario (the published options changed as the scenario says; a
    component whose first principal component loads negatively falls back to equal weights,
    as in the published run). ``published``: the published IndexResult (not recomputed)."""
    from .fallback import compute_index_with_fallback

    chosen = available_scenarios(options, SCENARIOS if scenarios is None else scenarios)
    frames = []
    for name, kw in chosen:
        if not kw and published is not None:
            res = published
        else:
            changed = dataclasses.replace(options, **kw)
            try:
                _, res, _ = compute_index_with_fallback(values, framework, changed, log=lambda m: None)
            except Exception as exc:  # noqa: BLE001 - a scenario that cannot run is reported, not fatal
                held = published_weights(framework, published) if published is not None else None
                try:
                    if held is None:
                        raise exc
                    _, res, _ = compute_index_with_fallback(values, held, changed, log=lambda m: None)
                    log(f"audit scenario {name!r}: its own weights could not be estimated ({exc}); "
                        "the published weights are held")
                except Exception as exc2:  # noqa: BLE001
                    log(f"audit scenario {name!r} could not run: {exc2}")
                    continue
        score, rank = _ranks(res)
        p = res.panel
        a, y = np.nonzero(p.present)
        frames.append(pd.DataFrame({"scenario": name, "area_code": p.area_codes[a].astype(str),
                                    "area_level": p.area_levels[a].astype(str), "year": p.years[y].astype(np.int64),
                                    "score": score[a, y], "rank": rank[a, y]}))
        del res
    cols = ["scenario", "area_code", "area_level", "year", "score", "rank"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def populations_by_year(population: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """boundary, area_code, year, population for every area and each of ``years``: the
    area's population of that year, else of its nearest year (the latest before on a tie),
    since mid-year estimates do not cover every index year."""
    pop = population.dropna(subset=["population"])
    pop = pop[pop["population"] > 0]
    rows = []
    for (boundary, code), g in pop.groupby(["boundary", "area_code"], sort=False):
        have = g["year"].to_numpy(dtype=np.int64)
        val = g["population"].to_numpy(dtype=np.float64)
        for y in years:
            d = np.abs(have - int(y)) * 2 + (have > int(y))        # nearest; earlier first on a tie
            rows.append((boundary, code, int(y), float(val[int(np.argmin(d))])))
    return pd.DataFrame(rows, columns=["boundary", "area_code", "year", "population"])


def anchored_scenario(scores: pd.DataFrame, population: pd.DataFrame | None, parent_boundary: str = "lad",
                      log: Callable[[str], object] = print) -> pd.DataFrame:
    """The ANCHORED scenario: every sub-area's index anchored to its borough's own index
    (index.anchoring.anchor_to_parents: score + borough score - population-weighted mean of
    the borough's sub-areas of that boundary), ranked within its boundary and year; the
    borough keeps its score. ``scores``: the published scores (boundary, area_code, year,
    measure_type, measure, score); ``population``: boundary, area_code, year, population.

    Within one borough anchoring moves every sub-area of a boundary by the same amount in a
    year, so no rank moves: the scenario shows how far the scores move instead (max score
    shift in the summary). Empty (and logged) without one parent area or populations."""
    from .anchoring import anchor_to_parents

    cols = ["scenario", "area_code", "boundary", "year", "score", "rank"]
    idx = scores[scores["measure_type"].astype(str) == "index"]
    parents = idx.loc[idx["boundary"] == parent_boundary, "area_code"].unique()
    if len(parents) != 1 or population is None or population.empty:
        log(f"audit scenario {ANCHORED!r} not run: it needs one {parent_boundary} area and the sub-areas' populations")
        return pd.DataFrame(columns=cols)
    subs = idx[idx["boundary"] != parent_boundary].rename(columns={"boundary": "area_level"})
    pop = populations_by_year(population, sorted(idx["year"].unique())).rename(columns={"boundary": "area_level"})
    missing = set(map(tuple, subs[["area_level", "area_code"]].drop_duplicates().to_numpy())) - \
        set(map(tuple, pop[["area_level", "area_code"]].drop_duplicates().to_numpy()))
    if missing:
        log(f"audit scenario {ANCHORED!r} not run: no population for {len(missing)} area(s), e.g. {sorted(missing)[0]}")
        return pd.DataFrame(columns=cols)
    anchored = anchor_to_parents(subs[["area_level", "area_code", "year", "measure_type", "measure", "score"]],
                                 pop.assign(parent_code=parents[0]),
                                 idx[idx["boundary"] == parent_boundary], measure_types=("index",))
    anchored = anchored.rename(columns={"area_level": "boundary"})
    anchored["rank"] = anchored.groupby(["boundary", "year"])["score"].rank(method="min", ascending=False)
    own = idx[idx["boundary"] == parent_boundary].assign(rank=1.0)
    out = pd.concat([own[["area_code", "boundary", "year", "score", "rank"]],
                     anchored[["area_code", "boundary", "year", "score", "rank"]]], ignore_index=True)
    return out.assign(scenario=ANCHORED)[cols]


def published_weights(framework: Framework, published) -> Framework | None:
    """The framework with every component weighted ``fixed`` at the published result's
    weights: a scenario that changes the missing-data rule, say, may leave two snapshot
    indicators never observed together, so its own principal components are undefined;
    it then varies its own choice with the published weights held. None when a component's
    published weights are not all positive (fixed weights must be)."""
    got = {(str(r.component), str(r.indicator_id)): float(r.weight) for r in published.weights.itertuples()}
    specs = [dataclasses.replace(s, weight=got.get((s.component, s.id))) for s in framework.indicators]
    if any(s.weight is None or not s.weight > 0 for s in specs):
        return None
    return Framework(specs, weighting=framework.weighting,
                     component_weighting={c: "fixed" for c in framework.components},
                     goalpost_scale=framework.goalpost_scale)


def sensitivity_summary(ranks: pd.DataFrame, uncertainty: pd.DataFrame | None = None,
                        level_column: str = "area_level") -> pd.DataFrame:
    """Per area and year: the published rank, min / median / max rank over the scenarios,
    the largest move from the published rank (and score), the number of scenarios, and (from the Monte
    Carlo table, same key columns) its 5th and 95th percentile ranks."""
    key = [level_column, "area_code", "year"]
    wide = ranks.set_index(key + ["scenario"])["rank"].astype(np.float64).unstack("scenario")
    r = wide.to_numpy(dtype=np.float64)
    sw = ranks.set_index(key + ["scenario"])["score"].astype(np.float64).unstack("scenario")[wide.columns]
    sc = sw.to_numpy(dtype=np.float64)
    pub_score = (sw["published"].to_numpy(dtype=np.float64) if "published" in sw.columns
                 else np.full(len(sw), np.nan))
    pub = (wide["published"].to_numpy(dtype=np.float64) if "published" in wide.columns
           else np.full(len(wide), np.nan))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)         # all-NaN rows: an area never ranked
        out = wide.index.to_frame(index=False).assign(
            rank=pub, rank_min=np.nanmin(r, axis=1), rank_median=np.nanmedian(r, axis=1), rank_max=np.nanmax(r, axis=1),
            max_rank_shift=np.nanmax(np.abs(r - pub[:, None]), axis=1),
            max_score_shift=np.nanmax(np.abs(sc - pub_score[:, None]), axis=1), n_scenarios=(~np.isnan(r)).sum(axis=1))
    if uncertainty is not None and not uncertainty.empty:
        mc = uncertainty[key + ["rank_p05", "rank_p95"]].rename(columns={"rank_p05": "mc_rank_p05",
                                                                      "rank_p95": "mc_rank_p95"})
        out = out.merge(mc, on=key, how="left")
    else:
        out = out.assign(mc_rank_p05=np.nan, mc_rank_p95=np.nan)
    return out.sort_values(key, ignore_index=True)


# ----------------------------------------------------------------------------- everything

def audit_tables(values: pd.DataFrame, framework: Framework, options: IndexOptions, result, *,
                 config: Any = None, metadata: pd.DataFrame | None = None,
                 weighting: Mapping[str, str] | None = None, fallback: Iterable[str] = (),
                 uncertainty: pd.DataFrame | None = None, areas: pd.DataFrame | None = None,
                 population: pd.DataFrame | None = None,
                 log: Callable[[str], object] = print) -> dict[str, pd.DataFrame]:
    """The audit's warehouse tables for one published index run (``values``, ``framework``,
    ``options`` and its ``result``, as compute_index_tables ran it):

    * index_audit_components: component_statistics + justification, alpha_threshold,
      failures ("; "-joined audit_failures messages), passed, mode (block / warn);
    * index_audit_correlations: correlation_table;
    * index_audit_weights: effective_weights;
    * index_audit_sensitivity: scenario_ranks (with area names when ``areas`` is given);
    * index_audit_sensitivity_summary: sensitivity_summary (with the Monte Carlo interval
      of ``uncertainty``, index_uncertainty).

    ``config``: thresholds, ``mode`` and ``scenarios`` (False: no sensitivity scenarios).
    ``population`` (boundary, area_code, year, population): adds the ANCHORED scenario."""
    th = AuditThresholds.of(config)
    data = audit_data(result, options)
    stats = component_statistics(data, weighting, fallback)
    reasons = justifications_from(metadata) if metadata is not None else {}
    messages = {c: [m for m in audit_failures(stats[stats["component"] == c], th, reasons)]
                for c in stats["component"]}
    stats["justification"] = stats["component"].map(lambda c: reasons.get(c, ""))
    stats["alpha_threshold"] = stats["component"].map(lambda c: th.alpha_justified if reasons.get(c) else th.alpha)
    stats["failures"] = stats["component"].map(lambda c: "; ".join(messages[c]))
    stats["passed"] = stats["failures"].eq("")
    stats["mode"] = str(getattr(config, "mode", "block") or "block")
    failures = [m for c in stats["component"] for m in messages[c]]
    for m in failures:
        log(f"audit: {m}")
    tables = {"index_audit_components": stats, "index_audit_correlations": correlation_table(data),
              "index_audit_weights": effective_weights(data)}
    if getattr(config, "scenarios", True):
        chosen = available_scenarios(options)
        log(f"audit: sensitivity over {len(chosen)} scenarios of the method ({', '.join(n for n, _ in chosen)})")
        ranks = scenario_ranks(values, framework, options, published=result, scenarios=chosen, log=log)
        ranks = ranks.rename(columns={"area_level": "boundary"})
        anchored = anchored_scenario(result.scores.rename(columns={"area_level": "boundary"}), population, log=log)
        if not anchored.empty:
            ranks = pd.concat([ranks, anchored[ranks.columns]], ignore_index=True)
        unc = uncertainty
        summary = sensitivity_summary(ranks, unc if unc is not None and "boundary" in unc.columns else None,
                                      level_column="boundary")
        if areas is not None:
            ranks, summary = _named(ranks, areas, first="scenario"), _named(summary, areas)
        tables["index_audit_sensitivity"] = ranks.sort_values(["scenario", "boundary", "area_code", "year"],
                                                              ignore_index=True)
        tables["index_audit_sensitivity_summary"] = summary
    else:   # empty, so the warehouse keeps no stale scenarios (the release says they are off)
        lead = ["area_code", "area_name", "area_level", "boundary", "year"]
        tables["index_audit_sensitivity"] = pd.DataFrame(columns=["scenario", *lead, "score", "rank"])
        tables["index_audit_sensitivity_summary"] = pd.DataFrame(columns=[*lead, *SUMMARY_COLUMNS])
    return tables


def _named(frame: pd.DataFrame, areas: pd.DataFrame, first: str | None = None) -> pd.DataFrame:
    """``frame`` (boundary, area_code, ...) as area_code, area_name, area_level, boundary, ...
    (``first`` kept as the first column)."""
    from .tables import with_areas

    lead = ["area_code", "boundary"]
    out = with_areas(frame[lead + [c for c in frame.columns if c not in lead and c != first]], areas)
    return out if first is None else pd.concat([frame[[first]].reset_index(drop=True), out.reset_index(drop=True)],
                                               axis=1)


def audit_messages(components: pd.DataFrame | None) -> list[str]:
    """The failure messages stored in an index_audit_components table, in order."""
    if components is None or components.empty or "failures" not in components.columns:
        return []
    return [m for text in components["failures"].fillna("") for m in str(text).split("; ") if m]
