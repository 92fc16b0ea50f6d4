"""How long and how much memory a source check takes on a very large input.

Builds a warehouse in a temporary folder, ingests the bundled crime source (13 CSV files,
62,777 rows) with the real ingest, replicates it to --rows rows (keys kept unique, so only
the injected bad rows fail) with some bad rows injected, then runs the crime source suite
exactly as the platform does (`quality.runner.evaluate_source`: read raw.crime, build the
batches, validate with Great Expectations, write quality.* and the quarantine, Data Docs)
in a child process, and prints its wall time and peak RSS.

    .venv/bin/python bench/large_input_check.py                    # 2,000,000 rows
    .venv/bin/python bench/large_input_check.py --rows 500000 --json

Bad rows (every `--bad-every`-th row): one of a non-numeric count ("12a"), a negative
count, a code that is not a London LSOA 2011; so every row-level expectation that can
fail fails for tens of thousands of rows, and the check must report a bounded sample.
Nothing is written outside the temporary folder (or --workdir).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))


def _settings(workdir: Path):
    from social_progress.settings import get_settings

    base = get_settings()
    return replace(base, project_root=ROOT, data_dir=ROOT / "data", catalogue_dir=ROOT / "catalogue",
                   warehouse_dir=workdir / "warehouse", releases_dir=workdir / "releases",
                   dbt_project_dir=ROOT / "dbt_project")


def prepare(workdir: Path, rows: int, bad_every: int) -> dict:
    """raw.crime with `rows` rows in workdir/warehouse (the real ingest, then replicated)."""
    from social_progress.ingest.pipeline import ingest_source
    from social_progress.quality.codes import cached_catalogue
    from social_progress.warehouse import connect

    settings = _settings(workdir)
    source = cached_catalogue(settings).get("crime")
    result = ingest_source(source, settings, force=True)
    base_rows = result.rows
    copies = -(-rows // base_rows)
    with connect(settings.duckdb_path) as con:
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'crime' "
            "ORDER BY ordinal_position").fetchall()]
        years = [c for c in cols if c.isdigit()]

        def expr(c: str) -> str:
            q = f'"{c}"'
            if c == "_source_file":
                return f"CASE WHEN i = 0 THEN {q} ELSE {q} || '#copy' || i END AS {q}"
            if c == "LSOA11CD":
                return f"CASE WHEN n % {bad_every} = 0 AND n % 3 = 0 THEN 'E0199999' || (n % 10) ELSE {q} END AS {q}"
            if c == years[4]:
                return f"CASE WHEN n % {bad_every} = 0 AND n % 3 = 1 THEN '12a' ELSE {q} END AS {q}"
            if c == years[5]:
                return f"CASE WHEN n % {bad_every} = 0 AND n % 3 = 2 THEN '-' || {q} ELSE {q} END AS {q}"
            return q

        con.execute("BEGIN")
        con.execute(f"""CREATE OR REPLACE TABLE raw.crime AS
            WITH src AS (SELECT *, row_number() OVER () - 1 AS k FROM raw.crime),
                 rep AS (SELECT src.*, i, i * {base_rows} + k AS n FROM src, range({copies}) t(i))
            SELECT {", ".join(expr(c) for c in cols)} FROM rep WHERE n < {rows} ORDER BY n""")
        con.execute("COMMIT")
        n = con.execute("SELECT count(*) FROM raw.crime").fetchone()[0]
    return {"base_rows": base_rows, "rows": n, "bad_rows": len(range(0, rows, bad_every))}


def check(workdir: Path) -> dict:
    """Run the crime check the way the platform does; what it found."""
    from social_progress.quality import runner, store

    settings = _settings(workdir)
    started = time.perf_counter()
    report = runner.evaluate_source("crime", settings, run_id="bench-large-input")
    seconds = time.perf_counter() - started
    failures = store.read(settings.duckdb_path, "SELECT expectation, column_name, unexpected_count, element_count, "
                          "examples_json FROM quality.check_failures WHERE run_id = 'bench-large-input'")
    quarantined = store.read(settings.duckdb_path,
                             "SELECT rule, count(*) AS n FROM quality.quarantine WHERE run_id = 'bench-large-input' "
                             "GROUP BY rule ORDER BY rule")
    return {
        "check_seconds": round(seconds, 2),
        "passed": report.passed,
        "failures": [{"expectation": r.expectation, "column": r.column_name, "unexpected_count": int(r.unexpected_count),
                      "element_count": int(r.element_count), "examples": len(json.loads(r.examples_json or "[]"))}
                     for r in failures.itertuples()],
        "quarantine_rows": int(quarantined["n"].sum()) if len(quarantined) else 0,
        "quarantine_per_rule": {r.rule: int(r.n) for r in quarantined.itertuples()},
        "data_docs": report.data_docs,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--bad-every", type=int, default=50, help="every n-th row is bad (default 50: 2%%)")
    ap.add_argument("--workdir", type=Path, help="keep the warehouse here (default: a temporary folder)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--child-check", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("SPI_AS_OF", "2022-06-01")

    if args.child_check:
        print(json.dumps(check(args.child_check)))
        return 0

    with tempfile.TemporaryDirectory(prefix="spi-bench-large-") as tmp:
        workdir = args.workdir or Path(tmp)
        t0 = time.perf_counter()
        built = prepare(workdir, args.rows, args.bad_every)
        prepare_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child-check", str(workdir)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t1
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return proc.returncode
        found = json.loads(proc.stdout.strip().splitlines()[-1])
        out = {**built, "prepare_seconds": round(prepare_s, 1), "child_seconds": round(wall, 1),
               "peak_rss_mb": round(peak_mb), **found}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"rows: {out['rows']:,} ({out['bad_rows']:,} bad), prepared in {out['prepare_seconds']}s")
        print(f"check: {out['check_seconds']}s in the check, {out['child_seconds']}s for the child process, "
              f"peak RSS {out['peak_rss_mb']} MB")
        for f in out["failures"]:
            print(f"  {f['expectation']}({f['column']}): {f['unexpected_count']:,} of {f['element_count']:,} rows, "
                  f"{f['examples']} examples")
        print(f"quarantined rows recorded: {out['quarantine_rows']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
