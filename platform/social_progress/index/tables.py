"""The warehouse's index tables, from the stacked indicator values, their metadata and the areas.

Why here and not in the orchestration layer: which years are scored, how each
indicator's latest value is carried into an index year, that every area of a scored
boundary takes part (even with no data), and where each number came from are all part
of the method. The Dagster asset only reads the three inputs, calls
`compute_index_tables` and writes the tables it returns.

Inputs (warehouse column names):

* values: indicator_id, area_code, area_level, boundary, year, value, period (+ others);
* metadata: indicator_id, name, dimension, component, direction, worst, best, transform, in_index;
* areas: area_code, area_name, area_level, boundary;
* index config: any object with first_year, last_year, max_carry_forward_years,
  weighting, min_indicator_coverage, sensitivity_runs (`social_progress.borough.IndexYears`);
  with an `audit` (thresholds, mode, scenarios) the audit tables too (index/audit.py).
"""
from __future__ import annotations

from typing import Callable, Protocol

import pandas as pd

from .engine import IndexOptions
from .fallback import compute_index_with_fallback
from .framework import Framework
from .london_weights import CommonWeights, with_common_weights
from .sensitivity import sensitivity_analysis
from .years import carry_forward, supported_years

#: boundary whose rows estimate the PCA weights and the imputation regressions
WEIGHT_LEVEL = "lsoa11"


class IndexYearsConfig(Protocol):
    first_year: int
    last_year: int
    max_carry_forward_years: int
    weighting: str
    min_indicator_coverage: float
    sensitivity_runs: int


def load_framework(metadata: pd.DataFrame, weighting: str, component_weighting: dict[str, str] | None = None) -> Framework:
    """The framework of the indicators the metadata marks `in_index`, in metadata order."""
    records = [dict(id=r.indicator_id, name=r.name, dimension=r.dimension, component=r.component, direction=r.direction,
                    worst=float(r.worst), best=float(r.best), transform=r.transform or "none")
               for r in metadata[metadata["in_index"]].itertuples()]
    return Framework.from_records(records, weighting=weighting, component_weighting=component_weighting)


def carry_limits(metadata: pd.DataFrame) -> dict[str, int]:
    """Indicators whose YAML sets their own `max_carry_forward_years` (a Census measure: ten
    years, until the next Census), overriding index.max_carry_forward_years."""
    if "max_carry_forward_years" not in metadata.columns:
        return {}
    own = metadata[pd.to_numeric(metadata["max_carry_forward_years"], errors="coerce").notna()]
    return {r.indicator_id: int(float(r.max_carry_forward_years)) for r in own.itertuples()}


def framework_exclusions(metadata: pd.DataFrame) -> dict[str, str]:
    """Indicators left out of this borough's framework because a source does not cover it
    (indicator_metadata.covered false), with the reason: reported, never zero-filled."""
    if "covered" not in metadata.columns:
        return {}
    out = metadata[metadata["covered"].eq(False)]
    return {r.indicator_id: str(r.coverage_note) for r in out.itertuples()}


def index_panel(values: pd.DataFrame, indicator_ids: list[str], index: IndexYearsConfig,
                max_age_of: dict[str, int] | None = None) -> tuple[pd.DataFrame, list[int]]:
    """(carried values of the supported years, those years): each indicator's latest value on
    or before each candidate year (within max_carry_forward_years, or the indicator's own limit
    in `max_age_of`), keeping the years in which at least min_indicator_coverage of the
    indicators have a value for the borough."""
    values = values[values["indicator_id"].isin(indicator_ids)]
    candidates = list(range(index.first_year, index.last_year + 1))
    carried = carry_forward(values, candidates, index.max_carry_forward_years, max_age_of)
    years = supported_years(carried, indicator_ids, candidates, min_coverage=index.min_indicator_coverage)
    if not years:
        raise ValueError(f"no year in {index.first_year}-{index.last_year} has at least {index.min_indicator_coverage:.0%} "
                         f"of the index indicators for the borough (indicators: {', '.join(indicator_ids)})")
    return carried[carried["index_year"].isin(years)], years


def engine_input(panel: pd.DataFrame, scored_areas: pd.DataFrame, years: list[int], indicator_ids: list[str]) -> pd.DataFrame:
    """The engine's long input over every (area, year, indicator) of the scored areas: an area
    with no data at all takes part (and is reported unscored rather than silently missing)."""
    engine_in = pd.DataFrame({"area_code": panel["area_code"], "area_level": panel["boundary"], "year": panel["index_year"],
                              "indicator_id": panel["indicator_id"], "value": panel["value"]})
    frame = scored_areas[["area_code", "boundary"]].merge(pd.DataFrame({"year": years}), how="cross").merge(
        pd.DataFrame({"indicator_id": indicator_ids}), how="cross").rename(columns={"boundary": "area_level"})
    return frame.merge(engine_in, on=["area_code", "area_level", "year", "indicator_id"], how="left")


