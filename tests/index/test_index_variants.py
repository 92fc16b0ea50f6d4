"""The method's variants, each on a small example worked out by hand in the comments.

Expected numbers come from the formulas (README "Method variants"), not from running the
engine: a change of method shows up as a wrong number here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from index_helpers import small_values
from social_progress.index import (INDEX_NAME, SAME_AS_WEIGHT_LEVEL, Framework, FrameworkError, IndexInputError,
                                   IndexOptions, IndicatorSpec, anchor_to_parents, compute_index,
                                   index_from_components, sensitivity_analysis)

COLS = ["area_code", "area_level", "year", "indicator_id", "value"]


def _values(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLS)


def _spec(id_, comp="C", dim="D", direction="higher_is_better", worst=0.0, best=100.0, **kw) -> IndicatorSpec:
    return IndicatorSpec(id_, id_, dim, comp, direction, worst, best, **kw)


def _by(frame: pd.DataFrame, *keys) -> pd.Series:
    return frame.assign(**{k: frame[k].astype(str) for k in keys if k != "year"}).set_index(list(keys))["score"]


# ==== 3. floor and ceiling ======================================================================
def test_floor_and_ceiling_hold_raw_values_before_the_transform():
    specs = [
        _spec("x", floor=20.0, ceiling=80.0),                                  # goalposts 0..100: score = value
        _spec("s", comp="S", transform="sqrt", floor=4.0),                     # goalposts 0..100 -> sqrt 0..10
        _spec("l", comp="L", transform="log", worst=1.0, best=math.e ** 2, floor=1.0),
        _spec("k", comp="K", transform="cap", transform_param=60.0, ceiling=50.0),
    ]
    rows = [("a", "lsoa", 2020, "x", 10.0), ("b", "lsoa", 2020, "x", 50.0), ("c", "lsoa", 2020, "x", 95.0),
            ("a", "lsoa", 2020, "s", 1.0), ("b", "lsoa", 2020, "s", 25.0), ("c", "lsoa", 2020, "s", 100.0),
            ("a", "lsoa", 2020, "l", 0.0), ("b", "lsoa", 2020, "l", math.e), ("c", "lsoa", 2020, "l", 1.0),
            ("a", "lsoa", 2020, "k", 70.0), ("b", "lsoa", 2020, "k", 30.0), ("c", "lsoa", 2020, "k", 90.0)]
    res = compute_index(_values(rows), Framework(specs, weighting="equal"))
    got = _by(res.indicator_scores, "indicator_id", "area_code")
    # x: 10 -> floor 20 -> 20; 50 -> 50; 95 -> ceiling 80 -> 80
    assert [got["x", a] for a in "abc"] == pytest.approx([20.0, 50.0, 80.0])
    # s: 1 -> floor 4 -> sqrt 2 -> 100 * 2 / 10 = 20; 25 -> 5 -> 50; 100 -> 10 -> 100
    assert [got["s", a] for a in "abc"] == pytest.approx([20.0, 50.0, 100.0])
    # l: 0 is outside log's domain but the floor makes it 1 -> log 0 -> 0; e -> 1 / 2 -> 50; 1 -> 0
    assert [got["l", a] for a in "abc"] == pytest.approx([0.0, 50.0, 0.0])
    # k: the goalposts pass through f (cap 60, not the ceiling): f(best) = min(100, 60) = 60, f(worst) = 0;
    # values: ceiling 50 then cap 60: 70 -> 50 -> 100*50/60 = 250/3; 30 -> 30 -> 50; 90 -> 50 -> 250/3
    assert [got["k", a] for a in "abc"] == pytest.approx([250 / 3, 50.0, 250 / 3])
    # the published raw value is the input, not the bounded value
    ind = res.indicator_scores
    assert ind[(ind.indicator_id == "x") & (ind.area_code == "a")]["value"].item() == 10.0


def test_floor_ceiling_from_records_and_validation():
    recs = [dict(id="x", dimension="D", component="C", direction="higher_is_better", worst=0, best=100,
                 floor=5, ceiling=float("nan")),
            dict(id="y", dimension="D", component="C", direction="higher_is_better", worst=0, best=100)]
    fw = Framework.from_records(pd.DataFrame(recs))
    assert (fw.indicators[0].floor, fw.indicators[0].ceiling) == (5.0, None)
    assert fw.indicators[1].floor is None
    assert list(fw.to_frame().columns[-3:]) == ["floor", "ceiling", "weighting"]
    with pytest.raises(FrameworkError, match=r"indicator 'x': field 'floor' \(80\) must be below field 'ceiling' \(20\)"):
        Framework([_spec("x", floor=80.0, ceiling=20.0)])
    with pytest.raises(FrameworkError, match="indicator 'x': field 'floor' .* must be below"):
        Framework([_spec("x", floor=20.0, ceiling=20.0)])
    with pytest.raises(FrameworkError, match="indicator 'x': field 'ceiling' must be a number"):
        Framework([_spec("x", ceiling="high")])
    # a floor that does not bring a value into the transform's domain: still an input error
    fw = Framework([_spec("l", transform="log", worst=1.0, best=100.0, floor=-1.0)], weighting="equal")
    with pytest.raises(IndexInputError, match="'l': 1 value.*domain of transform 'log'.*after floor/ceiling"):
        compute_index(_values([("a", "lsoa", 2020, "l", 0.0), ("b", "lsoa", 2020, "l", 5.0)]), fw)


# ==== 2. missing-data rules =====================================================================
# Component C1 = i1, i2, i3 with fixed weights 0.5, 0.3, 0.2; component C2 = j (weight 1); one
# dimension D. Goalposts 0..100, so each score is its value.
MISSING_SPECS = [_spec("i1", "C1", weight=0.5), _spec("i2", "C1", weight=0.3), _spec("i3", "C1", weight=0.2),
                 _spec("j", "C2", weight=1.0)]
MISSING_ROWS = [
    ("A", "lsoa", 2020, "i1", 40.0), ("A", "lsoa", 2020, "i2", 60.0), ("A", "lsoa", 2020, "i3", np.nan),
    ("A", "lsoa", 2020, "j", 80.0),
    ("B", "lsoa", 2020, "i1", 40.0), ("B", "lsoa", 2020, "i2", np.nan), ("B", "lsoa", 2020, "i3", np.nan),
    ("B", "lsoa", 2020, "j", 80.0),
    ("C", "lsoa", 2020, "i1", 10.0), ("C", "lsoa", 2020, "i2", 20.0), ("C", "lsoa", 2020, "i3", 30.0),
    ("C", "lsoa", 2020, "j", 50.0),
]


def _missing(**opts):
    return compute_index(_values(MISSING_ROWS), Framework(MISSING_SPECS, weighting="fixed"), IndexOptions(**opts))


def test_available_mean_renormalises_weights_over_the_indicators_present():
    res = _missing(imputation="available_mean", max_missing_share=0.5)
    comp = _by(res.component_scores, "area_code", "component")
    # A: i3 missing (share 1/3 <= 0.5): (0.5*40 + 0.3*60) / (0.5 + 0.3) = 38 / 0.8 = 47.5
    assert comp["A", "C1"] == pytest.approx(47.5)
    # B: 2 of 3 missing (2/3 > 0.5): no score, and says why
    assert np.isnan(comp["B", "C1"])
    ex = res.exclusions.set_index(["area_code", "measure"])["reason"]
    assert ex["B", "C1"] == "too much missing data"
    # C: complete: 0.5*10 + 0.3*20 + 0.2*30 = 5 + 6 + 6 = 17
    assert comp["C", "C1"] == pytest.approx(17.0)
    idx = _by(res.index_scores, "area_code")
    assert idx["A"] == pytest.approx((47.5 + 80.0) / 2)         # 63.75: dimension = index (one dimension)
    assert idx["C"] == pytest.approx((17.0 + 50.0) / 2)         # 33.5
    # nothing is imputed or flagged imputed
    assert not res.indicator_scores["imputed"].any()
    assert np.isnan(_by(res.indicator_scores, "area_code", "indicator_id")["A", "i3"])
    assert (res.scores["imputed_share"].dropna() == 0).all()


def test_available_mean_obeys_the_component_share():
    res = _missing(imputation="available_mean", max_missing_share=0.5, max_missing_component_share=1.0)
    comp = _by(res.component_scores, "area_code", "component")
    # B: only i1 present: weight renormalised to 1 -> 40; area-year share 2/4 = 0.5 <= 0.5 still scored
    assert comp["B", "C1"] == pytest.approx(40.0)
    assert _by(res.index_scores, "area_code")["B"] == pytest.approx((40.0 + 80.0) / 2)
    # the area-year rule still applies: 0.4 < 2/4 missing for B
    strict = _missing(imputation="available_mean", max_missing_share=0.4, max_missing_component_share=1.0)
    assert np.isnan(_by(strict.component_scores, "area_code", "component")["B", "C1"])


def test_available_mean_needs_a_weighted_indicator_present():
    # i1, i2 missing, only i3 present, whose weight is 0: nothing to average -> no score
    rows = [r for r in MISSING_ROWS if r[0] == "C"] + [
        ("Z", "lsoa", 2020, "i1", np.nan), ("Z", "lsoa", 2020, "i2", np.nan), ("Z", "lsoa", 2020, "i3", 30.0),
        ("Z", "lsoa", 2020, "j", 50.0)]
    fw = Framework(MISSING_SPECS, weighting="fixed")
    res = compute_index(_values(rows), fw, IndexOptions(imputation="available_mean", max_missing_share=1.0,
                                                        weighting_override={"i1": 1, "i2": 1, "i3": 0, "j": 1}))
    comp = _by(res.component_scores, "area_code", "component")
    assert np.isnan(comp["Z", "C1"]) and comp["C", "C1"] == pytest.approx(15.0)   # (10 + 20) / 2


def test_none_scores_only_complete_components():
    res = _missing(imputation="none", max_missing_share=0.5, max_missing_component_share=1.0)
    comp = _by(res.component_scores, "area_code", "component")
    # A misses i3: no C1 score even though max_missing_component_share would allow it
    assert np.isnan(comp["A", "C1"]) and comp["A", "C2"] == pytest.approx(80.0)
    assert comp["C", "C1"] == pytest.approx(17.0)
    assert np.isnan(_by(res.index_scores, "area_code")["A"])
    ex = res.exclusions.set_index(["area_code", "measure"])["reason"]
    assert ex["A", "C1"] == "too much missing data" and ex["A", INDEX_NAME] == "a dimension has no score"
    assert not res.indicator_scores["imputed"].any()


def test_none_does_not_fill_from_other_years():
    specs = [_spec("p", weight=0.5), _spec("q", weight=0.5)]
    rows = [("a", "lsoa", y, "p", v) for y, v in [(2020, 20.0), (2021, 40.0), (2022, 60.0)]] + \
           [("a", "lsoa", y, "q", v) for y, v in [(2020, 30.0), (2021, np.nan), (2022, 50.0)]]
    fw = Framework(specs, weighting="fixed")
    none = compute_index(_values(rows), fw, IndexOptions(imputation="none", max_missing_share=1.0))
    interp = compute_index(_values(rows), fw, IndexOptions(imputation="interpolate", max_missing_share=1.0))
    comp_none, comp_int = _by(none.component_scores, "year"), _by(interp.component_scores, "year")
    assert np.isnan(comp_none[2021])
    assert comp_int[2021] == pytest.approx(0.5 * 40 + 0.5 * 40)  # q interpolated (30 + 50) / 2 = 40


# ==== 4. component goalposts (classic SPI) ======================================================
# p: higher is better, goalposts 0..100; q: lower is better, worst 20, best 0.
# values      a    b    c
#   p        20   50   80   mean 50, sd 30  -> z_p = -1, 0, 1
#   q         8    2    5   mean 5,  sd 3   -> z_q = -(q - 5)/3 = -1, 1, 0   (direction-aware)
# equal weights on z: raw = (z_p + z_q)/2 = -1, 0.5, 0.5
# dystopia D = (z_p(0) + z_q(20))/2 = (-5/3 + -(20-5)/3)/2 = (-5/3 - 5)/2 = -10/3
# utopia   U = (z_p(100) + z_q(0))/2 = (5/3 + 5/3)/2 = 5/3;  U - D = 5
# score = 100 (raw - D) / 5 = 20 raw + 200/3  ->  a 140/3, b 230/3, c 230/3
CLASSIC_SPECS = [_spec("p"), _spec("q", direction="lower_is_better", worst=20.0, best=0.0)]
CLASSIC_ROWS = [("a", "lsoa", 2020, "p", 20.0), ("b", "lsoa", 2020, "p", 50.0), ("c", "lsoa", 2020, "p", 80.0),
                ("a", "lsoa", 2020, "q", 8.0), ("b", "lsoa", 2020, "q", 2.0), ("c", "lsoa", 2020, "q", 5.0)]


@pytest.mark.parametrize("weighting", ["equal", "pca"])
def test_component_goalposts_worked_example(weighting):
    # pca: the 2x2 correlation matrix [[1, r], [r, 1]] with r = corr(z_p, z_q) = 1/2 > 0 has first
    # eigenvector (1, 1)/sqrt(2): the weights on z are 1/2 each, as with equal weights.
    res = compute_index(_values(CLASSIC_ROWS), Framework(CLASSIC_SPECS, weighting=weighting),
                        IndexOptions(goalposts="component"))
    comp = _by(res.component_scores, "area_code")
    assert [comp[a] for a in "abc"] == pytest.approx([140 / 3, 230 / 3, 230 / 3])
    # weights table: the equivalent weight on each 0-100 score, w_z / sd(score) renormalised:
    # score_p = p (sd 30), score_q = 100 - 5 q (sd 15): (1/30, 1/15) / (1/10) = (1/3, 2/3)
    assert res.weights["weight"].tolist() == pytest.approx([1 / 3, 2 / 3])
    # indicator scores are published as usual: q = 8 -> 100 (8 - 20) / (0 - 20) = 60
    assert _by(res.indicator_scores, "area_code", "indicator_id")["a", "q"] == pytest.approx(60.0)


def test_indicator_goalposts_differ_on_the_same_example():
    # default: equal weights on the 0-100 scores: a (20 + 60)/2 = 40, b (50 + 90)/2 = 70, c (80 + 75)/2 = 77.5
    res = compute_index(_values(CLASSIC_ROWS), Framework(CLASSIC_SPECS, weighting="equal"))
    comp = _by(res.component_scores, "area_code")
    assert [comp[a] for a in "abc"] == pytest.approx([40.0, 70.0, 77.5])


def test_component_goalposts_clip_to_0_100():
    # one indicator, goalposts 0..100: z = (x - m)/s, D = (0 - m)/s, U = (100 - m)/s
    # -> score = 100 (x - 0) / 100 = x, so 150 (beyond the best goalpost) is clipped to 100
    rows = [("a", "lsoa", 2020, "p", 10.0), ("b", "lsoa", 2020, "p", 60.0), ("c", "lsoa", 2020, "p", 150.0)]
    res = compute_index(_values(rows), Framework([_spec("p")], weighting="equal"), IndexOptions(goalposts="component"))
    assert _by(res.component_scores, "area_code").tolist() == pytest.approx([10.0, 60.0, 100.0])
    assert _by(res.indicator_scores, "area_code").tolist() == pytest.approx([10.0, 60.0, 100.0])


def test_component_goalposts_standardise_on_the_weight_rows():
    # ward rows (far off) are left out of the means and sds when weight_level='lsoa':
    # the lsoa scores stay the worked example's
    rows = CLASSIC_ROWS + [("w", "ward", 2020, "p", 99.0), ("w", "ward", 2020, "q", 19.0)]
    res = compute_index(_values(rows), Framework(CLASSIC_SPECS, weighting="equal"),
                        IndexOptions(goalposts="component", weight_level="lsoa"))
    comp = _by(res.component_scores, "area_code")
    assert [comp[a] for a in "abc"] == pytest.approx([140 / 3, 230 / 3, 230 / 3])
    # ward: z_p = (99 - 50)/30 = 49/30, z_q = -(19 - 5)/3 = -14/3; raw = (49/30 - 140/30)/2 = -91/60
    # score = 20 raw + 200/3 = -91/3 + 200/3 = 109/3
    assert comp["w"] == pytest.approx(109 / 3)


def test_component_goalposts_zero_variance_is_an_input_error():
    rows = [("a", "lsoa", 2020, "p", 20.0), ("b", "lsoa", 2020, "p", 20.0)]
    with pytest.raises(IndexInputError, match="indicator 'p': zero variance.*component goalposts"):
        compute_index(_values(rows), Framework([_spec("p")], weighting="equal"), IndexOptions(goalposts="component"))


def test_component_goalposts_run_through_the_sensitivity_analysis(framework, values):
    opts = IndexOptions(goalposts="component")
    res = compute_index(values, framework, opts)
    unc = sensitivity_analysis(values, framework, opts, n_runs=5, seed=0)
    base = res.scores[res.scores.measure_type == "index"]["rank"].to_numpy()
    np.testing.assert_array_equal(unc["rank"].to_numpy(), base)


# ==== 5. separate rows for the weights and the imputation regressions ===========================
def test_weight_years_pick_the_rows_of_the_pca():
    # Two indicators, goalposts 0..100 (score = value). For two positively correlated indicators
    # the first PC is (1, 1)/sqrt(2), so the PCA weights are (1/sd_p, 1/sd_q) renormalised.
    #        2020: p 40 50 60 (sd 10), q 30 70 50 (sd 20), corr 1/2
    #        2021: p  0 50 100 (sd 50), q 45 50 55 (sd 5),  corr 1
    rows = []
    for area, p20, q20, p21, q21 in [("a", 40, 30, 0, 45), ("b", 50, 70, 50, 50), ("c", 60, 50, 100, 55)]:
        rows += [(area, "lsoa", 2020, "p", p20), (area, "lsoa", 2020, "q", q20),
                 (area, "lsoa", 2021, "p", p21), (area, "lsoa", 2021, "q", q21)]
    fw = Framework([_spec("p"), _spec("q")])
    w20 = compute_index(_values(rows), fw, IndexOptions(weight_years=(2020,))).weights["weight"].tolist()
    w21 = compute_index(_values(rows), fw, IndexOptions(weight_years=[2021])).weights["weight"].tolist()
    assert w20 == pytest.approx([2 / 3, 1 / 3])          # (1/10, 1/20) / (3/20)
    assert w21 == pytest.approx([1 / 11, 10 / 11])        # (1/50, 1/5) / (11/50)
    # all years: sd_p = sqrt(5200/5), sd_q = sqrt(850/5) -> p's weight sqrt(170) / (sqrt(170) + sqrt(1040))
    w_all = compute_index(_values(rows), fw).weights["weight"].tolist()
    assert w_all[0] == pytest.approx(math.sqrt(170) / (math.sqrt(170) + math.sqrt(1040)))
    # the component of area a in 2020 with the 2020 weights: 2/3 * 40 + 1/3 * 30 = 110/3
    res = compute_index(_values(rows), fw, IndexOptions(weight_years=(2020,)))
    assert _by(res.component_scores, "area_code", "year")["a", 2020] == pytest.approx(110 / 3)


def _regression_rows():
    # lsoa a, b, c: 2020 q = 2p - 50 (p 40 50 60, q 30 50 70); 2021 q = 150 - 2p (q 70 50 30)
    # lsoa d: 2022 only, p = 70, q missing -> predicted by the regression of q on p
    rows = []
    for area, p in [("a", 40.0), ("b", 50.0), ("c", 60.0)]:
        rows += [(area, "lsoa", 2020, "p", p), (area, "lsoa", 2020, "q", 2 * p - 50),
                 (area, "lsoa", 2021, "p", p), (area, "lsoa", 2021, "q", 150 - 2 * p)]
    return rows + [("d", "lsoa", 2022, "p", 70.0), ("d", "lsoa", 2022, "q", np.nan)]


def test_imputation_years_pick_the_rows_of_the_regressions():
    fw = Framework([_spec("p"), _spec("q")], weighting="equal")
    opts = dict(imputation="regression", max_missing_share=0.5)
    # 2020 rows: mean p 50, mean q 50, var p = 200/2 = 100, cov(p, q) = (10*20 + 10*20)/2 = 200
    # -> slope 2: q(d) = 50 + 2 (70 - 50) = 90; component = (70 + 90)/2 = 80
    r20 = compute_index(_values(_regression_rows()), fw, IndexOptions(imputation_years=(2020,), **opts))
    ind = _by(r20.indicator_scores, "area_code", "indicator_id")
    assert ind["d", "q"] == pytest.approx(90.0)
    assert _by(r20.component_scores, "area_code")["d"] == pytest.approx(80.0)
    assert r20.indicator_scores.set_index(["area_code", "indicator_id"]).loc[("d", "q"), "imputation_method"] \
        == "regression"
    # 2021 rows: cov(p, q) = -200 -> slope -2: q(d) = 50 - 2 * 20 = 10; component (70 + 10)/2 = 40
    r21 = compute_index(_values(_regression_rows()), fw, IndexOptions(imputation_years=(2021,), **opts))
    assert _by(r21.indicator_scores, "area_code", "indicator_id")["d", "q"] == pytest.approx(10.0)
    assert _by(r21.component_scores, "area_code")["d"] == pytest.approx(40.0)
    # weights still come from every row (equal here; the weight rows are a separate choice)
    r = compute_index(_values(_regression_rows()), fw, IndexOptions(imputation_years=(2020,), weight_years=(2021,),
                                                                    **opts))
    assert _by(r.indicator_scores, "area_code", "indicator_id")["d", "q"] == pytest.approx(90.0)


def test_imputation_level_is_separate_from_weight_level():
    # lsoa a, b, c in 2020 and 2021 with q = 2p - 50 both years (duplicated rows keep the slope 2,
    # mean 50/50); ward w: 2020 p 10, q 90 (off the line), 2021 p 70, q missing.
    rows = []
    for area, p in [("a", 40.0), ("b", 50.0), ("c", 60.0)]:
        rows += [(area, "lsoa", y, i, v) for y in (2020, 2021) for i, v in (("p", p), ("q", 2 * p - 50))]
    rows += [("w", "ward", 2020, "p", 10.0), ("w", "ward", 2020, "q", 90.0),
             ("w", "ward", 2021, "p", 70.0), ("w", "ward", 2021, "q", np.nan)]
    fw = Framework([_spec("p"), _spec("q")], weighting="equal")

    def ward_q(**kw):
        res = compute_index(_values(rows), fw, IndexOptions(imputation="regression", **kw))
        return _by(res.indicator_scores, "area_code", "year", "indicator_id")["w", 2021, "q"]

    # lsoa rows only: 50 + 2 (70 - 50) = 90
    assert ward_q(imputation_level="lsoa") == pytest.approx(90.0)
    assert ward_q(weight_level="lsoa") == pytest.approx(90.0)                   # default: same as weight_level
    assert ward_q(weight_level="lsoa", imputation_level=SAME_AS_WEIGHT_LEVEL) == pytest.approx(90.0)
    # every row (the ward's 2020 row pulls the slope down): not 90
    assert ward_q(weight_level="lsoa", imputation_level=None) != pytest.approx(90.0, abs=1.0)
    assert ward_q() == pytest.approx(ward_q(weight_level="lsoa", imputation_level=None))


@pytest.mark.parametrize("kwargs, match", [
    (dict(weight_years=(2030,)), r"weight_years: year 2030 is not in the input"),
    (dict(imputation_years=(1999, 2020)), r"imputation_years: year 1999 is not in the input"),
    (dict(imputation_level="msoa"), r"imputation_level 'msoa': no areas of that level"),
    (dict(weight_level="ward", imputation_level="lsoa"), r"weight_level 'ward': no areas of that level"),
])
def test_unknown_rows_name_the_option(framework, values, kwargs, match):
    with pytest.raises(IndexInputError, match=match):
        compute_index(values, framework, IndexOptions(**kwargs))


@pytest.mark.parametrize("kwargs, match", [
    (dict(weight_years=("2020",)), r"weight_years: '2020' is not a year"),
    (dict(imputation_years=(2020.5,)), r"imputation_years: 2020.5 is not a year"),
    (dict(weight_years=()), r"weight_years is empty"),
    (dict(imputation_level=3), r"imputation_level must be an area_level"),
])
def test_row_options_are_validated(kwargs, match):
    with pytest.raises(IndexInputError, match=match):
        IndexOptions(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(goalposts="country"), "goalposts"), (dict(imputation="drop"), "imputation"),
])
def test_variant_options_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        IndexOptions(**kwargs)


def test_defaults_are_the_published_method(framework, values):
    o = IndexOptions()
    assert (o.goalposts, o.weight_years, o.imputation_level, o.imputation_years) == \
        ("indicator", None, SAME_AS_WEIGHT_LEVEL, None)
    assert IndexOptions(weight_years=[2021, 2019, 2021]).weight_years == (2019, 2021)
    # naming every year is the same as naming none
    a = compute_index(values, framework)
    b = compute_index(values, framework, IndexOptions(weight_years=(2019, 2020, 2021, 2022),
                                                      imputation_years=(2019, 2020, 2021, 2022)))
    pd.testing.assert_frame_equal(a.scores, b.scores)


def test_sensitivity_runs_with_the_new_options(framework, values):
    values.loc[values.index % 17 == 0, "value"] = np.nan
    for opts in (IndexOptions(imputation="available_mean"), IndexOptions(imputation="none", max_missing_share=1.0),
                 IndexOptions(weight_years=(2020, 2021), imputation_years=(2019,))):
        unc = sensitivity_analysis(values, framework, opts, n_runs=4, seed=0)
        base = compute_index(values, framework, opts).scores
        np.testing.assert_array_equal(unc["rank"].to_numpy(), base[base.measure_type == "index"]["rank"].to_numpy())


# ==== 1. anchoring ==============================================================================
def _scores(rows):
    return pd.DataFrame(rows, columns=["area_code", "area_level", "year", "measure_type", "measure", "score"]).assign(
        rank=1.0, change=np.nan)


ANCHOR_SCORES = _scores([
    # borough B1's LSOAs: populations 100, 300, 600
    ("L1", "lsoa", 2020, "index", INDEX_NAME, 50.0), ("L2", "lsoa", 2020, "index", INDEX_NAME, 60.0),
    ("L3", "lsoa", 2020, "index", INDEX_NAME, 70.0),
    ("L1", "lsoa", 2020, "component", "C", 40.0), ("L2", "lsoa", 2020, "component", "C", np.nan),
    ("L3", "lsoa", 2020, "component", "C", 80.0),
    ("L1", "lsoa", 2020, "indicator", "x", 12.0),
    # borough B2's only LSOA
    ("L4", "lsoa", 2020, "index", INDEX_NAME, 30.0), ("L4", "lsoa", 2020, "component", "C", 20.0),
    # B1's wards: populations 400, 600
    ("W1", "ward", 2020, "index", INDEX_NAME, 60.0), ("W2", "ward", 2020, "index", INDEX_NAME, 65.0),
])
ANCHOR_PARENTS = pd.DataFrame({"area_code": ["L1", "L2", "L3", "L4", "W1", "W2"],
                               "parent_code": ["B1", "B1", "B1", "B2", "B1", "B1"],
                               "population": [100, 300, 600, 50, 400, 600]})
BOROUGH_SCORES = _scores([("B1", "borough", 2020, "index", INDEX_NAME, 62.0),
                          ("B1", "borough", 2020, "component", "C", 70.0),
                          ("B2", "borough", 2020, "index", INDEX_NAME, 45.0),
                          ("B2", "borough", 2020, "component", "C", np.nan)])


def test_anchoring_lsoas_and_wards_to_their_borough():
    out = anchor_to_parents(ANCHOR_SCORES, ANCHOR_PARENTS, BOROUGH_SCORES)
    got = out.set_index(["area_code", "measure"])["score"]
    # LSOAs of B1, index: mean = (100*50 + 300*60 + 600*70)/1000 = 65; anchored = s + 62 - 65
    assert [got["L1", INDEX_NAME], got["L2", INDEX_NAME], got["L3", INDEX_NAME]] == pytest.approx([47.0, 57.0, 67.0])
    # ... whose population-weighted mean is the borough's score: (4700 + 17100 + 40200)/1000 = 62
    # component C: L2 has no score; mean over L1, L3 = (100*40 + 600*80)/700 = 520/7
    # anchored L1 = 40 + 70 - 520/7 = 250/7, L3 = 80 + 70 - 520/7 = 530/7, L2 stays missing
    assert got["L1", "C"] == pytest.approx(250 / 7) and got["L3", "C"] == pytest.approx(530 / 7)
    assert np.isnan(got["L2", "C"])
    # B2 has one LSOA: anchored to its borough's score exactly; its missing C leaves L4's C missing
    assert got["L4", INDEX_NAME] == pytest.approx(45.0) and np.isnan(got["L4", "C"])
    # wards are anchored over the wards: mean (400*60 + 600*65)/1000 = 63 -> 59, 64
    assert [got["W1", INDEX_NAME], got["W2", INDEX_NAME]] == pytest.approx([59.0, 64.0])
    # indicator rows are not anchored; rank/change are stale and dropped
    assert "x" not in set(out["measure"]) and "rank" not in out.columns and "change" not in out.columns
    row = out[(out.area_code == "L1") & (out.measure == INDEX_NAME)].iloc[0]
    assert (row.parent_code, row.unanchored_score, row.parent_score, row.parent_mean) == ("B1", 50.0, 62.0, 65.0)


def test_anchoring_boroughs_to_london_per_year():
    boroughs = _scores([("B1", "borough", 2020, "index", INDEX_NAME, 40.0),
                        ("B2", "borough", 2020, "index", INDEX_NAME, 60.0),
                        ("B1", "borough", 2021, "index", INDEX_NAME, 50.0),
                        ("B2", "borough", 2021, "index", INDEX_NAME, 50.0)])
    parents = pd.DataFrame({"area_code": ["B1", "B2"], "parent_code": ["LDN", "LDN"], "population": [200, 300]})
    london = _scores([("LDN", "region", 2020, "index", INDEX_NAME, 55.0),
                      ("LDN", "region", 2021, "index", INDEX_NAME, 48.0)])
    got = anchor_to_parents(boroughs, parents, london).set_index(["area_code", "year"])["score"]
    # 2020: mean (200*40 + 300*60)/500 = 52 -> 40 + 3 = 43, 60 + 3 = 63
    # 2021: mean 50 -> 50 - 2 = 48 each
    assert [got["B1", 2020], got["B2", 2020], got["B1", 2021], got["B2", 2021]] == \
        pytest.approx([43.0, 63.0, 48.0, 48.0])


def test_anchoring_takes_the_engine_scores_table(framework, values):
    res = compute_index(values, framework)
    codes = sorted(values.area_code.unique())
    parents = pd.DataFrame({"area_code": codes, "parent_code": ["B1" if i % 2 else "B2" for i in range(len(codes))],
                            "population": np.arange(1, len(codes) + 1) * 10.0})
    b = res.scores[res.scores.measure_type != "indicator"][["year", "measure_type", "measure"]].drop_duplicates()
    par = pd.concat([b.assign(area_code=p, score=s) for p, s in (("B1", 55.0), ("B2", 45.0))])
    out = anchor_to_parents(res.scores, parents, par).merge(parents, on=["area_code", "parent_code"])
    means = out.assign(wx=out.score * out.population).groupby(["parent_code", "year", "measure"], observed=True)
    got = means["wx"].sum() / means["population"].sum()
    np.testing.assert_allclose(got.loc["B1"], 55.0)      # the population-weighted mean is the parent's score
    np.testing.assert_allclose(got.loc["B2"], 45.0)


def test_anchoring_errors_name_the_area():
    parents = ANCHOR_PARENTS.assign(population=[100, np.nan, 600, 50, 400, 600])
    with pytest.raises(ValueError, match="area 'L2': population is missing"):
        anchor_to_parents(ANCHOR_SCORES, parents, BOROUGH_SCORES)
    with pytest.raises(ValueError, match="area 'W2': population is missing or not a positive"):
        anchor_to_parents(ANCHOR_SCORES, ANCHOR_PARENTS.assign(population=[100, 300, 600, 50, 400, 0]),
                          BOROUGH_SCORES)
    with pytest.raises(ValueError, match="area 'L4': no row in parents"):
        anchor_to_parents(ANCHOR_SCORES, ANCHOR_PARENTS[ANCHOR_PARENTS.area_code != "L4"], BOROUGH_SCORES)
    with pytest.raises(ValueError, match="parent 'B2': no rows in parent_scores"):
        anchor_to_parents(ANCHOR_SCORES, ANCHOR_PARENTS, BOROUGH_SCORES[BOROUGH_SCORES.area_code != "B2"])
    with pytest.raises(ValueError, match="parents: duplicated rows for {'area_code': 'L1'}"):
        anchor_to_parents(ANCHOR_SCORES, pd.concat([ANCHOR_PARENTS, ANCHOR_PARENTS.iloc[:1]]), BOROUGH_SCORES)
    with pytest.raises(ValueError, match=r"parents is missing column\(s\) \['population'\]"):
        anchor_to_parents(ANCHOR_SCORES, ANCHOR_PARENTS.drop(columns="population"), BOROUGH_SCORES)


# ==== 6. aggregating given component scores ====================================================
DIMS = {"C1": "D1", "C2": "D1", "C3": "D2", "C4": "D2"}


def _components(rows):
    return pd.DataFrame(rows, columns=["area_code", "year", "component", "score"])


COMPONENTS = _components([
    ("a", 2020, "C1", 64.0), ("a", 2020, "C2", 36.0), ("a", 2020, "C3", 81.0), ("a", 2020, "C4", 49.0),
    ("b", 2020, "C1", 64.0), ("b", 2020, "C3", 81.0), ("b", 2020, "C4", 49.0),                  # no C2 row
    ("c", 2020, "C1", np.nan), ("c", 2020, "C3", 16.0), ("c", 2020, "C4", 36.0),                # C1 NaN, no C2
])


def _get(out, area, measure):
    return out.set_index(["area_code", "measure"]).loc[(area, measure), "score"]


def test_index_from_components_arithmetic_and_power_mean():
    ar = index_from_components(COMPONENTS, DIMS)
    # a: D1 = (64 + 36)/2 = 50, D2 = (81 + 49)/2 = 65, index = 57.5
    assert [_get(ar, "a", m) for m in ("D1", "D2", INDEX_NAME)] == pytest.approx([50.0, 65.0, 57.5])
    # b: C2 missing -> D1 and the index missing; D2 = 65
    assert np.isnan(_get(ar, "b", "D1")) and np.isnan(_get(ar, "b", INDEX_NAME)) and _get(ar, "b", "D2") == 65.0
    pm = index_from_components(COMPONENTS, DIMS, aggregation="power_mean", power=0.5)
    # a: D1 = ((8 + 6)/2)^2 = 49, D2 = ((9 + 7)/2)^2 = 64, index = ((7 + 8)/2)^2 = 56.25
    assert [_get(pm, "a", m) for m in ("D1", "D2", INDEX_NAME)] == pytest.approx([49.0, 64.0, 56.25])
    geo = index_from_components(COMPONENTS, DIMS, aggregation="power_mean", power=0.0)
    # geometric: D1 = sqrt(64 * 36) = 48, D2 = sqrt(81 * 49) = 63, index = sqrt(48 * 63) = 12 sqrt(21)
    assert [_get(geo, "a", m) for m in ("D1", "D2", INDEX_NAME)] == pytest.approx([48.0, 63.0, 12 * math.sqrt(21)])
    assert list(ar.columns) == ["area_code", "year", "measure_type", "measure", "score", "missing_share"]
    assert ar[ar.area_code == "a"]["measure"].tolist() == [INDEX_NAME, "D1", "D2"]


def test_index_from_components_skipping_missing_parts():
    out = index_from_components(COMPONENTS, DIMS, aggregation="power_mean", power=0.5, skip_missing=True,
                                max_missing_share=0.5)
    # b: D1 over C1 alone = 64 (share 1/2); D2 = 64; index = ((8 + 8)/2)^2 = 64
    assert [_get(out, "b", m) for m in ("D1", "D2", INDEX_NAME)] == pytest.approx([64.0, 64.0, 64.0])
    # c: D1 has no component (share 1 > 1/2): missing; D2 = ((4 + 6)/2)^2 = 25; index over D2 alone = 25
    assert np.isnan(_get(out, "c", "D1"))
    assert [_get(out, "c", "D2"), _get(out, "c", INDEX_NAME)] == pytest.approx([25.0, 25.0])
    share = out.set_index(["area_code", "measure"])["missing_share"]
    assert (share["b", "D1"], share["c", "D1"], share["c", INDEX_NAME]) == (0.5, 1.0, 0.5)
    # a tighter limit: b's D1 (1/2 missing) gets no score, so neither does its index (1/2 of dimensions)
    tight = index_from_components(COMPONENTS, DIMS, skip_missing=True, max_missing_share=0.4)
    assert np.isnan(_get(tight, "b", "D1")) and np.isnan(_get(tight, "b", INDEX_NAME))
    # arithmetic, skipping: c's D2 = (16 + 36)/2 = 26 and the index = 26
    ar = index_from_components(COMPONENTS, DIMS, skip_missing=True, max_missing_share=0.5)
    assert _get(ar, "c", INDEX_NAME) == pytest.approx(26.0)


def test_index_from_components_takes_a_framework_and_matches_the_engine(framework, values):
    res = compute_index(values, framework)
    comp = res.component_scores[["area_code", "area_level", "year", "component", "score"]]
    out = index_from_components(comp, framework)
    idx = out[out.measure_type == "index"].reset_index(drop=True)
    np.testing.assert_allclose(idx["score"], res.index_scores["score"])
    assert list(idx.columns[:3]) == ["area_level", "area_code", "year"]


@pytest.mark.parametrize("frame, kwargs, match", [
    (COMPONENTS.assign(component=COMPONENTS.component.replace("C4", "C9")), {}, r"component 'C9' \(area 'a'\)"),
    (COMPONENTS.assign(score=COMPONENTS.score.where(COMPONENTS.component != "C3", -1.0)),
     dict(aggregation="power_mean"), r"component 'C3', area 'a' year 2020: score must be a finite number >= 0"),
    (COMPONENTS.assign(score=COMPONENTS.score.astype(object).where(COMPONENTS.component != "C3", "high")), {},
     r"component 'C3', area 'a' year 2020: score must be a finite number"),
    (pd.concat([COMPONENTS, COMPONENTS.iloc[[1]]]), {}, r"component 'C2': duplicated rows for area 'a' year 2020"),
    (COMPONENTS, dict(max_missing_share=0.5), "needs skip_missing=True"),
    (COMPONENTS, dict(aggregation="median"), "aggregation must be one of"),
    (COMPONENTS, dict(power=-2.0), "power must be"),
    (COMPONENTS.drop(columns="year"), {}, r"missing column\(s\) \['year'\]"),
])
def test_index_from_components_validation(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        index_from_components(frame, DIMS, **kwargs)
    with pytest.raises(ValueError, match="component 'C1': dimension must be a non-empty name"):
        index_from_components(COMPONENTS, {"C1": ""})
