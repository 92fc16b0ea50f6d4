"""The index audit: worked examples of alpha, KMO and effective weights on hand-computable
data, the failure messages and thresholds, the sensitivity scenarios, the tables
compute_index_tables adds, and the blocking / warning check."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from index_helpers import small_specs, small_values
from social_progress.borough import IndexAudit
from social_progress.index import Framework, IndexOptions, IndicatorSpec, compute_index
from social_progress.index.audit import (AuditThresholds, anchored_scenario, populations_by_year, published_weights, audit_data, audit_failures, audit_messages, available_scenarios,
                                         component_statistics, effective_shares, effective_weights, index_weights,
                                         justifications_from, scenario_ranks, sensitivity_summary, statistics_of)

ROOT = Path(__file__).resolve().parents[2]


def hadamard(n: int) -> np.ndarray:
    """Sylvester's Hadamard matrix: rows 1.. are orthogonal, with zero sum and equal norm."""
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def orthogonal(k: int, n: int = 16) -> np.ndarray:
    """(n, k) centred, mutually orthogonal columns of equal variance (1 with ddof=1 up to scale)."""
    return hadamard(n)[1:k + 1].T.copy()


# ----------------------------------------------------------------------- worked examples

def test_two_identical_indicators_have_alpha_one_and_correlation_one():
    x = np.random.default_rng(0).normal(50, 10, size=(40, 1))
    st = statistics_of(np.hstack([x, x]), ["a", "b"])
    assert st["cronbach_alpha"] == pytest.approx(1.0, abs=1e-12)
    assert st["max_abs_correlation"] == pytest.approx(1.0)
    assert (st["max_correlation_a"], st["max_correlation_b"]) == ("a", "b")
    assert st["variance_explained"] == pytest.approx(1.0)
    # KMO of any two indicators is exactly 1/2: the partial correlation of two is their correlation
    assert st["kmo"] == pytest.approx(0.5, abs=1e-12)


def test_alpha_is_on_covariances_so_a_rescaled_copy_gives_eight_ninths():
    """x2 = 2 x1: variances v and 4v, covariance 2v; total 9v, trace 5v, alpha = 2 (1 - 5/9)."""
    x = np.random.default_rng(1).normal(50, 10, size=(30, 1))
    st = statistics_of(np.hstack([x, 2 * x]), ["a", "b"])
    assert st["cronbach_alpha"] == pytest.approx(8 / 9, abs=1e-12)


def test_equicorrelated_indicators_worked_example():
    """x_i = common + e_i with common, e_1..e_3 orthogonal and of equal variance: every
    correlation is 1/2. Covariances 2 (diagonal) and 1: alpha = 3/2 (1 - 6/12) = 0.75; the
    first eigenvalue of the correlation matrix is 1 + 2r = 2, so it explains 2/3 and each
    loading is sqrt(2/3); the partial correlation of two given the third is r/(1+r) = 1/3,
    so KMO = 6 r^2 / (6 r^2 + 6/9) = 1.5^2 / (1.5^2 + 1)."""
    o = orthogonal(4)
    x = 50 + 5 * (o[:, [0]] + o[:, 1:4])
    st = statistics_of(x, ["a", "b", "c"])
    assert st["cronbach_alpha"] == pytest.approx(0.75, abs=1e-12)
    assert st["variance_explained"] == pytest.approx(2 / 3, abs=1e-12)
    assert st["min_loading"] == pytest.approx(np.sqrt(2 / 3), abs=1e-12)
    assert st["kmo"] == pytest.approx(2.25 / 3.25, abs=1e-12)
    assert st["max_abs_correlation"] == pytest.approx(0.5, abs=1e-12)


def test_a_single_indicator_has_no_alpha_or_kmo():
    st = statistics_of(np.arange(10.0)[:, None], ["a"])
    assert st["n_indicators"] == 1 and np.isnan(st["cronbach_alpha"]) and np.isnan(st["kmo"])


def test_indicators_never_observed_together_have_undefined_statistics():
    x = np.full((20, 3), np.nan)
    x[:10, 0] = np.arange(10)
    x[10:, 1] = np.arange(10)
    x[:, 2] = np.arange(20) % 7
    st = statistics_of(x, ["a", "b", "c"])
    assert np.isnan(st["cronbach_alpha"]) and np.isnan(st["kmo"])
    assert st["max_abs_correlation"] >= 0          # the defined pairs still report the largest one