def compute_index_tables(values: pd.DataFrame, metadata: pd.DataFrame, areas: pd.DataFrame, index_years_config: IndexYearsConfig,
                         log: Callable[[str], object] = print,
                         common_weights: CommonWeights | None = None,
                         declared_gaps: dict[str, str] | None = None,
                         borough_estimated: frozenset[str] = frozenset()) -> dict[str, pd.DataFrame]:
    """The index for every area and supported year, as tables for the warehouse.

    Every boundary the indicators are reported on is scored (LSOA 2011, and 2021 where
    the indicators provide it, both ward sets, the borough); ranks are within a boundary
    and year. Weights and imputation regressions are estimated on LSOA 2011 rows.

    Returns index_scores, index_weights, index_diagnostics, index_exclusions, index_years,
    index_areas, when sensitivity_runs > 0, index_uncertainty and, when the config has an
    `audit`, the index_audit_* tables (social_progress.index.audit.audit_tables); text
    columns are plain strings (no categoricals).

    `common_weights` (index.weighting london): every component is weighted with the common
    London weights instead of weights estimated on this deployment's areas.

    `declared_gaps` ({borough code: reason}, a London-wide run): boroughs a source of the
    index declares it does not cover. Their areas the engine could not score leave
    index_scores and are listed in index_exclusions with that reason (elsewhere an unscored
    area stays, and the release's checks stop it).

    `borough_estimated`: indicators of this borough alone (its council systems); a component
    holding one is weighted by principal components estimated on this borough's own LSOAs
    and years, since London has no weight for them.
    """
    index = index_years_config
    framework = load_framework(metadata, "pca" if index.weighting == "london" else index.weighting)
    no_common: dict[str, list[str]] | None = None
    if common_weights is not None:
        framework, no_common = with_common_weights(framework, common_weights, borough_estimated)
        for comp, ids_missing in no_common.items():
            how = ("principal components on this borough's own LSOAs and years"
                   if framework.weighting_of(comp) == "pca" else "equal weights")
            log(f"{comp}: no common London weight for {', '.join(ids_missing) or 'its indicators'}; {how} used")
    ids = framework.indicator_ids
    panel, years = index_panel(values, ids, index, carry_limits(metadata))
    scored = areas[areas["boundary"].isin(panel["boundary"].unique())]
    engine_in = engine_input(panel, scored, years, ids)
    options = IndexOptions(weight_level=WEIGHT_LEVEL,
                           max_missing_component_share=getattr(index, "max_missing_component_share", None),
                           pca_data=getattr(index, "pca_data", "observed"))
    framework, result, fallback = compute_index_with_fallback(engine_in, framework, options, log)
    scores = with_areas(result.scores.rename(columns={"area_level": "boundary"}), areas)
    exclusions = result.exclusions
    if declared_gaps:
        scores, exclusions = _leave_out_declared_gaps(scores, exclusions, areas, declared_gaps, log)
    provenance = panel[["indicator_id", "boundary", "area_code", "index_year", "value", "data_year", "period"]].rename(
        columns={"indicator_id": "measure", "index_year": "year"})
    scores = scores.merge(provenance.assign(measure_type="indicator"), on=["measure_type", "measure", "boundary", "area_code", "year"], how="left")
    order = ["boundary", "area_code", "year", "measure_type", "measure"]
    tables = {"index_scores": scores.sort_values(order, ignore_index=True),
              "index_weights": result.weights if no_common is None
              else result.weights.assign(method=result.weights["method"].astype(str).replace({"fixed": "london"})),
              "index_diagnostics": note_fallback(result.diagnostics, fallback) if no_common is None
              else note_common(result.diagnostics, no_common,
                               {i.component for i in framework.indicators if i.id in borough_estimated}, fallback),
              "index_exclusions": exclusions,
              "index_years": pd.DataFrame({"year": years}),
              "index_areas": scored[["boundary", "area_code", "area_name", "area_level"]].sort_values(["boundary", "area_code"], ignore_index=True)}
    if index.sensitivity_runs:
        log(f"sensitivity analysis: {index.sensitivity_runs} Monte Carlo runs over weights, aggregation and imputation")
        unc = sensitivity_analysis(engine_in, framework, options, n_runs=index.sensitivity_runs, seed=0)
        tables["index_uncertainty"] = with_areas(unc.rename(columns={"area_level": "boundary"}), areas).sort_values(
            ["boundary", "area_code", "year"], ignore_index=True)
    if getattr(index, "audit", None) is not None:   # index.audit (areas.yml): the audit tables (index/audit.py)
        from .audit import audit_tables

        diag = tables["index_diagnostics"]
        tables.update(audit_tables(engine_in, framework, options, result, config=index.audit, metadata=metadata,
                                   weighting=dict(zip(diag["component"], diag["weighting"])), fallback=fallback,
                                   uncertainty=tables.get("index_uncertainty"), areas=areas,
                                   population=population_of(values), log=log))
    return {k: plain_columns(v) for k, v in tables.items()}


