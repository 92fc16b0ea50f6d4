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
    for f in (ROOT / "data").rglob("*"):
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
