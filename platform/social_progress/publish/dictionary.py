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
    "targets.csv": "The borough's targets (catalogue/targets.yml), each adopted or illustrative (adoption_status: an "
                   "illustrative target is a draft, not adopted by the council): current value, trend and status.",
    "targets.parquet": "targets.csv as Parquet.",
    "comparators.csv": "The borough's indicators next to London and its neighbouring boroughs.",
    "comparators.parquet": "comparators.csv as Parquet.",
    "london_comparison.csv": "London's own index and dimension scores and the borough's rank among the London boroughs, "
                             "per year, from the London layer of the London-wide run, on the London common framework "
                             "(publish/london_comparison.py; metadata.json sections.london_comparison says which layer).",
    "london_comparison.parquet": "london_comparison.csv as Parquet.",
    "benchmarks.csv": "Each LSOA's and ward's indicator values against the borough's, and the borough's against London's: "
                      "better, similar or worse by the value's 95% confidence interval (publish/benchmark.py).",
    "benchmarks.parquet": "benchmarks.csv as Parquet.",
    "trends.csv": "The recent trend of every area's measures over the last five data years: increasing or decreasing "
                  "significantly, no significant trend, or not enough data (publish/trend.py).",
    "trends.parquet": "trends.csv as Parquet.",
    "uncertainty.csv": "Monte Carlo sensitivity of the index: rank intervals for every area and year.",
    "uncertainty.parquet": "uncertainty.csv as Parquet.",
    "weights.csv": "Indicator weights within each component.",
    "diagnostics.csv": "Statistical diagnostics of each component (Cronbach's alpha, KMO, variance explained).",
    "areas.geojson": "Every area's boundary (WGS84) with the release year's index, dimension and component scores.",
    "data_dictionary.csv": "This dictionary. In every CSV file, text beginning with =, +, -, @, a tab or a carriage "
                           "return is written with a leading ' so that a spreadsheet shows it as text and never runs it "
                           "as a formula; numbers are unchanged, and the Parquet files hold the text as it is.",
    "metadata.json": "Borough, years, every input (source; its publisher, the publisher's contact and where the latest "
                     "edition is; the council steward role that fetches it; licence, period, content hash), code version, "
                     "weights, diagnostics, checks, and the sha256 of every other file.",
    **AUDIT_FILES,   # audit/ (publish.audit)
}

