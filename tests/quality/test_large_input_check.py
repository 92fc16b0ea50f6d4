"""A source check on a 2-million-row input stays bounded (issue #10: 14 minutes at 3-5 GB).

Runs bench/large_input_check.py (the real ingest of the bundled crime files, replicated to
2,000,000 rows with 2% bad rows, then `quality.runner.evaluate_source` in a child process)
and checks the results: the true failure counts are reported, the failing rows listed and
quarantined are a sample of at most MAX_FAILING_ROWS per expectation, and the child's peak
memory stays under a generous bound. Timings are printed by the benchmark, not asserted.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from social_progress.quality.validate import MAX_EXAMPLES, MAX_FAILING_ROWS

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ROWS = 2_000_000
BAD_EVERY = 50


def test_two_million_rows_are_checked_with_sampled_failures(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "large_input_check.py"), "--rows", str(ROWS),
                           "--bad-every", str(BAD_EVERY), "--workdir", str(tmp_path), "--json"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps({k: out[k] for k in ("rows", "check_seconds", "child_seconds", "peak_rss_mb", "quarantine_rows")}))

    assert out["rows"] == ROWS and out["passed"] is False
    bad = -(-ROWS // BAD_EVERY)  # every 50th row is bad in one of three ways
    failures = {(f["expectation"], f["column"]): f for f in out["failures"]}
    # the true counts are reported, not the sample's size
    assert failures[("expect_column_values_to_be_in_set", "LSOA11CD")]["unexpected_count"] == len(range(0, bad, 3))
    assert failures[("expect_column_values_to_match_regex", "2015")]["unexpected_count"] == len(range(1, bad, 3))
    assert failures[("expect_column_values_to_not_be_null", "2015")]["unexpected_count"] == len(range(1, bad, 3))
    for f in out["failures"]:
        assert f["element_count"] == ROWS
        assert f["unexpected_count"] > MAX_FAILING_ROWS
        assert 1 <= f["examples"] <= MAX_EXAMPLES
    # the quarantine holds a sample: at most MAX_FAILING_ROWS rows per failed rule
    assert out["quarantine_per_rule"] and all(n <= MAX_FAILING_ROWS for n in out["quarantine_per_rule"].values())
    assert out["quarantine_rows"] == MAX_FAILING_ROWS * len(out["quarantine_per_rule"])
    assert out["data_docs"]
    assert out["peak_rss_mb"] < 3000, f"peak RSS {out['peak_rss_mb']} MB"
