"""The dbt project, its manifest, and how to run its CLI from wherever the platform runs.

Why: `DbtCliResource` looks for `dbt` on PATH, which is wrong when the platform runs from a
virtual environment that is not activated (make, CI); and the code location must never
load without a manifest. So the executable is the one beside this Python, and a missing
or stale manifest is rebuilt with `dbt parse` before the definitions load.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from social_progress.borough import load_area_config
from social_progress.settings import Settings, get_settings

PROJECT_FILES = ("*.yml", "*.sql", "*.yaml")


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


@lru_cache(maxsize=4)
def dbt_project(project_dir: Path) -> DbtProject:
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for every dbt invocation: the warehouse file this platform writes."""
    return {"SPI_DUCKDB_PATH": str(settings.duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def dbt_vars(settings: Settings) -> dict:
    cfg = load_area_config(settings.areas_path)
    return {"borough_code": cfg.borough.code, "comparators": list(cfg.comparators),
            "first_year": cfg.index.first_year, "last_year": cfg.index.last_year}


def manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = Path(project.project_dir)
    for pattern in PROJECT_FILES:
        for f in root.rglob(pattern):
            if "target" in f.parts or "dbt_packages" in f.parts:
                continue
            if f.stat().st_mtime > built:
                return True
    return False


def ensure_manifest(settings: Settings | None = None) -> Path:
    """Parse the dbt project if its manifest is missing or older than a model or YAML file."""
    settings = settings or get_settings()
    project = dbt_project(settings.dbt_project_dir)
    if manifest_is_stale(project):
        env = {**os.environ, **dbt_env(settings)}
        proc = subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(project.project_dir),
             "--profiles-dir", str(project.profiles_dir), "--vars", json.dumps(dbt_vars(settings))],
            env=env, capture_output=True, text=True,
        )
        if proc.returncode != 0 or not project.manifest_path.exists():
            raise RuntimeError(f"dbt parse failed in {project.project_dir}:\n{proc.stdout}\n{proc.stderr}")
    return project.manifest_path


def dbt_resource(settings: Settings | None = None) -> DbtCliResource:
    settings = settings or get_settings()
    return DbtCliResource(project_dir=dbt_project(settings.dbt_project_dir), dbt_executable=dbt_executable(),
                          profiles_dir=str(settings.dbt_project_dir))


def indicator_models(manifest_path: Path) -> list[dict]:
    """The indicator models of the manifest (tag `indicator` with meta.indicator), sorted by name."""
    manifest = json.loads(Path(manifest_path).read_text())
    found = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and "indicator" in n.get("tags", []) and n.get("config", {}).get("meta", {}).get("indicator")]
    return sorted(found, key=lambda n: n["name"])
