"""Refresh benchmark: a cold refresh, a refresh with nothing changed, and one with one changed source.

Runs `social-progress refresh` in an isolated copy of the project (tests/pipeline/
project_copy.py: code installed, catalogue and dbt project copied, bundled data linked)
and prints, one per line:

    cold_s          installed, empty warehouse and Dagster instance, manifest prepared
    noop_s          the same again, nothing changed (start-up included)
    one_source_s    one input changed (one value of the DESNZ gas consumption file)
    peak_rss_mb     the largest resident memory of any of the three refresh processes
                    (dbt and other child processes: children_peak_rss_mb)

Targets (issue #10): cold <= 90 s, no-op <= 15 s. Usage: python bench/refresh.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))

from project_copy import env_for, make_project  # noqa: E402

BIN = Path(sys.executable).parent
GAS = "data/indicators/energy/london-2010-2020-gas.csv"


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Seconds, the process's peak RSS (MB) and its output."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def change_one_value(project: Path) -> None:
    """A real-looking revision: one LSOA's 2010 consumption one kWh higher."""
    target = project / GAS
    text = Path(os.path.realpath(target)).read_text()
    lines = text.split("\n")
    fields = lines[1].split(",")
    fields[7] = str(float(fields[7]) + 1)
    lines[1] = ",".join(fields)
    target.unlink()
    target.write_text("\n".join(lines))


def prepared_project(doc: str, prefix: str) -> tuple[argparse.Namespace, Path, dict, str]:
    """(args, project, env, cli) of a fresh project copy with its dbt manifest prepared, as
    `make` does (the "installed" state; not part of any timed figure). --keep DIR keeps it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--keep", help="build the project copy here and keep it")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=prefix))
    if base.exists() and args.keep:
        shutil.rmtree(base)
    project = make_project(base)
    env = env_for(project)
    cli = str(BIN / "social-progress")
    subprocess.run([cli, "prepare"], env=env, check=True, capture_output=True)
    return args, project, env, cli


def main() -> int:
    args, project, env, cli = prepared_project(__doc__, "bench-refresh-")
    cold, rss_cold, out = timed([cli, "refresh"], env)
    assert "Release published" in out, out[-2000:]
    noop, rss_noop, out = timed([cli, "refresh"], env)
    assert "Release unchanged" in out and "nothing was run" in out, out[-2000:]
    change_one_value(project)
    one, rss_one, out = timed([cli, "refresh"], env)
    assert "Release published" in out, out[-2000:]
    dbt_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cold_s: {cold:.1f}")
    print(f"noop_s: {noop:.1f}")
    print(f"one_source_s: {one:.1f}")
    print(f"peak_rss_mb: {max(rss_cold, rss_noop, rss_one):.0f}")
    print(f"children_peak_rss_mb: {dbt_rss:.0f}")
    print(f"targets: cold_s <= 90 {'met' if cold <= 90 else 'MISSED'}; noop_s <= 15 {'met' if noop <= 15 else 'MISSED'}")
    if not args.keep:
        shutil.rmtree(project, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
