"""Targets: absolute, gap to London and rank among London boroughs, on or off track or not
evaluated; the targets file is validated; the project's file is honest about its status.

Every expected number below is worked out by hand in the comments (least-squares slope of
equally spaced points, gaps, ranks), not taken from the code under test."""
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from fixture_targets import write_fixture_targets
from social_progress.publish.targets import MIN_BOROUGHS_RANKED, TargetsError, load_targets, target_status

ROOT = Path(__file__).resolve().parents[2]
BOROUGH = "E09000002"
META = pd.DataFrame({"indicator_id": ["crime", "green"], "name": ["Crime", "Green"], "unit": ["per 1,000", "share"],
                     "direction": ["lower_is_better", "higher_is_better"]})
DRAFT = "Illustrative: drafted by the test team; not adopted"


def series(ind, pairs):
    return pd.DataFrame([(ind, y, v) for y, v in pairs], columns=["indicator_id", "year", "value"])


def london(ind, pairs, code="E12000007"):
    return pd.DataFrame([(ind, code, y, v) for y, v in pairs], columns=["indicator_id", "comparator_code", "year", "value"])


def absolute(ind, target, year):
    return {"indicator": ind, "status": "illustrative", "source": DRAFT, "target": target, "target_year": year}


def gap(ind, share, baseline, year):
    return {"indicator": ind, "kind": "london_gap", "status": "illustrative", "source": DRAFT,
            "close_gap_share": share, "baseline_year": baseline, "target_year": year}


def rank(ind, n, year):
    return {"indicator": ind, "kind": "london_rank", "status": "illustrative", "source": DRAFT, "rank": n,
            "target_year": year}


def boroughs(ind, years, values):
    """32 London boroughs other than the borough (E09000001, E09000003..E09000033), the k-th
    with values[k] every year."""
    codes = [f"E09{n:06d}" for n in range(1, 34) if f"E09{n:06d}" != BOROUGH]
    assert len(codes) == 32 == len(values)
    return pd.DataFrame([(ind, c, y, v) for y in years for c, v in zip(codes, values)],
                        columns=["indicator_id", "comparator_code", "year", "value"])


# ------------------------------------------------------------------------------------ absolute

def test_falling_crime_reaches_its_absolute_target_in_time():
    # 30, 28, 26, 24, 22: slope -2 a year; from 22 in 2021, 9 years to 2030: 22 - 18 = 4 <= 10
    s = series("crime", [(2017, 30), (2018, 28), (2019, 26), (2020, 24), (2021, 22)])
    out = target_status([absolute("crime", 10, 2030)], s, META, 2021).iloc[0]
    assert out["current_value"] == 22 and out["current_year"] == 2021
    assert out["trend_per_year"] == pytest.approx(-2) and out["trend"] == "improving"
    assert out["projected_value"] == pytest.approx(4) and out["status"] == "on track"
    assert out["kind"] == "absolute" and out["adoption_status"] == "illustrative" and out["source"] == DRAFT


def test_too_slow_is_off_track_and_values_after_the_release_are_ignored():
    # 26, 25.5, 25: slope -0.5; 25 - 0.5 * 4 = 23 by 2025 > 10. The 2022 value of 1 is after the release.
    s = series("crime", [(2019, 26), (2020, 25.5), (2021, 25), (2022, 1)])
    out = target_status([absolute("crime", 10, 2025)], s, META, 2021).iloc[0]
    assert out["current_year"] == 2021 and out["projected_value"] == pytest.approx(23) and out["status"] == "off track"


def test_one_data_year_has_no_trend_and_status_says_whether_it_is_met():
    s = series("green", [(2019, 0.4)])
    out = target_status([absolute("green", 0.3, 2030), absolute("green", 0.5, 2031)], s, META, 2021)
    assert out["trend"].tolist() == ["no trend (one data year)"] * 2
    assert out["status"].tolist() == ["on track", "off track"]


