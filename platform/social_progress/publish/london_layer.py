"""The London layer: what the London-wide run publishes for every borough to compare with.

Why a layer of its own and not a borough release: a borough release carries an explorer,
ward peers, intervals and ratings for one borough's ~300 areas; the same for London's 11,000
areas and 3 million indicator rows would take minutes and gigabytes to build and nobody
reads it whole. The layer holds the comparable numbers: every area's index, dimension,
component and indicator scores (scores.parquet), the 33 boroughs' scores in a small table
(boroughs.csv), the common weights and diagnostics, the areas left unscored and why, and a
metadata.json, published atomically like a release (social_progress.publish.release).
"""
from __future__ import annotations

from pathlib import Path

from social_progress.warehouse import read_table

from .release import Published, dumps_json, publish
from .tables import csv_bytes, tidy

SCORE_ORDER = ["boundary", "area_code", "year", "measure_type", "measure"]


def _scores_parquet(db: Path) -> bytes:
    """marts.index_scores in a fixed order as Parquet, written by DuckDB itself (3 million
    rows: no pandas copy)."""
    import tempfile

    import duckdb

    order = ", ".join(SCORE_ORDER)
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect(str(db), read_only=True) as con:
        out = Path(tmp) / "scores.parquet"
        con.execute("SET threads = 1")   # one writer: the same bytes for the same rows
        con.execute("SET enable_progress_bar = false")
        con.execute(f"COPY (SELECT * FROM marts.index_scores ORDER BY {order}) TO '{out}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
        return out.read_bytes()


def london_layer_files(db: Path, basis: dict) -> tuple[int, dict[str, bytes]]:
    """(latest year, files) of the London layer from the London-wide run's warehouse."""
    boroughs = read_table(db, "SELECT area_code, area_name, year, measure_type, measure, score, rank, imputed_share "
                              "FROM marts.index_scores WHERE boundary = 'lad' AND measure_type <> 'indicator'")
    areas = dict(read_table(db, "SELECT boundary, count(DISTINCT area_code) AS n FROM marts.index_scores "
                                "GROUP BY 1").itertuples(index=False))
    weights = read_table(db, "SELECT * FROM marts.index_weights")
    diagnostics = read_table(db, "SELECT * FROM marts.index_diagnostics")
    exclusions = read_table(db, "SELECT * FROM marts.index_exclusions")
    years = sorted(read_table(db, "SELECT year FROM marts.index_years")["year"].astype(int).tolist())
    files = {
        "scores.parquet": _scores_parquet(db),
        "boroughs.csv": csv_bytes(tidy(boroughs, ["area_code", "year", "measure_type", "measure"], ints=("year",))),
        "weights.csv": csv_bytes(tidy(weights, ["component", "indicator_id"])),
        "diagnostics.csv": csv_bytes(tidy(diagnostics, ["component"])),
        "exclusions.csv": csv_bytes(tidy(exclusions, [c for c in ("area_level", "area_code", "year", "measure_type",
                                                                  "measure", "reason") if c in exclusions.columns])),
    }
    files["metadata.json"] = dumps_json({
        "layer": "London", "code": "E12000007", "years": years,
        "areas_scored": {str(k): int(v) for k, v in areas.items()},
        "weights": basis, "files": sorted(files),
        "note": "every London area's scores with the common London weights; the City of London's areas are "
                "listed in exclusions.csv where a source does not cover them"})
    return years[-1], files


def publish_london_layer(db: Path, releases: Path, basis: dict) -> Published:
    year, files = london_layer_files(db, basis)
    return publish(releases, year, files)