def test_effective_weights_of_independent_equal_variance_indicators_are_normalised_squared_weights():
    x = 50 + 5 * orthogonal(3)
    cov = np.cov(x, rowvar=False)
    w = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(effective_shares(cov, w), w ** 2 / (w ** 2).sum(), atol=1e-12)   # 25/38, 9/38, 4/38


def test_effective_weights_of_perfectly_correlated_equal_variance_indicators_are_the_nominal_weights():
    x = np.random.default_rng(2).normal(size=(50, 1))
    cov = np.cov(np.hstack([x, x, x]), rowvar=False)
    w = np.array([0.6, 0.3, 0.1])
    np.testing.assert_allclose(effective_shares(cov, w), w, atol=1e-12)


def test_effective_weights_sum_to_one_and_a_contrary_indicator_weighs_less_than_nothing():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(500, 1))
    x = np.hstack([f + 0.3 * rng.normal(size=(500, 1)), f + 0.3 * rng.normal(size=(500, 1)), -f])
    e = effective_shares(np.cov(x, rowvar=False), np.array([0.4, 0.4, 0.2]))
    assert e.sum() == pytest.approx(1.0)
    assert e[2] < 0 < e[0]


def test_nominal_index_weights_divide_by_components_and_dimensions():
    specs = [IndicatorSpec(id=i, name=i, dimension=d, component=c, direction="higher_is_better", worst=0, best=100)
             for i, d, c in [("a", "D1", "C1"), ("b", "D1", "C1"), ("c", "D1", "C2"), ("d", "D2", "C3")]]
    fw = Framework(specs)
    c = index_weights(fw, [np.array([0.75, 0.25]), np.array([1.0]), np.array([1.0])])
    np.testing.assert_allclose(c, [0.75 / 4, 0.25 / 4, 1 / 4, 1 / 2])
    assert c.sum() == pytest.approx(1.0)


# ------------------------------------------------------------------------- the messages

def row(**kw):
    base = dict(component="Shelter", n_indicators=4, cronbach_alpha=0.8, kmo=0.7, min_loading=0.4,
                min_loading_indicator="damp", fallback=False, weighting="pca", max_abs_correlation=0.5,
                max_correlation_a="x", max_correlation_b="y")
    return base | kw


def test_a_component_meeting_every_threshold_has_no_failure():
    assert audit_failures([row()]) == []


def test_failure_messages_name_the_component_and_the_statistic():
    assert audit_failures([row(n_indicators=2, cronbach_alpha=0.9, kmo=0.5)]) == ["Shelter: number of indicators 2 < 3"]
    assert audit_failures([row(cronbach_alpha=0.6543)]) == ["Shelter: Cronbach's alpha 0.654 < 0.700"]
    assert audit_failures([row(kmo=0.4)]) == ["Shelter: KMO 0.400 < 0.500"]
    assert audit_failures([row(max_abs_correlation=0.95)]) == [
        "Shelter: absolute correlation of x and y 0.950 > 0.900 (redundant indicators)"]
    [loading] = audit_failures([row(min_loading=-0.12, fallback=True, weighting="equal (negative PCA loading)")])
    assert loading.startswith("Shelter: first-component loading of damp -0.120 <= 0.000")
    assert audit_failures([row(fallback=True, weighting="equal (negative PCA loading)")]) == [
        "Shelter: weighting fell back to equal weights (equal (negative PCA loading))"]
    assert audit_failures([row(cronbach_alpha=np.nan)]) == [
        "Shelter: Cronbach's alpha cannot be computed (correlations undefined), at least 0.700 required"]


def test_a_failing_value_never_prints_as_its_threshold():
    th = AuditThresholds()
    assert audit_failures([row(cronbach_alpha=0.6997)], th) == ["Shelter: Cronbach's alpha 0.6997 < 0.700"]
    assert audit_failures([row(cronbach_alpha=0.5997)], th, {"Shelter": "why"}) == [
        "Shelter: Cronbach's alpha 0.5997 < 0.600 (the minimum with a written justification)"]
    assert audit_failures([row(kmo=0.49996)]) == ["Shelter: KMO 0.49996 < 0.500"]
    assert audit_failures([row(max_abs_correlation=0.9004)]) == [
        "Shelter: absolute correlation of x and y 0.9004 > 0.900 (redundant indicators)"]
    # a value equal to its threshold passes (two indicators' KMO is 0.5 up to rounding)
    assert audit_failures([row(kmo=0.49999999999999994), row(cronbach_alpha=0.7, max_abs_correlation=0.9)]) == []