def _leave_out_declared_gaps(scores: pd.DataFrame, exclusions: pd.DataFrame, areas: pd.DataFrame,
                             gaps: dict[str, str], log) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas of a declared gap with no index score: their unscored rows out of the scores,
    into the exclusions with the reason."""
    lad = areas.set_index(["boundary", "area_code"])["lad_code"]
    key = pd.MultiIndex.from_frame(scores[["boundary", "area_code"]])
    in_gap = lad.reindex(key).isin(list(gaps)).to_numpy()
    idx = scores[(scores["measure_type"] == "index")]
    unscored = idx[idx["score"].isna() & in_gap[idx.index]][["boundary", "area_code"]].drop_duplicates()
    if unscored.empty:
        return scores, exclusions
    # their rows without a score leave; what could be scored (e.g. a component whose sources
    # do cover them) stays, ranked with the rest
    gone_rows = key.isin(pd.MultiIndex.from_frame(unscored)) & scores["score"].isna().to_numpy()
    out = scores[~gone_rows]
    gone = scores[gone_rows & (scores["measure_type"] == "index").to_numpy()]
    codes = lad.reindex(pd.MultiIndex.from_frame(gone[["boundary", "area_code"]])).to_numpy()
    extra = pd.DataFrame({"area_level": gone["boundary"].to_numpy(), "area_code": gone["area_code"].to_numpy(),
                          "year": gone["year"].to_numpy(), "measure_type": "index", "measure": gone["measure"].to_numpy(),
                          "reason": [f"not scored: {gaps[c]}" for c in codes]})
    for code in sorted(set(codes)):
        log(f"{code}: {int((codes == code).sum())} area-years not scored ({gaps[code]})")
    return out.reset_index(drop=True), pd.concat([exclusions, extra], ignore_index=True)


def note_common(diagnostics: pd.DataFrame, no_common: dict[str, list[str]], own: set[str] = frozenset(),
                fallback: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Diagnostics of a run scored with the common London weights: a `weighting` column
    saying so, or naming the indicators without a London weight: equal weights, or (`own`,
    components holding the borough's council indicators) principal components estimated on
    the borough's own LSOAs and years, unless they fell back to equal weights."""
    fallback = fallback or {}
    d = diagnostics.copy()
    d["component"] = d["component"].astype(str)

    def how(c: str) -> str:
        if c in own and c not in fallback:
            return "pca (borough's own LSOAs and years: council indicators)"
        if c in own:
            return "equal (principal components not estimable, or a negative loading, on the borough's own data)"
        return "equal (no common London weight)" if c in no_common else "london"

    d["weighting"] = d["component"].map(how)
    note = d["component"].map(lambda c: f"no common London weight for {', '.join(no_common[c])}; "
                              f"{'weights estimated on this borough' if c in own and c not in fallback else 'equal weights used'}"
                              if no_common.get(c) else "")
    d["warnings"] = [("; ".join(x for x in (str(w or ""), n) if x)) for w, n in zip(d["warnings"], note)]
    return d


def note_fallback(diagnostics: pd.DataFrame, fallback: dict[str, list[str]]) -> pd.DataFrame:
    """Diagnostics with a `weighting` column and a warning for each component that fell back
    to equal weights. (Components that did not fall back are labelled "pca", whatever the
    configured weighting: the published tables have always said so.)"""
    d = diagnostics.copy()
    d["component"] = d["component"].astype(str)
    d["weighting"] = d["component"].map(lambda c: "equal (negative PCA loading)" if c in fallback else "pca")
    note = d["component"].map(lambda c: f"negative loading: {', '.join(fallback[c])}; equal weights used" if c in fallback else "")
    d["warnings"] = [("; ".join(x for x in (str(w or ""), n) if x)) for w, n in zip(d["warnings"], note)]
    return d


def with_areas(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """`frame` (boundary, area_code, ...) with area_name and area_level inserted after its first column."""
    frame = frame.copy()
    frame["boundary"] = frame["boundary"].astype(str)
    frame["area_code"] = frame["area_code"].astype(str)
    level_of = areas.drop_duplicates("boundary").set_index("boundary")["area_level"]
    names = areas.drop_duplicates(["boundary", "area_code"]).set_index(["boundary", "area_code"])["area_name"]
    frame.insert(1, "area_level", frame["boundary"].map(level_of))
    # one vectorised look-up (a London-wide run has millions of rows)
    key = pd.MultiIndex.from_arrays([frame["boundary"], frame["area_code"]])
    frame.insert(1, "area_name", names.reindex(key).to_numpy(dtype=object))
    return frame


#: the indicator whose values weight the anchoring scenario of the audit (mid-year estimates)
POPULATION_INDICATOR = "resident_population"


def population_of(values: pd.DataFrame) -> pd.DataFrame | None:
    """boundary, area_code, year, population from the indicator values (None without them)."""
    p = values[values["indicator_id"] == POPULATION_INDICATOR]
    if p.empty or "boundary" not in p.columns:
        return None
    return p[["boundary", "area_code", "year", "value"]].rename(columns={"value": "population"})


def plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals to text, so DuckDB stores plain VARCHAR columns."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str)
    return frame
