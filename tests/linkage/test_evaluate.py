"""evaluate(): pairwise precision/recall and resident counts, on hand-made clusters."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from social_progress.linkage import evaluate


def _clusters(groups):
    return pd.DataFrame(
        [(key, min(group)) for group in groups for key in group], columns=["record_key", "cluster_id"]
    )


def test_hand_example():
    truth = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}
    q = evaluate(_clusters([{"a", "b", "c"}, {"d", "e"}]), truth)
    assert q.true_positive_pairs == 2          # a-b, d-e
    assert q.predicted_pairs == 4              # a-b a-c b-c d-e
    assert q.true_pairs == 4                   # a-b c-d c-e d-e
    assert q.precision == pytest.approx(0.5)
    assert q.recall == pytest.approx(0.5)
    assert q.f1 == pytest.approx(0.5)
    assert q.records == 5
    assert q.true_persons == 2
    assert q.predicted_clusters == 2
    assert q.residents_double_counted == 1     # person 2 is in two clusters
    assert q.false_merges == 1                 # {a, b, c} holds persons 1 and 2


def test_perfect_and_singletons():
    truth = {"a": "p", "b": "p", "c": "q"}
    q = evaluate(_clusters([{"a", "b"}, {"c"}]), truth)
    assert (q.precision, q.recall, q.f1) == (1.0, 1.0, 1.0)
    assert q.residents_double_counted == 0 and q.false_merges == 0
    # nothing linked: no predicted pairs (precision 1 by definition), recall 0
    q = evaluate(_clusters([{"a"}, {"b"}, {"c"}]), truth)
    assert q.precision == 1.0 and q.recall == 0.0 and q.f1 == 0.0
    assert q.residents_double_counted == 1


def test_accepts_series_frame_and_mapping_inputs():
    truth = pd.Series({"a": 1, "b": 1, "c": 2})
    clusters = {"a": "x", "b": "x", "c": "y"}
    assert evaluate(clusters, truth).precision == 1.0
    truth_frame = pd.DataFrame({"record_key": ["a", "b", "c"], "person_id": [1, 1, 2]})
    assert evaluate(clusters, truth_frame).recall == 1.0


def test_counts_combinatorially_on_large_clusters():
    # one cluster of 20,000 records: 199,990,000 pairs, never listed
    n = 20_000
    keys = [f"k{i}" for i in range(n)]
    clusters = pd.DataFrame({"record_key": keys, "cluster_id": "k0"})
    truth = {k: i % 2 for i, k in enumerate(keys)}
    q = evaluate(clusters, truth)
    half = n // 2
    assert q.predicted_pairs == n * (n - 1) // 2
    assert q.true_pairs == 2 * (half * (half - 1) // 2)
    assert q.true_positive_pairs == q.true_pairs
    assert q.false_merges == 1


def test_mismatched_records_raise_with_counts_only():
    with pytest.raises(ValueError, match="1 record"):
        evaluate(_clusters([{"a", "b"}]), {"a": 1})


def test_as_metadata_is_plain_json():
    q = evaluate(_clusters([{"a", "b", "c"}, {"d", "e"}]), {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2})
    meta = q.as_metadata()
    assert json.loads(json.dumps(meta)) == meta
    assert meta["precision"] == 0.5 and meta["false_merges"] == 1
