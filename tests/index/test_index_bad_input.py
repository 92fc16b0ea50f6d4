"""Bad input gets a clear error naming the indicator, or a documented behaviour;
never a silent NaN in a published score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from social_progress.index import Framework, IndexInputError, IndexOptions, compute_index

from index_helpers import small_specs, small_values


def test_zero_variance_indicator_pca(framework, values):
    values.loc[values.indicator_id == "d0c1i1", "value"] = 42.0
    with pytest.raises(IndexInputError, match="'d0c1i1': zero variance"):
        compute_index(values, framework)


def test_zero_variance_indicator_equal_weights_is_scored(specs, values):
    """Documented: with equal/fixed weights a constant indicator is fine (it shifts every area
    alike); only PCA needs its variance. Diagnostics say so."""
    values.loc[values.indicator_id == "d0c1i1", "value"] = 42.0
    res = compute_index(values, Framework(specs, component_weighting={"Comp 01": "equal"}))
    assert res.index_scores["score"].notna().all()
    diag = res.diagnostics.set_index("component")
    assert "correlations undefined" in diag.loc["Comp 01", "warnings"]


def test_entirely_missing_indicator(framework, values):
    values.loc[values.indicator_id == "d1c0i2", "value"] = np.nan
    with pytest.raises(IndexInputError, match="'d1c0i2': entirely missing"):
        compute_index(values, framework)
    with pytest.raises(IndexInputError, match="'d1c0i2': entirely missing"):
        compute_index(values[values.indicator_id != "d1c0i2"], framework)


def test_worst_equal_best_is_a_framework_error(specs):
    from social_progress.index import FrameworkError
    specs[3] = dataclasses.replace(specs[3], worst=5.0, best=5.0)
    with pytest.raises(FrameworkError, match="'d0c1i0': worst equals best"):
        Framework(specs)


def test_single_indicator_component():
    """Documented: a component with one indicator is that indicator's score (weight 1);
    alpha and KMO are undefined (NaN) and the diagnostics say why."""
    specs = small_specs()
    specs = [s for s in specs if not (s.component == "Comp 11" and s.id != "d1c1i0")]
    fw = Framework(specs)
    res = compute_index(small_values(specs=specs), fw)
    w = res.weights[res.weights.component == "Comp 11"]
    assert w["weight"].tolist() == [1.0]
    comp = res.component_scores[res.component_scores.component == "Comp 11"].reset_index(drop=True)
    ind = res.indicator_scores[res.indicator_scores.indicator_id == "d1c1i0"].reset_index(drop=True)
    np.testing.assert_allclose(comp["score"], ind["score"])
    diag = res.diagnostics.set_index("component").loc["Comp 11"]
    assert np.isnan(diag["cronbach_alpha"]) and "single indicator" in diag["warnings"]


def test_non_numeric_values(framework, values):
    values["value"] = values["value"].astype(object)
    values.loc[values.index[values.indicator_id == "d0c0i2"][:2], "value"] = "n/a*"
    with pytest.raises(IndexInputError, match="'d0c0i2': non-numeric values .*'n/a\\*'"):
        compute_index(values, framework)


def test_numeric_strings_and_blank_are_accepted(framework, values):
    v = values.copy()
    v["value"] = v["value"].map(repr).astype(object)
    v.loc[v.index[:1], "value"] = ""
    res = compute_index(v, framework)
    ref = compute_index(values.assign(value=values["value"].where(values.index > 0)), framework)
    pd.testing.assert_frame_equal(res.index_scores, ref.index_scores)


def test_infinite_values(framework, values):
    values.loc[values.index[values.indicator_id == "d1c1i1"][0], "value"] = np.inf
    with pytest.raises(IndexInputError, match="'d1c1i1': infinite values"):
        compute_index(values, framework)


def test_unknown_indicator_and_duplicates(framework, values):
    extra = values.iloc[:1].assign(indicator_id="zzz")
    with pytest.raises(IndexInputError, match="'zzz'.*not in the framework"):
        compute_index(pd.concat([values, extra]), framework)
    with pytest.raises(IndexInputError, match="duplicated rows for area 'A000'"):
        compute_index(pd.concat([values, values.iloc[:1]]), framework)


def test_missing_columns_and_bad_years(framework, values):
    with pytest.raises(IndexInputError, match="missing column"):
        compute_index(values.drop(columns="area_level"), framework)
    with pytest.raises(IndexInputError, match="whole numbers"):
        compute_index(values.assign(year=values.year + 0.5), framework)


def test_transform_domain(values):
    specs = small_specs()
    specs[0] = dataclasses.replace(specs[0], transform="log", worst=1.0, best=200.0)
    values.loc[values.index[values.indicator_id == "d0c0i0"][3], "value"] = -2.0
    with pytest.raises(IndexInputError, match="'d0c0i0': 1 value.*domain of transform 'log'"):
        compute_index(values, Framework(specs))


def test_missing_scores_are_explained(framework, values):
    """An area-year with too much missing data gets no score and an exclusion reason."""
    drop = (values.area_code == "A005") & (values.year == 2020) & values.indicator_id.str.startswith("d0c0")
    values.loc[drop, "value"] = np.nan
    values.loc[(values.area_code == "A005") & (values.year == 2020) & (values.indicator_id == "d0c1i0"),
               "value"] = np.nan
    res = compute_index(values, framework, IndexOptions(imputation="regression"))
    comp = res.component_scores.set_index(["area_code", "year", "component"])["score"]
    assert np.isnan(comp[("A005", 2020, "Comp 00")])
    assert not np.isnan(comp[("A005", 2020, "Comp 01")])            # 1 of 3 missing: imputed
    ex = res.exclusions
    assert set(ex["measure"]) == {"Comp 00", "Dim 0", "Social Progress Index"}
    assert "too much missing data" in ex.loc[ex.measure == "Comp 00", "reason"].item()
    # every missing published score has a reason
    sc = res.scores
    missing = sc[sc["score"].isna() & (sc["measure_type"] != "indicator")]
    assert len(missing) == len(ex)
    # indicator scores of the unscored component are not invented
    ind = res.indicator_scores
    row = ind[(ind.area_code == "A005") & (ind.year == 2020) & (ind.component == "Comp 00")]
    assert row["score"].isna().all() and not row["imputed"].any()
