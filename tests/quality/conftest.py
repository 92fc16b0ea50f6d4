"""Fixtures for the quality tests: one good refresh shared by every bad-input case.

The good refresh (the real `social-progress refresh` in a subprocess, 2-3 minutes) is built
once per test session, even under pytest-xdist: the first worker builds it under a lock in
the session's shared temporary folder; the others wait and reuse it. QUALITY_GOOD_REFRESH=<project folder of an earlier good refresh>
reuses one instead (it is copied, never changed).
"""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for extra in (HERE.parent / "pipeline", HERE.parent / "alerts", HERE.parent / "data" / "bad_inputs"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from project_copy import shared_good_refresh  # noqa: E402
from receivers import smtp, webhook  # noqa: E402,F401  (fixtures)


@pytest.fixture(scope="session")
def good_refresh(tmp_path_factory):
    reuse = os.environ.get("QUALITY_GOOD_REFRESH")  # a project left by an earlier run, to iterate faster
    if reuse and (Path(reuse) / "releases" / "2021").is_dir():
        return Path(reuse)
    return shared_good_refresh(tmp_path_factory)  # copied per case, never changed
