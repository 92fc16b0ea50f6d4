"""No small count from personal data in any published file, and none recoverable.

Reads the published release (CSV, Parquet, GeoJSON, the explorer's data) of the shared
refresh, and attacks it: every published count of a personal-data indicator is at least
the threshold, and differencing LSOAs within their ward, or wards and LSOAs within the
borough, recovers no suppressed cell and no suppressed total below the threshold.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from social_progress.disclosure import groups_from_lookup, recover_by_differencing

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publish"))
from explorer_parts import release_data  # noqa: E402

THRESHOLD = 5


def _release(project: Path) -> Path:
    latest = project / "releases" / "latest"
    return latest.resolve() if latest.exists() else sorted((project / "releases").glob("20*"))[-1]


def _personal(release: Path) -> set[str]:
    """The indicators that passed disclosure control: every one built on a council system,
    and any other personal-data indicator that does not opt out with its reason."""
    meta = json.loads((release / "metadata.json").read_text())
    controlled = set(meta["sections"]["disclosure"]["by_indicator"])
    ind = pd.read_csv(release / "indicators.csv")
    council = {i["source_id"] for i in meta["inputs"] if i.get("origin") == "council"}
    built_on_council = {r.indicator_id for r in ind.itertuples()
                        if council & {x.strip() for x in str(r.sources or "").split(",")}}
    assert built_on_council and built_on_council <= controlled
    personal = set(ind.loc[ind["personal_data"].astype(str).str.lower() == "true", "indicator_id"])
    assert controlled <= personal
    return controlled


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
        hidden[["indicator_id", "area_code", "year", "boundary"]], left_on=["measure", "area_code", "year"],
        right_on=["indicator_id", "area_code", "year"])
    joined = joined[joined["boundary_x"] == joined["boundary_y"]].rename(columns={"boundary_x": "boundary"})
    # a hidden cell's value is not in scores.csv either: its score is imputed, or it carries a
    # published value of an earlier year (data_year says which), never the hidden one
    assert len(joined) > 0
    shown = joined[joined["value"].notna()]
    assert (shown["data_year"] < shown["year"]).all()
    published = values.dropna(subset=["value"]).set_index(["indicator_id", "boundary", "area_code", "year"])["value"]
    carried = [published.get((r.measure, r.boundary, r.area_code, int(r.data_year))) for r in shown.itertuples()]
    assert all(c is not None and abs(c - v) <= 1e-5 * max(1.0, abs(v)) for c, v in zip(carried, shown["value"]))
    flags = values.loc[values["indicator_id"].isin(personal) & values["numerator"].isna(), "quality_flag"]
    assert set(flags.dropna()) <= {"suppressed_small_count", "suppressed_secondary", "zero_denominator", "not_covered",
                                   "incomplete_sources"}
    assert (flags == "suppressed_small_count").sum() > 0 and (flags == "suppressed_secondary").sum() > 0
    # the explorer marks withheld cells (entry[7]: 1 small count, 2 complement) and says why in words
    data, _ = release_data(release)            # data.js with every area set's and year's part merged in
    codes = [e[7] for years in data["scores"].values() for areas in years.values() for measures in areas.values()
             for e in measures.values() if len(e) > 7]
    assert codes and set(codes) <= {1, 2}
    assert "fewer than 5 (not shown)" in (release / "explorer" / "app.js").read_text()
    assert any(m.get("synthetic") for m in data["measures"])
    meta = json.loads((release / "metadata.json").read_text())
    assert meta["sections"]["disclosure"]["policy"]["threshold"] == 5
    assert meta["sections"]["synthetic"]["sources"], "synthetic sources are labelled in the release"
