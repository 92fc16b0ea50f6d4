"""evaluate: how good are the clusters, against known truth (pairwise and in residents).

Pairwise measures count every within-cluster pair of records, combinatorially (a group
of n records holds n(n-1)/2 pairs), never by listing the pairs:

* predicted pairs  = sum over predicted clusters of C(size, 2)
* true pairs       = sum over true persons of C(size, 2)
* true positives   = sum over (cluster, person) groups of C(size, 2)
* precision = TP / predicted pairs; recall = TP / true pairs; F1 their harmonic mean.
  With no predicted (true) pairs, precision (recall) is 1.0: nothing was claimed
  (nothing was there to find).

Resident counts: ``residents_double_counted`` are true persons whose records landed in
more than one cluster (they would be counted more than once); ``false_merges`` are
clusters holding more than one true person (people counted as one).

Example: truth {a:1, b:1, c:2, d:2, e:2}, clusters {a,b,c} {d,e}: predicted pairs 3+1=4,
true pairs 1+3=4, TP = a-b and d-e = 2, so precision 0.5 and recall 0.5; one resident
double-counted (person 2) and one false merge ({a,b,c}).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import pandas as pd


@dataclass(frozen=True)
class LinkageQuality:
    precision: float
    recall: float
    f1: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    records: int
    true_persons: int
    predicted_clusters: int
    residents_double_counted: int
    false_merges: int

    def as_metadata(self) -> dict[str, Any]:
        """Plain numbers (JSON-ready)."""
        out = asdict(self)
        for k, v in out.items():
            out[k] = float(v) if isinstance(v, float) else int(v)
        return out


def _pairs(sizes: pd.Series) -> int:
    n = sizes.astype("int64")
    return int((n * (n - 1) // 2).sum())


def _truth_frame(truth: Any) -> pd.DataFrame:
    if isinstance(truth, pd.DataFrame):
        if not {"record_key", "person_id"} <= set(truth.columns):
            raise ValueError("truth frame needs columns record_key and person_id")
        frame = truth[["record_key", "person_id"]]
    elif isinstance(truth, pd.Series):
        frame = pd.DataFrame({"record_key": truth.index, "person_id": truth.to_numpy()})
    elif isinstance(truth, Mapping):
        frame = pd.DataFrame({"record_key": list(truth.keys()), "person_id": list(truth.values())})
    else:
        raise TypeError("truth must be a mapping, a Series or a DataFrame")
    return pd.DataFrame({
        "record_key": frame["record_key"].astype("object").astype(str).to_numpy(),
        "person_id": frame["person_id"].astype("object").astype(str).to_numpy(),
    })


def _cluster_frame(clusters: Any) -> pd.DataFrame:
    frame = getattr(clusters, "clusters", clusters)  # a LinkageResult, or its frame
    if isinstance(frame, Mapping):
        frame = pd.DataFrame({"record_key": list(frame.keys()), "cluster_id": list(frame.values())})
    if not isinstance(frame, pd.DataFrame) or not {"record_key", "cluster_id"} <= set(frame.columns):
        raise ValueError("clusters need columns record_key and cluster_id")
    return pd.DataFrame({
        "record_key": frame["record_key"].astype("object").astype(str).to_numpy(),
        "cluster_id": frame["cluster_id"].astype("object").astype(str).to_numpy(),
    })


def evaluate(clusters: Any, truth: Any) -> LinkageQuality:
    """Pairwise precision/recall/F1 and resident counts of ``clusters`` against ``truth``.

    ``clusters``: a frame (record_key, cluster_id), a record_key -> cluster mapping, or a
    LinkageResult. ``truth``: record_key -> person id (mapping or Series), or a frame
    (record_key, person_id). Both must cover the same records, each once; a mismatch
    raises ValueError with counts only.
    """
    c = _cluster_frame(clusters)
    t = _truth_frame(truth)
    if c["record_key"].duplicated().any() or t["record_key"].duplicated().any():
        raise ValueError(
            f"record keys repeat: {int(c['record_key'].duplicated().sum())} in clusters, "
            f"{int(t['record_key'].duplicated().sum())} in truth"
        )
    merged = c.merge(t, on="record_key", how="outer", indicator=True)
    only_c = int((merged["_merge"] == "left_only").sum())
    only_t = int((merged["_merge"] == "right_only").sum())
    if only_c or only_t:
        raise ValueError(f"clusters and truth differ: {only_c} record(s) only in clusters, "
                         f"{only_t} only in truth")

    predicted = _pairs(merged.groupby("cluster_id").size())
    true = _pairs(merged.groupby("person_id").size())
    tp = _pairs(merged.groupby(["cluster_id", "person_id"]).size())
    precision = tp / predicted if predicted else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if (precision + recall) else 0.0
    clusters_per_person = merged.groupby("person_id")["cluster_id"].nunique()
    persons_per_cluster = merged.groupby("cluster_id")["person_id"].nunique()
    return LinkageQuality(
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        true_positive_pairs=tp,
        predicted_pairs=predicted,
        true_pairs=true,
        records=int(len(merged)),
        true_persons=int(merged["person_id"].nunique()),
        predicted_clusters=int(merged["cluster_id"].nunique()),
        residents_double_counted=int((clusters_per_person > 1).sum()),
        false_merges=int((persons_per_cluster > 1).sum()),
    )
