"""Ground truth for record linkage: which system record belongs to which synthetic person.

Why: linkage across and within systems can only be evaluated against the truth, and the
truth must never be read as data (it would bypass the linkage it is meant to test). It
is written apart from the systems, to `_truth/record_persons.csv`: `record_ref` is the
value of the column named in `schemas.TRUTH_REF_COLUMNS`, the record's own key (its
first key column where a record has two: a pupil's `upn` for (upn, academic_year), a
member's `member_id` for (member_id, year)); a CRM case's person is its reporter, an
incident's its victim. A person registered twice within a system shows as two different
person references (person_ref, child_ref, upn ...) on records of one person_id.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

TRUTH_DIR = "_truth"
TRUTH_FILE = "record_persons.csv"


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    t = pd.concat(parts, ignore_index=True)[["source_table", "record_ref", "person_id"]]
    t = t.dropna().drop_duplicates()
    t["person_id"] = t["person_id"].astype("int64")
    return t.sort_values(["source_table", "record_ref"], kind="stable").reset_index(drop=True)


def write_truth(out_dir: Path, truth: pd.DataFrame) -> Path:
    d = Path(out_dir) / TRUTH_DIR
    d.mkdir(parents=True, exist_ok=True)
    path = d / TRUTH_FILE
    truth.to_csv(path, index=False, lineterminator="\n")
    return path


def read_truth(out_dir: Path) -> pd.DataFrame:
    """For linkage evaluation only."""
    return pd.read_csv(Path(out_dir) / TRUTH_DIR / TRUTH_FILE, dtype={"record_ref": str})
