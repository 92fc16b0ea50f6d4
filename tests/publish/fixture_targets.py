"""A targets file for the hand-made warehouse (fixture_warehouse): one target of each kind on
its two indicators, all illustrative but one, so releases built from the fixture show every
label and every status the explorer can draw (tests only)."""
from __future__ import annotations

from pathlib import Path

FIXTURE_TARGETS = """\
version: 1
borough: E09000002
targets:
  - indicator: crime_rate
    status: adopted
    target: 50
    target_year: 2030
    source: "Test decision: adopted by the test council's cabinet, minute 12"
  - indicator: green_share
    status: illustrative
    target: 0.5
    target_year: 2030
    source: "Illustrative: drafted by the test team; not adopted"
  - indicator: crime_rate
    kind: london_gap
    status: illustrative
    close_gap_share: 0.5
    baseline_year: 2019
    target_year: 2030
    source: "Illustrative: drafted by the test team; not adopted"
  - indicator: crime_rate
    kind: london_rank
    status: illustrative
    rank: 16
    target_year: 2030
    source: "Illustrative: drafted by the test team; not adopted"
"""


def write_fixture_targets(folder: Path) -> Path:
    path = Path(folder) / "targets.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FIXTURE_TARGETS, encoding="utf-8")
    return path
