"""MatchReport: what happened to every record on its way to an area.

Why: Tombolo aggregated by containment and said nothing about the records it could not
place. Here every geocoding or re-aggregation step returns one of these next to its
data, so a quality gate can check counts ("fewer than 1% unmatched") and a person can
see a few examples of each problem without opening the raw file. Examples carry only the
key fields the caller names (plus the offending value), never the whole record.

Counting rules (every record is counted once in exactly one of the first three):

* total = matched + unmatched + invalid
* matched: placed in an area of every layer asked for
* unmatched: usable input that did not reach an area in every layer (point outside the
  boundaries or in the sea, postcode not in Code-Point Open, unknown area code)
* invalid: input that cannot be used at all (missing or non-numeric coordinates,
  malformed postcode, empty geometry)

and, overlapping those: fixed (records corrected, e.g. a letter O read as zero, or
swapped latitude and longitude - these are also counted in `swapped_coordinates`),
outside_borough (placed, but not in the borough of interest), outside_boundaries and
unknown_codes (the reasons behind `unmatched`), crs_assumed (coordinates whose CRS had
to be inferred or corrected), partial (matched some layers but not all).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

#: the problem categories for which examples are kept
CATEGORIES = (
    "unmatched", "invalid", "fixed", "swapped_coordinates", "outside_boundaries",
    "outside_borough", "unknown_codes", "crs_assumed", "partial",
)


@dataclass
class MatchReport:
    """Counts and a few examples per category for one source passing one step."""

    source: str = ""
    step: str = ""
    total: int = 0
    matched: int = 0
    unmatched: int = 0
    invalid: int = 0
    fixed: int = 0
    swapped_coordinates: int = 0
    outside_boundaries: int = 0
    outside_borough: int = 0
    unknown_codes: int = 0
    crs_assumed: int = 0
    partial: int = 0
    unmatched_by_layer: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    max_examples: int = 5

    # ------------------------------------------------------------------ building
    def add_examples(self, category: str, rows: pd.DataFrame | Iterable[dict], limit: int | None = None) -> None:
        """Keep up to `max_examples` examples for `category` (rows already reduced to key fields)."""
        limit = self.max_examples if limit is None else limit
        if isinstance(rows, pd.DataFrame):
            rows = rows.head(max(limit - len(self.examples.get(category, [])), 0)).to_dict("records")
        rows = list(rows)
        if not rows:
            return
        have = self.examples.setdefault(category, [])
        for row in rows:
            if len(have) >= limit:
                break
            have.append({k: _plain(v) for k, v in row.items()})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # ------------------------------------------------------------------ reading
    @property
    def match_rate(self) -> float:
        """Share of records matched (1.0 for an empty source: nothing was lost)."""
        return self.matched / self.total if self.total else 1.0

    def check(self) -> None:
        """Raise AssertionError if the counts do not add up (used by tests and gates)."""
        assert self.total == self.matched + self.unmatched + self.invalid, self.summary()

    def summary(self) -> str:
        return (f"{self.source or 'records'} [{self.step}]: {self.total} total, {self.matched} matched, "
                f"{self.unmatched} unmatched, {self.invalid} invalid, {self.fixed} fixed, "
                f"{self.outside_borough} outside borough")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (for asset metadata and the release's quality file)."""
        return {
            "source": self.source,
            "step": self.step,
            "total": self.total,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "invalid": self.invalid,
            "fixed": self.fixed,
            "swapped_coordinates": self.swapped_coordinates,
            "outside_boundaries": self.outside_boundaries,
            "outside_borough": self.outside_borough,
            "unknown_codes": self.unknown_codes,
            "crs_assumed": self.crs_assumed,
            "partial": self.partial,
            "match_rate": round(self.match_rate, 6),
            "unmatched_by_layer": dict(sorted(self.unmatched_by_layer.items())),
            "examples": {k: list(v) for k, v in sorted(self.examples.items()) if v},
            "notes": list(self.notes),
        }


def _plain(v: Any) -> Any:
    """numpy/pandas scalars to JSON-safe Python values."""
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else round(f, 6)
    if isinstance(v, np.bool_):
        return bool(v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v if isinstance(v, (int, str, bool)) else str(v)
