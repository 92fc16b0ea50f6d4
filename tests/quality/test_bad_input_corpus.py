"""Every bad input of the corpus (tests/data/bad_inputs/corpus.py) against the real yearly job.

For each case: a copy of a good refresh (warehouse and published release) gets the broken
file; the real `yearly_refresh` job runs the broken source's raw asset and everything
downstream of it, up to the release, in-process. Then:
  - the right check fails with the right expectation (or the ingest step fails, for files
    that cannot be read at all);
  - nothing downstream of the source ran (its dbt staging model, the index, the release);
  - nothing is published and the previous release is byte-identical;
  - `dispatch_run_alerts` sends exactly one message, to the owner named in the catalogue,
    by email (a real SMTP server) and webhook (a real HTTP server), with the failed
    expectation, counts and examples and no personal data.
"""
import csv
import io
import os
import shutil

import pytest
from dagster import AssetCheckSeverity, AssetKey, AssetSelection, DagsterInstance

from corpus import CASES
from social_progress.alerts import dispatch_run_alerts
from social_progress.catalogue import load_catalogue, steward_for
from social_progress.publish.release import folder_fingerprint
from social_progress.quality import store
from social_progress.settings import get_settings

pytestmark = [pytest.mark.slow]
RELEASE = AssetKey(["release", "yearly_release"])


def yearly_job():
    """The definitions for the settings the environment names now (they are read once, when
    the definitions are built, and passed to every asset as resources)."""
    from social_progress.definitions import build_definitions

    defs = build_definitions(get_settings())
    return defs, defs.resolve_job_def("yearly_refresh")


def _isolated_copy(base, tmp, case):
    """A project whose only difference from the good one is the broken file, with copies of
    the good warehouse and releases."""
    project = tmp / "project"
    project.mkdir()
    for name in ("catalogue", "expectations", "dbt_project", "council_systems"):   # + the SYNTHETIC council systems
        os.symlink(base / name, project / name)
    broken = case.mutate((base / case.file).read_bytes())
    for f in (base / "data").rglob("*"):
        if f.is_dir():
            continue
        rel = f.relative_to(base)
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.as_posix() == case.file:
            target.write_bytes(broken)
        else:
            os.symlink(f.resolve(), target)
    warehouse = tmp / "warehouse"
    warehouse.mkdir()
    for f in (base / "warehouse").glob("social_progress.duckdb*"):
        if not f.name.endswith(".lock"):
            shutil.copy2(f, warehouse / f.name)
    if (base / "warehouse" / "restricted").is_dir():   # the encrypted restricted store
        shutil.copytree(base / "warehouse" / "restricted", warehouse / "restricted",
                        ignore=shutil.ignore_patterns("*.lock"))
    releases = tmp / "releases"
    shutil.copytree(base / "releases", releases, symlinks=True)
    return project, warehouse, releases


def _snapshot(releases):
    return folder_fingerprint(releases / "2021"), sorted(p.name for p in releases.iterdir()), os.readlink(releases / "latest")


