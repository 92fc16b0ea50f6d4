"""One person, one count: council records linked into residents and households.

Why: the same resident is in the housing system, the council tax system and the library
system, and sometimes twice in one of them. An indicator that counts records counts some
people twice; one that counts `resident_key`s counts each once, and "residents known to two
or more services" becomes a measure in its own right.

Everything here runs on the restricted layer's identifiers and hands back only keyed
pseudonyms and area codes: `resident_key` (a keyed hash of the Splink cluster),
`household_key` (a keyed hash of the address: UPRN, else normalised postcode and address
line), where the record is counted (`placing`), and counts for the match and linkage
reports. The linkage runs in an in-memory DuckDB connection, so Splink's working tables
never touch the disk.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

from social_progress.catalogue import Source
from social_progress.geography.postcodes import normalise_series
from social_progress.privacy import keyed_hashes

from .placing import PlacementResult, place_records

IDENTITY = ("first_name", "surname", "date_of_birth", "postcode", "uprn", "address")
OUTPUT_COLUMNS = ["source_id", "record_key", "resident_key", "household_key", "placed_by", "lsoa11_code",
                  "lsoa21_code", "ward19_code", "ward22_code", "lad_code", "in_borough", "unplaced_reason"]


@dataclass
class RecordIndex:
    records: pd.DataFrame                                   # OUTPUT_COLUMNS, no identifier
    linkage: dict[str, Any] = field(default_factory=dict)   # comparisons, weights, threshold, quality
    placement: dict[str, Any] = field(default_factory=dict)
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0


def _identity(source: Source, frame: pd.DataFrame) -> pd.DataFrame | None:
    person = source.personal.person
    if person is None or not (person.first_name and person.surname):
        return None
    cols = {"first_name": person.first_name, "surname": person.surname, "date_of_birth": person.date_of_birth,
            "postcode": person.postcode, "uprn": person.uprn, "address_line": person.address}
    out = pd.DataFrame({"record_key": frame["record_key"], "source_id": source.id,
                        "person_key": frame["person_key"] if "person_key" in frame else None})
    for name, col in cols.items():
        out[name] = frame[col].astype(object).where(frame[col].notna(), None) if col else None
    return out


def _place_columns(source: Source, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"record_key": frame["record_key"]})
    place = source.personal.place
    if place is not None:
        for name in ("uprn", "postcode", "easting", "northing"):
            col = getattr(place, name)
            if col:
                out[name] = frame[col].astype(object).where(frame[col].notna(), None)
    return out


def _address_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = re.sub(r"[^a-z0-9 ]", " ", str(value).lower())
    return re.sub(r"\s+", " ", text).strip() or None


def _households(source: Source, frame: pd.DataFrame, gazetteer_uprns: set[str], key: str) -> pd.Series:
    """A keyed hash of the household's address: the UPRN when the gazetteer knows it, else
    the normalised postcode with the address line; None when the record has neither."""
    person = source.personal.person
    n = len(frame)
    if person is None:
        return pd.Series([None] * n, index=frame.index, dtype=object)
    uprn = (frame[person.uprn].astype(str).str.split(".").str[0].where(frame[person.uprn].notna(), None)
            if person.uprn else pd.Series([None] * n, index=frame.index, dtype=object))
    by_uprn = uprn.where(uprn.isin(gazetteer_uprns), None).map(lambda v: None if v is None else f"uprn:{v}")
    postcode = (normalise_series(frame[person.postcode])["postcode_normalised"]
                if person.postcode else pd.Series([None] * n, index=frame.index, dtype=object))
    address = frame[person.address].map(_address_text) if person.address else pd.Series([None] * n, index=frame.index)
    by_address = pd.Series([f"address:{p}|{a}" if p is not None and a is not None and p == p else None
                            for p, a in zip(postcode.astype(object), address)], index=frame.index, dtype=object)
    return keyed_hashes(key, "household", by_uprn.where(by_uprn.notna(), by_address))


def build_record_index(tables: Mapping[str, pd.DataFrame], sources: Iterable[Source], *, key: str,
                       gazetteer: pd.DataFrame, postcodes: pd.DataFrame, layers: Mapping[str, Any], borough: str,
                       truth: pd.DataFrame | None = None, threshold_probability: float = 0.9,
                       log=lambda message: None) -> RecordIndex:
    """tables: restricted table per source id (record_key, person_key, identifying columns).
    truth (synthetic sources only): record_key -> person_id, to measure the linkage."""
    from social_progress.linkage import evaluate, link_records

    started = time.perf_counter()
    sources = [s for s in sources if s.id in tables and s.personal is not None]
    gz_uprns = set(gazetteer["uprn"].astype(str).str.split(".").str[0])
    identities, places, households = [], [], {}
    for source in sources:
        frame = tables[source.id]
        ident = _identity(source, frame)
        if ident is not None:
            identities.append(ident)
        places.append(_place_columns(source, frame).assign(source_id=source.id))
        households[source.id] = pd.Series(_households(source, frame, gz_uprns, key).to_numpy(),
                                          index=frame["record_key"].to_numpy())

    linkage: dict[str, Any] = {}
    resident = pd.Series(dtype=object)
    if identities:
        people = pd.concat(identities, ignore_index=True)
        # a system repeats one person on many records (a pupil every year, a household in every
        # register snapshot): records under the same person reference of one system are that
        # system's own link, and identical identities without a reference are one identity;
        # each is linked once (two references of one person are Splink's to find)
        ident_cols = ["source_id", "first_name", "surname", "date_of_birth", "postcode", "uprn", "address_line"]
        text = people[ident_cols].astype(object).fillna("").astype(str)
        same = text[ident_cols[0]]
        for col in ident_cols[1:]:
            same = same + "\x1f" + text[col]
        by_ref = people["person_key"].notna()
        same = same.where(~by_ref, people["source_id"] + "\x1fref\x1f" + people["person_key"].astype(str))
        first = people.assign(_same=same).drop_duplicates("_same")
        representative = pd.Series(first["record_key"].to_numpy(), index=first["_same"].to_numpy())
        rep_of = pd.Series(same.map(representative).to_numpy(), index=people["record_key"].to_numpy())
        unique_people = first.drop(columns=["_same", "person_key"]).reset_index(drop=True)
        log(f"linking {len(unique_people)} distinct identities ({len(people)} person records) from "
            f"{len(identities)} systems (Splink, DuckDB)")
        result = link_records(unique_people, threshold_probability=threshold_probability)
        rep_cluster = result.clusters.set_index("record_key")["cluster_id"]
        clusters = rep_of.map(rep_cluster)
        resident = keyed_hashes(key, "resident", clusters)
        linkage = _linkage_metadata(result, people, clusters)
        linkage["identities_linked"] = int(len(unique_people))
        if truth is not None and len(truth):
            every = pd.DataFrame({"record_key": clusters.index, "cluster_id": clusters.to_numpy()})
            known = truth[truth["record_key"].isin(set(every["record_key"]))].drop_duplicates("record_key")
            linkage["quality"] = evaluate(every[every["record_key"].isin(set(known["record_key"]))], known).as_metadata()

    place_frame = pd.concat(places, ignore_index=True, sort=False)
    placement = place_records(place_frame, gazetteer, postcodes, layers, borough)
    records = placement.placed.copy()
    records.insert(0, "source_id", place_frame["source_id"].to_numpy())
    records["resident_key"] = records["record_key"].map(resident) if len(resident) else None
    household = pd.concat([pd.DataFrame({"source_id": sid, "record_key": h.index, "household_key": h.to_numpy()})
                           for sid, h in households.items()], ignore_index=True)
    records = records.drop(columns=["household_key"], errors="ignore").merge(household, on=["source_id", "record_key"],
                                                                             how="left")
    records = records.reindex(columns=OUTPUT_COLUMNS)
    by_source = {}
    for sid, part in records.groupby("source_id"):
        by_source[sid] = {"records": len(part), "placed": int(part["in_borough"].sum()),
                          "residents": int(part["resident_key"].nunique()),
                          "households": int(part["household_key"].nunique()),
                          **{f"unplaced_{r}": int(c) for r, c in part["unplaced_reason"].value_counts().items()}}
    return RecordIndex(records, linkage, placement.as_metadata(), by_source, time.perf_counter() - started)


def _linkage_metadata(result, people: pd.DataFrame, clusters: pd.Series) -> dict[str, Any]:
    """Counts and the model's description only: no value of any record."""
    sources_per = people.assign(cluster=people["record_key"].map(clusters)).groupby("cluster")["source_id"].nunique()
    sizes = clusters.value_counts()
    return {**result.as_metadata(),
            "residents": int(clusters.nunique()),
            "records_per_resident": round(len(people) / max(clusters.nunique(), 1), 3),
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            "residents_in_two_or_more_systems": int((sources_per >= 2).sum())}
