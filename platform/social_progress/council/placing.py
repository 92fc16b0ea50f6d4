"""Put council records on the map: UPRN first, then postcode, then coordinates.

Why this order: a UPRN names the exact property (the gazetteer gives its point), a
postcode only its centroid (some 15 addresses), and a CRM's coordinates are wherever the
officer clicked. Each record is placed by the best it has; one that has nothing usable, a
postcode that is malformed or not a live postcode, a point outside the borough, or one in
the borough but off a generalised boundary of some layer (`partial`) is counted under its
reason and kept (`placed_by` null), never dropped silently.

The match report holds counts only: its examples name pseudonymous record keys, never a
postcode or an address, because the records are personal data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from social_progress.geography.points import assign_points
from social_progress.geography.postcodes import normalise_series

LAYERS = ("lsoa11", "lsoa21", "ward19", "ward22", "lad")


@dataclass
class PlacementResult:
    placed: pd.DataFrame                  # record_key, placed_by, <layer>_code..., in_borough, unplaced_reason
    counts: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, Any]:
        total = len(self.placed)
        placed = int(self.placed["placed_by"].notna().sum())
        return {"records": total, "placed": placed, "placed_share": round(placed / total, 4) if total else None,
                **self.counts}


def _text(series: pd.Series) -> pd.Series:
    """Text values, stripped; missing (None, NaN, empty) as None."""
    return pd.Series([None if v is None or (isinstance(v, float) and v != v) else (str(v).strip() or None)
                      for v in series.astype(object)], index=series.index, dtype=object)


def _uprn(series: pd.Series) -> pd.Series:
    """UPRNs as digits: a spreadsheet may have written 100023456781 as "100023456781.0"."""
    return _text(series).map(lambda v: v.split(".")[0] if v is not None else None)


def place_records(records: pd.DataFrame, gazetteer: pd.DataFrame, postcodes: pd.DataFrame,
                  layers: Mapping[str, Any], borough: str) -> PlacementResult:
    """records: record_key and any of uprn, postcode, easting, northing (text).
    gazetteer: uprn, easting, northing. postcodes: postcode, easting, northing (Code-Point)."""
    n = len(records)
    out = pd.DataFrame({"record_key": records["record_key"].to_numpy()})
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    how = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)

    # 1. UPRN -> the gazetteer's point
    if "uprn" in records:
        uprn = _uprn(records["uprn"])
        gz = gazetteer.assign(uprn=_uprn(gazetteer["uprn"]))
        gz = gz.dropna(subset=["uprn"]).drop_duplicates("uprn").set_index("uprn")
        hit = uprn.map(gz["easting"]).astype(float).to_numpy(), uprn.map(gz["northing"]).astype(float).to_numpy()
        ok = np.isfinite(hit[0]) & np.isfinite(hit[1])
        x[ok], y[ok], how[ok] = hit[0][ok], hit[1][ok], "uprn"
        reason[~ok & uprn.notna().to_numpy()] = "unknown_uprn"
    # 2. postcode -> Code-Point centroid
    if "postcode" in records:
        todo = pd.isna(x)
        norm = normalise_series(records["postcode"])["postcode_normalised"]
        lk = postcodes.assign(key=normalise_series(postcodes["postcode"])["postcode_normalised"]).dropna(subset=["key"])
        lk = lk.drop_duplicates("key").set_index("key")
        px = norm.map(lk["easting"]).astype(float).to_numpy()
        py = norm.map(lk["northing"]).astype(float).to_numpy()
        ok = todo & np.isfinite(px) & np.isfinite(py)
        x[ok], y[ok], how[ok], reason[ok] = px[ok], py[ok], "postcode", None
        given = records["postcode"].notna().to_numpy()
        malformed = todo & given & norm.isna().to_numpy()
        unknown = todo & given & ~malformed & ~ok
        reason[malformed & (reason == None)] = "invalid_postcode"  # noqa: E711 (object array)
        reason[unknown & (reason == None)] = "unknown_postcode"  # noqa: E711
    # 3. coordinates (British National Grid) as the record gives them
    if "easting" in records and "northing" in records:
        todo = pd.isna(x)
        ex = pd.to_numeric(records["easting"], errors="coerce").to_numpy(float)
        ny = pd.to_numeric(records["northing"], errors="coerce").to_numpy(float)
        ok = todo & np.isfinite(ex) & np.isfinite(ny)
        x[ok], y[ok], how[ok], reason[ok] = ex[ok], ny[ok], "coordinates", None
    reason[pd.isna(x) & (reason == None)] = "no_location"  # noqa: E711

    has_point = np.isfinite(x) & np.isfinite(y)
    codes = {f"{layer}_code": np.full(n, None, dtype=object) for layer in layers}
    if has_point.any():
        pts = pd.DataFrame({"x": x[has_point], "y": y[has_point]})
        placed, _ = assign_points(pts, "x", "y", "EPSG:27700", layers, borough=borough,
                                  fix_swapped=False, infer_crs=False, source="council")
        for col in codes:
            codes[col][has_point] = placed[col].astype(object).where(placed[col].notna(), None).to_numpy()
    for col, values in codes.items():
        out[col] = values
    lad = out["lad_code"].to_numpy(dtype=object) if "lad_code" in out else np.full(n, None, dtype=object)
    every_layer = np.all(np.column_stack([pd.notna(out[c].to_numpy(dtype=object)) for c in codes]), axis=1) \
        if codes else np.zeros(n, bool)
    in_borough = has_point & (lad == borough) & every_layer
    # in the borough but off a generalised (20 m) boundary of some layer: not counted, said so
    reason[has_point & (lad == borough) & ~every_layer] = "partial"
    outside = has_point & (lad != borough)
    reason[outside & (lad != None)] = "outside_borough"  # noqa: E711
    reason[outside & (lad == None)] = "outside_boundaries"  # noqa: E711
    how[~in_borough] = None
    for col in codes:  # a record outside the borough is not counted in any of its areas
        out.loc[~in_borough, col] = None
    out["placed_by"] = how
    out["in_borough"] = in_borough
    out["unplaced_reason"] = reason
    counts = {f"placed_by_{k}": int((how == k).sum()) for k in ("uprn", "postcode", "coordinates")}
    counts.update({f"unplaced_{k}": int((reason == k).sum())
                   for k in ("no_location", "invalid_postcode", "unknown_postcode", "unknown_uprn",
                             "outside_borough", "outside_boundaries", "partial")})
    return PlacementResult(out, counts)