def test_a_target_for_an_indicator_the_release_lacks_reads_no_data():
    out = target_status([absolute("gone", 1, 2030)], series("crime", [(2021, 1)]), META, 2021).iloc[0]
    assert out["status"] == "no data" and out["trend"] == "no data"


# ------------------------------------------------------------------------------------ gap to London

def test_gap_to_london_closing_fast_enough_is_on_track():
    # crime (lower is better): borough 30..26, London 20: gaps 10, 9, 8, 7, 6. Baseline 2017
    # gap 10, close half: target gap 5. Now 6 (not met); gap slope -1: 6 - 9 = -3 by 2030 <= 5
    s = series("crime", [(2017, 30), (2018, 29), (2019, 28), (2020, 27), (2021, 26)])
    ldn = london("crime", [(y, 20.0) for y in range(2017, 2022)])
    out = target_status([gap("crime", 0.5, 2017, 2030)], s, META, 2021, london=ldn, borough=BOROUGH).iloc[0]
    assert (out["reference_value"], out["current_gap"], out["target_gap"]) == pytest.approx((20, 6, 5))
    assert out["trend_per_year"] == pytest.approx(-1) and out["trend"] == "improving"
    assert out["projected_value"] == pytest.approx(-3) and out["status"] == "on track"
    assert (out["baseline_year"], out["baseline_value"], out["target"]) == (2017, 30, 0.5)


def test_gap_to_london_when_london_improves_too_is_off_track():
    # London falls 20 -> 18 while the borough falls 30 -> 26: gaps 10, 9.5, 9, 8.5, 8 (slope
    # -0.5). Target gap 5; by 2023: 8 - 0.5 * 2 = 7 > 5, off track; the borough alone improves
    s = series("crime", [(2017, 30), (2018, 29), (2019, 28), (2020, 27), (2021, 26)])
    ldn = london("crime", [(2017, 20), (2018, 19.5), (2019, 19), (2020, 18.5), (2021, 18)])
    out = target_status([gap("crime", 0.5, 2017, 2023)], s, META, 2021, london=ldn).iloc[0]
    assert out["current_gap"] == pytest.approx(8) and out["trend_per_year"] == pytest.approx(-0.5)
    assert out["projected_value"] == pytest.approx(7) and out["status"] == "off track"


def test_gap_to_london_follows_the_indicator_direction():
    # green (higher is better): borough 0.30, 0.31, 0.32 under London's 0.40: gaps 0.10, 0.09,
    # 0.08; target gap 0.05. By 2025: 0.08 - 0.01 * 4 = 0.04 (on track); by 2023: 0.06 (off).
    # Read the wrong way round the borough would be "ahead" and both would be on track.
    s = series("green", [(2019, 0.30), (2020, 0.31), (2021, 0.32)])
    ldn = london("green", [(2019, 0.40), (2020, 0.40), (2021, 0.40)])
    out = target_status([gap("green", 0.5, 2019, 2025), gap("green", 0.5, 2019, 2023)], s, META, 2021, london=ldn)
    assert out["current_gap"].tolist() == pytest.approx([0.08, 0.08])
    assert out["target_gap"].tolist() == pytest.approx([0.05, 0.05])
    assert out["projected_value"].tolist() == pytest.approx([0.04, 0.06])
    assert out["status"].tolist() == ["on track", "off track"]


