"""London-wide run benchmark: `social-progress london` from cold, in an isolated copy.

Runs the London-wide run (every London borough's LSOAs, wards and the 33 boroughs, the
index with principal-component weights pooled over London) in a copy of the project
(tests/pipeline/project_copy.py: code installed, catalogue and dbt project copied,
bundled data linked; its own empty warehouse/london and Dagster home) and prints:

    london_s            seconds, manifest prepared beforehand (as `make` does)
    peak_rss_mb         the largest resident memory of the run's own process
    children_peak_rss_mb  the largest of its child processes (dbt)
    areas               LSOA 2011 / ward / borough areas scored, and the years

Target (issue #11): 5 minutes or less. Usage: python bench/london.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "pipeline"))
sys.path.insert(0, str(ROOT / "bench"))

from project_copy import env_for, make_project  # noqa: E402
from refresh import timed  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="build the project copy here and keep it")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-london-"))
    if base.exists() and args.keep:
        shutil.rmtree(base)
    project = make_project(base)
    env = env_for(project)
    cli = str(BIN / "social-progress")
    subprocess.run([cli, "prepare"], env=env, check=True, capture_output=True)
    seconds, rss, out = timed([cli, "london"], env)
    assert "London layer published" in out, out[-2000:]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    con = duckdb.connect(str(project / "warehouse" / "london" / "social_progress.duckdb"), read_only=True)
    try:
        scored = dict(con.execute("SELECT boundary, count(DISTINCT area_code) FROM marts.index_scores "
                                  "WHERE measure_type = 'index' GROUP BY 1").fetchall())
        years = [y for (y,) in con.execute("SELECT year FROM marts.index_years ORDER BY 1").fetchall()]
    finally:
        con.close()
    print(f"london_s: {seconds:.1f}")
    print(f"peak_rss_mb: {rss:.0f}")
    print(f"children_peak_rss_mb: {children:.0f}")
    print(f"areas: {scored}; years {years[0]}-{years[-1]} ({len(years)})")
    print(f"target: london_s <= 300: {'met' if seconds <= 300 else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
