"""Fixtures for the quality tests: one good refresh shared by every bad-input case.

The good refresh (the real `social-progress refresh` in a subprocess, 2-3 minutes) is built
once per test session, even under pytest-xdist: the first worker builds it under a lock in
the session's shared temporary folder; the others wait and reuse it. QUALITY_GOOD_REFRESH=<project folder of an earlier good refresh>
reuses one instead (it is copied, never changed).
"""
import fcntl
import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for extra in (HERE.parent / "pipeline", HERE.parent / "alerts", HERE.parent / "data" / "bad_inputs"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from project_copy import make_project, run_refresh  # noqa: E402
from receivers import SmtpReceiver, WebhookReceiver  # noqa: E402


@pytest.fixture(scope="session")
def good_refresh(tmp_path_factory):
    reuse = os.environ.get("QUALITY_GOOD_REFRESH")  # a project left by an earlier run, to iterate faster
    if reuse and (Path(reuse) / "releases" / "2021").is_dir():
        return Path(reuse)
    shared = tmp_path_factory.getbasetemp()
    if shared.name.startswith("popen-gw"):  # xdist worker: share with the other workers
        shared = shared.parent
    root = shared / "quality_good_refresh"
    with open(shared / "quality_good_refresh.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "ok").exists():
                shutil.rmtree(root, ignore_errors=True)
                project = make_project(root / "project")
                proc = run_refresh(project)
                assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
                (root / "ok").write_text(proc.stdout)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root / "project"


@pytest.fixture
def smtp():
    server = SmtpReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    server = WebhookReceiver().start()
    yield server
    server.stop()