def test_missing_london_data_is_not_evaluated_never_on_or_off_track():
    s = series("crime", [(2019, 28), (2020, 27), (2021, 26)])
    t = [gap("crime", 0.5, 2019, 2030), rank("crime", 5, 2030)]
    # no comparator mart at all
    out = target_status(t, s, META, 2021, london=None)
    assert out["status"].tolist() == ["not evaluated"] * 2
    assert all("marts.indicator_comparators is not in the warehouse" in r for r in out["status_reason"])
    # a comparator mart without London's row for this indicator, nor the other boroughs
    other = london("green", [(2021, 0.4)])
    out = target_status(t, s, META, 2021, london=other).set_index("kind")
    assert out.loc["london_gap", "status"] == "not evaluated" and "no London value of crime" in out.loc["london_gap", "status_reason"]
    assert out.loc["london_rank", "status"] == "not evaluated" and "only 1 of the 33" in out.loc["london_rank", "status_reason"]
    # London there, but not in the baseline year
    out = target_status([gap("crime", 0.5, 2017, 2030)], s, META, 2021,
                        london=london("crime", [(2019, 20), (2020, 20), (2021, 20)])).iloc[0]
    assert out["status"] == "not evaluated" and "baseline year 2017" in out["status_reason"]
    assert pd.isna(out["trend_per_year"]) and pd.isna(out["projected_value"])


# ------------------------------------------------------------------------------------ rank

def test_rank_among_london_boroughs_lower_is_better():
    # the other 32 boroughs hold 1, 2, ..., 32 every year. The borough: 20.5, 19.5, 18.5.
    # In 2021, 18 boroughs are below 18.5: rank 19 of 33. Rank 10 needs the 10th best other
    # value, 10: gaps 10.5, 9.5, 8.5 (slope -1). By 2030: 8.5 - 9 = -0.5 <= 0, on track;
    # by 2027: 8.5 - 6 = 2.5 > 0, off track.
    s = series("crime", [(2019, 20.5), (2020, 19.5), (2021, 18.5)])
    others = boroughs("crime", [2019, 2020, 2021], [float(v) for v in range(1, 33)])
    out = target_status([rank("crime", 10, 2030), rank("crime", 10, 2027)], s, META, 2021, london=others,
                        borough=BOROUGH)
    assert out["current_rank"].tolist() == [19, 19] and out["boroughs_compared"].tolist() == [33, 33]
    assert out["reference_value"].tolist() == [10, 10] and out["current_gap"].tolist() == pytest.approx([8.5, 8.5])
    assert out["projected_value"].tolist() == pytest.approx([-0.5, 2.5])
    assert out["status"].tolist() == ["on track", "off track"]


def test_rank_follows_the_indicator_direction_and_a_tie_reaches_the_rank():
    # green (higher is better), others 1..32, the borough 30.5: only 31 and 32 are higher,
    # rank 3. Rank 3 is met; rank 2 needs 31 (gap 0.5, one data year: off track).
    s = series("green", [(2021, 30.5)])
    others = boroughs("green", [2021], [float(v) for v in range(1, 33)])
    out = target_status([rank("green", 3, 2030), rank("green", 2, 2031)], s, META, 2021, london=others,
                        borough=BOROUGH)
    assert out["current_rank"].tolist() == [3, 3]
    assert out["status"].tolist() == ["on track", "off track"]
    assert out["current_gap"].tolist() == pytest.approx([-0.5, 0.5])
    # crime (lower is better) equal to the 10th best other value (10): 9 boroughs lower, rank 10
    tie = target_status([rank("crime", 10, 2030)], series("crime", [(2021, 10.0)]), META, 2021,
                        london=boroughs("crime", [2021], [float(v) for v in range(1, 33)]), borough=BOROUGH).iloc[0]
    assert tie["current_rank"] == 10 and tie["status"] == "on track"


def test_rank_with_one_borough_missing_is_ranked_and_with_two_is_not_evaluated():
    # the City of London (the first code) has no crime data: 31 others + the borough = 32
    s = series("crime", [(2021, 18.5)])
    others = boroughs("crime", [2021], [float(v) for v in range(1, 33)])
    one = others[others["comparator_code"] != "E09000001"]
    out = target_status([rank("crime", 10, 2030)], s, META, 2021, london=one, borough=BOROUGH).iloc[0]
    assert MIN_BOROUGHS_RANKED == 32
    assert out["boroughs_compared"] == 32 and out["current_rank"] == 18  # value 1 was the City's
    two = one[one["comparator_code"] != "E09000003"]
    out = target_status([rank("crime", 10, 2030)], s, META, 2021, london=two, borough=BOROUGH).iloc[0]
    assert out["status"] == "not evaluated" and "only 31 of the 33" in out["status_reason"]


