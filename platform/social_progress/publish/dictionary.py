"""The release's data dictionary: every file and every column, described in one place.

Why: a resident or analyst opening a CSV must be able to read each column without the
code; the tests check that every column of every table file is described here.
"""
from __future__ import annotations

import pandas as pd

from social_progress.publish.audit import COLUMNS as AUDIT_COLUMNS
from social_progress.publish.audit import FILES as AUDIT_FILES
from social_progress.publish.tables import csv_bytes

FILES = {
    "index.html": "The explorer: open in a browser (served by `social-progress serve`, or any plain file server).",
    "scores.csv": "Every indicator value and score, component, dimension and the index, for every area, level and year.",
    "scores.parquet": "scores.csv as Parquet.",
    "indicator_values.csv": "Every indicator's value with its numerator, denominator and 95% confidence interval, for every area, level and data year.",
    "indicator_values.parquet": "indicator_values.csv as Parquet.",
    "indicators.csv": "The indicators: definition, dimension, component, direction, goalposts (worst, best) and sources.",
    "indicators.parquet": "indicators.csv as Parquet.",
    "progress.csv": "Change between each pair of index years for every area and measure, with its progress rating.",
    "progress.parquet": "progress.csv as Parquet.",
    "similar_wards.csv": "For each ward, the wards nearest to it in income deprivation (its peers).",
    "similar_wards.parquet": "similar_wards.csv as Parquet.",
    "strengths_weaknesses.csv": "Each ward's scores against the mean of its peers: relative strengths and weaknesses.",
    "strengths_weaknesses.parquet": "strengths_weaknesses.csv as Parquet.",
    "targets.csv": "Borough Manifesto targets: current value, trend and on-track status.",
    "targets.parquet": "targets.csv as Parquet.",
    "comparators.csv": "The borough's indicators next to London and its neighbouring boroughs.",
    "comparators.parquet": "comparators.csv as Parquet.",
    "uncertainty.csv": "Monte Carlo sensitivity of the index: rank intervals for every area and year.",
    "uncertainty.parquet": "uncertainty.csv as Parquet.",
    "weights.csv": "Indicator weights within each component.",
    "diagnostics.csv": "Statistical diagnostics of each component (Cronbach's alpha, KMO, variance explained).",
    "areas.geojson": "Every area's boundary (WGS84) with the release year's index, dimension and component scores.",
    "data_dictionary.csv": "This dictionary. In every CSV file, text beginning with =, +, -, @, a tab or a carriage "
                           "return is written with a leading ' so that a spreadsheet shows it as text and never runs it "
                           "as a formula; numbers are unchanged, and the Parquet files hold the text as it is.",
    "metadata.json": "Borough, years, every input (source, licence, period, content hash), code version, weights, diagnostics, checks, and the sha256 of every other file.",
    **AUDIT_FILES,   # audit/ (publish.audit)
}

