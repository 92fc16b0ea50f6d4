"""Where the platform reads and writes: one place, overridable by environment variables.

Why: the same code runs from `make run`, the Dagster UI, CI and tests; tests point every
writable path at a temporary folder through these variables, never at the project's own.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    project_root: Path
    data_dir: Path          # bundled input data (read only)
    catalogue_dir: Path     # sources.yml, areas.yml, targets
    warehouse_dir: Path     # DuckDB file, landed inputs, geography files
    releases_dir: Path      # published releases
    dbt_project_dir: Path

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "social_progress.duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.warehouse_dir / "landing"

    @property
    def http_cache_dir(self) -> Path:
        return self.warehouse_dir / "http_cache"

    @property
    def sources_path(self) -> Path:
        return self.catalogue_dir / "sources.yml"

    @property
    def areas_path(self) -> Path:
        return self.catalogue_dir / "areas.yml"


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).resolve() if value else default


def get_settings() -> Settings:
    """Read the settings afresh (tests change the environment between cases).

    A borough chosen with SPI_BOROUGH publishes under releases/<code>/ (its own `latest`),
    so releases of different boroughs never mix; the warehouse and the Dagster instance are
    shared (choosing another borough makes every borough-dependent asset stale)."""
    root = _path("SPI_PROJECT_ROOT", PROJECT_ROOT)
    borough = (os.environ.get("SPI_BOROUGH") or "").strip().upper()
    # only a well-formed code names a folder (a bad value is refused by borough.area_config)
    releases = root / "releases" / borough if re.fullmatch(r"E09\d{6}|E12000007", borough) else root / "releases"
    return Settings(
        project_root=root,
        data_dir=_path("SPI_DATA_DIR", root / "data"),
        catalogue_dir=_path("SPI_CATALOGUE_DIR", root / "catalogue"),
        warehouse_dir=_path("SPI_WAREHOUSE_DIR", root / "warehouse"),
        releases_dir=_path("SPI_RELEASES_DIR", releases),
        dbt_project_dir=_path("SPI_DBT_PROJECT_DIR", root / "dbt_project"),
    )
