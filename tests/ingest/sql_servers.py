"""A connection to one of the database servers the SQL ingest tests use (started by the
machine, trust auth), or a skip that says which server is not reachable."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from social_progress.ingest.sql import with_installed_driver


def reachable_engine(kind: str, url: str) -> sa.engine.Engine:
    """An engine for `url`, after one connection; the test is skipped (naming the server)
    when the machine has no such server running."""
    engine = sa.create_engine(with_installed_driver(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"{kind} not reachable: {exc.orig}")
    return engine