COLUMNS = {
    "area_code": "ONS code of the area (LSOA 2011, ward, or the borough).",
    "area_name": "Name of the area.",
    "area_level": "lsoa, ward or borough.",
    "boundary": "Boundary set: lsoa11 (LSOA 2011), ward19 (the wards before May 2022), ward22 (the wards from May 2022), lad (the borough).",
    "year": "Index year (or, in indicator_values, comparators and benchmarks, and for indicators in trends, the data year).",
    "base_year": "The earlier year of the comparison.",
    "measure_type": "indicator, component, dimension or index.",
    "measure": "Indicator id, or the name of the component, dimension or index.",
    "value": "The indicator's value in its own unit (blank for components, dimensions and the index).",
    "value_base": "The indicator's value in the base year.",
    "data_year": "The year the indicator value comes from (the latest on or before the index year).",
    "score": "Score from 0 (worst goalpost) to 100 (best goalpost).",
    "rank": "Rank within the boundary set and year (1 = best).",
    "london_score": "London's own score in the London layer (London scored as one area from its own indicator values, "
                    "not an average of boroughs); empty when the layer has none.",
    "borough_score": "The borough's score in the London layer (the London common framework).",
    "london_rank": "The borough's rank among the boroughs the London layer scores (1 = best), on scores to one decimal place.",
    "tied": "Whether another borough has the same score to one decimal place (shown as =).",
    "boroughs_ranked": "How many London boroughs the London layer scores that year (the City of London is not scored "
                       "where a source does not cover it).",
    "rank_text": "The rank as the explorer shows it, e.g. =5th of 32.",
    "release_common_score": "The borough's score in this release's London common framework (scores_common.csv, or "
                            "scores.csv when the borough has no council indicators); differs from borough_score when the "
                            "layer was scored on other data or the borough's framework holds an indicator London's lacks.",
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
    "kind": "absolute (reach a value), london_gap (close a share of the gap to London's value) or london_rank (reach "
            "a rank among the 33 London boroughs).",
    "adoption_status": "adopted (the council adopted the target; source names the decision) or illustrative (a draft "
                       "for discussion, not adopted: the explorer labels it \"Illustrative target, not adopted\").",
    "target": "absolute: the target value, in the indicator's unit; london_gap: the share of the baseline year's gap to "
              "London to close; london_rank: the rank to reach or better (1 = best).",
    "target_year": "Year the target should be reached.",
    "baseline_year": "First data year of the borough's series (london_gap: the year whose gap to London is to be closed).",
    "baseline_value": "The borough's value in the baseline year.",
    "current_year": "Latest data year up to the release year.",
    "current_value": "The borough's value in the current year.",
    "reference_value": "london_gap: London's value in the current year; london_rank: the value holding the target rank "
                       "among the other London boroughs in the current year (blank for absolute targets).",
    "boroughs_compared": "london_rank: how many London boroughs (the borough included) have a value in the current year.",
    "current_rank": "london_rank: the borough's rank among them in the current year (1 = best).",
    "current_gap": "Relative targets: how much worse the borough is than the reference value, in the indicator's unit "
                   "(negative: better).",
    "target_gap": "Relative targets: the largest gap that meets the target (london_gap: the baseline year's gap, if the "
                  "borough was worse then, times one minus the share to close; london_rank: 0).",
    "trend_per_year": "Least-squares slope over the last five data years (units per year), of the value for absolute "
                      "targets and of the gap for relative ones.",
    "trend": "improving, worsening, flat, no trend (one data year), not evaluated or no data.",
    "projected_value": "The latest value (absolute) or gap (relative targets) extended by the trend to the target year.",
    "status": "on track (met, or the trend reaches the target in time), off track, not evaluated (a relative target "
              "without London's or the other boroughs' values: see status_reason), or no data.",
    "status_reason": "Why the status was given (for not evaluated: which data are missing).",
    "note": "Note on the target.",
    "source": "The document or decision the target comes from; for an illustrative target, who drafted it and that it "
              "is not adopted.",
    "comparator_code": "ONS code of the area compared (the borough, London E12000007, or a neighbouring borough).",
    "comparator_name": "Name of the area compared.",
    "role": "borough, london or neighbour.",
    "compared_with_london": "better / worse than London when the borough's 95% interval excludes London's value, similar when it includes it, not compared otherwise.",
    "benchmark_code": "ONS code of the benchmark: the borough for LSOAs and wards, London (E12000007) for the borough.",
    "benchmark_name": "Name of the benchmark.",
    "benchmark_value": "The benchmark's value of the indicator in the same data year.",
    "comparison": "better / worse (the 95% interval excludes the benchmark's value, by the indicator's direction; higher / "
                  "lower when it has none), similar (it includes it), or not compared (with the reason).",
    "n_points": "Number of yearly values in the trend's window (the last five on or before the year).",
    "first_year": "First year of the trend's window.",
    "last_year": "Last year of the trend's window.",
    "trend_test": "chi_squared_trend (proportions: chi-squared test for trend) or least_squares (the slope's 95% interval).",
    "slope": "Least-squares slope of the values over the window (units per year).",
    "slope_ci_lower": "Lower end of the slope's 95% confidence interval (Student's t, n - 2 degrees of freedom).",
    "slope_ci_upper": "Upper end of the slope's 95% confidence interval.",
    "chi_squared": "Chi-squared statistic for trend (1 degree of freedom; significant above 3.84), signed by the direction of the trend.",
    "recent_trend": "increasing / decreasing (significant at 5%), no significant trend, or not enough data for a trend (fewer than 3 values).",
    "trend_assessment": "getting better / getting worse by the measure's direction (blank when no significant trend or no direction).",
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
