"""Evaluate a suite against the warehouse and record what it found (no Dagster here).

`evaluate_source` runs expectations/sources/<id>.yml on raw.<id>; `evaluate_mart` runs a
mart suite on frames built by the caller. Both write quality.check_results, the failed
expectations (quality.check_failures, for the owner alerts), quarantined rows and the
check's Data Docs under <warehouse>/data_docs/<run_id>/<check_name>/.

Who hears of a failure: a source suite's failures go to the source's steward (the person the
deployment gives its steward role, `catalogue.steward_for`), never to the publisher; a mart
suite's to the index owner. A failed freshness expectation is worded for the steward (a newer
edition is due, fetch it from...) and carries the edition date, cadence and fetch URL.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from social_progress.borough import area_config
from social_progress.catalogue import Source, steward_for
from social_progress.quality import frames as qf
from social_progress.quality import store
from social_progress.quality.codes import cached_catalogue as catalogue, code_lists
from social_progress.quality.freshness import EditionDue, edition_due
from social_progress.quality.suites import Suite, load_suite, source_suite_path
from social_progress.quality.validate import Outcome, run_suite
from social_progress.settings import Settings
from social_progress.warehouse import Warehouse, default_lock_timeout


@dataclass
class Owner:
    """Who is alerted about a check: the source's steward, or the index owner."""
    name: str
    email: str


@dataclass
class CheckReport:
    check_name: str
    asset_key: str
    suite: Suite
    outcome: Outcome
    owner: Owner
    data_docs: str | None          # relative to the warehouse dir
    quarantined: int = 0

    @property
    def severity(self) -> str:
        if self.outcome.errors:
            return "error"
        if self.outcome.warnings:
            return "warning"
        return "error"

    @property
    def passed(self) -> bool:
        return not self.outcome.failures


def docs_dir(settings: Settings, run_id: str, check_name: str) -> Path:
    return settings.warehouse_dir / "data_docs" / run_id / check_name


def owner_of(suite: Suite, settings: Settings) -> Owner:
    if suite.owner == "catalogue":
        o = steward_for(catalogue(settings).get(suite.source), settings)
        return Owner(o.name, o.email)
    if suite.owner != "index_owner" and "@" in suite.owner:
        return Owner(suite.owner, suite.owner)
    o = area_config(settings).index_owner
    return Owner(o.name, o.email)


def _checked_boroughs(source: Source, settings: Settings) -> list[str] | None:
    """Whose areas a source's checks expect: the deployed borough's (None), unless the source
    names the boroughs it covers, or does not cover the deployed borough (then all it covers)."""
    cov = source.coverage
    if cov is None:
        return None
    if cov.boroughs is not None:
        return list(cov.boroughs)
    deployed = area_config(settings).boroughs
    mine = [b for b in deployed if cov.covers(b)]
    if mine:   # London-wide: the boroughs it covers (the City has no Met crime rows)
        return None if mine == deployed else mine
    return cov.covered(code_lists(settings).get("lad_london", []))


def source_frames(suite: Suite, raw: pd.DataFrame, source: Source, settings: Settings) -> tuple[dict, dict]:
    """The batches of a source suite, and the suite parameters (code lists, freshness bound)."""
    codes = code_lists(settings, _checked_boroughs(source, settings))
    rows = qf.rows_frame(raw)
    frames = {"rows": rows}
    params: dict = dict(codes)
    if "typed" in suite.batches:
        frames["typed"] = qf.typed_frame(rows, suite.types)
    if "coverage" in suite.batches:
        frames["coverage"] = qf.coverage_frame(rows, suite, codes)
    if "freshness" in suite.batches:
        frames["freshness"], params["max_age_days"] = qf.freshness_frame(rows, suite, source.cadence)
    return frames, params


def evaluate_source(source_id: str, settings: Settings, run_id: str) -> CheckReport:
    source = catalogue(settings).get(source_id)
    suite = load_suite(source_suite_path(settings.project_root, source_id))
    raw = read_raw(settings.duckdb_path, source_id)
    frames, params = source_frames(suite, raw, source, settings)
    hidden = tuple(suite.personal_columns)
    ids = {b: list(suite.key) for b in ("rows", "typed")}
    ids["coverage"] = ["area_code", "period"]
    ids["freshness"] = ["latest_period", "period_end", "as_of", "age_days", "max_age_days"]
    name = check_name(source_id)
    outcome = run_suite(suite, frames, ids, params=params, docs_dir=docs_dir(settings, run_id, name), hide_columns=hidden)
    report = CheckReport(name, f"raw/{source_id}", suite, outcome, owner_of(suite, settings),
                         _relative(outcome.docs_index, settings))
    q = quarantine_frame(run_id, source, suite, frames["rows"], outcome)
    report.quarantined = len(q)
    record(settings, run_id, report, source_id=source_id, quarantine=q, due=edition_due(source, frames.get("freshness")))
    return report


def read_raw(db: Path, source_id: str) -> pd.DataFrame:
    """raw.<source_id> as a DataFrame, within bounded memory on large tables.

    DuckDB's `.df()` builds Python objects for every text cell before pandas converts them
    (a 2-million-row raw table peaked at 3.6 GB for a 0.6 GB frame); through Arrow it
    peaks near the frame's own size. Raw tables are text, and for text columns both give
    the same frame; a table with any other column type is read with `.df()` as before."""
    with Warehouse(db, default_lock_timeout()).read() as con:
        types = [r[0] for r in con.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
            [source_id]).fetchall()]
        query = f'SELECT * FROM raw."{source_id}"'
        if types and all(t == "VARCHAR" for t in types):
            table = con.execute(query).arrow()
            table = table.read_all() if hasattr(table, "read_all") else table
            return table.to_pandas()
        return con.execute(query).df()


