"""Resources: the platform's paths, the warehouse, the release target and dbt, injected.

Why resources: assets get their settings from Dagster (visible in the UI's resource page,
overridable per run) instead of reading the environment themselves. `definitions.py` reads
the environment once and configures these.

The warehouse is one DuckDB file with one writer at a time. `WarehouseResource` owns that
rule: every connection goes through `social_progress.warehouse.Warehouse`, which takes an
inter-process lock (shared for readers, exclusive for writers) and waits for it with a
deadline instead of failing with DuckDB's lock error. Steps that write it also share the
`warehouse_writer` concurrency pool, so Dagster never schedules two at once.
"""
from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

from social_progress.dbt_project import dbt_executable
from social_progress.settings import Settings

WRITER_POOL = "warehouse_writer"


class PlatformResource(ConfigurableResource):
    """Where the platform reads and writes (see social_progress.settings)."""

    project_root: str
    data_dir: str
    catalogue_dir: str
    warehouse_dir: str
    releases_dir: str
    dbt_project_dir: str

    @classmethod
    def from_settings(cls, s: Settings) -> "PlatformResource":
        return cls(project_root=str(s.project_root), data_dir=str(s.data_dir), catalogue_dir=str(s.catalogue_dir),
                   warehouse_dir=str(s.warehouse_dir), releases_dir=str(s.releases_dir),
                   dbt_project_dir=str(s.dbt_project_dir))

    @property
    def settings(self) -> Settings:
        return Settings(project_root=Path(self.project_root), data_dir=Path(self.data_dir),
                        catalogue_dir=Path(self.catalogue_dir), warehouse_dir=Path(self.warehouse_dir),
                        releases_dir=Path(self.releases_dir), dbt_project_dir=Path(self.dbt_project_dir))


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse: one connection owner, one writer at a time, waiting for the lock."""

    path: str
    lock_timeout_s: float = 600.0
    _warehouse = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from social_progress.processes import child_dies_with_parent

        # a step process dies with the run that started it (a killed refresh leaves no
        # orphan still writing the warehouse)
        child_dies_with_parent()

    @property
    def warehouse(self):
        from social_progress.warehouse import Warehouse

        if self._warehouse is None:
            self._warehouse = Warehouse(Path(self.path), lock_timeout=self.lock_timeout_s)
        return self._warehouse

    def read_table(self, query: str, params: list | None = None):
        return self.warehouse.read_table(query, params)

    def replace_table(self, schema: str, table: str, frame) -> int:
        return self.warehouse.replace_table(schema, table, frame)

    def write(self):
        return self.warehouse.write()

    def read(self):
        return self.warehouse.read()

    def exclusive(self, holder: str):
        return self.warehouse.exclusive(holder)

    def session(self, holder: str):
        """One hold and one connection for a step's many reads and writes (see Warehouse.session)."""
        return self.warehouse.session(holder)


class ReleaseResource(ConfigurableResource):
    """Where releases go. `draft: true` writes to releases/_drafts/ and never moves `latest`."""

    releases_dir: str
    draft: bool = False

    @property
    def target_dir(self) -> Path:
        root = Path(self.releases_dir)
        return root / "_drafts" if self.draft else root


GUARDED_DBT = Path(__file__).resolve().parents[1] / "bin" / "dbt-guarded"


def guarded_dbt_env() -> dict[str, str]:
    """What bin/dbt-guarded needs: this Python (for social_progress.processes) and the real dbt."""
    import sys

    return {"SPI_PYTHON": sys.executable, "SPI_DBT": dbt_executable()}


def dbt_resource(settings: Settings) -> DbtCliResource:
    # dbt through a wrapper that makes it die with the step that started it
    return DbtCliResource(project_dir=str(settings.dbt_project_dir), dbt_executable=str(GUARDED_DBT),
                          profiles_dir=str(settings.dbt_project_dir))


def resources_for(settings: Settings) -> dict:
    return {
        "platform": PlatformResource.from_settings(settings),
        "warehouse": WarehouseResource(path=str(settings.duckdb_path)),
        "release_target": ReleaseResource(releases_dir=str(settings.releases_dir)),
        "dbt": dbt_resource(settings),
    }
