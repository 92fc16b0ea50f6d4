"""The index tables the warehouse stores, computed by the library from the three marts.

Small but realistic inputs: 40 LSOAs in 4 wards and a borough, indicators published on
different calendars (one only every four years), one LSOA with no data at all, a
boundary in `areas` no indicator reports on, an indicator outside the index, and a
component whose indicators do not share one direction of progress.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from social_progress.index import compute_index_tables, load_framework
from social_progress.index.tables import engine_input, index_panel

BOROUGH = "E09000002"
N_LSOA = 40
#: (id, dimension, component, direction, in_index, years published)
INDICATORS = [
    ("crime", "Basic Needs", "Safety", "lower_is_better", True, range(2015, 2020)),
    ("fear", "Basic Needs", "Safety", "lower_is_better", True, range(2015, 2020)),
    ("overcrowding", "Basic Needs", "Shelter", "lower_is_better", True, range(2015, 2020)),
    ("fuel_poverty", "Basic Needs", "Shelter", "lower_is_better", True, range(2015, 2020)),
    ("damp", "Basic Needs", "Shelter", "higher_is_better", True, range(2015, 2020)),   # runs against the other two
    ("attainment", "Opportunity", "Education", "higher_is_better", True, (2014, 2018)),  # every four years
    ("attendance", "Opportunity", "Education", "higher_is_better", True, range(2016, 2020)),
    ("footfall", "Opportunity", "Education", "higher_is_better", False, range(2015, 2020)),  # not in the index
]
TOTAL = {"Safety": 0, "Shelter": 1, "Education": 2}


@dataclass(frozen=True)
class Years:
    """Stands in for `borough.IndexYears`: any object with these fields will do."""
    first_year: int = 2014
    last_year: int = 2020
    max_carry_forward_years: int = 3
    weighting: str = "pca"
    min_indicator_coverage: float = 0.75
    sensitivity_runs: int = 0


def lsoa_code(n: int) -> str:
    return f"E0100{n:04d}"


def ward_code(n: int) -> str:
    return f"E0503{n // 10:04d}"


def make_metadata() -> pd.DataFrame:
    return pd.DataFrame([dict(indicator_id=i, name=i.replace("_", " ").title(), dimension=d, component=c, direction=dr,
                              unit="%", transform="none", worst=100.0 if dr == "lower_is_better" else 0.0,
                              best=0.0 if dr == "lower_is_better" else 100.0, in_index=inx)
                         for i, d, c, dr, inx, _ in INDICATORS])


def make_values(seed: int = 3) -> pd.DataFrame:
    """indicator_values as the mart stacks them: LSOA values, ward and borough means."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(N_LSOA, len(TOTAL)))
    rows = []
    for ind, _, comp, direction, _, years in INDICATORS:
        sign = -1 if direction == "lower_is_better" else 1
        if ind == "damp":
            sign = -sign  # high damp where overcrowding and fuel poverty are low: a negative loading
        for year in years:
            lsoa = np.clip(50 + sign * 15 * latent[:, TOTAL[comp]] + rng.normal(0, 4, N_LSOA) + (year - 2015), 1, 99)
            for n, v in enumerate(lsoa):
                if n == 0 and ind == "crime" and year == 2017:
                    continue  # a gap the carry-forward fills from 2016
                rows.append((ind, lsoa_code(n), "lsoa", "lsoa11", year, float(v), str(year)))
            for w in range(N_LSOA // 10):
                rows.append((ind, ward_code(w * 10), "ward", "ward19", year, float(lsoa[w * 10:(w + 1) * 10].mean()), str(year)))
            rows.append((ind, BOROUGH, "borough", "lad", year, float(lsoa.mean()), f"{year}/{(year + 1) % 100:02d}"))
    v = pd.DataFrame(rows, columns=["indicator_id", "area_code", "area_level", "boundary", "year", "value", "period"])
    return v.assign(numerator=np.nan, denominator=np.nan, unit="%", quality_flag=None)


def make_areas() -> pd.DataFrame:
    rows = [(lsoa_code(n), f"Barking {n:03d}", "lsoa", "lsoa11") for n in range(N_LSOA + 1)]  # the last one has no data
    rows += [(f"E0103{n:04d}", f"Barking {n:03d}A", "lsoa", "lsoa21") for n in range(3)]       # no indicator reports on LSOA 2021
    rows += [(ward_code(w * 10), f"Ward {w}", "ward", "ward19") for w in range(N_LSOA // 10)]
    rows += [(BOROUGH, "Barking and Dagenham", "borough", "lad")]
    a = pd.DataFrame(rows, columns=["area_code", "area_name", "area_level", "boundary"]).assign(lad_code=BOROUGH)
    return a.sort_values(["boundary", "area_code"], ignore_index=True)


@pytest.fixture(scope="module")
def inputs():
    return make_values(), make_metadata(), make_areas()


@pytest.fixture(scope="module")
def tables(inputs):
    values, metadata, areas = inputs
    messages: list[str] = []
    out = compute_index_tables(values, metadata, areas, Years(sensitivity_runs=8), log=messages.append)
    return out, messages


def test_the_tables_the_warehouse_stores(tables):
    out, _ = tables
    assert list(out) == ["index_scores", "index_weights", "index_diagnostics", "index_exclusions", "index_years",
                         "index_areas", "index_uncertainty"]
    for frame in out.values():
        assert not any(isinstance(t, pd.CategoricalDtype) for t in frame.dtypes)  # plain VARCHAR in DuckDB
    s = out["index_scores"]
    assert list(s.columns) == ["area_code", "area_name", "area_level", "boundary", "year", "measure_type", "measure", "score",
                               "rank", "change", "imputed_share", "value", "data_year", "period"]
    order = ["boundary", "area_code", "year", "measure_type", "measure"]
    assert s.equals(s.sort_values(order, ignore_index=True))
    assert list(out["index_uncertainty"].columns[:4]) == ["area_code", "area_name", "area_level", "boundary"]


def test_years_with_enough_indicators_are_scored(tables):
    out, _ = tables
    # 2014: only the four-yearly attainment; 2015: 6 of 7 indicators (>= 75%); 2020: everything carried from 2018-19
    assert out["index_years"]["year"].tolist() == [2015, 2016, 2017, 2018, 2019, 2020]
    assert out["index_years"]["year"].dtype == np.int64


def test_every_area_of_a_scored_boundary_takes_part(tables, inputs):
    out, _ = tables
    _, _, areas = inputs
    ia = out["index_areas"]
    assert list(ia.columns) == ["boundary", "area_code", "area_name", "area_level"]
    assert ia.groupby("boundary").size().to_dict() == {"lad": 1, "lsoa11": N_LSOA + 1, "ward19": 4}  # no lsoa21
    s = out["index_scores"]
    empty = s[s["area_code"] == lsoa_code(N_LSOA)]
    assert len(empty) and empty["score"].isna().all()            # reported unscored, not missing
    assert (empty["area_name"] == f"Barking {N_LSOA:03d}").all()
    borough = s[(s["boundary"] == "lad") & (s["measure_type"] == "index")]
    assert borough["score"].notna().all() and (borough["area_level"] == "borough").all()
    assert (borough["area_name"] == "Barking and Dagenham").all()


def test_carried_values_say_where_they_came_from(tables, inputs):
    out, _ = tables
    values, _, _ = inputs
    s = out["index_scores"].set_index(["boundary", "area_code", "year", "measure_type", "measure"])
    att = s.loc[("lsoa11", lsoa_code(5), 2016, "indicator", "attainment")]
    raw = values[(values["indicator_id"] == "attainment") & (values["area_code"] == lsoa_code(5)) & (values["year"] == 2014)]
    assert att["data_year"] == 2014 and att["value"] == raw["value"].iloc[0] and att["period"] == "2014"
    assert s.loc[("lsoa11", lsoa_code(0), 2017, "indicator", "crime"), "data_year"] == 2016   # the gap, filled
    assert s.loc[("lad", BOROUGH, 2020, "indicator", "attendance"), "period"] == "2019/20"
    # 2015 has no attendance value yet: imputed, with no provenance
    att15 = s.loc[("lsoa11", lsoa_code(5), 2015, "indicator", "attendance")]
    assert pd.isna(att15["data_year"]) and att15["imputed_share"] == 1
    assert not (s.index.get_level_values("measure") == "footfall").any()


def test_a_component_with_a_negative_loading_uses_equal_weights(tables):
    out, messages = tables
    w = out["index_weights"].set_index("indicator_id")
    assert sorted(w.index) == sorted(i for i, *_, inx, _ in INDICATORS if inx)
    assert w.loc[["overcrowding", "fuel_poverty", "damp"], "weight"].tolist() == [1 / 3] * 3
    assert (w["weight"] > 0).all()
    d = out["index_diagnostics"].set_index("component")
    assert d.loc["Shelter", "weighting"] == "equal (negative PCA loading)"
    assert "negative loading: damp; equal weights used" in d.loc["Shelter", "warnings"]
    assert d.loc[["Safety", "Education"], "weighting"].tolist() == ["pca", "pca"]
    assert any(m.startswith("Shelter: damp loads negatively") for m in messages)
    assert any(m.startswith("sensitivity analysis: 8 Monte Carlo runs") for m in messages)


def test_uncertainty_only_when_asked_and_results_do_not_depend_on_row_order(inputs, tables):
    values, metadata, areas = inputs
    out, _ = tables
    shuffled = values.sample(frac=1, random_state=0).reset_index(drop=True)
    again = compute_index_tables(shuffled, metadata, areas.iloc[::-1], Years(sensitivity_runs=0), log=lambda m: None)
    assert "index_uncertainty" not in again
    for name, frame in again.items():
        pd.testing.assert_frame_equal(frame, out[name], check_exact=True)


def test_equal_weighting_is_equal_everywhere(inputs):
    values, metadata, areas = inputs
    out = compute_index_tables(values, metadata, areas, Years(weighting="equal"), log=lambda m: None)
    w = out["index_weights"].set_index("indicator_id")["weight"]
    assert w[["crime", "fear"]].tolist() == [0.5, 0.5]
    assert "equal (negative PCA loading)" not in set(out["index_diagnostics"]["weighting"])


def test_no_supported_year_is_an_error_naming_the_indicators(inputs):
    values, metadata, areas = inputs
    with pytest.raises(ValueError, match=r"no year in 2010-2013 has at least 75% .*crime, fear"):
        compute_index_tables(values, metadata, areas, Years(first_year=2010, last_year=2013), log=lambda m: None)


def test_the_engine_input_covers_every_scored_area_year_and_indicator(inputs):
    values, metadata, areas = inputs
    ids = load_framework(metadata, "pca").indicator_ids
    panel, years = index_panel(values, ids, Years())
    scored = areas[areas["boundary"].isin(panel["boundary"].unique())]
    e = engine_input(panel, scored, years, ids)
    assert len(e) == len(scored) * len(years) * len(ids)
    assert list(e.columns) == ["area_code", "area_level", "year", "indicator_id", "value"]
    assert e.loc[e["area_code"] == lsoa_code(N_LSOA), "value"].isna().all()


def test_load_framework_keeps_index_indicators_in_metadata_order():
    meta = make_metadata()
    meta.loc[0, "transform"] = None
    fw = load_framework(meta, "pca", {"Shelter": "equal"})
    assert fw.indicator_ids == ["crime", "fear", "overcrowding", "fuel_poverty", "damp", "attainment", "attendance"]
    assert fw.weighting_of("Shelter") == "equal" and fw.weighting_of("Safety") == "pca"
    assert fw.indicators[0].transform == "none"


def test_the_old_import_path_still_works():
    from social_progress import index_years
    from social_progress.index import years

    assert index_years.carry_forward is years.carry_forward and index_years.supported_years is years.supported_years


def test_index_years_config_object_is_accepted():
    from social_progress.borough import IndexYears

    cfg = IndexYears(first_year=2014, last_year=2020, max_carry_forward_years=3, sensitivity_runs=0)
    out = compute_index_tables(make_values(), make_metadata(), make_areas(), cfg, log=lambda m: None)
    ref = compute_index_tables(make_values(), make_metadata(), make_areas(), replace(Years(), sensitivity_runs=0), log=lambda m: None)
    for name in ref:
        pd.testing.assert_frame_equal(out[name], ref[name], check_exact=True)
