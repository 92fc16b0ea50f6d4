"""The code location loads, and its asset graph, checks, jobs and schedules are wired."""
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey

from social_progress.catalogue import load_catalogue
from social_progress.dbt_project import indicator_models, load_manifest
from social_progress.definitions import defs
from social_progress.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
RELEASE = AssetKey(["release", "yearly_release"])


def test_asset_graph_has_every_stage_connected():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/crime", "geography/lsoa11_lookup", "staging/stg_crime", "indicators/violence_rate",
            "marts/indicator_metadata", "marts/indicator_values", "marts/index_scores", "release/yearly_release"} <= keys
    ancestors = graph.get_ancestor_asset_keys(RELEASE)
    indicators = {k for k in graph.get_all_asset_keys() if k.path[0] == "indicators"}
    assert len(indicators) >= 12 and indicators <= ancestors
    # every source an indicator's YAML names is an ingest asset upstream of the release
    raw = {AssetKey(["raw", s.id]) for s in load_catalogue(get_settings().sources_path).sources}
    used = {k for k in ancestors if k.path[0] == "raw"}
    named = {AssetKey(["raw", src]) for node in indicator_models(load_manifest(get_settings())) for src in node["config"]["meta"]["indicator"]["sources"]}
    assert named <= used <= raw
    assert {AssetKey(["raw", "lsoa11_boundaries"]), AssetKey(["raw", "lsoa11_ward19_lookup"])} <= used


def test_index_check_is_blocking_and_in_the_yearly_job():
    specs = {s.key.name: s for c in defs.asset_checks for s in c.check_specs}
    spec = specs["index_scores_expectations"]
    assert spec.blocking and spec.asset_key == AssetKey(["marts", "index_scores"])
    # every source has its own blocking suite on its raw asset
    sources = load_catalogue(get_settings().sources_path).sources
    raw_checks = {s.asset_key for s in specs.values() if s.asset_key.path[0] == "raw" and s.blocking}
    assert raw_checks == {AssetKey(["raw", src.id]) for src in sources}
    job = defs.resolve_job_def("yearly_refresh")
    selected = job.asset_layer.executable_asset_keys
    assert {RELEASE, AssetKey(["marts", "index_scores"]), AssetKey(["raw", "crime"])} <= set(selected)


def test_schedules_follow_the_yearly_refresh_and_each_cadence():
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["yearly_refresh_schedule"].job_name == "yearly_refresh"
    cadences = {s.cadence for s in load_catalogue(get_settings().sources_path).sources if s.cadence not in ("once", "irregular")}
    for cadence in cadences:
        assert schedules[f"ingest_{cadence}_schedule"].job_name == f"ingest_{cadence}"


def test_dagster_loads_the_workspace_without_errors():
    proc = subprocess.run([str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_every_asset_has_kinds_a_description_an_owner_and_a_code_version():
    graph = defs.resolve_asset_graph()
    materializable = [k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    assert len(materializable) > 140
    problems = []
    for key in materializable:
        node = graph.get(key)
        spec = node.to_asset_spec() if hasattr(node, "to_asset_spec") else None
        kinds = set(spec.kinds) if spec is not None else set()
        if not kinds:
            problems.append(f"{key.to_user_string()}: no kinds")
        if not (node.description or "").strip():
            problems.append(f"{key.to_user_string()}: no description")
        if not node.owners:
            problems.append(f"{key.to_user_string()}: no owner")
        if not node.code_version:
            problems.append(f"{key.to_user_string()}: no code version (its staleness could not be judged)")
    assert problems == []


def test_asset_owners_are_the_deployments_stewards_and_index_owner_never_a_publisher():
    """Owners come from catalogue/areas.yml: a source's assets (its input, raw table and staging
    model) belong to the person holding its steward role, everything else to the index owner."""
    import yaml

    areas = yaml.safe_load((ROOT / "catalogue" / "areas.yml").read_text())
    entries = yaml.safe_load((ROOT / "catalogue" / "sources.yml").read_text())["sources"]
    steward_email = {e["id"]: areas["stewards"][e["steward"]]["email"] for e in entries}
    publisher_contacts = {e["publisher"].get("contact") for e in entries} - {None}
    graph = defs.resolve_asset_graph()
    # the FSA's food hygiene feed: the council's open-data steward, not opendata@food.gov.uk
    assert graph.get(AssetKey(["raw", "food_hygiene"])).owners == [areas["stewards"]["public_data"]["email"]]
    assert graph.get(AssetKey(["raw", "council_housing_repairs"])).owners == [areas["stewards"]["housing"]["email"]]
    checked = 0
    for key in graph.get_all_asset_keys():
        owners = graph.get(key).owners
        source = key.path[-1] if key.path[0] in ("raw", "inputs") else None
        if key.path[0] == "staging" and key.path[-1].startswith("stg_") and key.path[-1][4:] in steward_email:
            source = key.path[-1][4:]
        expected = [steward_email[source]] if source in steward_email else [areas["index_owner"]["email"]]
        if graph.get(key).is_materializable or key.path[0] == "inputs":
            assert owners == expected, key.to_user_string()
            checked += 1
        assert not set(owners) & publisher_contacts, key.to_user_string()
    assert checked > 190


def test_every_check_has_a_description_and_every_schedule_runs_in_london_time():
    graph = defs.resolve_asset_graph()
    checks = list(graph.asset_check_keys)
    assert len(checks) > 200
    missing = [k.to_user_string() for k in checks if not (graph.get_check_spec(k).description or "").strip()]
    assert missing == []
    assert {s.execution_timezone for s in defs.schedules} == {"Europe/London"}


def test_definitions_never_run_dbt_a_missing_manifest_says_what_to_run(tmp_path):
    """Loading the code location reads the prepared manifest; without one it fails at once
    with what to run, instead of parsing the project itself."""
    import os
    import shutil

    shutil.copytree(ROOT / "catalogue", tmp_path / "catalogue")
    shutil.copytree(ROOT / "dbt_project", tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SPI_")}, "SPI_PROJECT_ROOT": str(tmp_path),
           "SPI_DATA_DIR": str(ROOT / "data")}
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tmp_path / "council_systems").symlink_to(ROOT / "council_systems")   # the SYNTHETIC council systems
    proc = subprocess.run([sys.executable, "-c", "import social_progress.definitions"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "ManifestMissing" in proc.stderr and "make manifest" in proc.stderr
    assert not (tmp_path / "dbt_project" / "target" / "manifest.json").exists()
