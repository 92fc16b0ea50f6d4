"""The London layer: what the London-wide run publishes for every borough to compare with.

Why a layer of its own and not a borough release: a borough release carries an explorer,
ward peers, intervals and ratings for one borough's ~300 areas; the same for London's 11,000
areas and 3 million indicator rows would take minutes and gigabytes to build and nobody
reads it whole. The layer holds the comparable numbers: every area's index, dimension,
component and indicator scores (scores.parquet), the 33 boroughs' scores in a small table
(boroughs.csv), the common weights and diagnostics, the areas left unscored and why, and a
metadata.json, published atomically like a release (social_progress.publish.release).

Two parts let a borough release compare itself with London (publish.london_comparison):
metadata.json `framework` describes what the scores are on (every index indicator's
goalposts and common weight, publish.common_framework), so a borough release built with other
goalposts or weights refuses the comparison; london.csv holds London's own score (the region
E12000007 scored as one more area by the same engine, from London's own indicator values:
the boroughs' numerators and denominators summed over London, never an average of the
boroughs' scores).
"""
from __future__ import annotations

from pathlib import Path

from social_progress.warehouse import read_table

from .common_framework import describe
from .release import Published, dumps_json, publish
from .tables import csv_bytes, tidy

SCORE_ORDER = ["boundary", "area_code", "year", "measure_type", "measure"]
LONDON_CODE = "E12000007"
LONDON_BOUNDARY = "region"


def london_values(db: Path, metadata):
    """London's own indicator values, one row per indicator and data year, in the shape of
    marts.indicator_values: the boroughs' numerators and denominators summed over London and
    the value recomputed from the sums (multiplier x numerator / denominator; the count for
    aggregation `sum`), as at every other level, never an average of the boroughs' values.
    Where both exist this is exactly London's comparator row (marts.indicator_comparators);
    unlike it, it also covers indicators placed on the deployment's own LSOAs (comparators:
    false), which in the London-wide run cover every London LSOA.

    Also returns {indicator: boroughs summed} for indicators that fewer boroughs than the most
    feed (e.g. the Met's crime counts lack the City of London)."""
    import pandas as pd

    sums = read_table(db, "SELECT indicator_id, year, sum(numerator) AS numerator, sum(denominator) AS denominator, "
                          "count(*) AS boroughs, min(unit) AS unit, min(period) AS period FROM marts.indicator_values "
                          "WHERE boundary = 'lad' AND value IS NOT NULL AND numerator IS NOT NULL GROUP BY 1, 2")
    meta = metadata.set_index("indicator_id")
    mult = sums["indicator_id"].map(meta["multiplier"]).astype(float).fillna(1.0)
    count = sums["indicator_id"].map(meta["aggregation"]).eq("sum")
    den = sums["denominator"].astype(float)
    value = (mult * sums["numerator"].astype(float) / den.where(den > 0)).where(~count, sums["numerator"].astype(float))
    out = sums.assign(area_code=LONDON_CODE, area_level=LONDON_BOUNDARY, boundary=LONDON_BOUNDARY, value=value,
                      quality_flag=None)
    most = int(sums["boroughs"].max()) if len(sums) else 0
    scored = set(metadata.loc[metadata["in_index"].astype(bool), "indicator_id"].astype(str))
    fewer = {str(k): int(v) for k, v in sums.groupby("indicator_id")["boroughs"].min().items()
             if v < most and str(k) in scored}
    cols = ["indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "value", "unit",
            "period", "quality_flag"]
    return pd.DataFrame(out[cols]), fewer


def london_scores(db: Path, metadata, weights, years: list[int], index_config):
    """(London's own index, dimension and component scores per year, note): the region scored
    as one more area by the index engine, from its own values (london_values), with the
    weights the run used (fixed, so nothing is re-estimated) and its imputation regressions
    fitted on LSOA 2011 rows as in the run. (None, why) without index settings."""
    import pandas as pd

    from social_progress.index.london_weights import CommonWeights
    from social_progress.index.tables import compute_index_tables

    if index_config is None:
        return None, {"available": False, "note": "London's own score was not computed (no index settings given)"}
    region, fewer = london_values(db, metadata)
    values = read_table(db, "SELECT indicator_id, area_code, area_level, boundary, year, numerator, denominator, value, "
                            "unit, period, quality_flag FROM marts.indicator_values WHERE boundary IN ('lsoa11', 'lad')")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary IN ('lsoa11', 'lad')")
    extra = {c: None for c in areas.columns}
    extra.update(boundary=LONDON_BOUNDARY, area_code=LONDON_CODE, area_name="London", area_level=LONDON_BOUNDARY)
    areas = pd.concat([areas, pd.DataFrame([extra])[areas.columns]], ignore_index=True)
    common = CommonWeights(dict(zip(weights["indicator_id"].astype(str), weights["weight"].astype(float))),
                           dict(zip(weights["indicator_id"].astype(str), weights["component"].astype(str))),
                           {"source": "the London-wide run's own weights (marts.index_weights)"})
    cfg = index_config.model_copy(update={"sensitivity_runs": 0, "audit": None, "weighting": "london"})
    tables = compute_index_tables(pd.concat([values, region[values.columns]], ignore_index=True), metadata, areas, cfg,
                                  log=lambda m: None, common_weights=common)
    s = tables["index_scores"]
    s = s[(s["boundary"] == LONDON_BOUNDARY) & (s["measure_type"] != "indicator") & s["year"].isin(years)]
    out = s[["year", "measure_type", "measure", "score", "imputed_share"]].assign(
        area_code=LONDON_CODE, area_name="London")[["area_code", "area_name", "year", "measure_type", "measure",
                                                    "score", "imputed_share"]]
    note = ("London (E12000007) scored as one area by the index engine with this layer's weights and goalposts, from "
            "London's own indicator values (the boroughs' numerators and denominators summed over London, values "
            "recomputed from the sums); not an average of the boroughs' scores")
    return out.reset_index(drop=True), {"available": True, "file": "london.csv", "note": note,
                                        "indicators_on_fewer_boroughs": fewer}


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


def london_layer_files(db: Path, basis: dict, index_config=None) -> tuple[int, dict[str, bytes]]:
    """(latest year, files) of the London layer from the London-wide run's warehouse.
    `index_config` (the deployment's index settings) lets London's own score be computed
    (london.csv); without it the layer says London's score is not in it."""
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
    metadata = read_table(db, "SELECT * FROM marts.indicator_metadata")
    framework = describe(metadata, dict(zip(weights["indicator_id"].astype(str), weights["weight"].astype(float))))
    london, london_note = london_scores(db, metadata, weights, years, index_config)
    if london is not None:
        files["london.csv"] = csv_bytes(tidy(london, ["year", "measure_type", "measure"], ints=("year",)))
    files["metadata.json"] = dumps_json({
        "layer": "London", "code": "E12000007", "years": years,
        "areas_scored": {str(k): int(v) for k, v in areas.items()},
        "weights": basis, "framework": framework, "london_score": london_note, "files": sorted(files),
        "note": "every London area's scores with the common London weights; the City of London's areas are "
                "listed in exclusions.csv where a source does not cover them"})
    return years[-1], files


def publish_london_layer(db: Path, releases: Path, basis: dict, index_config=None) -> Published:
    year, files = london_layer_files(db, basis, index_config)
    return publish(releases, year, files)