def _personal_values(base, case):
    source = load_catalogue(base / "catalogue" / "sources.yml").get(case.source)
    if not source.personal_data:
        return set()
    rows = list(csv.DictReader(io.StringIO((base / case.file).read_text(encoding="utf-8"))))
    return {r[c] for r in rows for c in ("BusinessName", "AddressLine1", "AddressLine2") if len(r.get(c) or "") >= 6}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_caught_blocks_publication_and_alerts_its_owner(case, good_refresh, tmp_path,
                                                                      monkeypatch, smtp, webhook):
    base = good_refresh
    project, warehouse, releases = _isolated_copy(base, tmp_path, case)
    for var in [v for v in os.environ if v.startswith("SPI_")]:
        monkeypatch.delenv(var)
    env = {"SPI_PROJECT_ROOT": str(project), "SPI_WAREHOUSE_DIR": str(warehouse), "SPI_RELEASES_DIR": str(releases),
           "SPI_ALERT_BACKOFF_SECONDS": "0.01", **smtp.env(), **webhook.env(), **case.env}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    before = _snapshot(releases)
    defs, job = yearly_job()

    key = AssetKey(["raw", case.source])
    graph = defs.resolve_asset_graph()
    selection = {"downstream": AssetSelection.assets(key).downstream().resolve(graph), "asset": {key},
                 "full": graph.get_all_asset_keys()}[case.run]
    instance = DagsterInstance.ephemeral()
    result = job.execute_in_process(instance=instance, raise_on_error=False,
                                    asset_selection=None if case.run == "full" else sorted(selection))

    # 1. the right check failed (or the file could not be ingested at all)
    settings = get_settings()
    expect = case.expect
    evaluations = {e.event_specific_data.asset_check_key.name: e.event_specific_data
                   for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    if expect["kind"] == "check":
        ev = evaluations[expect["check"]]
        assert not ev.passed
        assert ev.severity == (AssetCheckSeverity.ERROR if expect["severity"] == "error" else AssetCheckSeverity.WARN)
        failed = store.read(settings.duckdb_path, "SELECT * FROM quality.check_failures WHERE run_id = ? AND check_name = ?",
                            [result.run_id, expect["check"]])
        hits = failed[(failed["batch"] == expect["batch"]) & (failed["expectation"] == expect["expectation"])]
        if expect["column"]:
            hits = hits[hits["column_name"] == expect["column"]]
        assert len(hits) == 1, failed[["batch", "expectation", "column_name", "severity"]].to_string()
        assert hits.iloc[0]["severity"] == expect["severity"] and hits.iloc[0]["unexpected_count"] >= 1
        results = store.read(settings.duckdb_path, "SELECT * FROM quality.check_results WHERE run_id = ?", [result.run_id])
        row = results[results["check_name"] == expect["check"]].iloc[0]
        assert not row["passed"] and row["severity"] == expect["severity"]
        assert (warehouse / row["data_docs"]).is_file()  # Data Docs for this check of this run
    else:
        failures = [e for e in result.all_events if e.is_step_failure]
        assert [e.step_key for e in failures] == [f"raw__{case.source}"]
        assert expect["message"] in failures[0].event_specific_data.error.message
        assert f"{case.source}_expectations" not in evaluations  # nothing to check: the raw table is the old one

    # 2. nothing published; the previous release is byte-identical
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key == RELEASE]
    if case.run != "asset":
        # downstream of the broken source nothing ran: no staging (dbt), no index, no release
        executed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        assert not any(s.startswith(("dbt_models", "marts__", "release__")) for s in executed), executed
        assert AssetKey(["staging", f"stg_{case.source}"]) in selection
    assert _snapshot(releases) == before
    assert not any(p.name.startswith(".tmp") for p in releases.iterdir())

    # 3. exactly one message, to the source's owner, by email and webhook; no personal data
    # the source's steward (the person the deployment gives its role), never the publisher
    owner = steward_for(load_catalogue(project / "catalogue" / "sources.yml").get(case.source), settings).email
    deliveries = dispatch_run_alerts(result.run_id, settings, instance=instance)
    assert sorted((d.channel, d.status) for d in deliveries if d.owner_email == owner) == [("email", "sent"), ("webhook", "sent")]
    recipients = [m["to"][0] for m in smtp.messages]
    assert len(recipients) == len(set(recipients)) == len(webhook.posts)  # one message per owner
    # the whole job also runs every other source's check: their owners may only hear of warnings
    # (the bundled data is historic, so periodic sources are stale on today's date)
    others = [m for m in smtp.messages if m["to"] != [owner]]
    assert case.run == "full" or not others
    assert all("warnings only" in m["subject"] for m in others)
    (mail,) = [m for m in smtp.messages if m["to"] == [owner]]
    body = mail["body"]
    if expect["kind"] == "check":
        assert expect["check"] in body and expect["expectation"] in body
        if expect["column"]:
            assert f"column '{expect['column']}'" in body
        # in words, with what to do; the expectation's name only as a detail line; no developer notes
        assert "What to do:" in body and "Why it matters" not in body
        if expect["expectation"] == "expect_table_columns_to_match_set":
            assert "is missing column" in body
        for text in expect.get("mentions", ()):
            assert text in body
        assert ("blocked the release" in mail["subject"]) == (expect["severity"] == "error")
    else:
        assert "could not be ingested" in body and expect["message"] in body
    (post,) = [p for p in webhook.posts if p["json"]["owner"]["email"] == owner]
    assert post["json"]["owner"]["email"] == owner and post["json"]["run_id"] == result.run_id
    for value in _personal_values(base, case):
        assert value not in body and value not in str(post["json"]), "personal data in the alert"
