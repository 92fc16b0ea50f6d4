"""Dagster: one raw asset per source, materialised with provenance; cadence jobs and schedules."""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml

from social_progress.defs.ingest import build_raw_assets, build_source_schedules
from social_progress.defs.resources import PlatformResource
from social_progress.catalogue import load_catalogue
from social_progress.settings import PROJECT_ROOT

REAL = PROJECT_ROOT / "catalogue" / "sources.yml"
# the deployment's people behind the steward roles (the project's areas.yml with test stewards)
STEWARDS = {"public_data": {"name": "Open data steward", "email": "open.data@borough.example.org"},
            "gis": {"name": "GIS steward", "email": "gis@borough.example.org"}}


def _deployment(project) -> None:
    areas = yaml.safe_load((PROJECT_ROOT / "catalogue" / "areas.yml").read_text())
    project.write("catalogue/areas.yml", yaml.safe_dump({**areas, "stewards": STEWARDS}))


def _catalogue(project) -> object:
    """A two-source catalogue (a CSV and a GeoJSON glob) in the temporary project."""
    project.add("gp_practices_sample.csv", "data/records/gp.csv")
    project.add("wards_sample.geojson", "data/geography/wards/E09000002.geojson")
    _deployment(project)
    common = {
        "licence": {"name": "OGL v3", "attribution": "Contains public sector information (test)."},
        "geography": {"level": "postcode"},
        "personal_data": False,
    }
    entries = [
        {"id": "gp_practices", "title": "GP practices", "cadence": "quarterly", "steward": "public_data",
         "publisher": {"name": "Test Publisher", "contact": "ods@example.org"},
         "reader": {"kind": "file", "path": "data/records/gp.csv", "format": "csv"},
         "required_columns": ["org_code"], **common},
        {"id": "wards", "title": "Wards", "cadence": "once", "steward": "gis",
         "publisher": {"name": "Test Publisher", "contact": "geo@example.org"},
         "reader": {"kind": "file", "path": "data/geography/wards/*.geojson", "format": "geojson"},
         "required_columns": ["WD25CD"], **{**common, "personal_data": True}},
    ]
    path = project.write("catalogue/sources.yml", yaml.safe_dump({"sources": entries}))
    return load_catalogue(path, root=project.root)


def build_ingest_assets(catalogue, settings=None):
    from social_progress.settings import get_settings

    return build_raw_assets(catalogue, settings or get_settings())


def _resources(project) -> dict:
    return {"platform": PlatformResource.from_settings(project.settings)}


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    out = {}
    for event in result.get_asset_materialization_events():
        m = event.materialization
        out[m.asset_key.path[-1]] = {k: v.value for k, v in m.metadata.items()}
    return out


def test_materialize_two_ingest_assets(project):
    catalogue = _catalogue(project)
    assets = build_ingest_assets(catalogue)

    result = dg.materialize(assets, raise_on_error=True, resources=_resources(project))

    assert result.success
    meta = _metadata(result)
    gp, wards = meta["gp_practices"], meta["wards"]
    assert gp["status"] == "ingested" and gp["origin"] == "file"
    assert gp["licence"] == "OGL v3"
    assert gp["attribution"] == "Contains public sector information (test)."
    assert gp["publisher"] == "Test Publisher"
    assert (gp["rows"], gp["columns"]) == (5, 12)
    assert len(gp["content_hash"]) == 64
    assert Path(gp["landed_path"]).is_file()
    assert gp["landed_path"].startswith(str(project.settings.landing_dir))
    assert (wards["rows"], wards["dagster/row_count"]) == (2, 2)
    assert Path(wards["landed_path"]).is_dir()
    assert project.count("gp_practices") == 5 and project.count("wards") == 2

    again = _metadata(dg.materialize(assets, resources=_resources(project)))
    assert again["gp_practices"]["status"] == "unchanged" and again["gp_practices"]["rows"] == 5


def test_asset_definitions_carry_owner_tags_and_group(project):
    (asset_gp, asset_wards) = build_ingest_assets(_catalogue(project))
    key = dg.AssetKey(["raw", "wards"])
    assert asset_wards.key == key
    assert asset_wards.group_names_by_key[key] == "ingest"
    # owned by the steward the deployment names for the role, never the publisher's contact
    assert asset_wards.owners_by_key[key] == ["gis@borough.example.org"]
    assert asset_gp.owners_by_key[dg.AssetKey(["raw", "gp_practices"])] == ["open.data@borough.example.org"]
    tags = asset_wards.tags_by_key[key]
    assert tags["cadence"] == "once" and tags["personal_data"] == "true"
    assert "Published by Test Publisher" in asset_wards.descriptions_by_key[key]
    assert asset_gp.tags_by_key[dg.AssetKey(["raw", "gp_practices"])]["personal_data"] == "false"


def test_ingest_error_becomes_a_dagster_failure(project):
    catalogue = _catalogue(project)
    (project.root / "data/records/gp.csv").write_text("wrong\nx\n")
    result = dg.materialize(build_ingest_assets(catalogue)[:1], raise_on_error=False, resources=_resources(project))
    assert not result.success
    failure = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE][0]
    assert "source 'gp_practices' (data/records/gp.csv): missing required column(s) 'org_code'" in str(
        failure.step_failure_data.error.message)


def test_real_catalogue_assets_jobs_and_schedules():
    catalogue = load_catalogue(REAL, root=PROJECT_ROOT)
    assets = build_ingest_assets(catalogue)
    jobs, schedules = build_source_schedules(catalogue)
    assert [a.key for a in assets] == [dg.AssetKey(["raw", s.id]) for s in catalogue.sources]

    cadences = {s.cadence for s in catalogue.sources}
    assert {j.name for j in jobs} == {f"ingest_{c}" for c in cadences}
    crons = {s.name: s.cron_schedule for s in schedules}
    assert crons["ingest_monthly_schedule"] == "0 6 2 * *"
    assert crons["ingest_quarterly_schedule"] == "0 6 2 1,4,7,10 *"
    assert crons["ingest_yearly_schedule"] == "0 6 2 4 *"
    assert "ingest_once_schedule" not in crons and "ingest_irregular_schedule" not in crons
    assert {s.default_status for s in schedules} == {dg.DefaultScheduleStatus.STOPPED}

    from social_progress.settings import get_settings

    defs = dg.Definitions(assets=assets, jobs=jobs, schedules=schedules,
                          resources={"platform": PlatformResource.from_settings(get_settings())})
    monthly = defs.resolve_job_def("ingest_monthly")
    selected = monthly.asset_layer.selected_asset_keys
    assert selected == {dg.AssetKey(["raw", s.id]) for s in catalogue.sources if s.cadence == "monthly"}


def test_whole_real_catalogue_ingests(project):
    """The catalogue and the bundled data agree: every source ingests (about 7 s)."""
    from social_progress.ingest import ingest_catalogue

    settings = project.settings.__class__(**{**project.settings.__dict__, "project_root": PROJECT_ROOT})
    results = ingest_catalogue(load_catalogue(REAL, root=PROJECT_ROOT), settings)
    by_id = {r.source_id: r for r in results}
    assert all(r.status == "ingested" for r in results)
    assert by_id["police_uk"].origin in ("fallback", "download")
    assert by_id["crime"].rows > 60000 and by_id["lsoa11_boundaries"].rows == 4835  # every LSOA 2011 in London
