"""Everything a release holds, built from the warehouse: tables, explorer, metadata.

Why one pure function: the asset, the tests and any re-publication call the same code, and
the result depends only on the warehouse and catalogue contents (never on the clock), so
the same inputs and code give byte-identical files.

Nothing is computed here: indicator intervals, progress ratings, similar wards, strengths
and weaknesses, targets and comparisons are derived marts in the warehouse
(`social_progress.publish.marts`, one asset each); this module reads them and the index
tables, and formats and writes the files.

Tables produced by other stages that may not exist yet (marts.index_uncertainty,
marts.indicator_comparators, quality.check_results, the audit's marts.index_audit_*) are
optional: when one is missing the release says so in metadata.json `sections` (the derived
marts carry the reason in their status) and the explorer shows the section as unavailable.
The audit's tables and plots go to audit/ (social_progress.publish.audit).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from social_progress.index.tables import framework_exclusions
from social_progress.publish import explorer as explorer_bundle
from social_progress.publish.audit import AuditTables, audit_files, read_audit
from social_progress.publish.audit import gate as audit_gate
from social_progress.publish.audit import section as audit_section
from social_progress.publish.contents import metadata_json, scores_csv, scores_geojson
from social_progress.publish.dictionary import data_dictionary
from social_progress.publish.marts import DERIVED_MARTS, MartContext, MartError, mart_is_current, read_inputs, read_mart
from social_progress.publish.tables import both, csv_bytes, parquet_bytes, tidy
from social_progress.publish.targets import target_labels

BOUNDARY_TABLES = {"lsoa11": "lsoa11_boundaries", "lsoa21": "lsoa21_boundaries", "ward19": "ward19_boundaries",
                   "ward22": "ward22_boundaries", "lad": "borough_boundary"}
GATES = [{"check": "marts/index_scores:index_scores_expectations", "status": "passed", "blocking": True}]


@dataclass
class Warehouse:
    """The warehouse tables a release is built from (optional ones are None when absent)."""
    scores: pd.DataFrame
    years: list[int]
    weights: pd.DataFrame
    diagnostics: pd.DataFrame
    metadata: pd.DataFrame
    areas: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    ingest_log: pd.DataFrame
    # the derived marts (social_progress.publish.marts), each with its status in attrs["status"]
    marts: dict[str, pd.DataFrame] = field(default_factory=dict)
    uncertainty: pd.DataFrame | None = None
    check_results: pd.DataFrame | None = None
    # the London common framework's scores (open indicators only), when the borough has its own
    scores_common: pd.DataFrame | None = None
    # statistical disclosure control of the personal-data indicators (marts.disclosure_report)
    disclosure: dict | None = None
    # inputs of derived marts not in the warehouse yet, computed by derive_missing_marts
    pending: dict[str, dict] = field(default_factory=dict)
    # the index audit (marts.index_audit_*), written to audit/
    audit: AuditTables | None = None
    # Code-Point Open postcodes (postcode, easting, northing, lad_code): the explorer's postcode search
    postcodes: pd.DataFrame | None = None

    def derive_missing_marts(self, context: MartContext) -> None:
        """Compute the derived marts that were not in the warehouse (in dependency order)."""
        for name, tables in list(self.pending.items()):
            tables = dict(tables)
            for dep in DERIVED_MARTS[name].deps:
                if dep.startswith("marts.") and dep[6:] in DERIVED_MARTS and tables.get(dep) is None:
                    tables[dep] = self.marts[dep[6:]]
            self.marts[name] = DERIVED_MARTS[name].compute(tables, context)
            del self.pending[name]


def _exists(con, schema: str, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                            [schema, table]).fetchone()[0])


def read_warehouse(db: Path, *, require_marts: bool = False) -> Warehouse:
    """The tables a release is built from.

    The derived marts are read from the marts schema. A derived mart that is not there yet
    (a warehouse from before they were assets) has its inputs read instead and is computed
    by build_release, with the same functions, unless `require_marts`, when it is an error."""
    from social_progress.warehouse import connect

    with connect(Path(db), read_only=True) as con:
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
            areas=areas, boundaries=boundaries,
            ingest_log=q("""SELECT source_id, content_hash, "rows" FROM raw._ingest_log
                            QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY ingested_at DESC) = 1"""),
        )
        if _exists(con, "marts", "index_uncertainty"):
            wh.uncertainty = q("SELECT * FROM marts.index_uncertainty")
        if _exists(con, "quality", "check_results"):
            wh.check_results = q("SELECT * FROM quality.check_results")
        if _exists(con, "marts", "index_scores_common"):
            wh.scores_common = q("SELECT * FROM marts.index_scores_common")
        wh.audit = read_audit(con)
        if _exists(con, "staging", "stg_postcodes"):
            wh.postcodes = q("SELECT postcode, easting, northing, lad_code FROM staging.stg_postcodes")
        if _exists(con, "marts", "disclosure_report"):
            import json as _json

            row = con.execute("SELECT policy, report FROM marts.disclosure_report").fetchone()
            wh.disclosure = {"policy": row[0], **_json.loads(row[1])} if row else None
        # a mart written by older code (other columns) counts as missing: computed here, or refused
        missing = [n for n in DERIVED_MARTS if not _exists(con, "marts", n) or not mart_is_current(con, n)]
        if missing and require_marts:
            raise MartError(f"derived marts not in the warehouse (or written by older code): "
                            f"{', '.join('marts.' + n for n in missing)} "
                            "(materialise them first: social_progress.publish.marts)")
        for name, spec in DERIVED_MARTS.items():
            if name in missing:
                later = {d: None for d in spec.deps if d.startswith("marts.") and d[6:] in missing}
                wh.pending[name] = read_inputs(con, spec, later)
            else:
                wh.marts[name] = read_mart(con, name)
    return wh


# ------------------------------------------------------------------------------------------ sections

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
    years = wh.marts["indicator_intervals"].groupby("indicator_id")["year"].agg(["min", "max"])
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
        # who issues the data (and where its latest edition is) and the council steward ROLE that
        # fetches it: roles only, a release names no member of staff
        out.append({"source_id": r.source_id, "title": s.title, "publisher": s.publisher.name,
                    "publisher_contact": s.publisher.contact, "latest_edition_url": s.fetch_url,
                    "steward_role": s.steward, "licence": s.licence.name,
                    "origin": s.origin, "synthetic": s.synthetic, "personal_data": s.personal_data,
                    "licence_url": s.licence.url, "attribution": s.licence.attribution, "content_hash": r.content_hash,
                    "rows": int(r.rows), "cadence": str(getattr(s.cadence, "value", s.cadence)), "period": period,
                    "geography": s.geography.level if isinstance(s.geography.level, str) else str(s.geography.level.value)})
    return out


# ------------------------------------------------------------------------------------------ release

def build_release(wh: Warehouse, *, borough: dict, sources_path: Path, targets_path: Path | None,
                  code_version: str, data_docs: dict[str, str] | None = None,
                  london=None) -> tuple[int, dict[str, bytes]]:
    """Every release file, from the warehouse tables and the derived marts in `wh`.

    `london`: the comparison with the London layer (publish.london_comparison.for_release);
    without it the release says no London layer was given.

    `targets_path` is used only for a marts.target_status that was not in the warehouse
    (see read_warehouse); a materialised one already holds the targets."""
    if wh.pending:
        wh.derive_missing_marts(MartContext(borough=dict(borough), targets_path=targets_path))
    year = max(wh.years)
    scores = wh.scores
    marts = wh.marts
    tables: dict[str, pd.DataFrame] = {}
    sections: dict[str, dict] = {}

    # scores.parquet holds exactly what scores.csv holds (read back from it), with the text as
    # it is: the CSV's guard against spreadsheet formulas is for spreadsheets (publish.tables)
    files: dict[str, bytes] = {"scores.csv": scores_csv(scores)}
    score_frame = pd.read_csv(io.BytesIO(scores_csv(scores, guard=False)), dtype={"area_code": str, "area_name": str})
    files["scores.parquet"] = parquet_bytes(score_frame)
    tables["scores.csv"] = score_frame

    iv = marts["indicator_intervals"]
    if "quality_flag" in iv:   # text whether read back from the mart or computed (all empty or not)
        iv = iv.assign(quality_flag=iv["quality_flag"].astype(object).where(iv["quality_flag"].notna(), None)
                       .astype("string"))
        iv.attrs = marts["indicator_intervals"].attrs
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

    progress = marts["progress_ratings"]
    tables["progress.csv"] = progress
    weighting = {}
    if not wh.diagnostics.empty and "weighting" in wh.diagnostics:
        weighting = dict(zip(wh.diagnostics["component"].astype(str), wh.diagnostics["weighting"].astype(str)))
    sections["framework"] = {"available": True, "left_out": framework_exclusions(wh.metadata),
                             "note": "indicators whose sources do not cover the borough are left out of its framework "
                                     "(catalogue coverage), never filled with zeros",
                             "weighting": weighting}
    from social_progress.catalogue import indicators_on_sources, load_catalogue

    catalogue_sources = load_catalogue(sources_path).sources
    council = set(indicators_on_sources(wh.metadata, [s.id for s in catalogue_sources if s.origin == "council"]))
    inputs = release_inputs(wh, sources_path)
    in_index = wh.metadata[wh.metadata["in_index"].astype(bool)] if "in_index" in wh.metadata else wh.metadata
    sections["frameworks"] = {
        "borough": {"file": "scores.csv",
                    "what": "the borough's own index: the London common indicators plus its council indicators",
                    "indicators": int(len(in_index)), "council_indicators": int(in_index["indicator_id"].isin(council).sum()),
                    "council_indicators_list": sorted(council),
                    "weights": "common London weights; a component holding council indicators is weighted by principal "
                               "components estimated on this borough's own LSOAs and years (London has none for them)"},
        "london_common": {"file": "scores_common.csv" if wh.scores_common is not None and council else "scores.csv",
                          "what": "the London common framework: open indicators only, London-wide goalposts and weights, "
                                  "comparable across boroughs (the Borough Data Explorer layer)",
                          "indicators": int((~in_index["indicator_id"].isin(council)).sum())},
    }
    synthetic = sorted(i["source_id"] for i in inputs if i.get("synthetic"))
    sections["synthetic"] = {"sources": synthetic,
                             "indicators": sorted(indicators_on_sources(wh.metadata, [s.id for s in catalogue_sources
                                                                                      if s.synthetic])),
                             "note": ("SYNTHETIC: these inputs are generated stand-ins for the council's own systems; the "
                                      "indicators built on them describe no real resident") if synthetic else ""}
    if wh.disclosure is not None:
        sections["disclosure"] = {**wh.disclosure, "note": "counts below the threshold are not shown (with complementary "
                                  "cells, so none can be recovered by differencing); rates built on them are withheld"}
    sections["progress"] = {"available": True, "ratings": progress["rating"].value_counts().sort_index().to_dict()}

    peers, peers_status = marts["similar_areas"], marts["similar_areas"].attrs["status"]
    if peers_status["available"]:
        tables["similar_wards.csv"] = peers
        tables["strengths_weaknesses.csv"] = marts["strengths_weaknesses"]
        sections["similar_wards"] = {"available": True, "measure": peers_status["note"]}
    else:
        sections["similar_wards"] = {"available": False, "note": peers_status["note"]}

    tstatus = marts["target_status"]
    tables["targets.csv"] = tstatus
    sections["targets"] = {"available": bool(tstatus.attrs["status"]["available"]), "file": "catalogue/targets.yml",
                           **target_labels(tstatus),
                           "not_evaluated": int((tstatus["status"] == "not evaluated").sum()),
                           "on_track": int((tstatus["status"] == "on track").sum()),
                           "off_track": int((tstatus["status"] == "off track").sum())}

    comps, comps_status = marts["comparisons"], marts["comparisons"].attrs["status"]
    if comps_status["available"]:
        tables["comparators.csv"] = comps
        sections["comparators"] = {"available": True, "source": "marts.indicator_comparators",
                                   "areas": sorted(set(comps["comparator_code"]))}
    else:
        sections["comparators"] = {"available": False, "note": comps_status["note"]}
    _benchmark_sections(marts, tables, sections)

    _london_section(london, tables, sections)

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
    # the audit: tables, plots and a README under audit/ (publish.audit)
    sections["audit"] = audit_section(wh.audit)
    audit_frames: dict[str, pd.DataFrame] = {}
    if wh.audit is not None:
        audit_out, audit_frames = audit_files(wh.audit, borough_name=str(borough.get("name", "")), year=year)
        files.update(audit_out)
    if wh.scores_common is not None and council:
        files["scores_common.csv"] = scores_csv(wh.scores_common)
        files["scores_common.parquet"] = parquet_bytes(pd.read_csv(io.BytesIO(scores_csv(wh.scores_common, guard=False)),
                                                                   dtype={"area_code": str, "area_name": str}))
    files["areas.geojson"] = scores_geojson(wh.boundaries, scores, year)

    explorer_files = explorer_bundle.bundle(
        borough=borough, year=year, years=wh.years, scores=score_frame, metadata=tables["indicators.csv"],
        progress=tables["progress.csv"], intervals=iv, uncertainty=unc, peers=tables.get("similar_wards.csv"),
        strengths=tables.get("strengths_weaknesses.csv"), targets=tables["targets.csv"],
        comparators=tables.get("comparators.csv"), boundaries=wh.boundaries, postcodes=wh.postcodes,
        benchmarks=tables.get("benchmarks.csv"), trends=tables.get("trends.csv"),
        sections=sections, release_files={n: len(b) for n, b in files.items()})
    files["data_dictionary.csv"] = data_dictionary(tables | {"weights.csv": tables["weights.csv"]} | audit_frames,
                                                   list(files) + list(explorer_files))
    files.update(explorer_files)

    files["metadata.json"] = metadata_json(
        borough=borough, year=year, years=wh.years, inputs=inputs, weights=wh.weights,
        checks=list(GATES) + ([audit_gate(wh.audit)] if wh.audit is not None else []), files=dict(files),
        code_version=code_version,
        extra={"diagnostics": _records(tables.get("diagnostics.csv")), "quality_checks": qc or [],
               "sections": sections, "explorer": "index.html",
               # third-party code shipped in the release, with its licence (explorer/vendor/<lib>/)
               "third_party": explorer_bundle.third_party(),
               # the GX Data Docs of each check, inside the release (see publish.release.RUN_RECORD_PREFIXES)
               "data_docs": dict(sorted((data_docs or {}).items()))})
    return year, files


def _benchmark_sections(marts: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame], sections: dict) -> None:
    """Each area against its benchmark and its recent trend (marts.benchmarks, marts.trends):
    release tables, and what the explorer says about them."""
    from social_progress.publish import benchmark, trend

    for name, file in (("benchmarks", "benchmarks.csv"), ("trends", "trends.csv")):
        if name in marts:
            tables[file] = marts[name]
    if "benchmarks" in marts:
        b = marts["benchmarks"]
        sections["benchmarks"] = {"available": True, "file": "benchmarks.csv",
                                  "comparisons": b["comparison"].value_counts().sort_index().to_dict(),
                                  "scores": benchmark.NO_SCORE_INTERVAL}
    if "trends" in marts:
        sections["trends"] = {"available": True, "file": "trends.csv", "window": trend.WINDOW,
                              "min_points": trend.MIN_POINTS}


def _london_section(london, tables: dict[str, pd.DataFrame], sections: dict[str, dict]) -> None:
    """London's score and the borough's rank among London's boroughs (publish.london_comparison):
    london_comparison.csv when there is a comparison; the section says which London layer and
    framework it came from, or why there is none."""
    from social_progress.publish import london_comparison

    lc = london or london_comparison.unavailable(f"no London layer was given: {london_comparison.HOW_TO_GET}")
    sections["london_comparison"] = lc.section
    if lc.table is not None:
        tables[london_comparison.TABLE] = lc.table


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    return [{k: (None if (isinstance(v, float) and pd.isna(v)) else v) for k, v in r.items()}
            for r in frame.to_dict(orient="records")]

