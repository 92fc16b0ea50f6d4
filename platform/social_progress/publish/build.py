"""Everything a release holds, built from the warehouse: tables, explorer, metadata.

Why one pure function: the asset, the tests and any re-publication call the same code, and
the result depends only on the warehouse and catalogue contents (never on the clock), so
the same inputs and code give byte-identical files.

Tables produced by other stages that may not exist yet (marts.index_uncertainty,
marts.indicator_comparators, quality.check_results) are optional: when one is missing the
release says so in metadata.json `sections` and the explorer shows the section as
unavailable.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from social_progress.publish import explorer as explorer_bundle
from social_progress.publish.contents import metadata_json, scores_csv, scores_geojson
from social_progress.publish.dictionary import data_dictionary
from social_progress.publish.similar import similar_wards, strengths_weaknesses, ward_income_deprivation
from social_progress.publish.tables import both, csv_bytes, parquet_bytes, tidy
from social_progress.publish.targets import load_targets, target_status
from social_progress.publish.uncertainty import indicator_intervals, progress_table

BOUNDARY_TABLES = {"lsoa11": "lsoa11_boundaries", "lsoa21": "lsoa21_boundaries", "ward19": "ward19_boundaries",
                   "ward22": "ward22_boundaries", "lad": "borough_boundary"}
LONDON = "E12000007"
GATES = [{"check": "marts/index_scores:index_scores_expectations", "status": "passed", "blocking": True}]


@dataclass
class Warehouse:
    """The warehouse tables a release is built from (optional ones are None when absent)."""
    scores: pd.DataFrame
    years: list[int]
    weights: pd.DataFrame
    diagnostics: pd.DataFrame
    metadata: pd.DataFrame
    values: pd.DataFrame
    areas: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    ingest_log: pd.DataFrame
    uncertainty: pd.DataFrame | None = None
    comparators: pd.DataFrame | None = None
    check_results: pd.DataFrame | None = None
    lsoa_income: pd.DataFrame | None = None
    lookup: pd.DataFrame | None = None
    notes: dict = field(default_factory=dict)


def _exists(con, schema: str, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                            [schema, table]).fetchone()[0])


def read_warehouse(db: Path) -> Warehouse:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.execute(sql).df()  # noqa: E731
        scored = set(q("SELECT DISTINCT boundary FROM marts.index_scores")["boundary"])
        areas = q("SELECT * FROM geography.areas")
        areas = areas[areas["boundary"].isin(scored)].reset_index(drop=True)  # e.g. lsoa21 once it is scored
        frames = []
        for boundary, table in BOUNDARY_TABLES.items():
            if boundary not in scored or not _exists(con, "geography", table):
                continue
            df = q(f'SELECT * FROM geography."{table}"')
            code = [c for c in df.columns if c.endswith("_code") and c != "lad_code"] or ["lad_code"]
            frames.append(pd.DataFrame({"area_code": df[code[0]], "boundary": boundary, "geometry_wkt": df["geometry_wkt"]}))
        g = pd.concat(frames, ignore_index=True).merge(areas[["area_code", "boundary", "area_name", "area_level"]],
                                                       on=["area_code", "boundary"])
        boundaries = gpd.GeoDataFrame(g.drop(columns="geometry_wkt"), geometry=gpd.GeoSeries.from_wkt(g["geometry_wkt"]),
                                      crs="EPSG:27700")
        wh = Warehouse(
            scores=q("SELECT * FROM marts.index_scores"),
            years=[int(y) for y in q("SELECT year FROM marts.index_years ORDER BY year")["year"]],
            weights=q("SELECT * FROM marts.index_weights"),
            diagnostics=q("SELECT * FROM marts.index_diagnostics") if _exists(con, "marts", "index_diagnostics") else pd.DataFrame(),
            metadata=q("SELECT * FROM marts.indicator_metadata"),
            values=q("SELECT * FROM marts.indicator_values"),
            areas=areas, boundaries=boundaries,
            ingest_log=q("""SELECT source_id, content_hash, "rows" FROM raw._ingest_log
                            QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY ingested_at DESC) = 1"""),
        )
        if _exists(con, "marts", "index_uncertainty"):
            wh.uncertainty = q("SELECT * FROM marts.index_uncertainty")
        if _exists(con, "marts", "indicator_comparators"):
            wh.comparators = q("SELECT * FROM marts.indicator_comparators")
        if _exists(con, "quality", "check_results"):
            wh.check_results = q("SELECT * FROM quality.check_results")
        if _exists(con, "raw", "imd2019_indicators") and _exists(con, "intermediate", "int_lsoa11_population"):
            wh.lsoa_income = q("""SELECT i.lsoa11_code, TRY_CAST(i.income_domain_numerator AS DOUBLE) AS income_deprived,
                                         p.population::DOUBLE AS population
                                  FROM raw.imd2019_indicators i
                                  JOIN intermediate.int_lsoa11_population p ON p.lsoa11_code = i.lsoa11_code AND p.year = 2019""")
        wh.lookup = q("SELECT * FROM geography.lsoa11_lookup")
    finally:
        con.close()
    return wh


# ------------------------------------------------------------------------------------------ sections

def income_context(wh: Warehouse) -> tuple[pd.DataFrame | None, str]:
    """Ward income deprivation: a context indicator if the marts carry one, else IoD 2019."""
    meta = wh.metadata
    context = meta[(~meta["in_index"].astype(bool)) & meta["indicator_id"].str.startswith("income_deprivation")]
    if len(context):
        ind = sorted(context["indicator_id"])[0]
        v = wh.values[(wh.values["indicator_id"] == ind) & wh.values["boundary"].isin(["ward19", "ward22"])]
        v = v[v["year"] == v["year"].max()]
        df = pd.DataFrame({"boundary": v["boundary"], "area_code": v["area_code"], "income_deprived": v["numerator"],
                           "population": v["denominator"], "income_deprivation": v["value"]})
        return df.reset_index(drop=True), f"context indicator {ind} ({int(v['year'].max())})"
    if wh.lsoa_income is None or wh.lookup is None or wh.lsoa_income.empty:
        return None, "unavailable: no income deprivation data (raw.imd2019_indicators) in the warehouse"
    inc = wh.lsoa_income.dropna()
    inc = inc[inc["lsoa11_code"].isin(wh.lookup["lsoa11_code"])]
    return ward_income_deprivation(inc, wh.lookup), "IoD 2019 income domain numerator / ONS mid-2019 population"


def comparator_table(wh: Warehouse, borough: dict) -> pd.DataFrame | None:
    if wh.comparators is None:
        return None
    c = wh.comparators.copy()
    own = wh.values[(wh.values["area_level"] == "borough")].copy()
    own = pd.DataFrame({"indicator_id": own["indicator_id"], "comparator_code": own["area_code"],
                        "comparator_name": borough["name"], "year": own["year"], "numerator": own["numerator"],
                        "denominator": own["denominator"], "value": own["value"], "unit": own["unit"], "period": own["period"]})
    c = c[c["comparator_code"] != borough["code"]]
    allrows = pd.concat([own[own["indicator_id"].isin(c["indicator_id"])], c[own.columns]], ignore_index=True)
    with_ci = indicator_intervals(allrows.rename(columns={"comparator_code": "area_code"}), wh.metadata).rename(
        columns={"area_code": "comparator_code"})
    with_ci["role"] = ["borough" if x == borough["code"] else "london" if x == LONDON else "neighbour"
                       for x in with_ci["comparator_code"]]
    london = with_ci[with_ci["role"] == "london"].set_index(["indicator_id", "year"])
    direction = wh.metadata.set_index("indicator_id")["direction"].to_dict()
    verdicts = []
    for r in with_ci.itertuples():
        key = (r.indicator_id, r.year)
        if r.role == "london" or key not in london.index:
            verdicts.append("" if r.role == "london" else "not compared")
            continue
        lo = london.loc[key]
        lo = lo.iloc[0] if isinstance(lo, pd.DataFrame) else lo
        if any(pd.isna(x) for x in (r.ci_lower, r.ci_upper, lo["ci_lower"], lo["ci_upper"])):
            verdicts.append("not compared")
        elif r.ci_lower > lo["ci_upper"] or r.ci_upper < lo["ci_lower"]:
            higher = r.value > lo["value"]
            good = higher == (not str(direction.get(r.indicator_id, "")).startswith("lower"))
            verdicts.append("better" if good else "worse")
        else:
            verdicts.append("similar")
    with_ci["compared_with_london"] = verdicts
    cols = ["indicator_id", "comparator_code", "comparator_name", "role", "year", "numerator", "denominator", "value",
            "ci_lower", "ci_upper", "ci_method", "unit", "period", "compared_with_london"]
    return tidy(with_ci[cols], ["indicator_id", "year", "role", "comparator_code"],
                {"value": 6, "ci_lower": 6, "ci_upper": 6}, ints=("year",))


def quality_checks(wh: Warehouse) -> list[dict] | None:
    """The latest evaluation of every check (quality.check_results).

    Run ids, timestamps and Data Docs paths (which hold the run id) are left out, so a re-run
    whose checks give the same results gives a byte-identical release; the Data Docs stay in
    the warehouse under data_docs/<run_id>/."""
    if wh.check_results is None or wh.check_results.empty:
        return None
    cr = wh.check_results.sort_values(["evaluated_at", "run_id"], kind="mergesort")
    cr = cr.drop_duplicates(["asset_key", "check_name"], keep="last")
    out = []
    for r in cr.sort_values(["asset_key", "check_name"]).itertuples():
        out.append({"check": r.check_name, "asset_key": r.asset_key, "suite": r.suite, "passed": bool(r.passed),
                    "severity": r.severity, "n_failed_expectations": int(0 if pd.isna(r.n_failed_expectations) else r.n_failed_expectations)})
    return out


def input_periods(wh: Warehouse) -> dict[str, str]:
    """Each source's period: the span of data years of the indicators built from it."""
    spans: dict[str, tuple[int, int]] = {}
    years = wh.values.groupby("indicator_id")["year"].agg(["min", "max"])
    for r in wh.metadata.itertuples():
        if r.indicator_id not in years.index:
            continue
        lo, hi = int(years.loc[r.indicator_id, "min"]), int(years.loc[r.indicator_id, "max"])
        for s in str(r.sources or "").replace(";", ",").split(","):
            s = s.strip()
            if s:
                a, b = spans.get(s, (lo, hi))
                spans[s] = (min(a, lo), max(b, hi))
    return {s: (str(a) if a == b else f"{a}-{b}") for s, (a, b) in spans.items()}


