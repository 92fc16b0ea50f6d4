"""Keyed hashes that stand in for references to people and records.

Why keyed (HMAC-SHA256) and not a plain hash: a plain hash of a reference, a name or a
date of birth can be reversed by hashing every candidate; a keyed one cannot without the
key, which lives only in the environment. The purpose and source are part of the message,
so the same reference in two systems, or used as a record and as a person reference,
gives unrelated pseudonyms: a pseudonym links nothing by itself; linking is the job of the
linkage step, in the restricted layer. 24 hex characters (96 bits): collisions are out of
reach for any council's record counts.
"""
from __future__ import annotations

import hashlib
import hmac

import pandas as pd

LENGTH = 24


def keyed_hash(key: str, purpose: str, value: object) -> str | None:
    """The pseudonym of `value` for `purpose` (e.g. "record:council_housing_repairs"); None stays None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    message = f"{purpose}\x1f{text}".encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:LENGTH]


def keyed_hashes(key: str, purpose: str, values: pd.Series) -> pd.Series:
    """`keyed_hash` over a column; the same value hashed once."""
    present = values.notna()
    out = pd.Series([None] * len(values), index=values.index, dtype=object)
    if present.any():
        text = values[present].astype(str)
        mapping = {v: keyed_hash(key, purpose, v) for v in pd.unique(text)}
        out[present] = text.map(mapping)
    return out