def test_a_written_justification_lowers_the_alpha_threshold_to_its_own():
    stats = [row(component="Shelter", cronbach_alpha=0.65), row(component="Safety", cronbach_alpha=0.65)]
    assert audit_failures(stats, AuditThresholds(), {"Shelter": "Housing need takes several shapes."}) == [
        "Safety: Cronbach's alpha 0.650 < 0.700"]
    assert audit_failures(stats, AuditThresholds(), {"Shelter": "   "}) == [           # blank is no justification
        "Shelter: Cronbach's alpha 0.650 < 0.700", "Safety: Cronbach's alpha 0.650 < 0.700"]
    # thresholds from any object with the fields (the areas.yml model)
    from social_progress.borough import IndexAudit
    assert audit_failures([row(kmo=0.55)], IndexAudit(kmo=0.6)) == ["Shelter: KMO 0.550 < 0.600"]


def test_justifications_come_from_the_metadata_and_its_absence_means_none():
    meta = pd.DataFrame({"indicator_id": ["a", "b", "c", "d", "e"], "component": ["S", "S", "T", "T", "U"],
                         "in_index": [True, True, True, True, False],
                         "audit_justification": [None, " Need  takes shapes. ", np.nan, "", "not in the index"]})
    assert justifications_from(meta) == {"S": "Need takes shapes."}
    assert justifications_from(meta.drop(columns="audit_justification")) == {}


def test_the_areas_yml_audit_block_is_validated():
    from pydantic import ValidationError

    from social_progress.borough import IndexAudit, load_area_config
    cfg = load_area_config(ROOT / "catalogue" / "areas.yml")
    assert cfg.index.audit.mode in ("block", "warn")
    assert IndexAudit().mode == "block" and IndexAudit().alpha == 0.7 and IndexAudit().alpha_justified == 0.6
    with pytest.raises(ValidationError):
        IndexAudit(mode="sometimes")


# --------------------------------------------------------------------- on index results

@pytest.fixture(scope="module")
def published():
    specs = small_specs()
    fw = Framework(specs)
    values = small_values(specs=specs)
    options = IndexOptions()
    return values, fw, options, compute_index(values, fw, options)


def test_statistics_on_observed_scores_match_the_engine_diagnostics(published):
    _, fw, _, res = published
    stats = component_statistics(audit_data(res))
    diag = res.diagnostics
    np.testing.assert_allclose(stats["cronbach_alpha"], diag["cronbach_alpha"], rtol=1e-12)
    np.testing.assert_allclose(stats["kmo"], diag["kmo"], rtol=1e-12)
    np.testing.assert_allclose(stats["variance_explained"], diag["variance_explained"], rtol=1e-12)
    # loadings as the weights report them (the first principal component)
    w = res.weights
    assert stats["min_loading"].tolist() == pytest.approx(w.groupby("component", sort=False)["loading"].min().tolist())
    assert list(stats["component"]) == fw.components and (stats["basis"] == "observed").all()


