"""The problems of a run, from the warehouse and from the run's own Dagster events.

Why two places: the checks record what they found in quality.check_failures, but a release
can also be stopped by something no check records: a geography step that fails (a mixed or
mislabelled CRS), a dbt test, a step that cannot open the warehouse. Reading only the
warehouse also means that a warehouse that cannot be opened alerts no one. So a run's
problems are the recorded check failures, plus every failed step and failed asset check in
the run's events that the warehouse does not already hold, plus, when the warehouse cannot be
read, that fact itself (to the index owner: publication stopped).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from social_progress.alerts.known_issues import Match
from social_progress.alerts.wording import Wording, describe

log = logging.getLogger("social_progress.alerts")


@dataclass
class Problem:
    owner_name: str
    owner_email: str
    severity: str                       # error (blocks publication) | warning
    wording: Wording
    kind: str = "check"                 # check | ingest | step | event_check | warehouse | known_issues
    source_id: str | None = None
    check_name: str | None = None
    asset_key: str | None = None
    batch: str | None = None
    expectation: str | None = None
    column: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    examples: list = field(default_factory=list)   # dicts of non-personal fields, or text
    data_docs: str | None = None        # relative to the warehouse dir
    known: Match = field(default_factory=lambda: Match(None))

    @property
    def record(self) -> dict:
        """The fields known-issue entries are matched on."""
        return {"source_id": self.source_id, "asset_key": self.asset_key, "check_name": self.check_name,
                "expectation": self.expectation, "column": self.column, "batch": self.batch,
                "unexpected_count": self.unexpected_count}

    def to_payload(self) -> dict:
        return {"title": self.wording.title, "what_to_do": self.wording.action, "detail": self.wording.detail,
                "severity": self.severity, "kind": self.kind, "source_id": self.source_id,
                "check_name": self.check_name, "asset_key": self.asset_key, "batch": self.batch,
                "expectation": self.expectation, "column": self.column, "unexpected_count": self.unexpected_count,
                "element_count": self.element_count, "examples": self.examples,
                "known_issue": self.known.label()}


class WarehouseUnreadable(RuntimeError):
    """The warehouse could not be opened or read (corrupt file, lock held too long)."""


def from_check_failures(frame, kwargs_of, hidden_of, n_examples: int = 5) -> list[Problem]:
    """One Problem per quality.check_failures row; `kwargs_of(row)` gives the expectation's
    arguments from its suite, `hidden_of(source_id)` the columns never shown."""
    out = []
    for r in frame.to_dict("records") if not frame.empty else []:
        source_id = r.get("source_id") if isinstance(r.get("source_id"), str) else None
        hidden = hidden_of(source_id)
        f = {"check_name": r["check_name"], "asset_key": r["asset_key"] or "", "source_id": source_id,
             "batch": r["batch"], "expectation": r["expectation"], "column": r.get("column_name") or None,
             "severity": r["severity"], "unexpected_count": _int(r.get("unexpected_count")),
             "element_count": _int(r.get("element_count")),
             "examples": [_visible(e, hidden) for e in json.loads(r.get("examples_json") or "[]")],
             "observed": json.loads(r["observed_json"]) if r.get("observed_json") else None,
             "fetch_url": _text(r.get("fetch_url")), "cadence": _text(r.get("cadence")),
             "edition_date": _text(r.get("edition_date"))}
        f["examples"] = [e for e in f["examples"] if e not in ({}, "")][:n_examples]
        out.append(Problem(
            owner_name=r["owner_name"], owner_email=r["owner_email"], severity=r["severity"],
            wording=describe(f, kwargs_of(r)), kind="check", source_id=source_id, check_name=r["check_name"],
            asset_key=r["asset_key"], batch=r["batch"], expectation=r["expectation"], column=f["column"],
            unexpected_count=f["unexpected_count"], element_count=f["element_count"], examples=f["examples"],
            data_docs=r.get("data_docs") or None))
    return out


def run_events(run_id: str, instance) -> list[dict]:
    """The run's failed steps and failed asset checks, from its Dagster events:
    {kind: step|check, step, asset_key, check_name, severity, message}."""
    if instance is None:
        return []
    from dagster import DagsterEventType

    try:
        records = instance.all_logs(run_id, of_type={DagsterEventType.STEP_FAILURE,
                                                     DagsterEventType.ASSET_CHECK_EVALUATION})
    except Exception as exc:  # noqa: BLE001 - the instance may be unreachable too
        log.warning("could not read the events of run %s: %s", run_id, exc)
        return []
    out = []
    for rec in records:
        ev = rec.dagster_event
        if ev is None:
            continue
        if ev.event_type == DagsterEventType.STEP_FAILURE:
            err = getattr(ev.event_specific_data, "error", None)
            if _blocked_by_a_check(err):
                continue  # the failed blocking check is reported itself (its evaluation, its records)
            out.append({"kind": "step", "step": ev.step_key or "", "asset_key": None, "check_name": None,
                        "severity": "error", "message": _root_message(err)})
        else:
            data = ev.event_specific_data
            if data.passed:
                continue
            key = data.asset_check_key
            rows = (data.metadata or {}).get("dagster_dbt/failed_row_count")
            out.append({"kind": "check", "step": ev.step_key or "", "asset_key": "/".join(key.asset_key.path),
                        "check_name": key.name, "severity": "error" if data.severity.value == "ERROR" else "warning",
                        "message": (data.description or "failed").strip().splitlines()[0][:600],
                        "failed_rows": _int(getattr(rows, "value", rows)) if rows is not None else None})
    return out


def step_problem(event: dict, owner, source_title: str | None = None) -> Problem:
    """A failed step or an unrecorded failed check, in words."""
    step, message = event["step"], event["message"]
    if event["kind"] == "check":
        title = _check_title(event)
        action = ("Open the run in the Dagster UI (Checks tab of the asset) for the failing rows, fix the model or "
                  "its inputs, and run the refresh again.")
        detail = f"check: {event['check_name']} on {event['asset_key']}"
        kind = "event_check"
    elif step.startswith("raw__"):
        title = f"the source {source_title or step[len('raw__'):]} could not be ingested: {message}"
        action = ("Nothing from this source reached the checks: fix the file (or its catalogue entry) and run the "
                  "refresh again.")
        detail, kind = f"step: {step}", "ingest"
    elif step.startswith("geography__"):
        title = f"the geography step {step[len('geography__'):]} failed: {message}"
        action = ("Check the boundary and lookup files named above (one coordinate reference system per boundary "
                  "set, the declared CRS matching the coordinates), fix them, and run the refresh again.")
        detail, kind = f"step: {step}", "step"
    else:
        title = f"the step {step} failed: {message}"
        action = "Open the run in the Dagster UI for the full error, fix the cause, and run the refresh again."
        detail, kind = f"step: {step}", "step"
    return Problem(owner_name=owner.name, owner_email=owner.email, severity=event["severity"],
                   wording=Wording(title[:1].upper() + title[1:], action, detail), kind=kind,
                   source_id=step[len("raw__"):] if kind == "ingest" else None, check_name=event.get("check_name"),
                   asset_key=event.get("asset_key"))


def _check_title(event: dict) -> str:
    """A failed check of a model or the index, in words: the dbt tests every indicator model
    carries (tests/generic) and the index audit say what they found; others name the check."""
    name, asset, n = event["check_name"] or "", event["asset_key"] or "", event.get("failed_rows")
    model = asset.split("/")[-1]
    rows = f"{n:,} source row{'s' if n != 1 else ''}" if isinstance(n, int) and n else "Some source rows"
    if name.startswith("no_excluded_rows"):
        return (f"{rows} could not be used for the indicator {model} (no area code or year, a code of another "
                f"boundary vintage, or a duplicated area and year)")
    if name.startswith("indicator_contract"):
        return f"The indicator {model} does not meet the indicator contract: {event['message']}"
    if name == "index_audit":
        return f"Components of the index fail the audit: {event['message']}"
    return f"The check {name} on {asset} failed: {event['message']}"


def warehouse_problem(owner, error: str) -> Problem:
    return Problem(owner_name=owner.name, owner_email=owner.email, severity="error", kind="warehouse", wording=Wording(
        f"The warehouse could not be read, so publication stopped: {error}",
        "Nothing was published and the previous release is unchanged. Check that the warehouse file is not "
        "damaged and that no other process holds it (a stuck refresh), restore it from the last good copy if "
        "needed, and run the refresh again.",
        "warehouse: social_progress.duckdb"))


def known_issues_problem(owner, error: str) -> Problem:
    return Problem(owner_name=owner.name, owner_email=owner.email, severity="warning", kind="known_issues",
                   wording=Wording(f"The list of acknowledged problems could not be read, so every problem is sent: "
                                   f"{error}", "Correct the entry named above in catalogue/known_issues.yml.",
                                   "file: catalogue/known_issues.yml"))


def _visible(example, hidden: set[str]):
    if isinstance(example, dict):
        return {k: v for k, v in example.items() if k not in hidden}
    return example


def _blocked_by_a_check(err) -> bool:
    """A step Dagster failed because a blocking asset check of it failed with ERROR severity:
    not a second problem, the check's own failure says what is wrong."""
    while err is not None:
        if err.cls_name == "DagsterAssetCheckFailedError":
            return True
        err = err.cause
    return False


def root_cause(err) -> str:
    """The innermost error of a step failure: what actually went wrong, not Dagster's wrapper
    (also what `social-progress refresh` prints for a failed step)."""
    if err is None:
        return "step failed"
    while err.cause is not None and "DagsterExecutionStepExecutionError" in err.message.split(":", 1)[0] + err.cls_name:
        err = err.cause
    return err.message.strip()


def _root_message(err) -> str:
    """The root cause's first line, for a message title."""
    lines = [line for line in root_cause(err).splitlines() if line.strip()]
    return (lines[0] if lines else "step failed")[:600]


def _text(v) -> str | None:
    return v if isinstance(v, str) and v else None


def _int(v) -> int | None:
    try:
        if v is None or v != v:
            return None
        return int(v)
    except (TypeError, ValueError):
        return None
