"""The method, step by step, on small hand-checkable inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from index_helpers import small_values
from social_progress.index import INDEX_NAME, Framework, IndexOptions, IndicatorSpec, compute_index
from social_progress.index.transforms import apply_transform, score


def _one(value_rows, specs, **opts):
    df = pd.DataFrame(value_rows, columns=["area_code", "area_level", "year", "indicator_id", "value"])
    return compute_index(df, Framework(specs, weighting="equal"), IndexOptions(**opts))


# ---- transforms and scores ------------------------------------------------------------------
@pytest.mark.parametrize("transform, param, x, expected", [
    ("none", None, 4.0, 4.0), ("log", None, np.e, 1.0), ("log1p", None, 0.0, 0.0), ("sqrt", None, 9.0, 3.0),
    ("cap", 10.0, 12.0, 10.0), ("cap", 10.0, 7.0, 7.0), ("distance", 1.0, 0.7, 0.3), ("distance", 1.0, 1.2, 0.2),
])
def test_transforms(transform, param, x, expected):
    assert apply_transform(transform, x, param) == pytest.approx(expected)


def test_score_formula_direction_and_clip():
    fx = np.array([[0.0, 50.0, 100.0, 150.0, -5.0, np.nan]]).T
    hib = score(fx, [0.0], [100.0])[:, 0]
    lib = score(fx, [100.0], [0.0])[:, 0]
    np.testing.assert_allclose(hib, [0, 50, 100, 100, 0, np.nan])
    np.testing.assert_allclose(lib, [100, 50, 0, 0, 100, np.nan])


def test_sqrt_goalposts_raw_units():
    spec = IndicatorSpec("x", "x", "D", "C", "lower_is_better", worst=400.0, best=0.0, transform="sqrt")
    res = _one([("a", "lsoa", 2020, "x", 100.0), ("b", "lsoa", 2020, "x", 400.0)], [spec])
    # 100 * (sqrt(100) - sqrt(400)) / (sqrt(0) - sqrt(400)) = 50
    assert res.indicator_scores["score"].tolist() == [50.0, 0.0]


# ---- imputation -----------------------------------------------------------------------------
def test_interpolation_between_years_and_held_ends(framework, values):
    sel = (values.area_code == "A001") & (values.indicator_id == "d0c0i0")
    series = values.loc[sel].set_index("year")["value"]
    values.loc[sel & values.year.isin([2020, 2022]), "value"] = np.nan
    res = compute_index(values, framework)
    ind = res.indicator_scores
    got = ind[(ind.area_code == "A001") & (ind.indicator_id == "d0c0i0")].set_index("year")
    s = series / 2.0                                     # goalposts 0..200 -> score = value / 2
    assert got.loc[2020, "score"] == pytest.approx((s[2019] + s[2021]) / 2)
    assert got.loc[2022, "score"] == pytest.approx(s[2021])
    assert got["imputation_method"].astype(object).where(got["imputed"], None).tolist() == \
        [None, "interpolated", None, "held_end"]
    assert np.isnan(got.loc[2020, "value"]) and got.loc[2019, "value"] == series[2019]


def test_interpolation_uses_actual_year_gaps(specs):
    v = small_values(specs=specs, years=(2010, 2011, 2020), n_areas=20)
    sel = (v.area_code == "A002") & (v.indicator_id == "d1c1i2")
    series = v.loc[sel].set_index("year")["value"]
    v.loc[sel & (v.year == 2011), "value"] = np.nan
    res = compute_index(v, Framework(specs))
    ind = res.indicator_scores
    got = ind[(ind.area_code == "A002") & (ind.indicator_id == "d1c1i2") & (ind.year == 2011)]["score"].item()
    lo, hi = series[2010] / 2, series[2020] / 2                       # higher is better: score = v/2
    assert got == pytest.approx(lo + (hi - lo) / 10)


def test_regression_when_never_observed(framework, values):
    sel = (values.area_code == "A007") & (values.indicator_id == "d1c0i1")
    truth = 100 - values.loc[sel, "value"].to_numpy() / 2
    values.loc[sel, "value"] = np.nan
    res = compute_index(values, framework)
    ind = res.indicator_scores
    got = ind[(ind.area_code == "A007") & (ind.indicator_id == "d1c0i1")]
    assert got["imputed"].all() and (got["imputation_method"] == "regression").all()
    assert np.abs(got["score"].to_numpy() - truth).mean() < 15          # a prediction, not a constant
    # the imputed share reaches the outputs
    sc = res.scores
    comp = sc[(sc.area_code == "A007") & (sc.measure == "Comp 10")]
    assert np.allclose(comp["imputed_share"], 1 / 3)
    idx = sc[(sc.area_code == "A007") & (sc.measure == INDEX_NAME)]
    assert np.allclose(idx["imputed_share"], 1 / 12)


def test_interpolate_only_leaves_never_observed_unscored(framework, values):
    values.loc[(values.area_code == "A007") & (values.indicator_id == "d1c0i1"), "value"] = np.nan
    res = compute_index(values, framework, IndexOptions(imputation="interpolate"))
    comp = res.component_scores
    assert comp[(comp.area_code == "A007") & (comp.component == "Comp 10")]["score"].isna().all()
    ex = res.exclusions
    assert (ex[ex.measure == "Comp 10"]["reason"] == "missing indicator could not be imputed").all()


def test_max_missing_share_is_configurable(framework, values):
    sel = (values.area_code == "A003") & (values.year == 2021) & values.indicator_id.isin(["d0c0i0", "d0c0i1"])
    values.loc[sel, "value"] = np.nan
    strict = compute_index(values, framework, IndexOptions(max_missing_share=0.5))
    loose = compute_index(values, framework, IndexOptions(max_missing_share=0.7))
    pick = lambda r: r.component_scores.set_index(["area_code", "year", "component"])["score"][("A003", 2021, "Comp 00")]
    assert np.isnan(pick(strict)) and not np.isnan(pick(loose))


# ---- weights, aggregation -------------------------------------------------------------------
def test_pca_weights_formula(framework, values):
    res = compute_index(values, framework)
    ind = res.indicator_scores
    for comp in framework.components:
        wide = ind[ind.component == comp].pivot_table(index=["area_code", "year"], columns="indicator_id",
                                                      values="score", observed=True)
        wide = wide[[s.id for s in framework.indicators_of(comp)]]
        vals, vecs = np.linalg.eigh(wide.corr().to_numpy())
        v = vecs[:, -1] * np.sign(vecs[:, -1].sum())
        expected = v / wide.std().to_numpy()
        expected /= expected.sum()
        got = res.weights[res.weights.component == comp]
        np.testing.assert_allclose(got["weight"], expected, atol=1e-10)
        assert (got["method"] == "pca").all()
        np.testing.assert_allclose(got["loading"], v * np.sqrt(vals[-1]), atol=1e-10)


def test_aggregation_weighted_sum_and_means(framework, values):
    res = compute_index(values, framework)
    ind, w = res.indicator_scores, res.weights.set_index("indicator_id")["weight"]
    ws = ind.assign(ws=ind["score"] * ind["indicator_id"].astype(str).map(w))
    comp = ws.groupby(["area_code", "year", "component"], observed=True)["ws"].sum()
    got = res.component_scores.set_index(["area_code", "year", "component"])["score"]
    np.testing.assert_allclose(got.sort_index(), comp.sort_index())
    dim = res.component_scores.groupby(["area_code", "year", "dimension"], observed=True)["score"].mean()
    np.testing.assert_allclose(res.dimension_scores.set_index(["area_code", "year", "dimension"])["score"]
                               .sort_index(), dim.sort_index())
    idx = res.dimension_scores.groupby(["area_code", "year"], observed=True)["score"].mean()
    np.testing.assert_allclose(res.index_scores.set_index(["area_code", "year"])["score"].sort_index(),
                               idx.sort_index())


def test_power_mean(framework, values):
    res = compute_index(values, framework, IndexOptions(aggregation="power_mean", power=0.5))
    comp = res.component_scores.groupby(["area_code", "year", "dimension"], observed=True)["score"]
    expected = comp.apply(lambda s: np.mean(np.sqrt(s)) ** 2)
    got = res.dimension_scores.set_index(["area_code", "year", "dimension"])["score"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index())
    arith = compute_index(values, framework)
    assert (res.index_scores["score"] <= arith.index_scores["score"] + 1e-9).all()   # power mean <= mean


def test_weighting_override(framework, values):
    eq = compute_index(values, framework, IndexOptions(weighting_override="equal"))
    assert np.allclose(eq.weights["weight"], 1 / 3) and (eq.weights["method"] == "equal").all()
    fixed = {s.id: float(i + 1) for i, s in enumerate(framework.indicators)}
    ov = compute_index(values, framework, IndexOptions(weighting_override=fixed))
    first = ov.weights[ov.weights.component == "Comp 00"]["weight"].to_numpy()
    np.testing.assert_allclose(first, [1 / 6, 2 / 6, 3 / 6])


def test_negative_loading_reported_and_zeroed(specs, values):
    # flip one indicator's direction: its score now runs against the rest of its component
    flipped = [dataclasses.replace(s, direction="higher_is_better", worst=0.0, best=200.0) if s.id == "d0c0i1"
               else s for s in specs]
    res = compute_index(values, Framework(flipped))
    w = res.weights.set_index("indicator_id")
    assert w.loc["d0c0i1", "loading"] < 0 and w.loc["d0c0i1", "weight"] == 0.0
    diag = res.diagnostics.set_index("component")
    assert "negative loading" in diag.loc["Comp 00", "warnings"]
    assert "incoherent component" in diag.loc["Comp 00", "warnings"]
    assert diag.loc["Comp 01", "warnings"] == ""
    assert diag.loc["Comp 01", "cronbach_alpha"] > 0.7 and diag.loc["Comp 01", "kmo"] > 0.5


def test_incoherent_component_warning(specs, values):
    rng = np.random.default_rng(3)
    noise = values.indicator_id.str.startswith("d1c1")
    values.loc[noise, "value"] = rng.uniform(1, 199, noise.sum())
    res = compute_index(values, Framework(specs))
    diag = res.diagnostics.set_index("component")
    assert "incoherent component" in diag.loc["Comp 11", "warnings"]
    assert diag.loc["Comp 11", "variance_explained"] < 0.5


# ---- outputs --------------------------------------------------------------------------------
def test_output_columns(framework, values):
    res = compute_index(values, framework)
    assert list(res.indicator_scores.columns) == ["area_code", "area_level", "year", "indicator_id", "dimension",
                                                  "component", "value", "score", "imputed", "imputation_method"]
    assert list(res.component_scores.columns) == ["area_code", "area_level", "year", "dimension", "component",
                                                  "score"]
    assert list(res.dimension_scores.columns) == ["area_code", "area_level", "year", "dimension", "score"]
    assert list(res.index_scores.columns) == ["area_code", "area_level", "year", "score"]
    assert list(res.scores.columns) == ["area_code", "area_level", "year", "measure_type", "measure", "score",
                                        "rank", "change", "imputed_share"]
    assert list(res.weights.columns) == ["component", "indicator_id", "weight", "method", "loading"]
    assert list(res.diagnostics.columns) == ["component", "n_indicators", "cronbach_alpha", "kmo",
                                             "variance_explained", "warnings"]
    n = values.groupby(["area_code", "year"]).ngroups
    assert len(res.index_scores) == n and len(res.scores) == n * (1 + 2 + 4 + 12)
    assert set(res.scores["measure_type"]) == {"index", "dimension", "component", "indicator"}


def test_ranks_within_level_and_year_and_change():
    specs = [IndicatorSpec("x", "x", "D", "C", "higher_is_better", worst=0.0, best=100.0)]
    rows = [("a", "ward", 2020, "x", 10.0), ("b", "ward", 2020, "x", 30.0), ("c", "ward", 2020, "x", 30.0),
            ("a", "ward", 2022, "x", 50.0), ("b", "ward", 2022, "x", 20.0),
            ("b", "ward", 2021, "x", np.nan), ("z", "borough", 2020, "x", 5.0)]
    res = _one(rows, specs, imputation="interpolate", max_missing_share=0.0)
    idx = res.scores[res.scores.measure_type == "index"].set_index(["area_level", "area_code", "year"])
    assert idx.loc[("ward", "b", 2020), "rank"] == 1 and idx.loc[("ward", "c", 2020), "rank"] == 1   # tie: min
    assert idx.loc[("ward", "a", 2020), "rank"] == 3
    assert idx.loc[("borough", "z", 2020), "rank"] == 1                   # its own level
    assert np.isnan(idx.loc[("ward", "b", 2021), "rank"])                 # unscored: no rank
    assert np.isnan(idx.loc[("ward", "a", 2020), "change"])               # first year
    assert idx.loc[("ward", "a", 2022), "change"] == pytest.approx(40.0)  # vs previous available (2020)
    assert idx.loc[("ward", "b", 2022), "change"] == pytest.approx(-10.0)
    # sorted by level, code, year
    keys = list(zip(res.index_scores.area_level.astype(str), res.index_scores.area_code.astype(str),
                    res.index_scores.year))
    assert keys == sorted(keys)


def test_levels_share_goalposts_and_weight_level(framework, values):
    wards = small_values(n_areas=8, seed=9, level="ward", prefix="W")
    both = pd.concat([values, wards], ignore_index=True)
    res = compute_index(both, framework, IndexOptions(weight_level="lsoa"))
    only = compute_index(values, framework)
    pd.testing.assert_frame_equal(res.weights, only.weights)
    lsoa = res.index_scores[res.index_scores.area_level == "lsoa"].reset_index(drop=True)
    np.testing.assert_allclose(lsoa["score"], only.index_scores["score"])
    pooled = compute_index(both, framework)
    assert not np.allclose(pooled.weights["weight"], only.weights["weight"])
    ward_ranks = res.scores[(res.scores.area_level == "ward") & (res.scores.measure_type == "index")]["rank"]
    assert ward_ranks.max() == 8


def test_deterministic_and_order_independent(framework, values):
    a = compute_index(values, framework)
    b = compute_index(values.sample(frac=1.0, random_state=4), framework)
    for name in ["indicator_scores", "component_scores", "dimension_scores", "index_scores", "scores",
                 "weights", "diagnostics"]:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


@pytest.mark.parametrize("kwargs, match", [
    (dict(aggregation="median"), "aggregation"), (dict(imputation="mice"), "imputation"),
    (dict(max_missing_share=1.5), "max_missing_share"), (dict(power=-1.0), "power"),
    (dict(weighting_override="random"), "weighting_override"), (dict(pca_data="both"), "pca_data"),
])
def test_options_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        IndexOptions(**kwargs)


def test_unknown_weight_level(framework, values):
    from social_progress.index import IndexInputError
    with pytest.raises(IndexInputError, match="weight_level 'ward'"):
        compute_index(values, framework, IndexOptions(weight_level="ward"))


def test_pca_on_imputed_data(framework, values):
    rng = np.random.default_rng(0)
    values.loc[rng.random(len(values)) < 0.2, "value"] = np.nan
    obs = compute_index(values, framework)
    imp = compute_index(values, framework, IndexOptions(pca_data="imputed"))
    assert np.allclose(imp.weights.groupby("component")["weight"].sum(), 1.0)
    assert not np.allclose(obs.weights["weight"], imp.weights["weight"])
    assert np.abs(obs.weights["weight"] - imp.weights["weight"]).max() < 0.1


def test_override_weights_must_be_usable(framework, values):
    from social_progress.index import FrameworkError
    zero = {s.id: 0.0 for s in framework.indicators}
    with pytest.raises(FrameworkError, match="weights sum to zero"):
        compute_index(values, framework, IndexOptions(weighting_override=zero))
    bad = {s.id: 1.0 for s in framework.indicators} | {"d0c0i0": float("nan")}
    with pytest.raises(FrameworkError, match="'d0c0i0': weight must be"):
        compute_index(values, framework, IndexOptions(weighting_override=bad))


def test_a_component_of_perfect_scores_is_100_not_a_rounding_error_above():
    """Weights that sum to one in floating point can still give 100.00000000000001."""
    from social_progress.index.aggregate import weighted_sum

    w = np.array([0.5088915827387518, 0.4911084172612483])
    assert 100 * w[0] + 100 * w[1] > 100                      # the rounding the engine meets
    scores = np.full((3, 2, 2), 100.0)
    scores[1, 1, 0] = np.nan
    out = weighted_sum(scores, np.array([0, 1]), w)
    assert out[0, 0] == 100.0 and np.isnan(out[1, 1]) and np.nanmax(out) == 100.0
