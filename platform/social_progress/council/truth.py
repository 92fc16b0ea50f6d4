"""The generator's ground truth, turned into record_key -> person_id, to measure linkage.

Only for synthetic sources: `council_systems/_truth/record_persons.csv` (source_table,
record_ref, person_id) says which generated person each record belongs to. It is read in
the restricted step and only precision, recall and counts leave it. A real council has
no such file; its linkage quality is measured by clerical review of a sample instead.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from social_progress.catalogue import FileReader, HttpReader, Source, SqlReader

TRUTH_FILE = Path("council_systems") / "_truth" / "record_persons.csv"


def _table_names(source: Source) -> set[str]:
    reader = source.reader
    names = {source.id, source.id.removeprefix("council_")}
    if isinstance(reader, SqlReader):
        names |= set(re.findall(r"\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)", reader.query, flags=re.IGNORECASE))
    elif isinstance(reader, FileReader):
        names.add(Path(reader.path).stem)
    elif isinstance(reader, HttpReader) and reader.fallback:
        names.add(Path(reader.fallback).stem)
    return {n.lower() for n in names}


def synthetic_truth(project_root: Path, sources: Iterable[Source],
                    tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """record_key -> person_id for every record the truth file names; None without the file."""
    path = Path(project_root) / TRUTH_FILE
    if not path.is_file():
        return None
    truth = pd.read_csv(path, dtype=str)
    truth["source_table"] = truth["source_table"].str.lower()
    parts = []
    for source in sources:
        if not source.synthetic or source.personal is None or source.id not in tables:
            continue
        names = _table_names(source)
        rows = truth[truth["source_table"].isin(names)]
        if rows.empty:
            continue
        frame = tables[source.id]
        first = source.personal.record_key_columns()[0]
        refs = pd.DataFrame({"record_key": frame["record_key"], "record_ref": frame[first].astype(str)})
        parts.append(refs.merge(rows[["record_ref", "person_id"]].drop_duplicates("record_ref"), on="record_ref")
                     [["record_key", "person_id"]])
    return pd.concat(parts, ignore_index=True) if parts else None
