"""The metadata mart reads every indicator's YAML from the dbt graph without ref()-ing the
indicator models, so its code version must cover that YAML: otherwise a refresh after an
indicator is added (or its goalposts are written) leaves marts.indicator_metadata, and so
the index's framework, as it was."""
from __future__ import annotations

import copy

from social_progress.defs.dbt import FRAMEWORK_MACRO, PlatformTranslator, framework_digest


def _manifest(worst: float = 0.2) -> dict:
    indicator = {"resource_type": "model", "name": "fuel_poverty_lihc", "tags": ["indicator"], "description": "d",
                 "original_file_path": "models/indicators/shelter/fuel_poverty_lihc.sql",
                 "config": {"meta": {"indicator": {"component": "Shelter", "worst": worst, "best": 0.05}}}}
    mart = {"resource_type": "model", "name": "indicator_metadata", "tags": [], "raw_code": "select 1",
            "config": {}, "columns": {}, "depends_on": {"macros": [FRAMEWORK_MACRO], "nodes": []},
            "fqn": ["social_progress", "marts", "indicator_metadata"]}
    other = {"resource_type": "model", "name": "stg_ptal", "tags": [], "raw_code": "select 2", "config": {},
             "columns": {}, "depends_on": {"macros": [], "nodes": []}, "fqn": ["social_progress", "staging", "stg_ptal"]}
    return {"nodes": {"model.social_progress.fuel_poverty_lihc": indicator,
                      "model.social_progress.indicator_metadata": mart,
                      "model.social_progress.stg_ptal": other},
            "macros": {FRAMEWORK_MACRO: {"macro_sql": "{% macro indicator_nodes() %}{% endmacro %}", "depends_on": {"macros": []}}}}


def _versions(manifest: dict) -> tuple[str, str]:
    t = PlatformTranslator(manifest, "owner@example.org", {}, "vars")
    return (t.get_code_version(manifest["nodes"]["model.social_progress.indicator_metadata"]),
            t.get_code_version(manifest["nodes"]["model.social_progress.stg_ptal"]))


def test_metadata_mart_version_follows_indicator_yaml():
    before = _versions(_manifest(0.2))
    changed = _versions(_manifest(0.3))            # goalposts written
    assert changed[0] != before[0] and changed[1] == before[1]
    added = _manifest(0.2)                         # a new indicator model
    new = copy.deepcopy(added["nodes"]["model.social_progress.fuel_poverty_lihc"])
    new["name"] = "fuel_poverty_lilee"
    added["nodes"]["model.social_progress.fuel_poverty_lilee"] = new
    assert _versions(added)[0] != before[0] and _versions(added)[1] == before[1]
    assert framework_digest(_manifest(0.2)) == framework_digest(_manifest(0.2))
