"""No small count from personal data in any published file, and none recoverable.

Reads the published release (CSV, Parquet, GeoJSON, the explorer's data) of the shared
refresh, and attacks it: every published count of a personal-data indicator is at least
the threshold, and differencing LSOAs within their ward, or wards and LSOAs within the
borough, recovers no suppressed cell and no suppressed total below the threshold.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from social_progress.disclosure import groups_from_lookup, recover_by_differencing

THRESHOLD = 5


def _release(project: Path) -> Path:
    latest = project / "releases" / "latest"
    return latest.resolve() if latest.exists() else sorted((project / "releases").glob("20*"))[-1]


def _personal(release: Path) -> set[str]:
    ind = pd.read_csv(release / "indicators.csv")
    return set(ind.loc[ind["personal_data"].astype(str).str.lower() == "true", "indicator_id"])


@pytest.mark.slow
def test_published_counts_of_personal_indicators_are_never_small(refreshed_project: Path):
    release = _release(refreshed_project)
    personal = _personal(release)
    assert len(personal) >= 25
    values = pd.read_csv(release / "indicator_values.csv", dtype={"area_code": str})
    mine = values[values["indicator_id"].isin(personal)]
    assert len(mine) > 1000
    published = mine["numerator"].dropna()
    assert (published >= THRESHOLD).all(), mine[mine["numerator"] < THRESHOLD].head().to_string()
    # suppressed cells are missing, never zero, and their rates are withheld too
    hidden = mine[mine["numerator"].isna()]
    assert len(hidden) > 0
    assert hidden["value"].isna().all()
    parquet = pd.read_parquet(release / "indicator_values.parquet")
    assert parquet.loc[parquet["indicator_id"].isin(personal), "numerator"].dropna().ge(THRESHOLD).all()


@pytest.mark.slow
def test_suppressed_cells_cannot_be_recovered_by_differencing(refreshed_project: Path):
    release = _release(refreshed_project)
    personal = _personal(release)
    values = pd.read_csv(release / "indicator_values.csv", dtype={"area_code": str})
    cells = values[values["indicator_id"].isin(personal)]
    with duckdb.connect(str(refreshed_project / "warehouse" / "social_progress.duckdb"), read_only=True) as con:
        lookup = con.execute('SELECT lsoa11_code, ward19_code FROM geography."lsoa11_lookup"').df()
    codes = {b: sorted(set(cells.loc[cells["boundary"] == b, "area_code"])) for b in ("lsoa21", "ward22")}
    groups = groups_from_lookup(lookup, borough_code="E09000002", codes_by_boundary=codes)
    found = recover_by_differencing(cells, groups, THRESHOLD)
    assert len(found) == 0, found.head(10).to_string()


@pytest.mark.slow
def test_the_explorer_and_map_publish_no_small_count(refreshed_project: Path):
    release = _release(refreshed_project)
    personal = _personal(release)
    values = pd.read_csv(release / "indicator_values.csv", dtype={"area_code": str})
    hidden = values[values["indicator_id"].isin(personal) & values["numerator"].isna()]
    scores = pd.read_csv(release / "scores.csv", dtype={"area_code": str})
    joined = scores[scores["measure_type"] == "indicator"].merge(
        hidden[["indicator_id", "area_code", "year"]], left_on=["measure", "area_code", "year"],
        right_on=["indicator_id", "area_code", "year"])
    # a hidden cell's value is not in scores.csv either (its score is imputed and flagged)
    assert joined["value"].isna().all() if "value" in joined else True
    text = (release / "explorer" / "data.js").read_text() if (release / "explorer" / "data.js").exists() else ""
    assert "fewer than 5" in text or "suppressed" in text
    meta = json.loads((release / "metadata.json").read_text())
    assert meta["sections"]["disclosure"]["policy"].startswith("threshold=5")
    assert meta["sections"]["synthetic"]["sources"], "synthetic sources are labelled in the release"
