"""Known problems a steward has acknowledged (catalogue/known_issues.yml), so that the same
warning is not sent every run.

Why: some problems are how the publisher's file really is (the GLA's ward profiles repeat the
City of London row every edition); re-sending them each run teaches recipients to ignore the
alerts. An entry names the failure (source, check, and optionally expectation, column, batch),
why it is accepted, who accepted it and until when. A matching failure is not sent again, but
still shows in the run summary and in Dagster, marked "acknowledged: <reason>, until <date>".
An entry that recorded `unexpected_count` covers that count only: when the numbers change the
alert is sent again. An expired entry is reported as expired and the alert is sent.

The file is reviewed like code; `load_known_issues` refuses a malformed one with the file, the
entry and the rule that is broken.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

FILE_NAME = "known_issues.yml"
REQUIRED = ("source", "check", "reason", "acknowledged_by", "expires")
OPTIONAL = ("expectation", "column", "batch", "unexpected_count")


class KnownIssuesError(ValueError):
    """catalogue/known_issues.yml is malformed (the message names the file, entry and rule)."""


@dataclass(frozen=True)
class KnownIssue:
    source: str
    check: str
    reason: str
    acknowledged_by: str
    expires: dt.date
    expectation: str | None = None
    column: str | None = None
    batch: str | None = None
    unexpected_count: int | None = None
    index: int = 0                     # 1-based position in the file (for messages)

    def covers(self, failure: dict) -> bool:
        """True when this entry names `failure` (a quality.check_failures row as a dict), whatever its numbers."""
        source = failure.get("source_id") or failure.get("asset_key")
        if self.source not in (source, failure.get("asset_key")) or self.check != failure.get("check_name"):
            return False
        for attr, key in (("expectation", "expectation"), ("column", "column"), ("batch", "batch")):
            want = getattr(self, attr)
            if want is not None and str(want) != str(failure.get(key) or ""):
                return False
        return True

    def label(self) -> str:
        return f"acknowledged: {self.reason.rstrip('. ')}, until {self.expires.isoformat()}"


@dataclass(frozen=True)
class Match:
    """How a failure stands against the known issues: `status` is acknowledged (not sent),
    expired or changed (sent again, saying so), or None (not a known issue)."""
    status: str | None
    entry: KnownIssue | None = None

    @property
    def silenced(self) -> bool:
        return self.status == "acknowledged"

    def label(self) -> str | None:
        e = self.entry
        if e is None or self.status is None:
            return None
        if self.status == "acknowledged":
            return e.label()
        if self.status == "expired":
            return (f"acknowledged until {e.expires.isoformat()} ({e.reason.rstrip('. ')}), now expired: sent again until the "
                    f"entry in {FILE_NAME} is renewed or removed")
        return (f"acknowledged for {e.unexpected_count:,} row(s) ({e.reason.rstrip('. ')}, until {e.expires.isoformat()}); the "
                f"numbers have changed, so it is sent again")


def match(failure: dict, entries: list[KnownIssue], today: dt.date | None = None) -> Match:
    """The first entry covering `failure`, and whether it silences it today."""
    today = today or dt.date.today()
    found = [e for e in entries if e.covers(failure)]
    if not found:
        return Match(None)
    live = [e for e in found if e.expires >= today]
    if not live:
        return Match("expired", max(found, key=lambda e: e.expires))
    for e in live:
        if e.unexpected_count is None or e.unexpected_count == failure.get("unexpected_count"):
            return Match("acknowledged", e)
    return Match("changed", live[0])


def known_issues_path(settings) -> Path:
    return Path(settings.catalogue_dir) / FILE_NAME


def load_known_issues(path: Path, source_ids: set[str] | None = None) -> list[KnownIssue]:
    """The entries of `path` (none when the file does not exist), checked; `source_ids`, when
    given, are the catalogue's ids (a mart is named by its asset key, e.g. marts/index_scores)."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnownIssuesError(f"{path}: not valid YAML: {exc}") from None
    if raw is None:
        return []
    items = raw.get("known_issues") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise KnownIssuesError(f"{path}: expected a top-level list `known_issues:` of entries")
    out = []
    for i, item in enumerate(items, start=1):
        where = f"{path}: entry {i}"
        if not isinstance(item, dict):
            raise KnownIssuesError(f"{where}: an entry is a mapping with fields {', '.join(REQUIRED)}")
        if item.get("source") and item.get("check"):
            where += f" ({item['source']} / {item['check']})"
        unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise KnownIssuesError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: "
                                   f"{', '.join(REQUIRED + OPTIONAL)}")
        for key in REQUIRED:
            value = item.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise KnownIssuesError(f"{where}: field '{key}' is required")
        expires = item["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                expires = None
        if not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
            raise KnownIssuesError(f"{where}: field 'expires': {item['expires']!r} is not a date (YYYY-MM-DD)")
        count = item.get("unexpected_count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise KnownIssuesError(f"{where}: field 'unexpected_count': {count!r} is not a whole number of rows")
        source = str(item["source"])
        if source_ids is not None and source not in source_ids and not source.startswith("marts/"):
            raise KnownIssuesError(f"{where}: field 'source': {source!r} is not a catalogue source id "
                                   f"(nor a mart such as marts/index_scores)")
        check = str(item["check"])
        if not check.endswith("_expectations"):
            raise KnownIssuesError(f"{where}: field 'check': {check!r} is not a check name (e.g. "
                                   f"{source.split('/')[-1]}_expectations)")
        out.append(KnownIssue(source=source, check=check, reason=str(item["reason"]).strip(),
                              acknowledged_by=str(item["acknowledged_by"]).strip(), expires=expires,
                              expectation=_opt(item.get("expectation")), column=_opt(item.get("column")),
                              batch=_opt(item.get("batch")), unexpected_count=count, index=i))
    return out


def _opt(v) -> str | None:
    return None if v is None else str(v)


def failure_labels(settings, check_name: str, source_id: str | None, asset_key: str, failures) -> list[str | None]:
    """For each failure of a check (quality.validate.Failure), its known-issue label (e.g.
    "acknowledged: <reason>, until <date>") or None: what the Dagster UI shows beside it.
    A malformed known_issues.yml labels nothing (the alerts report the error)."""
    try:
        entries = load_known_issues(known_issues_path(settings))
    except KnownIssuesError:
        return [None for _ in failures]
    return [match({"source_id": source_id, "asset_key": asset_key, "check_name": check_name,
                   "expectation": f.expectation, "column": f.column or None, "batch": f.batch,
                   "unexpected_count": f.unexpected_count}, entries).label() for f in failures]