# ------------------------------------------------------------------------------------ the file

def _write(tmp_path, targets, **top):
    p = tmp_path / "targets.yml"
    p.write_text(yaml.safe_dump({"version": 1, **top, "targets": targets}, sort_keys=False))
    return p


@pytest.mark.parametrize("entry, message", [
    ({"indicator": "crime", "target": 10, "target_year": 2030, "source": DRAFT},
     r"targets.yml: target 1 \(crime\): field 'status': is required but missing"),
    ({**absolute("crime", 10, 2030), "status": "agreed"},
     r"target 1 \(crime\): field 'status': 'agreed' is not one of adopted, illustrative"),
    ({**absolute("crime", 10, 2030), "source": "Insight team draft"},
     r"target 1 \(crime\): an illustrative target's source must say who drafted it and that it is 'not adopted'"),
    ({**absolute("crime", 10, 2030), "status": "adopted"},
     r"target 1 \(crime\): status is adopted but the source says 'not adopted'"),
    ({k: v for k, v in absolute("crime", 10, 2030).items() if k != "source"},
     r"target 1 \(crime\): field 'source': is required but missing"),
    ({k: v for k, v in gap("crime", 0.5, 2017, 2030).items() if k != "baseline_year"},
     r"target 1 \(crime\): kind london_gap needs 'baseline_year'"),
    ({**rank("crime", 5, 2030), "target": 3}, r"target 1 \(crime\): 'target' belongs to kind absolute, not london_rank"),
    (rank("crime", 34, 2030), r"target 1 \(crime\): field 'rank': Input should be less than or equal to 33 \(got 34\)"),
    ({**gap("crime", 0.5, 2017, 2030), "close_gap_share": 1.5}, r"field 'close_gap_share': Input should be less than"),
    ({**absolute("crime", 10, 2030), "kind": "relative"}, r"field 'kind': 'relative' is not one of"),
    ({**absolute("crime", 10, 2030), "deadline": 2030}, r"field 'deadline': is not a known field"),
])
def test_a_bad_entry_is_refused_naming_the_file_entry_and_rule(tmp_path, entry, message):
    with pytest.raises(TargetsError, match=message):
        load_targets(_write(tmp_path, [entry]))


def test_unknown_indicators_are_refused_against_the_indicator_catalogue(tmp_path):
    p = _write(tmp_path, [absolute("crime", 10, 2030), absolute("nope", 1, 2030)])
    with pytest.raises(TargetsError, match=r"targets.yml: target 2 \(nope\): unknown indicator 'nope'"):
        load_targets(p, known={"crime", "green"})
    assert [t.indicator for t in load_targets(p, known={"crime", "nope"})] == ["crime", "nope"]


def test_every_problem_is_reported_at_once_and_the_top_level_is_checked(tmp_path):
    p = _write(tmp_path, [absolute("crime", 10, 2030), {"indicator": "green", "target_year": 2030}])
    with pytest.raises(TargetsError) as err:
        load_targets(p)
    assert "target 2 (green): field 'status': is required" in str(err.value)
    assert "target 2 (green): field 'source': is required" in str(err.value)
    with pytest.raises(TargetsError, match=r"targets.yml: field 'borough': 'Barking' does not match \^E09"):
        load_targets(_write(tmp_path, [], borough="Barking"))


def test_the_projects_targets_are_honest_illustrations_of_real_indicators():
    models = {p.stem for p in (ROOT / "dbt_project" / "models" / "indicators").rglob("*.sql")}
    targets = load_targets(ROOT / "catalogue" / "targets.yml", models)
    assert len(targets) >= 9
    # nothing here was adopted by the Manifesto board: no entry may say otherwise
    assert {t.status for t in targets} == {"illustrative"}
    assert all("not adopted" in t.source for t in targets)
    assert {"london_gap", "london_rank"} <= {t.kind for t in targets}
    # the Manifesto's ambitions are for 2037
    assert {t.target_year for t in targets} == {2037}


