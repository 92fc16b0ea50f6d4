"""The Dagster instance settings ($DAGSTER_HOME/dagster.yaml), from the environment.

Why: on one machine runs and their events live in SQLite files under DAGSTER_HOME (the
default). To run on more than one machine, the webserver, the daemon and every run must
share run, event-log and schedule storage: set SPI_DAGSTER_POSTGRES_URL (e.g.
postgresql://postgres@127.0.0.1:5432/spi_dagster) and they are kept in that PostgreSQL
database (dagster-postgres). The file names the variable, never its value, so no
password is written to disk; Dagster reads the variable when it loads the instance.

The URL must name its driver, postgresql+psycopg2://... (the driver dagster-postgres
installs): SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which the platform
does not install, and every Dagster process would fail to start with an import error.

Without PostgreSQL the event log is Dagster's SQLite storage with pooled connections
(`social_progress.dagster_sqlite`, the same files in $DAGSTER_HOME/history/runs): Dagster's
own class opens and disposes of an engine for every event, 15-20 s of a cold refresh.

Always: the warehouse is one DuckDB file with one writer at a time, so concurrency pools
default to one step at a time (the `warehouse_writer` pool), and telemetry is off.
No Dagster import: this only writes the YAML Dagster reads.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping

import yaml

POSTGRES_URL_VAR = "SPI_DAGSTER_POSTGRES_URL"
#: URL schemes naming a driver SQLAlchemy can load here (psycopg 3 only if installed separately)
POSTGRES_SCHEMES = ("postgresql+psycopg2", "postgresql+psycopg")
HEADER = ("# Written by social_progress.instance from the environment; edits are overwritten.\n"
          f"# Run, event log and schedule storage: PostgreSQL when {POSTGRES_URL_VAR} is set, else SQLite in this directory.\n")


def instance_yaml(env: Mapping[str, str], home: Path | None = None) -> dict[str, Any]:
    """The content of home/dagster.yaml for this environment (a plain dict, YAML-ready).

    The pooled SQLite event log names its folder by the absolute home (the file must say
    where its events are for any process that loads it, whatever that process's
    DAGSTER_HOME); without a home (the repository's example file) it is left out."""
    config: dict[str, Any] = {
        "concurrency": {"pools": {"default_limit": 1}},
        "telemetry": {"enabled": False},
    }
    url = (env.get(POSTGRES_URL_VAR) or "").strip()
    if url:
        check_postgres_url(url)
        config["storage"] = {"postgres": {"postgres_url": {"env": POSTGRES_URL_VAR}}}
    elif home is not None:
        config["event_log_storage"] = {"module": "social_progress.dagster_sqlite", "class": "PooledSqliteEventLogStorage",
                                       "config": {"base_dir": str(Path(home).resolve())}}
    return config


def check_postgres_url(url: str) -> None:
    """ValueError unless `url` is a PostgreSQL URL naming its driver. The message never
    repeats the URL (it may hold a password), only its scheme."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in POSTGRES_SCHEMES:
        return
    fix = f"; write postgresql+psycopg2:// in place of {scheme}://" if scheme in ("postgresql", "postgres") else ""
    raise ValueError(f"{POSTGRES_URL_VAR} must be a PostgreSQL URL naming its driver "
                     f"({' or '.join(s + '://' for s in POSTGRES_SCHEMES)}), got scheme {scheme or '(none)'!r}{fix}")


def render(env: Mapping[str, str], home: Path | None = None) -> str:
    """dagster.yaml as text (stable: the same environment and home give the same bytes)."""
    return HEADER + yaml.safe_dump(instance_yaml(env, home), sort_keys=False, default_flow_style=False)


def ensure_instance_home(home: Path, env: Mapping[str, str] | None = None) -> Path:
    """Write home/dagster.yaml for `env` (default: os.environ) unless it already says exactly
    that; the write is atomic (a reader never sees half a file). Returns the file's path."""
    env = os.environ if env is None else env
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    text = render(env, home)
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".dagster.yaml.", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
