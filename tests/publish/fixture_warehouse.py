"""A small, hand-made warehouse with every table a release reads (tests only).

Four LSOAs in two wards (both ward sets) and one borough, two indicators (a crime rate
with counts, so it has confidence intervals, and a resident-weighted mean, which has none),
three index years. The optional tables other stages add (marts.index_uncertainty,
marts.indicator_comparators, quality.check_results) are written only when asked for, so
both their absence and their presence are tested.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

BOROUGH = ("E09000002", "Barking and Dagenham")
BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}   # the shape build_release takes
LSOAS = [("E01000001", "B&D 001A", "E05000001", "E05010001", 1000.0, 300),
         ("E01000002", "B&D 001B", "E05000001", "E05010001", 1200.0, 200),
         ("E01000003", "B&D 002A", "E05000002", "E05010002", 1100.0, 450),
         ("E01000004", "B&D 002B", "E05000002", "E05010002", 900.0, 420)]
WARDS19 = {"E05000001": "Abbey", "E05000002": "Alibon"}
WARDS22 = {"E05010001": "Abbey New", "E05010002": "Alibon New"}
YEARS = [2019, 2020, 2021]
# crimes per LSOA and year: ward E05000001 improves a lot in 2021, the other barely changes
CRIMES = {"E01000001": [100, 98, 40], "E01000002": [120, 118, 50], "E01000003": [80, 82, 79], "E01000004": [70, 69, 71]}
GREEN = {"E01000001": 0.30, "E01000002": 0.25, "E01000003": 0.40, "E01000004": 0.45}  # one data year (2019)
META = pd.DataFrame([
    dict(indicator_id="crime_rate", description="Crimes per 1,000 residents.", name="Crime", dimension="Basic Human Needs",
         component="Personal Safety", direction="lower_is_better", unit="offences per 1,000 residents", transform="none",
         worst=120.0, best=0.0, aggregation="rate", personal_data=False, in_index=True, rationale="Safety.",
         worst_best_basis="test", sources="crime,population", model_path="models/indicators/x/crime_rate.sql"),
    dict(indicator_id="green_share", description="Share of land that is green.", name="Green space", dimension="Basic Human Needs",
         component="Environmental Quality", direction="higher_is_better", unit="share of land", transform="none",
         worst=0.0, best=1.0, aggregation="mean_population_weighted", personal_data=False, in_index=True, rationale="Green.",
         worst_best_basis="test", sources="air_quality,population", model_path="models/indicators/x/green_share.sql"),
])


def _box(i: int, j: int, size: float = 1000.0) -> str:
    x, y = 544000 + i * size, 184000 + j * size
    return f"POLYGON (({x} {y}, {x + size} {y}, {x + size} {y + size}, {x} {y + size}, {x} {y}))"


def _areas() -> list[tuple[str, str, str, str, list[str]]]:
    """(boundary, level, code, name, lsoa codes)"""
    out = [("lsoa11", "lsoa", c, n, [c]) for c, n, *_ in LSOAS]
    for b, names, pos in (("ward19", WARDS19, 2), ("ward22", WARDS22, 3)):
        for code, name in names.items():
            out.append((b, "ward", code, name, [l[0] for l in LSOAS if l[pos] == code]))
    out.append(("lad", "borough", BOROUGH[0], BOROUGH[1], [l[0] for l in LSOAS]))
    return out


def _values() -> pd.DataFrame:
    pop = {l[0]: l[4] for l in LSOAS}
    rows = []
    for b, level, code, name, members in _areas():
        den = sum(pop[m] for m in members)
        for k, y in enumerate(YEARS):
            num = float(sum(CRIMES[m][k] for m in members))
            rows.append(("crime_rate", code, level, b, y, num, den, 1000 * num / den, "offences per 1,000 residents", str(y)))
        num = sum(GREEN[m] * pop[m] for m in members)
        rows.append(("green_share", code, level, b, 2019, num, den, num / den, "share of land", "2019"))
    return pd.DataFrame(rows, columns=["indicator_id", "area_code", "area_level", "boundary", "year", "numerator",
                                       "denominator", "value", "unit", "period"])


def _scores(values: pd.DataFrame) -> pd.DataFrame:
    rows = []
    names = {(b, c): n for b, _, c, n, _ in _areas()}
    levels = {b: lvl for b, lvl, *_ in _areas()}
    for y in YEARS:
        for (b, code), _ in names.items():
            v = values[(values["boundary"] == b) & (values["area_code"] == code)]
            crime = v[(v["indicator_id"] == "crime_rate") & (v["year"] == y)]["value"].iloc[0]
            green = v[v["indicator_id"] == "green_share"]["value"].iloc[0]
            s_crime = max(0.0, min(100.0, 100 * (120 - crime) / 120))
            s_green = 100 * green
            base = dict(area_code=code, area_name=names[(b, code)], area_level=levels[b], boundary=b, year=y, imputed_share=0.0)
            rows += [dict(base, measure_type="indicator", measure="crime_rate", score=s_crime, value=crime, data_year=float(y), period=str(y)),
                     dict(base, measure_type="indicator", measure="green_share", score=s_green, value=green, data_year=2019.0, period="2019"),
                     dict(base, measure_type="component", measure="Personal Safety", score=s_crime),
                     dict(base, measure_type="component", measure="Environmental Quality", score=s_green),
                     dict(base, measure_type="dimension", measure="Basic Human Needs", score=(s_crime + s_green) / 2),
                     dict(base, measure_type="index", measure="Social Progress Index", score=(s_crime + s_green) / 2)]
    s = pd.DataFrame(rows)
    s["rank"] = s.groupby(["boundary", "year", "measure"])["score"].rank(ascending=False, method="min")
    s = s.sort_values(["boundary", "area_code", "measure", "year"])
    s["change"] = s.groupby(["boundary", "area_code", "measure"])["score"].diff()
    cols = ["area_code", "area_name", "area_level", "boundary", "year", "measure_type", "measure", "score", "rank", "change",
            "imputed_share", "value", "data_year", "period"]
    return s[cols].reset_index(drop=True)


def make_warehouse(path: Path, *, uncertainty: bool = False, comparators: bool = False, checks: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    values = _values()
    scores = _scores(values)
    areas = pd.DataFrame([(c, n, lvl, b, BOROUGH[0]) for b, lvl, c, n, _ in _areas()],
                         columns=["area_code", "area_name", "area_level", "boundary", "lad_code"])
    con = duckdb.connect(str(path))
    for schema in ("geography", "marts", "raw", "intermediate", "quality"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")

    def put(name: str, frame: pd.DataFrame) -> None:
        con.register("_f", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _f")
        con.unregister("_f")

    put("geography.areas", areas)
    put("geography.lsoa11_boundaries", pd.DataFrame([(c, n, BOROUGH[0], _box(i % 2, i // 2)) for i, (c, n, *_) in enumerate(LSOAS)],
                                                    columns=["lsoa11_code", "lsoa11_name", "lad_code", "geometry_wkt"]))
    ward_geom = {0: "POLYGON ((544000 184000, 546000 184000, 546000 185000, 544000 185000, 544000 184000))",
                 1: "POLYGON ((544000 185000, 546000 185000, 546000 186000, 544000 186000, 544000 185000))"}
    for b, names in (("ward19", WARDS19), ("ward22", WARDS22)):
        put(f"geography.{b}_boundaries", pd.DataFrame([(c, n, BOROUGH[0], ward_geom[i]) for i, (c, n) in enumerate(names.items())],
                                                      columns=[f"{b}_code", f"{b}_name", "lad_code", "geometry_wkt"]))
    put("geography.borough_boundary", pd.DataFrame([(BOROUGH[0], BOROUGH[1], "POLYGON ((544000 184000, 546000 184000, 546000 186000, 544000 186000, 544000 184000))")],
                                                   columns=["lad_code", "lad_name", "geometry_wkt"]))
    put("geography.lsoa11_lookup", pd.DataFrame([(c, n, BOROUGH[0], w19, w22, 1.0, 0.0, 0.0) for c, n, w19, w22, *_ in LSOAS],
                                                columns=["lsoa11_code", "lsoa11_name", "lad_code", "ward19_code", "ward22_code",
                                                         "ward22_share", "centroid_x", "centroid_y"]))
    put("marts.indicator_metadata", META)
    put("marts.indicator_values", values)
    put("marts.index_scores", scores)
    put("marts.index_years", pd.DataFrame({"year": YEARS}))
    put("marts.index_weights", pd.DataFrame({"component": ["Personal Safety", "Environmental Quality"],
                                             "indicator_id": ["crime_rate", "green_share"], "weight": [1.0, 1.0],
                                             "method": ["equal", "equal"], "loading": [1.0, 1.0]}))
    put("marts.index_diagnostics", pd.DataFrame({"component": ["Personal Safety", "Environmental Quality"], "n_indicators": [1, 1],
                                                 "cronbach_alpha": [None, None], "kmo": [None, None],
                                                 "variance_explained": [1.0, 1.0], "warnings": ["single indicator", "single indicator"]}))
    put("raw._ingest_log", pd.DataFrame({"source_id": ["crime", "population", "air_quality"], "content_hash": ["a" * 64, "b" * 64, "c" * 64],
                                         "rows": [10, 20, 30], "columns": [3, 3, 3], "landed_path": ["x", "y", "z"],
                                         "ingested_at": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-01"])}))
    put("raw.imd2019_indicators", pd.DataFrame({"lsoa11_code": [l[0] for l in LSOAS], "income_domain_numerator": [str(l[5]) for l in LSOAS]}))
    put("intermediate.int_lsoa11_population", pd.DataFrame({"lsoa11_code": [l[0] for l in LSOAS], "year": 2019,
                                                            "population": [int(l[4]) for l in LSOAS], "population_year": 2019}))
    if uncertainty:
        u = scores[(scores["measure_type"] == "index") & (scores["boundary"] != "lad")][["boundary", "area_code", "area_level", "year", "rank"]]
        u = u.assign(median_rank=u["rank"], rank_p05=u["rank"], rank_p95=u["rank"]).drop(columns="rank")
        u["interval_width"] = u["rank_p95"] - u["rank_p05"]
        u["wide_interval"] = False
        put("marts.index_uncertainty", u.reset_index(drop=True))
    if comparators:
        rows = []
        for code, name, crimes, pop in (("E12000007", "London", [60000, 58000, 55000], 9_000_000.0),
                                        ("E09000016", "Havering", [1500, 1500, 1500], 260_000.0),
                                        ("E09000026", "Redbridge", [1900, 1800, 1700], 305_000.0),
                                        ("E09000025", "Newham", [3600, 3500, 3400], 350_000.0)):
            for k, y in enumerate(YEARS):
                rows.append(("crime_rate", code, name, y, float(crimes[k]), pop, 1000 * crimes[k] / pop, "offences per 1,000 residents", str(y)))
        put("marts.indicator_comparators", pd.DataFrame(rows, columns=["indicator_id", "comparator_code", "comparator_name", "year",
                                                                       "numerator", "denominator", "value", "unit", "period"]))
    if checks:
        put("quality.check_results", pd.DataFrame({
            "run_id": ["old", "new", "new"], "check_name": ["index_scores_expectations"] * 2 + ["indicator_values_expectations"],
            "asset_key": ["marts/index_scores", "marts/index_scores", "marts/indicator_values"], "suite": ["index_scores", "index_scores", "indicator_values"],
            "passed": [False, True, True], "severity": ["ERROR", "ERROR", "WARN"], "n_failed_expectations": [2, 0, 0],
            "data_docs": ["gx/docs/old/index.html", "gx/docs/index.html", "gx/docs/index.html"],
            "evaluated_at": pd.to_datetime(["2026-01-01 10:00", "2026-02-01 10:00", "2026-02-01 10:01"])}))
    con.close()
    return path
