"""Source and mart suites: loadable, complete, and their batches built right from raw tables."""
from datetime import date

import pandas as pd
import pytest
from dagster import AssetKey

from social_progress.catalogue import load_catalogue
from social_progress.quality import frames as qf
from social_progress.quality.codes import code_lists
from social_progress.quality.suites import Suite, SuiteError, load_suite, source_suite_path
from social_progress.quality.validate import run_suite
from social_progress.settings import get_settings

SETTINGS = get_settings()
CATALOGUE = load_catalogue(SETTINGS.sources_path)
EXPECTATIONS = SETTINGS.project_root / "expectations"


def all_suites():
    return [load_suite(p) for p in sorted(EXPECTATIONS.rglob("*.yml"))]


def test_every_catalogue_source_has_a_suite_with_the_catalogue_owner():
    for source in CATALOGUE.sources:
        suite = load_suite(source_suite_path(SETTINGS.project_root, source.id))
        assert (suite.source, suite.owner, suite.asset) == (source.id, "catalogue", f"raw/{source.id}")
        assert "rows" in suite.batches and suite.key
        kinds = {s.type for s in suite.batches["rows"]}
        assert {"expect_table_columns_to_match_set", "expect_table_row_count_to_be_between",
                "expect_column_values_to_not_be_null"} <= kinds, source.id
        if source.cadence not in ("once", "irregular") and suite.period.get("none") is None:
            assert [s.severity for s in suite.batches["freshness"]] == ["warning"], source.id
        if source.personal_data:
            assert suite.personal_columns, f"{source.id} holds personal data but lists no personal_columns"


def test_suite_sizes():
    suites = all_suites()
    n_sources = sum(1 for s in suites if s.owner == "catalogue")
    assert n_sources == len(CATALOGUE.sources)
    assert sum(s.n_expectations for s in suites) > 500
    marts = {s.name for s in suites if s.owner == "index_owner"}
    assert marts == {"index_scores", "index_stability", "indicator_values"}


def test_mart_checks_and_source_checks_are_blocking_and_in_the_yearly_job():
    from social_progress.definitions import defs

    specs = {spec.key.name: spec for checks in defs.asset_checks for spec in checks.check_specs}
    for source in CATALOGUE.sources:
        spec = specs[f"{source.id}_expectations"]
        assert spec.blocking and spec.asset_key == AssetKey(["raw", source.id])
    for name in ("index_scores_expectations", "index_stability_expectations"):
        assert specs[name].blocking and specs[name].asset_key == AssetKey(["marts", "index_scores"])
    assert specs["indicator_values_expectations"].asset_key == AssetKey(["marts", "indicator_values"])


def test_new_suite_fields_are_checked(tmp_path):
    bad = tmp_path / "s.yml"
    bad.write_text("suite: s\nasset: raw/x\nowner: catalogue\nbatches: {}\n")
    with pytest.raises(SuiteError, match="owner 'catalogue' needs field 'source'"):
        load_suite(bad)
    bad.write_text("suite: s\nasset: a\nowner: index_owner\ntypes: {a: numeric}\nbatches: {}\n")
    with pytest.raises(SuiteError, match="types.a"):
        load_suite(bad)
    bad.write_text("suite: s\nasset: a\nowner: index_owner\nbatches:\n  rows:\n    expectations:\n"
                   "      - type: expect_column_values_to_not_be_null\n        colums: [a]\n")
    with pytest.raises(SuiteError, match="unknown field.*colums"):
        load_suite(bad)
    good = tmp_path / "g.yml"
    good.write_text("suite: g\nasset: a\nowner: index_owner\nbatches:\n  rows:\n    expectations:\n"
                    "      - type: expect_column_values_to_not_be_null\n        columns: [a, b]\n        row_level: true\n")
    suite = load_suite(good)
    assert [(s.column, s.row_level) for s in suite.batches["rows"]] == [("a", True), ("b", True)]


def test_code_lists_follow_the_borough_and_vintage():
    codes = code_lists(SETTINGS)
    assert len(codes["lsoa11_borough"]) == 110 and len(codes["ward19_borough"]) == 17
    assert len(codes["ward22_borough"]) == 19 and codes["borough_code"] == ["E09000002"]
    assert set(codes["lsoa11_borough"]) <= set(codes["lsoa11_london"]) and len(codes["lsoa11_london"]) == 4835
    assert "E01034469" in codes["lsoa21_borough"] and "E01034469" not in codes["lsoa11_london"]


def _suite(**kw) -> Suite:
    return Suite(name="t", asset="raw/t", owner="index_owner", **kw)


def test_freshness_uses_the_reference_date_and_the_cadence(monkeypatch):
    rows = qf.rows_frame(pd.DataFrame({"year": ["2019", "2020", "2021"], "v": ["1", "2", "3"]}))
    suite = _suite(period={"column": "year"})
    monkeypatch.setenv("SPI_AS_OF", "2023-06-01")
    frame, bound = qf.freshness_frame(rows, suite, "yearly")
    assert frame.iloc[0]["latest_period"] == "2021" and frame.iloc[0]["age_days"] == (date(2023, 6, 1) - date(2021, 12, 31)).days
    assert bound == 366 + 366 and frame.iloc[0]["age_days"] <= bound
    monkeypatch.setenv("SPI_AS_OF", "2024-02-01")
    frame, bound = qf.freshness_frame(rows, suite, "yearly")
    assert frame.iloc[0]["age_days"] > bound  # stale
    monthly = qf.rows_frame(pd.DataFrame({"Month": ["2023-01", "2022-12"]}))
    frame, bound = qf.freshness_frame(monthly, _suite(period={"column": "Month", "format": "month"}), "monthly")
    assert frame.iloc[0]["period_end"] == "2023-01-31" and bound == 62


