"""The code location loads, and its asset graph, checks, jobs and schedules are wired."""
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey

from social_progress.catalogue import load_catalogue
from social_progress.definitions import defs
from social_progress.settings import get_settings
from social_progress.transform.assets import MANIFEST
from social_progress.transform.project import indicator_models

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
    named = {AssetKey(["raw", src]) for node in indicator_models(MANIFEST) for src in node["config"]["meta"]["indicator"]["sources"]}
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
