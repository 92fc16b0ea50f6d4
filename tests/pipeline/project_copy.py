"""An isolated copy of the project for end-to-end runs.

Code, catalogue, expectations and the dbt project are copied; bundled data files are
linked (read-only use) except those a test replaces. Each run gets its own warehouse,
releases folder and Dagster home, so tests never touch the project's own outputs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def make_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("catalogue", "expectations"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "dbt_project", dest / "dbt_project", ignore=shutil.ignore_patterns("target", "logs"))
    # bundled data and the SYNTHETIC council systems (built once per session by tests/conftest.py)
    for folder in ("data", "council_systems"):
        for f in (ROOT / folder).rglob("*"):
            if f.is_file():
                target = dest / f.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(f, target)
    return dest


def replace_data(project: Path, relative: str, content: bytes) -> None:
    target = project / relative
    target.unlink()
    target.write_bytes(content)


def env_for(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env.update(SPI_PROJECT_ROOT=str(project), DAGSTER_HOME=str(project / "dagster_home"),
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    (project / "dagster_home").mkdir(exist_ok=True)
    return env


def run_refresh(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "social-progress"), "refresh"], env=env_for(project), capture_output=True,
                          text=True, timeout=900)


def shared_good_refresh(tmp_path_factory) -> Path:
    """One real refresh of the bundled data per test session, shared by every test that
    only reads its outputs, even across pytest-xdist workers: the first worker builds it
    under a file lock in the session's shared temporary folder, the others wait and reuse
    it. Tests that change the project must work on `copy_project(...)` of it."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers of this run
    root = base / "shared_good_refresh"
    with open(base / "shared_good_refresh.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "ok").exists():
                shutil.rmtree(root, ignore_errors=True)
                project = make_project(root / "project")
                proc = run_refresh(project)
                assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
                (root / "stdout.txt").write_text(proc.stdout)
                (root / "ok").write_text("ok\n")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root / "project"


def copy_project(project: Path, dest: Path) -> Path:
    """A private copy of a refreshed project (data stay links; outputs and the Dagster
    instance's history are copied, so a refresh of the copy knows what is already built)."""
    shutil.copytree(project, dest, symlinks=True)
    home = dest / "dagster_home"
    if (home / "dagster.yaml").exists():   # the copy's instance keeps its events in the copy
        from social_progress.instance import ensure_instance_home

        ensure_instance_home(home, env_for(dest))
    return dest


def run_refresh_args(project: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "social-progress"), "refresh", *args], env=env_for(project), capture_output=True,
                          text=True, timeout=timeout)


def dagster_runs(project: Path) -> list:
    """The project's Dagster runs, newest first (read in a subprocess: DAGSTER_HOME is per project)."""
    import json

    code = ("import json; from dagster import DagsterInstance; i = DagsterInstance.get(); "
            "print(json.dumps([{'run_id': r.run_id, 'status': r.status.value, 'tags': dict(r.tags)} "
            "for r in i.get_runs()]))")
    out = subprocess.run([sys.executable, "-c", code], env=env_for(project), capture_output=True, text=True,
                         timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def materialized_in_run(project: Path, run_id: str) -> list[str]:
    import json

    code = ("import json, sys; from dagster import DagsterInstance, DagsterEventType; i = DagsterInstance.get(); "
            "evs = i.all_logs(sys.argv[1], of_type=DagsterEventType.ASSET_MATERIALIZATION); "
            "print(json.dumps(sorted(e.dagster_event.asset_key.to_user_string() for e in evs)))")
    out = subprocess.run([sys.executable, "-c", code, run_id], env=env_for(project), capture_output=True, text=True,
                         timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