def test_freshness_warning_is_reported_not_blocking(monkeypatch):
    monkeypatch.setenv("SPI_AS_OF", "2026-01-01")
    suite = load_suite(source_suite_path(SETTINGS.project_root, "fixmystreet"))
    raw = pd.read_csv(SETTINGS.project_root / "data/records/fixmystreet_lsoa_counts_bd_2010_2019.csv", dtype=str)
    raw["_source_file"] = "x"
    from social_progress.quality.runner import source_frames

    frames, params = source_frames(suite, raw, CATALOGUE.get("fixmystreet"), SETTINGS)
    outcome = run_suite(suite, frames, {"rows": list(suite.key)}, params=params)
    assert outcome.passed and [(f.batch, f.severity) for f in outcome.failures] == [("freshness", "warning")]
    monkeypatch.setenv("SPI_AS_OF", "2020-06-01")
    frames, params = source_frames(suite, raw, CATALOGUE.get("fixmystreet"), SETTINGS)
    assert run_suite(suite, frames, {"rows": list(suite.key)}, params=params).failures == []


def test_coverage_finds_a_missing_year_and_a_missing_area():
    rows = qf.rows_frame(pd.DataFrame({"code": ["a", "b", "a", "b", "a"], "year": ["2010", "2010", "2011", "2011", "2013"]}))
    by_period = qf.coverage_frame(rows, _suite(period={"column": "year"}, coverage={"periods": "from_data", "by": ["period"]}), {})
    assert by_period.set_index("period")["present"].to_dict() == {"2010": True, "2011": True, "2012": False, "2013": True}
    both = qf.coverage_frame(rows, _suite(period={"column": "year"}, coverage={"area_column": "code", "areas": "mine",
                                                                                 "periods": ["2010", "2013"]}), {"mine": ["a", "b"]})
    assert both[~both["present"]][["area_code", "period"]].values.tolist() == [["b", "2013"]]
    wide = qf.rows_frame(pd.DataFrame({"code": ["a", "b"], "2019": ["1", None], "2020": ["2", "3"]}))
    cov = qf.coverage_frame(wide, _suite(period={"columns": ["2019", "2020"]}, coverage={"area_column": "code", "areas": "m",
                                                                                         "periods": "from_data"}), {"m": ["a", "b"]})
    assert cov[~cov["present"]][["area_code", "period"]].values.tolist() == [["b", "2019"]]


def test_typed_batch_parses_numbers_and_leaves_bad_text_null():
    rows = qf.rows_frame(pd.DataFrame({"n": ["1", "2.5", "-3", "12a", None, "1,234"], "d": ["2020-01-02", "43997", None, "x", "2020-02-30", "2021-12-31"]}))
    typed = qf.typed_frame(rows, {"n": "number", "d": "date"})
    assert typed["n"].tolist()[:3] == [1.0, 2.5, -3.0] and typed["n"].isna().tolist() == [False, False, False, True, True, True]
    assert typed["d"].isna().tolist() == [False, True, True, True, True, False]


def test_data_docs_are_built_for_a_check(tmp_path):
    suite = load_suite(EXPECTATIONS / "index_scores.yml")
    frames = {"scores": pd.DataFrame({"score": [50.0, 120.0], "value": [1.0, 2.0], "measure_type": ["index", "index"],
                                      "area_level": ["ward", "ward"], "area_name": ["a", "b"], "area_code": ["x", "y"]}),
              "coverage": pd.DataFrame({"present": [True]})}
    out = run_suite(suite, frames, {"scores": ["area_code"]}, docs_dir=tmp_path / "run" / "index_scores_expectations")
    assert out.docs_index == tmp_path / "run" / "index_scores_expectations" / "index.html" and out.docs_index.is_file()
    pages = list((tmp_path / "run" / "index_scores_expectations" / "validations").rglob("*.html"))
    assert len(pages) == 2  # one page per batch
    assert (tmp_path / "run" / "static").is_dir() and (tmp_path / "run" / "index_scores_expectations" / "static").is_symlink()


def test_code_patterns_take_ascii_digits_only():
    """`\\d` in a suite's pattern means 0-9: a full-width or Arabic-Indic digit fails the check."""
    import pandas as pd

    from social_progress.quality.suites import ExpectationSpec, Suite
    from social_progress.quality.validate import run_suite

    frame = pd.DataFrame({"lsoa11_code": ["E01000001", "E0100０１２３", "E0100٠١٢٣", "E01000002"]})
    suite = Suite(name="digits", asset="raw/digits", owner="steward@example.org", batches={"main": [
        ExpectationSpec("expect_column_values_to_match_regex", {"column": "lsoa11_code", "regex": r"^E01\d{6}$"})]})
    out = run_suite(suite, {"main": frame})
    assert [f.unexpected_count for f in out.failures] == [2]


def test_ascii_digits_rewrites_only_digit_classes():
    from social_progress.quality.suites import ascii_digits

    assert ascii_digits(r"^E01\d{6}$") == "^E01[0-9]{6}$"
    assert ascii_digits(r"[\d.]+") == "[0-9.]+" and ascii_digits(r"[^\d]") == "[^0-9]"
    assert ascii_digits(r"\\d") == r"\\d"                     # an escaped backslash, then a letter d
    assert ascii_digits(r"\D\.\w") == r"[^0-9]\.\w"
