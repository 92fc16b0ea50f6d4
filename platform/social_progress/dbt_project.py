"""The dbt project: where it is, how to run its CLI, its vars, and its prepared manifest.

Why a library module (no Dagster): `make` prepares the manifest (`dbt parse`) before
anything loads, as dagster-dbt's project preparation intends, so loading the Dagster
definitions never runs dbt; the CLI and the tests prepare it the same way when a project
copy has none or an analyst edited a model. The executable is the one beside this Python
(`DbtCliResource` would look on PATH, wrong in an unactivated virtual environment).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from social_progress.borough import area_config, coverage_gaps
from social_progress.settings import Settings

# Files whose change needs a new manifest (the parse reads nothing else).
PROJECT_GLOBS = ("models/**/*.sql", "models/**/*.yml", "macros/**/*.sql", "tests/**/*.sql", "dbt_project.yml",
                 "profiles.yml")


class ManifestMissing(RuntimeError):
    """The dbt manifest has not been prepared (run `make manifest` or `social-progress prepare`)."""


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def manifest_path(settings: Settings) -> Path:
    return settings.dbt_project_dir / "target" / "manifest.json"


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for every dbt invocation: the warehouse file this platform writes."""
    return {"SPI_DUCKDB_PATH": str(settings.duckdb_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def dbt_vars(settings: Settings) -> dict:
    """The vars of every dbt run: the borough, its comparators, the years, and the sources
    that do not cover the borough (their indicators leave its framework)."""
    from social_progress.catalogue import load_catalogue

    cfg = area_config(settings)
    out = {"borough_code": cfg.borough.code, "comparators": list(cfg.comparators),
           "first_year": cfg.index.first_year, "last_year": cfg.index.last_year}
    if cfg.is_london:
        # every London borough's areas are reported (a source covers London unless it names
        # the few boroughs it covers: its gaps elsewhere are missing values)
        out["boroughs"] = cfg.boroughs
    sources = load_catalogue(settings.sources_path, settings.project_root).sources
    if cfg.is_london:
        out["not_covered"] = coverage_gaps(sources, cfg)
    uncovered = [s.id for s in sources if not s.covers(cfg.borough.code)]
    if uncovered:   # only when there are some: the default borough's vars (and versions) stay as they were
        out["uncovered_sources"] = uncovered
    return out


def vars_version(settings: Settings) -> str:
    """A short hash of the vars every dbt run gets: part of each model's code version."""
    return hashlib.sha256(json.dumps(dbt_vars(settings), sort_keys=True).encode()).hexdigest()[:12]


def _project_files(project_dir: Path) -> list[Path]:
    files: set[Path] = set()
    for pattern in PROJECT_GLOBS:
        files.update(p for p in project_dir.glob(pattern) if p.is_file() and "target" not in p.parts)
    return sorted(files)


def manifest_is_stale(settings: Settings) -> bool:
    manifest = manifest_path(settings)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(f.stat().st_mtime > built for f in _project_files(settings.dbt_project_dir))


def prepare_manifest(settings: Settings, force: bool = False) -> tuple[Path, bool]:
    """Parse the dbt project if its manifest is missing or older than a model, macro or YAML
    file. Returns (manifest path, whether it was parsed now). Raises with dbt's output."""
    project_dir = settings.dbt_project_dir
    if not force and not manifest_is_stale(settings):
        return manifest_path(settings), False
    env = {**os.environ, **dbt_env(settings)}
    proc = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
         "--vars", json.dumps(dbt_vars(settings))],
        env=env, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0 or not manifest_path(settings).exists():
        raise RuntimeError(f"dbt parse failed in {project_dir}:\n{proc.stdout}\n{proc.stderr}")
    return manifest_path(settings), True


def load_manifest(settings: Settings) -> dict:
    """The prepared manifest; never parses (a missing one is an error that says what to run)."""
    path = manifest_path(settings)
    if not path.exists():
        raise ManifestMissing(f"{path} does not exist: prepare the dbt project first (`make manifest`, or "
                              f"`social-progress prepare`), which runs `dbt parse`")
    return json.loads(path.read_text())


def indicator_models(manifest: dict) -> list[dict]:
    """The indicator models of the manifest (tag `indicator` with meta.indicator), sorted by name."""
    found = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and "indicator" in n.get("tags", [])
             and n.get("config", {}).get("meta", {}).get("indicator")]
    return sorted(found, key=lambda n: n["name"])