COLUMNS = {
    "area_code": "ONS code of the area (LSOA 2011, ward, or the borough).",
    "area_name": "Name of the area.",
    "area_level": "lsoa, ward or borough.",
    "boundary": "Boundary set: lsoa11 (LSOA 2011), ward19 (the wards before May 2022), ward22 (the wards from May 2022), lad (the borough).",
    "year": "Index year (or, in indicator_values and comparators, the data year).",
    "base_year": "The earlier year of the comparison.",
    "measure_type": "indicator, component, dimension or index.",
    "measure": "Indicator id, or the name of the component, dimension or index.",
    "value": "The indicator's value in its own unit (blank for components, dimensions and the index).",
    "value_base": "The indicator's value in the base year.",
    "data_year": "The year the indicator value comes from (the latest on or before the index year).",
    "score": "Score from 0 (worst goalpost) to 100 (best goalpost).",
    "rank": "Rank within the boundary set and year (1 = best).",
    "change": "Change in score since the previous index year.",
    "imputed_share": "Share of the score resting on imputed values.",
    "indicator_id": "Indicator id (see indicators.csv).",
    "numerator": "Numerator (a count, or value x residents for resident-weighted means).",
    "denominator": "Denominator (usually residents).",
    "unit": "Unit of the value.",
    "period": "Period the value covers.",
    "quality_flag": "Why a value is missing or partial: suppressed_small_count (a count of fewer than 5 people from "
                    "personal data, not shown), suppressed_secondary (not shown so that a small count elsewhere cannot be "
                    "worked out by subtraction), zero_denominator, incomplete_sources, not_covered; empty when complete.",
    "ci_lower": "Lower end of the 95% confidence interval of the value (blank where none can be computed).",
    "ci_upper": "Upper end of the 95% confidence interval of the value.",
    "ci_method": "byar_poisson (counts per population), wilson (proportions) or blank (no interval).",
    "ci_lower_base": "Lower end of the base year's 95% confidence interval.",
    "ci_upper_base": "Upper end of the base year's 95% confidence interval.",
    "value_change": "Change in value from the base year.",
    "score_change": "Change in score from the base year.",
    "rank_p05": "5th percentile of the area's rank over the Monte Carlo runs.",
    "rank_p95": "95th percentile of the area's rank over the Monte Carlo runs.",
    "rank_p05_base": "rank_p05 in the base year.",
    "rank_p95_base": "rank_p95 in the base year.",
    "median_rank": "Median rank over the Monte Carlo runs.",
    "interval_width": "rank_p95 - rank_p05.",
    "wide_interval": "True when the rank interval is too wide for the rank to be read on its own.",
    "rating": "better / worse (the change exceeds its uncertainty), no significant change, or not assessed.",
    "reason": "Why the rating was given.",
    "name": "Indicator name.",
    "description": "What the indicator measures.",
    "dimension": "Dimension of the index.",
    "component": "Component of the index.",
    "direction": "higher_is_better or lower_is_better.",
    "transform": "Transform applied before scoring.",
    "worst": "Worst goalpost (scores 0).",
    "best": "Best goalpost (scores 100).",
    "aggregation": "How LSOA values are combined into wards and the borough.",
    "personal_data": "Whether the source holds personal data.",
    "in_index": "Whether the indicator enters the index.",
    "rationale": "Why the indicator is in the index.",
    "worst_best_basis": "How the goalposts were chosen.",
    "sources": "Catalogue ids of the sources.",
    "model_path": "The dbt model computing the indicator.",
    "income_deprivation": "Share of residents in income deprivation (IoD 2019 income domain).",
    "peer_rank": "1 = the peer nearest in income deprivation.",
    "peer_code": "ONS code of the peer ward.",
    "peer_name": "Name of the peer ward.",
    "peer_income_deprivation": "The peer's share of residents in income deprivation.",
    "gap": "Absolute difference in income deprivation between ward and peer.",
    "peer_mean": "Mean score of the ward's peers.",
    "peer_sd": "Standard deviation of the peers' scores.",
    "n_peers": "Number of peers.",
    "difference": "score - peer_mean.",
    "threshold": "Gap needed to call a difference a strength or weakness: the larger of 5 points and peer_sd.",
    "assessment": "relative strength, relative weakness or neutral.",
    "target": "Target value, in the indicator's unit.",
    "target_year": "Year the target should be reached.",
    "baseline_year": "First data year of the borough's series.",
    "baseline_value": "Value in the baseline year.",
    "current_year": "Latest data year up to the release year.",
    "current_value": "Value in the current year.",
    "trend_per_year": "Least-squares slope over the last five data years (units per year).",
    "trend": "improving, worsening, flat, or no trend (one data year).",
    "projected_value": "Current value extended by the trend to the target year.",
    "status": "on track (met, or the trend reaches the target in time), off track, or no data.",
    "note": "Note on the target.",
    "source": "Where the target comes from.",
    "comparator_code": "ONS code of the area compared (the borough, London E12000007, or a neighbouring borough).",
    "comparator_name": "Name of the area compared.",
    "role": "borough, london or neighbour.",
    "compared_with_london": "better / worse than London when the 95% intervals do not overlap, similar when they do, not compared otherwise.",
    "weight": "Weight of the indicator within its component.",
    "method": "Weighting method (equal or pca).",
    "loading": "First principal-component loading.",
    "n_indicators": "Number of indicators in the component.",
    "cronbach_alpha": "Cronbach's alpha of the component's indicators.",
    "kmo": "Kaiser-Meyer-Olkin measure of sampling adequacy.",
    "variance_explained": "Share of variance explained by the first principal component.",
    "warnings": "Diagnostic warnings.",
    "file": "File of the release.",
    "column": "Column of the file (blank: the file itself).",
    "type": "Column type.",
}


def data_dictionary(tables: dict[str, pd.DataFrame], files: list[str]) -> bytes:
    """One row per file (column blank) and per column of each table file."""
    rows = []
    for f in sorted(set(files) | {"data_dictionary.csv", "metadata.json"}):
        rows.append({"file": f, "column": "", "type": "", "description": FILES.get(f, describe_file(f))})
        frame = tables.get(f)
        if frame is not None:
            for col in frame.columns:
                rows.append({"file": f, "column": col, "type": _type(frame[col]), "description": COLUMNS.get(col) or AUDIT_COLUMNS.get(col, "")})
    rows += [{"file": "data_dictionary.csv", "column": c, "type": "string", "description": COLUMNS[c]}
             for c in ("file", "column", "type")] + [{"file": "data_dictionary.csv", "column": "description",
                                                       "type": "string", "description": "What it holds."}]
    df = pd.DataFrame(rows, columns=["file", "column", "type", "description"])
    return csv_bytes(df)   # formula-safe like every CSV of the release (publish.tables)


def describe_file(name: str) -> str:
    if name.startswith("explorer/"):
        return "Part of the explorer web page."
    return ""


def _type(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "boolean"
    if pd.api.types.is_integer_dtype(s):
        return "integer"
    if pd.api.types.is_float_dtype(s):
        return "number"
    return "string"
