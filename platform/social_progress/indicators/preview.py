"""`social-progress preview <indicator>`: an analyst's loop without a release.

Builds (and tests) the one indicator model with dbt against the warehouse of the last
refresh, then shows its values, suggested goalposts, its scores, its weight in its
component and how the borough's component and index would move, computed in memory with
the index engine. Nothing is published and `releases/latest` is untouched; the next
`social-progress refresh` picks the change up as stale and publishes it.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import warnings

import pandas as pd

from social_progress.dbt_project import dbt_env, dbt_executable, dbt_vars, prepare_manifest
from social_progress.settings import Settings

KEY = ["indicator_id", "area_level", "boundary", "area_code", "year"]


def build_indicator(indicator_id: str, settings: Settings) -> str:
    """`dbt build` of the indicator and the metadata mart; returns dbt's summary line."""
    from social_progress.warehouse import Warehouse

    prepare_manifest(settings)
    cmd = [dbt_executable(), "--no-use-colors", "build", "--select", f"{indicator_id} indicator_metadata", "--project-dir",
           str(settings.dbt_project_dir), "--profiles-dir", str(settings.dbt_project_dir),
           "--vars", json.dumps(dbt_vars(settings))]
    with Warehouse(settings.duckdb_path).exclusive(f"preview {indicator_id}"):
        proc = subprocess.run(cmd, env={**os.environ, **dbt_env(settings)}, capture_output=True, text=True,
                              timeout=900)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0:
        errors = [line for line in lines if "ERROR" in line or "FAIL" in line or "Error" in line]
        raise RuntimeError(f"dbt build of {indicator_id} failed:\n" + "\n".join((errors or lines)[-25:]))
    done = next((line for line in reversed(lines) if "Done." in line), lines[-1] if lines else "")
    return re.sub(r"^\S*\d\d:\d\d:\d\d\s+", "", done).strip()


def index_effect(values: pd.DataFrame, metadata: pd.DataFrame, areas: pd.DataFrame, index_cfg,
                 indicator_id: str, common_weights=None) -> dict:
    """The index with and without the indicator (engine in memory, no Monte Carlo), with the
    deployment's weighting (the common London weights when it uses them)."""
    from social_progress.index.tables import compute_index_tables

    cfg = index_cfg.model_copy(update={"sensitivity_runs": 0})
    quiet = lambda *_: None  # noqa: E731
    without_meta = metadata.assign(in_index=metadata["in_index"] & (metadata["indicator_id"] != indicator_id))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        with_it = compute_index_tables(values, metadata, areas, cfg, log=quiet, common_weights=common_weights)
        without = compute_index_tables(values, without_meta, areas, cfg, log=quiet, common_weights=common_weights)
    return {"with": with_it, "without": without}


def _borough(scores: pd.DataFrame, measure_type: str, measure: str | None = None) -> pd.Series:
    s = scores[(scores["boundary"] == "lad") & (scores["measure_type"] == measure_type)]
    if measure is not None:
        s = s[s["measure"] == measure]
    return s.set_index("year")["score"]


def preview_command(indicator_id: str, settings: Settings) -> int:
    from social_progress.borough import area_config
    from social_progress.warehouse import read_table

    db = settings.duckdb_path
    if not db.exists():
        print(f"No warehouse at {db}: run `social-progress refresh` once first.")
        return 1
    try:
        summary = build_indicator(indicator_id, settings)
    except RuntimeError as exc:
        print(str(exc))
        return 1
    print(f"dbt build {indicator_id}: {summary}")
    new = read_table(db, f'SELECT * FROM indicators."{indicator_id}"')
    metadata = read_table(db, "SELECT * FROM marts.indicator_metadata")
    meta = metadata[metadata["indicator_id"] == indicator_id]
    if meta.empty:
        print(f"{indicator_id} has no meta.indicator in its YAML: it is not an indicator the index can read.")
        return 1
    m = meta.iloc[0]
    print(f"\n{m['name']} ({m['component']}, {m['direction']}, unit: {m['unit']}); in the index: {bool(m['in_index'])}")
    borough = new[new["area_level"] == "borough"].sort_values("year")
    print("Borough values: " + ", ".join(f"{int(r.year)}: {r.value:.4g}" for r in borough.itertuples()
                                          if pd.notna(r.value)))
    wards = new[new["boundary"] == "ward22"]
    if len(wards):
        last = wards[wards["year"] == wards["year"].max()]["value"].describe()
        print(f"Current wards, {int(wards['year'].max())}: min {last['min']:.4g}, median {last['50%']:.4g}, "
              f"max {last['max']:.4g} ({int(last['count'])} wards)")
    flagged = new["quality_flag"].dropna().value_counts().to_dict()
    if flagged:
        print(f"Quality flags: {flagged}")
    try:
        from social_progress.indicators.goalposts import suggest_goalposts

        s = suggest_goalposts(indicator_id, settings.dbt_project_dir, db, dbt_executable(), dbt_vars(settings))
        print(f"Suggested goalposts ({s['year']}, {s['n_areas']} London areas): worst {s['worst']}, best {s['best']} "
              f"(YAML now: worst {m['worst']}, best {m['best']}); `social-progress goalposts {indicator_id} --write` "
              f"writes them")
    except Exception as exc:  # noqa: BLE001 - goalposts are advice; the preview goes on
        print(f"Suggested goalposts: not available ({exc})")
    if not bool(m["in_index"]):
        print("Not in the index (in_index: false): no score or weight.")
        return 0
    values = read_table(db, "SELECT * FROM marts.indicator_values")
    values = pd.concat([values[values["indicator_id"] != indicator_id], new[values.columns]], ignore_index=True)
    areas = read_table(db, "SELECT * FROM geography.areas")
    cfg = area_config(settings)
    try:
        from social_progress.defs.index import common_weights_for

        effect = index_effect(values, metadata, areas, cfg.index, indicator_id, common_weights_for(settings, cfg))
    except Exception as exc:  # noqa: BLE001
        print(f"The index could not be computed with this indicator: {exc}")
        return 1
    scores, before = effect["with"]["index_scores"], effect["without"]["index_scores"]
    ind = _borough(scores, "indicator", indicator_id)
    print("Borough scores (0-100): " + ", ".join(f"{y}: {v:.1f}" for y, v in ind.items()))
    w = effect["with"]["index_weights"]
    w = w[w["indicator_id"] == indicator_id]
    if len(w):
        print(f"Weight in {m['component']}: {float(w['weight'].iloc[0]):.3f}")
    comp_with, comp_without = _borough(scores, "component", m["component"]), _borough(before, "component", m["component"])
    idx_with, idx_without = _borough(scores, "index"), _borough(before, "index")
    for year in idx_with.index:
        print(f"{year}: {m['component']} {comp_without.get(year, float('nan')):.2f} -> {comp_with.get(year):.2f}; "
              f"index {idx_without.get(year, float('nan')):.2f} -> {idx_with.get(year):.2f} (without -> with)")
    print("\nNothing was published. Run `social-progress refresh` (or `--draft`) to publish with this change.")
    return 0