def test_effective_weights_table_sums_to_one_in_each_component_and_the_index(published):
    _, _, _, res = published
    e = effective_weights(audit_data(res))
    assert e.groupby("component")["effective_weight"].sum().tolist() == pytest.approx([1.0] * 4)
    assert e["index_effective_weight"].sum() == pytest.approx(1.0)
    assert e["index_weight"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(e["weight"], res.weights["weight"])


def test_scenarios_are_only_those_the_engine_has():
    opts = IndexOptions()
    names = [n for n, _ in available_scenarios(opts, [("ok", {"aggregation": "power_mean"}),
                                                      ("no such option", {"no_such_option": 1}),
                                                      ("bad value", {"imputation": "bogus"})])]
    assert names == ["ok"]
    fields = {f.name for f in dataclasses.fields(IndexOptions)}
    chosen = dict(available_scenarios(opts))
    assert {"published", "equal weights", "aggregation: power mean 0.5"} <= set(chosen)
    assert all(set(kw) <= fields for kw in chosen.values())


def test_scenario_ranks_and_their_summary(published):
    values, fw, options, res = published
    scen = [("published", {}), ("equal weights", {"weighting_override": "equal"}),
            ("aggregation: power mean 0.5", {"aggregation": "power_mean", "power": 0.5})]
    ranks = scenario_ranks(values, fw, options, published=res, scenarios=scen, log=lambda m: None)
    assert sorted(ranks["scenario"].unique()) == sorted(n for n, _ in scen)
    own = res.scores[res.scores["measure_type"] == "index"]["rank"].to_numpy()
    np.testing.assert_array_equal(ranks[ranks["scenario"] == "published"]["rank"].to_numpy(), own)
    eq = compute_index(values, fw, IndexOptions(weighting_override="equal")).scores
    np.testing.assert_array_equal(ranks[ranks["scenario"] == "equal weights"]["rank"].to_numpy(),
                                  eq[eq["measure_type"] == "index"]["rank"].to_numpy())
    s = sensitivity_summary(ranks)
    assert len(s) == len(own) and (s["n_scenarios"] == 3).all()
    assert ((s["rank_min"] <= s["rank"]) & (s["rank"] <= s["rank_max"])).all()
    assert ((s["rank_min"] <= s["rank_median"]) & (s["rank_median"] <= s["rank_max"])).all()
    wide = ranks.pivot_table(index=["area_code", "year"], columns="scenario", values="rank")
    shift = wide.sub(wide["published"], axis=0).abs().max(axis=1).to_numpy()
    np.testing.assert_array_equal(s["max_rank_shift"].to_numpy(), shift)
    assert s["max_rank_shift"].max() > 0          # the choices do move some ranks


# ---------------------------------------------------------------- compute_index_tables

@pytest.fixture(scope="module")
def warehouse_tables():
    sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
    from test_index_tables import Years, make_areas, make_metadata, make_values

    @dataclasses.dataclass(frozen=True)
    class WithAudit(Years):
        audit: IndexAudit = dataclasses.field(default_factory=IndexAudit)

    from social_progress.index import compute_index_tables
    meta = make_metadata()
    meta["audit_justification"] = np.where(meta["component"] == "Shelter", "Damp runs against crowding.", None)
    return compute_index_tables(make_values(), meta, make_areas(), WithAudit(sensitivity_runs=8), log=lambda m: None)


def test_compute_index_tables_adds_the_audit_tables(warehouse_tables):
    out = warehouse_tables
    assert {"index_audit_components", "index_audit_correlations", "index_audit_weights", "index_audit_sensitivity",
            "index_audit_sensitivity_summary"} <= set(out)
    comp = out["index_audit_components"].set_index("component")
    diag = out["index_diagnostics"].set_index("component")
    # the audit is on the weight level's observed scores, as the diagnostics
    np.testing.assert_allclose(comp["cronbach_alpha"], diag.loc[comp.index, "cronbach_alpha"], rtol=1e-10)
    assert comp.loc["Shelter", "weighting"] == "equal (negative PCA loading)" and comp.loc["Shelter", "fallback"]
    assert comp.loc["Shelter", "justification"] == "Damp runs against crowding."
    assert comp.loc["Shelter", "alpha_threshold"] == 0.6 and comp.loc["Safety", "alpha_threshold"] == 0.7
    assert (comp["mode"] == "block").all() and not comp["passed"].any()
    messages = audit_messages(out["index_audit_components"])
    assert "Safety: number of indicators 2 < 3" in messages
    assert any(m.startswith("Shelter: first-component loading of damp -") for m in messages)
    assert any(m.startswith("Shelter: Cronbach's alpha") and m.endswith("(the minimum with a written justification)")
               for m in messages)
    # every pair once; components against each other too
    corr = out["index_audit_correlations"]
    assert len(corr[corr["level"] == "indicator"]) == 7 * 6 // 2 and len(corr[corr["level"] == "component"]) == 3
    assert corr.loc[(corr["a"] == "crime") & (corr["b"] == "fear"), "within"].item()
    # the scenarios, with area names, and the Monte Carlo interval beside them
    summ = out["index_audit_sensitivity_summary"]
    assert {"area_name", "boundary", "mc_rank_p05", "mc_rank_p95", "rank_min", "rank_max"} <= set(summ.columns)
    assert summ["mc_rank_p05"].notna().any()
    sens = out["index_audit_sensitivity"]
    assert list(sens.columns[:2]) == ["scenario", "area_code"] and sens["area_name"].notna().all()
    for frame in out.values():
        assert not any(isinstance(t, pd.CategoricalDtype) for t in frame.dtypes)


# ---------------------------------------------------------------------- the check

def _check_outcome(mode: str, failures: list[str]):
    """Materialise marts/index_scores with the audit check (as defs/index.py yields it) and
    an asset downstream of it, in one run: which ran?"""
    from dagster import AssetCheckSpec, AssetKey, AssetSpec, MaterializeResult, asset, materialize, multi_asset

    from social_progress.borough import IndexAudit
    from social_progress.defs.index import AUDIT_CHECK, INDEX_KEY, audit_check_result

    comps = pd.DataFrame({"component": ["Shelter"], "n_indicators": [4], "failures": ["; ".join(failures)],
                          "passed": [not failures], "mode": [mode]})

    @multi_asset(specs=[AssetSpec(INDEX_KEY)], check_specs=[AssetCheckSpec(AUDIT_CHECK, asset=INDEX_KEY, blocking=True)])
    def index():
        yield MaterializeResult(asset_key=INDEX_KEY)
        yield audit_check_result(comps, audit_messages(comps), IndexAudit(mode=mode))

    @asset(key=AssetKey(["release", "yearly_release"]), deps=[INDEX_KEY])
    def release():
        return None

    result = materialize([index, release], raise_on_error=False)
    evaluation = result.get_asset_check_evaluations()[0]
    released = AssetKey(["release", "yearly_release"]) in {e.asset_key for e in result.get_asset_materialization_events()}
    return evaluation, released


@pytest.mark.parametrize("mode, released", [("block", False), ("warn", True)])
def test_a_failing_audit_blocks_the_release_or_only_warns(mode, released):
    failures = ["Shelter: Cronbach's alpha 0.5997 < 0.600 (the minimum with a written justification)"]
    evaluation, got = _check_outcome(mode, failures)
    assert not evaluation.passed
    assert evaluation.severity.value == ("ERROR" if mode == "block" else "WARN")
    assert evaluation.description == failures[0]
    assert evaluation.metadata["failures"].value == failures
    assert got is released


def test_a_passing_audit_lets_the_release_run():
    evaluation, released = _check_outcome("block", [])
    assert evaluation.passed and released


def test_the_audit_check_is_blocking_on_the_index_and_in_the_yearly_job():
    from dagster import AssetCheckKey, AssetKey

    from social_progress.definitions import defs
    graph = defs.resolve_asset_graph()
    key = AssetCheckKey(AssetKey(["marts", "index_scores"]), "index_audit")
    assert key in graph.asset_check_keys and graph.get_check_spec(key).blocking
    # the description says what the deployment's configuration makes of a failure
    import yaml
    mode = yaml.safe_load((ROOT / "catalogue" / "areas.yml").read_text())["index"]["audit"]["mode"]
    assert ("Blocks the release" if mode == "block" else "Reported only (mode: warn)") in graph.get_check_spec(key).description
    release = AssetKey(["release", "yearly_release"])
    assert AssetKey(["marts", "index_scores"]) in graph.get_ancestor_asset_keys(release)
    job = defs.resolve_job_def("yearly_refresh")
    assert {AssetKey(["marts", "index_audit_components"]), release} <= set(job.asset_layer.executable_asset_keys)


# ------------------------------------------------------------------- anchoring scenario

def _borough_scores(lsoa_scores: dict[str, float], borough: float, year: int = 2020) -> pd.DataFrame:
    rows = [("lad", "B", year, "index", "Index", borough)]
    rows += [("lsoa11", code, year, "index", "Index", s) for code, s in lsoa_scores.items()]
    rows += [("lsoa11", code, year, "component", "Shelter", 0.0) for code in lsoa_scores]    # not anchored
    return pd.DataFrame(rows, columns=["boundary", "area_code", "year", "measure_type", "measure", "score"])


def test_anchored_scenario_worked_example():
    # borough 50; LSOAs 40, 50, 60 with populations 1, 1, 2: weighted mean (40 + 50 + 120) / 4 = 52.5,
    # so each LSOA moves by 50 - 52.5 = -2.5 and keeps its rank; the borough keeps its score
    scores = _borough_scores({"L1": 40.0, "L2": 50.0, "L3": 60.0}, borough=50.0)
    pop = pd.DataFrame({"boundary": "lsoa11", "area_code": ["L1", "L2", "L3"], "year": 2020,
                        "population": [100.0, 100.0, 200.0]})
    out = anchored_scenario(scores, pop, log=lambda m: None).set_index("area_code")
    assert (out["scenario"] == "anchored to borough").all()
    assert out.loc[["L1", "L2", "L3"], "score"].tolist() == pytest.approx([37.5, 47.5, 57.5])
    assert out.loc[["L1", "L2", "L3"], "rank"].tolist() == [3, 2, 1]
    assert out.loc["B", "score"] == 50.0 and out.loc["B", "rank"] == 1
    lsoas = out.loc[["L1", "L2", "L3"]]
    assert np.average(lsoas["score"], weights=[1, 1, 2]) == pytest.approx(50.0)


def test_anchored_scenario_needs_populations_and_says_so():
    said = []
    scores = _borough_scores({"L1": 40.0, "L2": 50.0}, borough=50.0)
    assert anchored_scenario(scores, None, log=said.append).empty
    pop = pd.DataFrame({"boundary": "lsoa11", "area_code": ["L1"], "year": 2020, "population": [100.0]})
    assert anchored_scenario(scores, pop, log=said.append).empty
    assert "not run" in said[0] and "('lsoa11', 'L2')" in said[1]


def test_populations_by_year_takes_the_nearest_year_the_earlier_on_a_tie():
    pop = pd.DataFrame({"boundary": "lsoa11", "area_code": "L1", "year": [2017, 2019], "population": [10.0, 30.0]})
    got = populations_by_year(pop, [2015, 2017, 2018, 2019, 2021]).set_index("year")["population"]
    assert got.to_dict() == {2015: 10.0, 2017: 10.0, 2018: 10.0, 2019: 30.0, 2021: 30.0}


def test_summary_reports_the_largest_score_shift():
    ranks = pd.DataFrame({"scenario": ["published", "anchored to borough", "published", "anchored to borough"],
                          "area_level": "lsoa11", "area_code": ["L1", "L1", "L2", "L2"], "year": 2020,
                          "score": [40.0, 37.5, 60.0, 61.0], "rank": [2.0, 2.0, 1.0, 1.0]})
    s = sensitivity_summary(ranks).set_index("area_code")
    assert s["max_score_shift"].to_dict() == pytest.approx({"L1": 2.5, "L2": 1.0})
    assert s["max_rank_shift"].to_dict() == {"L1": 0.0, "L2": 0.0}


def test_a_scenario_whose_weights_cannot_be_estimated_holds_the_published_weights():
    # d0c0i0 is observed in 2019-2020 only and d0c0i1 in 2021-2022 only: interpolation fills both (the
    # published run), but with no imputation the two are never observed together, so that scenario's
    # principal components are undefined and it runs with the published weights held
    specs = small_specs()
    fw = Framework(specs, weighting="pca")
    values = small_values(specs=specs)
    values = values[~(((values["indicator_id"] == "d0c0i0") & (values["year"] >= 2021))
                      | ((values["indicator_id"] == "d0c0i1") & (values["year"] <= 2020)))]
    options = IndexOptions(pca_data="imputed")
    res = compute_index(values, fw, options)
    with pytest.raises(Exception, match="observed together"):
        compute_index(values, fw, dataclasses.replace(options, imputation="available_mean"))
    said = []
    ranks = scenario_ranks(values, fw, options, published=res,
                           scenarios=[("published", {}), ("available mean", {"imputation": "available_mean"})],
                           log=said.append)
    assert sorted(ranks["scenario"].unique()) == ["available mean", "published"]
    assert any("published weights are held" in m for m in said)
    held = published_weights(fw, res)
    assert set(held.component_weighting.values()) == {"fixed"}
    w = {s.id: s.weight for s in held.indicators}
    for r in res.weights.itertuples():
        assert w[r.indicator_id] == pytest.approx(r.weight)
    expected = compute_index(values, held, dataclasses.replace(options, imputation="available_mean")).scores
    got = ranks[ranks["scenario"] == "available mean"]["rank"].to_numpy()
    np.testing.assert_array_equal(got, expected[expected["measure_type"] == "index"]["rank"].to_numpy())