# ------------------------------------------------------------------------------------ the release

def test_release_targets_table_metadata_and_dictionary_carry_the_status(build, tmp_path):
    _, files = build(targets_path=write_fixture_targets(tmp_path / "cat"), comparators=True)
    t = pd.read_csv(io.BytesIO(files["targets.csv"])).set_index(["indicator_id", "kind"])
    assert set(pd.read_parquet(io.BytesIO(files["targets.parquet"]))["adoption_status"]) == {"adopted", "illustrative"}
    assert t.loc[("crime_rate", "absolute"), "adoption_status"] == "adopted"
    assert t.loc[("green_share", "absolute"), "adoption_status"] == "illustrative"
    # fixture: borough crimes 370, 367, 240 over 4,200 residents (88.095, 87.381, 57.143 per
    # 1,000); 50 by 2030 is on track (3 points: slope (57.143 - 88.095) / 2 = -15.476)
    assert t.loc[("crime_rate", "absolute"), "status"] == "on track" and t.loc[("crime_rate", "absolute"), "current_year"] == 2021
    assert t.loc[("green_share", "absolute"), "status"] == "off track"  # (300 + 300 + 440 + 405) / 4,200 = 0.344 in 2019 only, below 0.5
    # London: 55,000 crimes over 9 million residents in 2021, 6.111 per 1,000; the gap
    # 57.143 - 6.111 = 51.032. Baseline 2019: 88.095 - 60,000 / 9,000 = 81.429; half: 40.714
    g = t.loc[("crime_rate", "london_gap")]
    assert g["reference_value"] == pytest.approx(6.111111, abs=1e-6)
    assert g["current_gap"] == pytest.approx(51.031746, abs=1e-6) and g["target_gap"] == pytest.approx(40.714286, abs=1e-6)
    assert g["status"] == "on track"
    # the fixture has London and 3 neighbours: no rank among 33 boroughs
    r = t.loc[("crime_rate", "london_rank")]
    assert r["status"] == "not evaluated" and r["boroughs_compared"] == 4 and "only 4 of the 33" in r["status_reason"]
    meta = json.loads(files["metadata.json"])["sections"]["targets"]
    assert (meta["adopted"], meta["illustrative"], meta["not_evaluated"]) == (1, 3, 1)
    assert meta["labels"]["illustrative"] == "Illustrative target, not adopted"
    assert {(x["indicator_id"], x["kind"], x["label"]) for x in meta["targets"]} >= {
        ("green_share", "absolute", "Illustrative target, not adopted"), ("crime_rate", "absolute", "Adopted target")}
    dictionary = pd.read_csv(io.BytesIO(files["data_dictionary.csv"])).fillna("")
    described = dictionary[dictionary["file"] == "targets.csv"].set_index("column")["description"]
    assert "not adopted" in described["adoption_status"] and "illustrative" in described[""]
    assert all(described[c] for c in t.reset_index().columns)
    assert b"Illustrative target, not adopted" not in files["targets.csv"]  # the label is the explorer's
    assert b"adoption_status" in files["explorer/data.js"]


def test_release_without_comparators_reports_relative_targets_not_evaluated(build, tmp_path):
    _, files = build(targets_path=write_fixture_targets(tmp_path / "cat"))
    t = pd.read_csv(io.BytesIO(files["targets.csv"])).set_index(["indicator_id", "kind"])
    assert t.loc[("crime_rate", "london_gap"), "status"] == "not evaluated"
    assert t.loc[("crime_rate", "london_rank"), "status"] == "not evaluated"
    assert "marts.indicator_comparators is not in the warehouse" in t.loc[("crime_rate", "london_gap"), "status_reason"]


