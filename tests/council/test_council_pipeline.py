"""The council feeds end to end: read, linked, placed, counted once, in the framework.

Reads the shared real refresh (bundled open data plus the SYNTHETIC council systems) and
serves the library system's JSON API on 127.0.0.1 to ingest it over HTTP.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from project_copy import env_for

ROOT = Path(__file__).resolve().parents[2]


def _release(project: Path) -> Path:
    return (project / "releases" / "latest").resolve()


@pytest.mark.slow
def test_the_release_has_59_indicators_in_its_index_and_20_from_council_systems(refreshed_project: Path):
    release = _release(refreshed_project)
    ind = pd.read_csv(release / "indicators.csv")
    meta = json.loads((release / "metadata.json").read_text())
    council_sources = {i["source_id"] for i in meta["inputs"] if i.get("origin") == "council"}
    assert len(council_sources) == 16 and all(i["synthetic"] for i in meta["inputs"] if i["source_id"] in council_sources)
    from_council = ind[ind["sources"].fillna("").map(lambda s: bool(council_sources & {x.strip() for x in s.split(",")}))]
    in_index = ind[ind["in_index"].astype(str).str.lower() == "true"]
    # the audited framework (issue 13): 59 index indicators, 20 of them from
    # the council's systems; the other 20 council indicators are context
    assert len(in_index) == 59
    assert len(from_council) == 40 and from_council["in_index"].astype(str).str.lower().eq("true").sum() == 20
    # every council indicator is personal data, in an SPI component, with rationale and goalposts
    assert from_council["personal_data"].astype(str).str.lower().eq("true").all()
    assert from_council["rationale"].str.len().gt(20).all()
    assert (from_council["worst"] != from_council["best"]).all()
    assert from_council["worst_best_basis"].str.contains("borough").all()
    # on every level and year of the index
    scores = pd.read_csv(release / "scores.csv", dtype={"area_code": str})
    mine = scores[scores["measure"].isin(set(in_index["indicator_id"]) & set(from_council["indicator_id"]))]
    assert set(mine["boundary"]) == {"lsoa11", "lsoa21", "ward19", "ward22", "lad"}
    assert sorted(mine["year"].unique()) == sorted(scores["year"].unique())
    # the two frameworks
    frameworks = meta["sections"]["frameworks"]
    assert frameworks["borough"]["file"] == "scores.csv" and frameworks["london_common"]["file"] == "scores_common.csv"
    common = pd.read_csv(release / "scores_common.csv", dtype={"area_code": str})
    assert not set(common.loc[common["measure_type"] == "indicator", "measure"]) & set(from_council["indicator_id"])
    diag = pd.read_csv(release / "diagnostics.csv")
    own = diag[diag["weighting"].str.contains("borough's own")]
    assert len(own) >= 1, diag[["component", "weighting"]]


@pytest.mark.slow
def test_every_council_record_is_linked_placed_or_counted_as_unplaced(refreshed_project: Path):
    db = refreshed_project / "warehouse" / "social_progress.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        summary = con.execute("SELECT * FROM council.record_summary").df().set_index("source_id")
        raw = {s: con.execute(f'SELECT count(*) FROM raw."{s}"').fetchone()[0] for s in summary.index}
        records = con.execute("SELECT source_id, resident_key, household_key, in_borough, unplaced_reason, lsoa11_code, "
                              "ward22_code FROM council.records").df()
        report = json.loads(con.execute("SELECT report FROM geography.match_reports WHERE source_id = 'council_records'")
                            .fetchone()[0])
    # nothing dropped: every raw record has a row, placed or with its reason
    assert {s: int(summary.loc[s, "records"]) for s in summary.index} == raw
    placed = records["in_borough"]
    assert records.loc[placed, "lsoa11_code"].str.startswith("E01").all()
    assert records.loc[placed, "ward22_code"].str.startswith("E05").all()
    assert records.loc[~placed, "unplaced_reason"].notna().all()
    reasons = set(records["unplaced_reason"].dropna())
    assert {"outside_borough", "no_location"} <= reasons
    assert 0.85 < placed.mean() < 0.99
    assert report["placement"]["records"] == len(records)
    # one person, one count: linked residents are far fewer than person records
    people = records.dropna(subset=["resident_key"])
    assert people["resident_key"].nunique() < 0.7 * len(people)
    assert (people.groupby("resident_key")["source_id"].nunique() >= 2).sum() > 1000


@pytest.mark.slow
def test_linkage_quality_is_measured_and_reported_in_the_asset_metadata(refreshed_project: Path):
    code = ("import json; from dagster import DagsterInstance, AssetKey; i = DagsterInstance.get(); "
            "e = i.get_latest_materialization_event(AssetKey(['council', 'records'])); "
            "m = e.asset_materialization.metadata; "
            "print(json.dumps({k: getattr(v, 'value', None) for k, v in m.items()}, default=str))")
    out = subprocess.run([sys.executable, "-c", code], env=env_for(refreshed_project), capture_output=True, text=True,
                         timeout=120, check=True).stdout
    meta = json.loads(out.strip().splitlines()[-1])
    assert meta["linkage_precision"] >= 0.9 and meta["linkage_recall"] >= 0.9, meta
    linkage = meta["linkage"]
    assert linkage["threshold_probability"] == 0.9 and "first_name" in linkage["settings_summary"]
    assert linkage["quality"]["residents_double_counted"] < 0.05 * linkage["quality"]["true_persons"]
    assert meta["synthetic"] is True
    assert isinstance(meta["match_weights"], list) and len(meta["match_weights"]) >= 10


def test_the_library_api_is_read_over_http_and_pseudonymised(tmp_path, monkeypatch):
    """The catalogue's library source, pointed at the stand-in API served on 127.0.0.1."""
    from social_progress.catalogue import load_catalogue
    from social_progress.ingest import ingest_source
    from social_progress.settings import get_settings
    from social_progress.synthetic.library_api import serve_library_api

    payload = ROOT / "council_systems" / "libraries_activity.json"
    server, url = serve_library_api(payload)
    try:
        catalogue = load_catalogue(ROOT / "catalogue" / "sources.yml", ROOT)
        source = catalogue.get("council_library_activity")
        source = source.model_copy(update={"reader": source.reader.model_copy(update={"url": f"{url}/api/v1/member-activity"})})
        monkeypatch.setenv("SPI_PROJECT_ROOT", str(ROOT))
        monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
        result = ingest_source(source, get_settings())
    finally:
        server.shutdown()
        server.server_close()
    assert result.origin == "download"
    assert result.rows == len(json.loads(payload.read_text())) and result.landed_path.startswith("restricted:")
    with duckdb.connect(str(tmp_path / "warehouse" / "social_progress.duckdb"), read_only=True) as con:
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'council_library_activity'").fetchall()]
    assert "record_key" in cols and "first_name" not in cols and "member_id" not in cols
    assert not (tmp_path / "warehouse" / "http_cache").exists()   # a personal download is never cached in plain text
