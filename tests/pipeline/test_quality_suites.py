"""Expectation suites load from reviewable YAML and Great Expectations finds real failures."""
import pandas as pd
import pytest

from social_progress.quality.mart_frames import index_frames
from social_progress.quality.suites import SuiteError, load_suite
from social_progress.quality.validate import run_suite
from social_progress.settings import get_settings

SUITE = get_settings().project_root / "expectations" / "index_scores.yml"


def scores_frame(score_of=lambda code: 50.0):
    rows = []
    for code, boundary, level in [("E01000006", "lsoa11", "lsoa"), ("E05014053", "ward22", "ward"), ("E09000002", "lad", "borough")]:
        for year in (2020, 2021):
            rows.append(dict(area_code=code, area_name=code, area_level=level, boundary=boundary, year=year,
                             measure_type="index", measure="Social Progress Index", score=score_of(code), value=None))
            rows.append(dict(area_code=code, area_name=code, area_level=level, boundary=boundary, year=year,
                             measure_type="indicator", measure="violence_rate", score=60.0, value=20.0))
    return pd.DataFrame(rows)


def areas_frame():
    return pd.DataFrame({"area_code": ["E01000006", "E05014053", "E09000002"], "area_level": ["lsoa", "ward", "borough"],
                         "boundary": ["lsoa11", "ward22", "lad"], "area_name": ["a", "b", "c"]})


IDS = {"scores": ["boundary", "area_code", "year", "measure"], "coverage": ["boundary", "area_code", "year"]}


def test_good_scores_pass():
    outcome = run_suite(load_suite(SUITE), index_frames(scores_frame(), areas_frame(), [2020, 2021]), IDS)
    assert outcome.passed and outcome.failures == [] and outcome.evaluated == 6


def test_out_of_range_score_fails_with_the_area_as_example():
    frame = scores_frame(lambda code: 104.2 if code == "E05014053" else 50.0)
    outcome = run_suite(load_suite(SUITE), index_frames(frame, areas_frame(), [2020, 2021]), IDS)
    assert not outcome.passed
    (f,) = outcome.errors
    assert f.expectation == "expect_column_values_to_be_between" and f.unexpected_count == 2
    assert f.examples[0]["area_code"] == "E05014053"


def test_missing_area_and_null_score_fail():
    frame = scores_frame()
    frame = frame[~((frame["area_code"] == "E01000006") & (frame["year"] == 2021))]
    frame.loc[(frame["area_code"] == "E09000002") & (frame["measure_type"] == "indicator"), "score"] = None
    outcome = run_suite(load_suite(SUITE), index_frames(frame, areas_frame(), [2020, 2021]), IDS)
    failed = {(f.batch, f.expectation) for f in outcome.errors}
    assert ("coverage", "expect_column_values_to_be_in_set") in failed
    assert ("scores", "expect_column_values_to_not_be_null") in failed
    coverage = next(f for f in outcome.errors if f.batch == "coverage")
    assert coverage.examples == [{"boundary": "lsoa11", "area_code": "E01000006", "year": 2021, "present": False}]


def test_a_bad_suite_file_names_the_file_batch_and_field(tmp_path):
    bad = tmp_path / "s.yml"
    bad.write_text("suite: s\nasset: a\nowner: o\nbatches:\n  scores:\n    expectations:\n"
                   "      - type: expect_column_values_to_be_between\n        kwargs: {column: score}\n        severity: fatal\n")
    with pytest.raises(SuiteError, match=r"s.yml: batch 'scores' expectation 1: field 'severity'"):
        load_suite(bad)
    bad.write_text("suite: s\nasset: a\nowner: o\nbatches:\n  scores:\n    expectations:\n      - type: expect_nonsense\n")
    with pytest.raises(SuiteError, match="unknown expectation type 'expect_nonsense'"):
        load_suite(bad)
