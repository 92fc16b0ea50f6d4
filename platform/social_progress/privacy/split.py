"""Split one personal source's rows at ingest: identifiers to the restricted layer, the rest to raw.

What raw.<id> gets: `record_key` (a keyed hash of the record's own key), `person_key` (a
keyed hash of the system's person reference, when it has one) and every column the
catalogue does not name as identifying (`personal.person`, `personal.place`,
`personal.restricted`). What the restricted store gets: `record_key`, `person_key` and the
identifying columns as the system sent them, so that linkage and placing can read them.
Nothing else joins the two: the record_key is the only bridge, and it reveals nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from social_progress.catalogue import Source

from .pseudonymise import keyed_hashes

RECORD_KEY = "record_key"
PERSON_KEY = "person_key"


@dataclass(frozen=True)
class SplitFrame:
    restricted: pd.DataFrame      # record_key, person_key, identifying columns
    public: pd.DataFrame          # record_key, person_key, everything else
    duplicated_keys: int          # records whose own key repeats (kept apart, counted)


def split_personal(source: Source, frame: pd.DataFrame, key: str) -> SplitFrame:
    spec = source.personal
    if spec is None:
        raise ValueError(f"source '{source.id}' declares no personal columns")
    missing = [c for c in spec.restricted_columns() if c not in frame.columns]
    if missing:
        raise ValueError(f"identifying column(s) {', '.join(map(repr, missing))} declared in the catalogue "
                         f"are not in the input")
    key_cols = spec.record_key_columns()
    own = (frame[key_cols[0]].astype(object) if len(key_cols) == 1
           else _joined(frame[key_cols].astype(object).fillna("").astype(str)).astype(object))
    # a key that repeats (an export listing a record twice) is made unique by its occurrence,
    # so each row keeps its own pseudonym; the count is reported
    occurrence = own.groupby(own.astype(str)).cumcount()
    duplicated = int((occurrence > 0).sum())
    keyed = own.where(occurrence == 0, own.astype(str) + "#" + occurrence.astype(str))
    record_key = keyed_hashes(key, f"record:{source.id}", keyed)
    person_key = (keyed_hashes(key, f"person:{source.id}", frame[spec.person.ref])
                  if spec.person is not None and spec.person.ref else pd.Series([None] * len(frame), index=frame.index, dtype=object))
    restricted_cols = spec.restricted_columns()
    restricted = pd.concat([pd.DataFrame({RECORD_KEY: record_key, PERSON_KEY: person_key}),
                            frame[[c for c in restricted_cols if c != RECORD_KEY]]], axis=1)
    # a composite key's parts that are not identifying (a year) stay in raw as well
    public_cols = [c for c in frame.columns if c not in set(restricted_cols)
                   or (len(key_cols) > 1 and c in key_cols and not _identifying(spec, c))]
    references = {f"{column}_key": keyed_hashes(key, f"record:{target}", frame[column])
                  for column, target in spec.references.items()}
    public = pd.concat([pd.DataFrame({RECORD_KEY: record_key, PERSON_KEY: person_key, **references}),
                        frame[public_cols]], axis=1)
    for col in (RECORD_KEY, PERSON_KEY, *references):
        public[col] = public[col].astype(str).where(public[col].notna(), None)
    return SplitFrame(restricted.reset_index(drop=True), public.reset_index(drop=True), duplicated)


def _identifying(spec, column: str) -> bool:
    person = spec.person.columns() if spec.person else []
    place = spec.place.columns() if spec.place else []
    return column in person or column in place or column in spec.restricted or column in spec.references


def _joined(text: pd.DataFrame) -> pd.Series:
    out = text.iloc[:, 0]
    for col in text.columns[1:]:
        out = out + "|" + text[col]
    return out
