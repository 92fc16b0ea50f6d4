"""Fixtures for ingest tests: a throw-away project root and warehouse, and source builders.

Why: every test writes a DuckDB file and a landing area; pointing SPI_PROJECT_ROOT and
SPI_WAREHOUSE_DIR at a temporary folder keeps the project's own warehouse untouched and
lets `_source_file` be checked as a path relative to the (temporary) project root.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from social_progress.catalogue import Source
from social_progress.settings import Settings, get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "ingest"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "services: needs the real PostgreSQL and MariaDB servers on 127.0.0.1")


@dataclass
class Project:
    root: Path
    settings: Settings

    def add(self, fixture: str, dest: str) -> Path:
        """Copy a fixture from tests/data/ingest to `dest` under the project root."""
        target = self.root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / fixture, target)
        return target

    def write(self, dest: str, content: str | bytes) -> Path:
        target = self.root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.settings.duckdb_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def has_table(self, source_id: str) -> bool:
        if not self.settings.duckdb_path.exists():
            return False
        return bool(self.query(
            "SELECT count(*) FROM information_schema.tables "
            f"WHERE table_schema = 'raw' AND table_name = '{source_id}'")[0][0])

    def count(self, source_id: str) -> int:
        return self.query(f'SELECT count(*) FROM raw."{source_id}"')[0][0]

    def log(self, source_id: str) -> list[tuple]:
        return self.query(
            'SELECT content_hash, "rows", "columns", landed_path FROM raw._ingest_log '
            f"WHERE source_id = '{source_id}' ORDER BY ingested_at")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(root))
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SPI_CATALOGUE_DIR", str(root / "catalogue"))
    return Project(root, get_settings())


def make_source(source_id: str, reader: dict, required_columns: list[str] | None = None, **overrides) -> Source:
    """A valid catalogue entry with the given reader; other fields are plausible defaults."""
    entry = {
        "id": source_id,
        "title": f"Test source {source_id}",
        "publisher": {"name": "Test Publisher", "contact": "test@example.org"},
        "steward": "public_data",
        "licence": {"name": "OGL v3", "attribution": "Contains test data © Crown copyright."},
        "cadence": "yearly",
        "geography": {"level": "lsoa", "vintage": "2011"},
        "personal_data": False,
        "reader": reader,
        "required_columns": required_columns or [],
        **overrides,
    }
    return Source.model_validate(entry)


@pytest.fixture
def make():
    """`make(id, reader, required_columns)` -> Source (a fixture, so tests need not import conftest)."""
    return make_source