def release_inputs(wh: Warehouse, sources_path: Path) -> list[dict]:
    from social_progress.catalogue import load_catalogue

    catalogue = load_catalogue(sources_path)
    periods = input_periods(wh)
    out = []
    for r in wh.ingest_log.itertuples():
        try:
            s = catalogue.get(r.source_id)
        except KeyError:
            continue
        period = periods.get(r.source_id) or (f"vintage {s.geography.vintage}" if s.geography.vintage else "not dated")
        out.append({"source_id": r.source_id, "title": s.title, "publisher": s.publisher, "licence": s.licence.name,
                    "licence_url": s.licence.url, "attribution": s.licence.attribution, "content_hash": r.content_hash,
                    "rows": int(r.rows), "cadence": str(getattr(s.cadence, "value", s.cadence)), "period": period,
                    "geography": s.geography.level if isinstance(s.geography.level, str) else str(s.geography.level.value)})
    return out


# ------------------------------------------------------------------------------------------ release

def build_release(wh: Warehouse, *, borough: dict, sources_path: Path, targets_path: Path | None,
                  code_version: str, data_docs: dict[str, str] | None = None) -> tuple[int, dict[str, bytes]]:
    year = max(wh.years)
    scores = wh.scores
    tables: dict[str, pd.DataFrame] = {}
    sections: dict[str, dict] = {}

    # scores.parquet holds exactly what scores.csv holds (read back from it)
    files: dict[str, bytes] = {"scores.csv": scores_csv(scores)}
    score_frame = pd.read_csv(io.BytesIO(files["scores.csv"]), dtype={"area_code": str, "area_name": str})
    files["scores.parquet"] = parquet_bytes(score_frame)
    tables["scores.csv"] = score_frame

    intervals = indicator_intervals(wh.values, wh.metadata)
    iv = tidy(intervals[["indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "value",
                         "ci_lower", "ci_upper", "ci_method", "unit", "period"]],
              ["indicator_id", "boundary", "area_code", "year"],
              {"numerator": 6, "denominator": 6, "value": 8, "ci_lower": 8, "ci_upper": 8}, ints=("year",))
    tables["indicator_values.csv"] = iv

    meta_cols = [c for c in ["indicator_id", "name", "description", "dimension", "component", "direction", "unit",
                             "transform", "worst", "best", "aggregation", "personal_data", "in_index", "rationale",
                             "worst_best_basis", "sources", "model_path"] if c in wh.metadata.columns]
    tables["indicators.csv"] = tidy(wh.metadata[meta_cols], ["indicator_id"])

    unc = None
    if wh.uncertainty is not None:
        unc = tidy(wh.uncertainty, ["boundary", "area_code", "year"],
                   {"median_rank": 4, "rank_p05": 4, "rank_p95": 4, "interval_width": 4}, ints=("year",))
        tables["uncertainty.csv"] = unc
        sections["uncertainty"] = {"available": True, "source": "marts.index_uncertainty"}
    else:
        sections["uncertainty"] = {"available": False,
                                   "note": "marts.index_uncertainty is not in the warehouse: index changes are not rated"}

    progress = progress_table(scores, intervals, wh.metadata, wh.uncertainty, wh.years)
    tables["progress.csv"] = tidy(progress, ["boundary", "area_code", "base_year", "year", "measure_type", "measure"],
                                  {c: 6 for c in ["value_base", "value", "value_change", "score_change", "ci_lower_base",
                                                  "ci_upper_base", "ci_lower", "ci_upper", "rank_p05_base", "rank_p95_base",
                                                  "rank_p05", "rank_p95"]}, ints=("base_year", "year"))
    sections["progress"] = {"available": True, "ratings": progress["rating"].value_counts().sort_index().to_dict()}

    names = wh.areas.set_index(["boundary", "area_code"])["area_name"].to_dict()
    income, income_note = income_context(wh)
    peers = sw = None
    if income is not None:
        peers = similar_wards(income, names)
        sw = strengths_weaknesses(scores, peers)
        tables["similar_wards.csv"] = tidy(peers, ["boundary", "area_code", "peer_rank"],
                                           {"income_deprivation": 6, "peer_income_deprivation": 6, "gap": 6})
        tables["strengths_weaknesses.csv"] = tidy(sw, ["boundary", "area_code", "year", "measure_type", "measure"],
                                                  {"score": 4, "peer_mean": 4, "peer_sd": 4, "difference": 4,
                                                   "threshold": 4}, ints=("year", "n_peers"))
        sections["similar_wards"] = {"available": True, "measure": income_note}
    else:
        sections["similar_wards"] = {"available": False, "note": income_note}

    borough_values = wh.values[wh.values["area_level"] == "borough"]
    # an unknown indicator does not stop publication: its row reads "no data" (tests check the file)
    targets = load_targets(targets_path) if targets_path else []
    tstatus = target_status(targets, borough_values, wh.metadata, year)
    tables["targets.csv"] = tidy(tstatus, ["indicator_id", "target_year"],
                                 {"target": 6, "baseline_value": 6, "current_value": 6, "trend_per_year": 6,
                                  "projected_value": 6}, ints=("target_year", "baseline_year", "current_year"))
    sections["targets"] = {"available": bool(targets), "file": "catalogue/targets.yml",
                           "on_track": int((tstatus["status"] == "on track").sum()),
                           "off_track": int((tstatus["status"] == "off track").sum())}

    comps = comparator_table(wh, borough)
    if comps is not None and not (comps["role"] != "borough").any():
        comps = None
        sections["comparators"] = {"available": False,
                                   "note": "marts.indicator_comparators has no rows: no London or neighbour comparison "
                                           "in this release"}
    elif comps is not None:
        tables["comparators.csv"] = comps
        sections["comparators"] = {"available": True, "source": "marts.indicator_comparators",
                                   "areas": sorted(set(comps["comparator_code"]))}
    elif "comparators" not in sections:
        sections["comparators"] = {"available": False,
                                   "note": "marts.indicator_comparators is not in the warehouse: no London or "
                                           "neighbour comparison in this release"}

    qc = quality_checks(wh)
    sections["quality_checks"] = ({"available": True, "source": "quality.check_results"} if qc is not None else
                                  {"available": False, "note": "quality.check_results is not in the warehouse"})

    tables["weights.csv"] = tidy(wh.weights, ["component", "indicator_id"], {"weight": 6, "loading": 6})
    if not wh.diagnostics.empty:
        tables["diagnostics.csv"] = tidy(wh.diagnostics, ["component"],
                                         {"cronbach_alpha": 6, "kmo": 6, "variance_explained": 6})

    for name, frame in tables.items():
        if name == "scores.csv":
            continue
        stem = name[:-4]
        if name in ("weights.csv", "diagnostics.csv"):
            files[name] = csv_bytes(frame)
        else:
            files.update(both(stem, frame))
    files["areas.geojson"] = scores_geojson(wh.boundaries, scores, year)

    explorer_files = explorer_bundle.bundle(
        borough=borough, year=year, years=wh.years, scores=score_frame, metadata=tables["indicators.csv"],
        progress=tables["progress.csv"], intervals=iv, uncertainty=unc, peers=tables.get("similar_wards.csv"),
        strengths=tables.get("strengths_weaknesses.csv"), targets=tables["targets.csv"],
        comparators=tables.get("comparators.csv"), boundaries=wh.boundaries, sections=sections,
        release_files={n: len(b) for n, b in files.items()})
    files["data_dictionary.csv"] = data_dictionary(tables | {"weights.csv": tables["weights.csv"]},
                                                   list(files) + list(explorer_files))
    files.update(explorer_files)

    files["metadata.json"] = metadata_json(
        borough=borough, year=year, years=wh.years, inputs=release_inputs(wh, sources_path), weights=wh.weights,
        checks=list(GATES), files=dict(files), code_version=code_version,
        extra={"diagnostics": _records(tables.get("diagnostics.csv")), "quality_checks": qc or [],
               "sections": sections, "explorer": "index.html",
               # the GX Data Docs of each check, inside the release (see publish.release.RUN_RECORD_PREFIXES)
               "data_docs": dict(sorted((data_docs or {}).items()))})
    return year, files


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    return [{k: (None if (isinstance(v, float) and pd.isna(v)) else v) for k, v in r.items()}
            for r in frame.to_dict(orient="records")]

