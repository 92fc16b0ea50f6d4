"""link_records() on seeded synthetic residents: quality, determinism, privacy, fallbacks."""
from __future__ import annotations

import json
import logging
import math
import re

import duckdb
import pandas as pd
import pytest

from social_progress.linkage import (
    LinkageError,
    LinkageResult,
    evaluate,
    link_records,
    model,
    standardise,
)


# ---- helpers -------------------------------------------------------------------------

def _personal_values(records: pd.DataFrame) -> tuple[set[str], list[str]]:
    """(tokens that must not appear as words, strings that must not appear anywhere)."""
    std = standardise(records)
    tokens: set[str] = set()
    for col in ("first_name", "surname"):
        for v in records[col].dropna():
            tokens.update(re.findall(r"[a-z]+", str(v).lower()))
    for col in ("first_name", "surname", "uprn"):
        tokens.update(str(v).lower() for v in std[col].dropna())
    for v in records["address_line"].dropna():
        tokens.update(t for t in re.findall(r"[a-z]+", str(v).lower()))
    substrings = [str(v).lower() for v in records["date_of_birth"].dropna()]
    substrings += [d.isoformat() for d in std["dob"].dropna()]
    substrings += [str(v).lower() for v in std["postcode"].dropna()]
    substrings += [str(v).lower() for v in records["postcode"].dropna() if len(str(v)) >= 5]
    return tokens, substrings


def _leaks(text: str, tokens: set[str], substrings: list[str]) -> list[str]:
    low = text.lower()
    words = set(re.findall(r"[a-z0-9]+", low))
    found = sorted(words & tokens)
    found += [s for s in set(substrings) if s in low]
    return found


# ---- quality and determinism ---------------------------------------------------------

def test_quality_on_synthetic_residents(people, linked):
    records, truth = people
    quality = evaluate(linked.clusters, truth)
    print("linkage quality:", quality.as_metadata(), "seconds:", linked.seconds)
    assert quality.precision >= 0.95
    assert quality.recall >= 0.90
    assert quality.records == len(records)
    # one person, one count: the number of clusters is close to the number of residents
    assert abs(quality.predicted_clusters - quality.true_persons) <= 0.02 * quality.true_persons


def test_clusters_shape_and_stable_ids(people, linked):
    records, _ = people
    clusters = linked.clusters
    assert list(clusters.columns) == ["record_key", "cluster_id"]
    assert len(clusters) == len(records)
    assert clusters["record_key"].is_unique
    assert set(clusters["record_key"]) == set(records["record_key"])
    assert clusters["record_key"].tolist() == sorted(clusters["record_key"])
    # the id of each cluster is its smallest record_key, a string
    smallest = clusters.groupby("cluster_id")["record_key"].min()
    assert (smallest.index == smallest.to_numpy()).all()
    assert all(isinstance(v, str) for v in clusters["cluster_id"].head(50))
    assert linked.persons == clusters["cluster_id"].nunique()
    # within-system duplicates and cross-system links both happen
    merged = clusters.merge(records[["record_key", "source_id"]], on="record_key")
    per_cluster = merged.groupby("cluster_id")["source_id"].agg(["size", "nunique"])
    assert (per_cluster["nunique"] > 1).any()
    assert (per_cluster["size"] > per_cluster["nunique"]).any()


def test_deterministic_across_runs(people, linked):
    records, _ = people
    again = link_records(records)
    pd.testing.assert_frame_equal(again.clusters, linked.clusters)
    assert again.pairs == linked.pairs
    pd.testing.assert_frame_equal(
        again.match_weights.drop(columns=["m_probability", "u_probability", "bayes_factor", "match_weight"]),
        linked.match_weights.drop(columns=["m_probability", "u_probability", "bayes_factor", "match_weight"]),
    )
    for col in ("m_probability", "u_probability", "match_weight"):
        a, b = again.match_weights[col], linked.match_weights[col]
        assert ((a - b).abs().fillna(0) < 1e-9).all(), col


def test_standardised_input_gives_the_same_clusters(people, linked):
    records, _ = people
    result = link_records(standardise(records))
    pd.testing.assert_frame_equal(result.clusters, linked.clusters)


# ---- the model and metadata ----------------------------------------------------------

def test_match_weights_and_metadata(linked):
    weights = linked.match_weights
    assert {"comparison", "level", "m_probability", "u_probability", "match_weight"} <= set(weights.columns)
    assert weights["comparison"].drop_duplicates().tolist() == [c.name for c in model.COMPARISONS]
    trained = weights[~weights["is_null_level"]]
    for name, group in trained.groupby("comparison"):
        assert group["m_probability"].sum() == pytest.approx(1.0, abs=1e-6), name
        assert (group["u_probability"] > 0).all(), name
    # the evidence points the right way: exact agreement for, disagreement against
    for name in ("first_name", "surname", "date_of_birth", "postcode", "uprn"):
        rows = trained[trained["comparison"] == name].set_index("level")["match_weight"]
        assert rows["exact"] > 0 > rows["else"], name
    assert (weights.loc[weights["is_null_level"], "match_weight"] == 0).all()
    assert weights.loc[weights["tf_adjusted"], "comparison"].tolist() == ["first_name", "surname", "postcode"]

    assert linked.threshold_probability == 0.9
    assert linked.threshold_match_weight == pytest.approx(math.log2(9))
    assert 0 < linked.probability_two_random_records_match < 0.01
    assert linked.pairs > 0 and linked.comparisons_scored >= linked.pairs
    assert linked.seconds > 0
    for rule in model.BLOCKING_RULES + model.EM_BLOCKING_RULES + model.DETERMINISTIC_RULES:
        assert rule in linked.settings_summary
    for comp in model.COMPARISONS:
        assert f"{comp.name}:" in linked.settings_summary
    assert "names swapped" in linked.settings_summary
    assert [s.failed for s in linked.em_sessions] == [None, None]
    assert all(s.converged for s in linked.em_sessions)

    meta = linked.as_metadata()
    assert json.loads(json.dumps(meta)) == meta
    assert len(meta["match_weights"]) == len(weights)