def test_a_targets_file_naming_an_unknown_indicator_stops_the_mart(build, tmp_path):
    p = _write(tmp_path, [absolute("crime_rate", 50, 2030), absolute("violence_rate", 20, 2037)], borough=BOROUGH)
    with pytest.raises(TargetsError, match=r"target 2 \(violence_rate\): unknown indicator 'violence_rate'"):
        build(targets_path=p)


def test_the_other_boroughs_rank_the_borough_but_are_not_shown_beside_it():
    """marts.indicator_comparators holds every London borough (comparator_type london_borough
    for those that only rank the borough); comparators.csv keeps London and the neighbours."""
    from social_progress.publish.marts import comparisons

    meta = pd.DataFrame({"indicator_id": ["crime"], "name": ["Crime"], "unit": ["per 1,000"],
                         "direction": ["lower_is_better"], "aggregation": ["rate"]})
    rows = [("crime", "E12000007", "London", "region", 2021, 60.0, 10000.0, 6.0),
            ("crime", "E09000016", "Havering", "borough", 2021, 40.0, 10000.0, 4.0),
            ("crime", "E09000030", "Tower Hamlets", "london_borough", 2021, 80.0, 10000.0, 8.0)]
    comps = pd.DataFrame(rows, columns=["indicator_id", "comparator_code", "comparator_name", "comparator_type", "year",
                                        "numerator", "denominator", "value"]).assign(unit="per 1,000", period="2021")
    values = pd.DataFrame({"indicator_id": ["crime"], "area_code": [BOROUGH], "area_level": ["borough"], "year": [2021],
                           "numerator": [50.0], "denominator": [10000.0], "value": [5.0], "unit": ["per 1,000"],
                           "period": ["2021"]})
    shown = comparisons(comps, values, meta, {"code": BOROUGH, "name": "Barking and Dagenham"})
    assert set(shown["comparator_code"]) == {BOROUGH, "E12000007", "E09000016"}


def test_a_rank_no_other_borough_holds_is_not_evaluated():
    # 31 others with values (the City missing): rank 32 has no holder among them
    others = boroughs("crime", [2021], [float(v) for v in range(1, 33)])
    others = others[others["comparator_code"] != "E09000001"]
    out = target_status([rank("crime", 32, 2030)], series("crime", [(2021, 40.0)]), META, 2021, london=others,
                        borough=BOROUGH).iloc[0]
    assert out["current_rank"] == 32 and out["status"] == "not evaluated" and "there are 31" in out["status_reason"]


def test_a_targets_mart_written_by_older_code_is_computed_again_not_misread(tmp_path):
    """A warehouse refreshed before the targets gained their status holds marts.target_status
    with the old columns: a release built from it computes the mart again (or, when the marts
    must all be current, names it), never reads it without its status."""
    import duckdb

    from fixture_warehouse import BOROUGH_DICT, make_warehouse
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import MartError, write_derived_marts

    targets = write_fixture_targets(tmp_path / "cat")
    db = make_warehouse(tmp_path / "wh" / "social_progress.duckdb", comparators=True)
    write_derived_marts(db, BOROUGH_DICT, targets)
    with duckdb.connect(str(db)) as con:   # the columns the mart had before (commit 39dd35b)
        con.execute("CREATE OR REPLACE TABLE marts.target_status AS SELECT indicator_id, name, unit, direction, target, "
                    "target_year, baseline_year, baseline_value, current_year, current_value, trend_per_year, trend, "
                    "projected_value, status, note, source FROM marts.target_status")
        con.execute("""COMMENT ON TABLE marts.target_status IS '{"available": true, "note": ""}'""")
    with pytest.raises(MartError, match="marts.target_status"):
        read_warehouse(db, require_marts=True)
    _, files = build_release(read_warehouse(db), borough=BOROUGH_DICT, sources_path=ROOT / "catalogue" / "sources.yml",
                             targets_path=targets, code_version="test")
    t = pd.read_csv(io.BytesIO(files["targets.csv"]))
    assert sorted(t["adoption_status"]) == ["adopted", "illustrative", "illustrative", "illustrative"]
