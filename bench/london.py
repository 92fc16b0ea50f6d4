"""London-wide run benchmark: `social-progress london` from cold, in an isolated copy.

Runs the London-wide run (every London borough's LSOAs, wards and the 33 boroughs, the
index with principal-component weights pooled over London) in a copy of the project
(tests/pipeline/project_copy.py: code installed, catalogue and dbt project copied,
bundled data linked; its own empty warehouse/london and Dagster home) and prints:

    london_s            seconds, manifest prepared beforehand (as `make` does)
    peak_rss_mb         the largest resident memory of the run's own process (the index and
                        its checks over 3 million rows dominate; dbt runs in a child)
    areas               LSOA 2011 / ward / borough areas scored, and the years

Target (issue #11): 5 minutes or less. Usage: python bench/london.py [--keep DIR]
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from refresh import prepared_project, timed  # noqa: E402


def main() -> int:
    args, project, env, cli = prepared_project(__doc__, "bench-london-")
    seconds, rss, out = timed([cli, "london"], env)
    assert "London layer published" in out, out[-2000:]
    con = duckdb.connect(str(project / "warehouse" / "london" / "social_progress.duckdb"), read_only=True)
    try:
        scored = dict(con.execute("SELECT boundary, count(DISTINCT area_code) FROM marts.index_scores "
                                  "WHERE measure_type = 'index' GROUP BY 1").fetchall())
        years = [y for (y,) in con.execute("SELECT year FROM marts.index_years ORDER BY 1").fetchall()]
    finally:
        con.close()
    print(f"london_s: {seconds:.1f}")
    print(f"peak_rss_mb: {rss:.0f}")
    print(f"areas: {scored}; years {years[0]}-{years[-1]} ({len(years)})")
    print(f"target: london_s <= 300: {'met' if seconds <= 300 else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(project, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