def test_no_personal_values_in_metadata(people, linked):
    records, _ = people
    tokens, substrings = _personal_values(records)
    assert len(tokens) > 100 and len(substrings) > 1000  # the check has teeth
    meta = linked.as_metadata()
    for text in (json.dumps(meta), repr(meta), linked.settings_summary,
                 linked.match_weights.to_string(), repr([s for s in linked.em_sessions]),
                 repr(linked.fallbacks)):
        assert _leaks(text, tokens, substrings) == []


def test_no_personal_values_in_logs_or_output(caplog, capfd, make_records):
    records, _ = make_records(300, seed=3)
    tokens, substrings = _personal_values(records)
    splink_logger = logging.getLogger("splink")
    before = splink_logger.level
    with caplog.at_level(logging.DEBUG):
        link_records(records)
    assert splink_logger.level == before  # restored
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(r.name.startswith("splink") and r.levelno < logging.WARNING for r in caplog.records)
    out, err = capfd.readouterr()
    for text in (messages, out, err):
        assert _leaks(text, tokens, substrings) == []


# ---- connection, files, errors, fallbacks --------------------------------------------

def test_caller_connection_is_used_and_left_clean(tmp_path, monkeypatch, make_records):
    monkeypatch.chdir(tmp_path)
    records, truth = make_records(300, seed=5)
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE keep_me AS SELECT 1 AS x")
    result = link_records(records, connection=con)
    tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
    assert tables == {"keep_me"}  # Splink's intermediate tables and the input are gone
    assert con.sql("SELECT x FROM keep_me").fetchone() == (1,)
    con.close()
    assert evaluate(result.clusters, truth).precision >= 0.9
    assert list(tmp_path.iterdir()) == []  # nothing written to the working directory


def test_default_connection_writes_no_files(tmp_path, monkeypatch, make_records):
    monkeypatch.chdir(tmp_path)
    records, _ = make_records(200, seed=6)
    link_records(records)
    assert list(tmp_path.iterdir()) == []


def test_errors_inside_splink_name_only_the_step(make_records):
    records, _ = make_records(50, seed=8)
    con = duckdb.connect(":memory:")
    con.close()
    with pytest.raises(LinkageError) as err:
        link_records(records, connection=con)
    assert "step" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_argument_checks(make_records):
    records, _ = make_records(20, seed=9)
    with pytest.raises(ValueError):
        link_records(records, threshold_probability=1.0)
    with pytest.raises(ValueError):
        link_records(records, deterministic_rules_recall=0)
    with pytest.raises(ValueError):
        link_records(records.head(1))
    std = standardise(records)
    std.loc[std.index[1], "record_key"] = std["record_key"].iloc[0]
    with pytest.raises(ValueError, match="1 repeated"):
        link_records(std)


def test_em_not_converging_falls_back_and_is_recorded(monkeypatch, make_records):
    records, truth = make_records(800, seed=10)
    monkeypatch.setattr(model, "EM_MAX_ITERATIONS", 1)
    result = link_records(records)
    assert not any(s.converged for s in result.em_sessions)
    assert any("no converged EM estimate" in f for f in result.fallbacks)
    assert "max 1 iterations" in result.settings_summary
    assert evaluate(result.clusters, truth).precision >= 0.8  # still a usable model


def test_em_failing_falls_back_and_is_recorded(monkeypatch, make_records):
    records, truth = make_records(800, seed=10)
    # a training rule that yields no pairs: Splink's EM refuses to run
    monkeypatch.setattr(model, "EM_BLOCKING_RULES", ("l.dob = r.dob AND l.dob IS NULL",))
    result = link_records(records)
    assert [s.failed for s in result.em_sessions] == ["EMTrainingException"]
    names = [c.name for c in model.COMPARISONS]
    for name in names:
        assert f"{name}: no converged EM estimate; fallback m used for all levels" in result.fallbacks
    # every comparison is still in the model, with the fallback m values
    assert result.match_weights["comparison"].drop_duplicates().tolist() == names
    quality = evaluate(result.clusters, truth)
    assert quality.precision >= 0.8 and quality.recall >= 0.8


def test_tiny_input_without_deterministic_matches(make_records):
    records, _ = make_records(6, seed=12)
    records = records.drop_duplicates("date_of_birth").head(4)
    result = link_records(records)
    assert isinstance(result, LinkageResult)
    assert len(result.clusters) == len(records)
    assert result.probability_two_random_records_match > 0


@pytest.mark.slow
def test_scale_and_speed(make_records):
    """About 56,000 records of 30,000 residents; the 150,000-record run takes about 6-10 s
    on 2 cores (measured outside the suite)."""
    records, truth = make_records(30_000, seed=21)
    result = link_records(records)
    quality = evaluate(result.clusters, truth)
    print("scale:", len(records), "records,", result.seconds, "s,", quality.as_metadata())
    assert quality.precision >= 0.95 and quality.recall >= 0.95
    assert result.seconds < 60
