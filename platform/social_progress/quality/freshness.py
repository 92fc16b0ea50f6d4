"""What a stale source's steward is told: a newer edition is due, and where to fetch it.

Why: a freshness failure is not a fault in the publisher's data. The publisher has moved on
(a new monthly file, a new year); the copy in the warehouse is the council's own, and the
person who can act is the steward who fetches it. So the message says what is due, how old
the copy here is and where the new edition is, and never asks the publisher to correct
anything. The fields are recorded with the failure (quality.check_failures: edition_date,
cadence, fetch_url) so an alert can render them its own way.

The reference date (env SPI_AS_OF, else today) and the bound are the freshness batch's
(quality.frames.freshness_frame); this module only words the outcome.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from social_progress.catalogue import Source

EVERY = {"daily": "it every day", "weekly": "it every week", "monthly": "it every month",
         "quarterly": "it every quarter", "yearly": "it every year", "irregular": "new editions irregularly",
         "once": "it once"}


@dataclass(frozen=True)
class EditionDue:
    """A source whose copy here is older than its cadence allows."""

    source_id: str
    publisher: str
    cadence: str
    latest_period: str          # the newest period in the copy here ('2021', '2023-01', '2020-07-21')
    edition_date: date          # the end of that period
    fetch_url: str | None       # where the publisher puts the latest edition, when known

    @property
    def message(self) -> str:
        where = self.fetch_url or f"{self.publisher} (the catalogue records no address for the latest edition)"
        return (f"a newer edition is due (the publisher issues {EVERY.get(self.cadence, self.cadence)}; "
                f"the copy here is from {describe_period(self.latest_period)}): fetch it from {where}")

    def record_fields(self) -> dict:
        """The columns of quality.check_failures that carry it."""
        return {"edition_date": self.edition_date.isoformat(), "cadence": self.cadence, "fetch_url": self.fetch_url}


def edition_due(source: Source, freshness: pd.DataFrame | None) -> EditionDue | None:
    """The due edition described by a freshness batch (one row: latest_period, period_end,
    cadence...), or None when the data has no dated period."""
    if freshness is None or freshness.empty:
        return None
    row = freshness.iloc[0]
    end, latest = row.get("period_end"), row.get("latest_period")
    if end is None or pd.isna(end) or latest is None or pd.isna(latest):
        return None
    return EditionDue(source_id=source.id, publisher=source.publisher.name, cadence=str(source.cadence),
                      latest_period=str(latest), edition_date=date.fromisoformat(str(end)[:10]),
                      fetch_url=source.fetch_url)


def describe_period(period: str) -> str:
    """'2021' -> '2021'; '2023-01' -> 'January 2023'; '2020-07-21' -> '21 July 2020'."""
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return date(int(period[:4]), int(period[5:]), 1).strftime("%B %Y")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", period):
        try:
            d = date.fromisoformat(period[:10])
        except ValueError:
            return period
        return f"{d.day} {d:%B %Y}"
    return period