def evaluate_mart(name: str, asset_key: str, suite_path: Path, frames: dict, ids: dict, settings: Settings,
                  run_id: str, params: dict | None = None) -> CheckReport:
    suite = load_suite(suite_path)
    outcome = run_suite(suite, frames, ids, params=params, docs_dir=docs_dir(settings, run_id, name))
    report = CheckReport(name, asset_key, suite, outcome, owner_of(suite, settings), _relative(outcome.docs_index, settings))
    record(settings, run_id, report)
    return report


def record_crash(settings: Settings, run_id: str, name: str, asset_key: str, outcome: Outcome,
                 source_id: str | None = None) -> CheckReport:
    """A check that could not run is recorded (and alerted) as a failed error check."""
    suite = Suite(name=source_id or name, asset=asset_key, owner="catalogue" if source_id else "index_owner", source=source_id)
    report = CheckReport(name, asset_key, suite, outcome, owner_of(suite, settings), None)
    try:
        record(settings, run_id, report, source_id=source_id)
    except Exception:  # noqa: BLE001 - the warehouse itself may be what is broken
        pass
    return report


def check_name(source_id: str) -> str:
    return f"{source_id}_expectations"


def quarantine_frame(run_id: str, source: Source, suite: Suite, rows: pd.DataFrame, outcome: Outcome) -> pd.DataFrame:
    """Rows that broke a row-level expectation; personal-data sources keep only their key fields.

    At most MAX_FAILING_ROWS (the check's sample) per failed expectation: the failure's
    unexpected_count in quality.check_failures says how many rows really failed."""
    keep = [c for c in rows.columns if c != qf.ROW and c not in suite.personal_columns]
    if source.personal_data:
        keep = [c for c in suite.key if c in rows.columns and c not in suite.personal_columns]
    failed = [f for f in outcome.failures if f.row_level and f.batch in ("rows", "typed") and f.rows]
    if not failed:
        return pd.DataFrame(columns=["run_id", "source_id", "rule", "row_json", "detected_at"])
    # `_row` is the row's position (qf.rows_frame); look up only the rows named, never index all of them
    wanted = sorted({int(r) for f in failed for r in f.rows})
    positions = pd.Series(range(len(rows)), index=rows[qf.ROW].to_numpy())
    wanted = [r for r in wanted if r in positions.index]
    picked = rows.iloc[positions.loc[wanted].to_numpy()][keep + [qf.ROW]]
    by_row = {int(rec[qf.ROW]): rec for rec in picked.to_dict("records")}
    records, detected = [], store.now()
    for f in failed:
        for r in f.rows:
            rec = by_row.get(int(r))
            if rec is None:
                continue
            row = {k: (None if (isinstance(v, float) and v != v) else v) for k, v in rec.items() if k != qf.ROW}
            row["_row"] = int(r)
            records.append((run_id, source.id, f.rule, store.dumps(row), detected))
    return pd.DataFrame(records, columns=["run_id", "source_id", "rule", "row_json", "detected_at"])


def record(settings: Settings, run_id: str, report: CheckReport, source_id: str | None = None,
           quarantine: pd.DataFrame | None = None, due: EditionDue | None = None) -> None:
    """`due`: the source's freshness outcome; a failed freshness expectation is recorded with
    its wording for the steward and its fields (edition_date, cadence, fetch_url)."""
    at = store.now()
    result = pd.DataFrame([{
        "run_id": run_id, "check_name": report.check_name, "asset_key": report.asset_key, "suite": report.suite.name,
        "passed": report.passed, "severity": report.severity, "n_failed_expectations": len(report.outcome.failures),
        "data_docs": report.data_docs, "evaluated_at": at}])
    failures = pd.DataFrame([{
        "run_id": run_id, "check_name": report.check_name, "asset_key": report.asset_key, "suite": report.suite.name,
        "source_id": source_id, "owner_name": report.owner.name, "owner_email": report.owner.email, "batch": f.batch,
        "expectation": f.expectation, "column_name": f.column, "severity": f.severity,
        "unexpected_count": f.unexpected_count, "element_count": f.element_count,
        "examples_json": store.dumps(f.examples), "observed_json": store.dumps(f.observed),
        "data_docs": report.data_docs, "detected_at": at, **_freshness_fields(f, due)} for f in report.outcome.failures],
        columns=store.FAILURE_COLUMNS)
    store.write(settings.duckdb_path, {"check_results": result, "check_failures": failures, "quarantine": quarantine})


def _freshness_fields(failure, due: EditionDue | None) -> dict:
    """`why` and the edition fields of a failure: a freshness failure tells the steward which
    edition is due and where it is; any other keeps its suite's `why`."""
    if due is not None and failure.batch == "freshness":
        return {"why": due.message, **due.record_fields()}
    return {"why": failure.why, "edition_date": None, "cadence": None, "fetch_url": None}


def _relative(path: Path | None, settings: Settings) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).relative_to(settings.warehouse_dir).as_posix()
    except ValueError:
        return str(path)


def examples_of(row: pd.Series) -> list:
    return json.loads(row["examples_json"] or "[]")
