"""What goes into a release: scores as CSV, areas with scores as GeoJSON, metadata JSON.

Why deterministic: the same inputs and code must give byte-identical files, so that a
re-run is recognised as the same release and any difference means something changed.
"""
from __future__ import annotations

import json
from importlib.metadata import version

import geopandas as gpd
import pandas as pd

from social_progress.publish.release import dumps_json
from social_progress.publish.tables import csv_bytes

SCORE_COLUMNS = ["area_code", "area_name", "area_level", "boundary", "year", "measure_type", "measure",
                 "value", "data_year", "score", "rank", "change", "imputed_share"]


def scores_csv(scores: pd.DataFrame, *, guard: bool = True) -> bytes:
    """scores.csv, formula-safe (publish.tables.csv_bytes); `guard=False` only to read it back."""
    out = scores[[c for c in SCORE_COLUMNS if c in scores.columns]].copy()
    for col in ("score", "change", "imputed_share"):
        if col in out:
            out[col] = out[col].round(4) + 0.0  # + 0.0 turns -0.0 into 0.0
    for col in ("rank", "data_year"):
        if col in out:
            out[col] = out[col].astype("Int64")
    out = out.sort_values(["boundary", "area_code", "year", "measure_type", "measure"], ignore_index=True)
    return csv_bytes(out, float_format="%.6g", guard=guard)


def scores_geojson(boundaries: gpd.GeoDataFrame, scores: pd.DataFrame, year: int) -> bytes:
    """One feature per area (WGS84), with the index, dimensions and components of `year`."""
    latest = scores[(scores["year"] == year) & (scores["measure_type"].isin(["index", "dimension", "component"]))]
    wide = latest.pivot_table(index=["boundary", "area_code"], columns="measure", values="score", aggfunc="first").round(2)
    g = boundaries.to_crs("EPSG:4326")
    features = []
    for row in g.sort_values(["boundary", "area_code"]).itertuples():
        props = {"area_code": row.area_code, "area_name": row.area_name, "area_level": row.area_level,
                 "boundary": row.boundary, "year": year}
        if (row.boundary, row.area_code) in wide.index:
            props.update({k: (None if pd.isna(v) else float(v)) for k, v in wide.loc[(row.boundary, row.area_code)].items()})
        geom = json.loads(gpd.GeoSeries([row.geometry]).to_json(drop_id=True))["features"][0]["geometry"]
        features.append({"type": "Feature", "properties": props, "geometry": _round(geom)})
    return (json.dumps({"type": "FeatureCollection", "features": features}, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _round(geom, digits: int = 6):
    def r(c):
        return [r(x) for x in c] if isinstance(c, list) and c and isinstance(c[0], list) else [round(v, digits) for v in c]
    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


def metadata_json(*, borough: dict, year: int, years: list[int], inputs: list[dict], weights: pd.DataFrame,
                  checks: list[dict], files: dict[str, bytes], code_version: str, extra: dict | None = None) -> bytes:
    import hashlib
    return dumps_json((extra or {}) | {
        "release": {"borough": borough, "year": year, "years": years},
        "code_version": code_version,
        "platform_version": version("social-progress"),
        "inputs": sorted(inputs, key=lambda i: i["source_id"]),
        "weights": weights.round(6).to_dict(orient="records"),
        "checks": checks,
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in sorted(files.items())},
    })
