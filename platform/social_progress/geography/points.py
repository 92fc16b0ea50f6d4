"""Points to areas: coordinates to LSOA 2011/2021, wards (pre- and post-2022) and borough.

Why: crimes, schools, GP practices, food premises and postcodes all arrive as points;
every indicator needs them counted in the same areas. Points are projected to EPSG:27700
(British National Grid, metres) and placed by an exact point-in-polygon lookup
(`locator.PolygonIndex`): a point on a shared boundary goes to the lowest code, so the
answer never depends on file or row order.

Bad input never fails the run; it is counted in the MatchReport and marked per row in
`geo_status`:

* missing, non-numeric or infinite coordinates, empty/non-point geometries -> invalid;
* latitude and longitude (or easting and northing) swapped -> swapped back when only the
  swapped reading lands near the boundaries (`swapped_coordinates`, `fixed`);
* a missing or wrong CRS -> the reading (WGS84 lon/lat or British National Grid) that
  lands near the boundaries is used and counted in `crs_assumed`;
* points in the sea or beyond the boundaries -> `outside_boundaries`, listed by example;
* points placed outside the borough of interest -> `outside_borough`.
"""
from __future__ import annotations

from typing import Any, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from .locator import PolygonIndex
from .match_report import MatchReport

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
#: how far beyond the layers' bounding box a reading still counts as plausible (metres)
PLAUSIBLE_MARGIN_M = 5_000.0


def layer_index(layer: Any, name: str) -> PolygonIndex:
    """A PolygonIndex for one layer given as an index, a GeoDataFrame or (GeoDataFrame, code column).

    The code column of a GeoDataFrame defaults to f"{name}_code" (as the boundary
    loaders name them), else "code". Layers are projected to EPSG:27700; a layer with
    no CRS is taken to be in EPSG:27700 only if its bounds look like it.
    """
    if isinstance(layer, PolygonIndex):
        return layer
    code_col = None
    if isinstance(layer, tuple):
        layer, code_col = layer
    if not isinstance(layer, gpd.GeoDataFrame):
        raise TypeError(f"layer {name!r}: expected a GeoDataFrame, (GeoDataFrame, code column) or PolygonIndex")
    if code_col is None:
        code_col = f"{name}_code" if f"{name}_code" in layer.columns else "code"
    if code_col not in layer.columns:
        raise KeyError(f"layer {name!r}: no code column {code_col!r} (columns: {list(layer.columns)})")
    notes: list[str] = []
    if layer.crs is None:
        minx, miny, maxx, maxy = layer.total_bounds
        if not (0 <= minx and maxx <= 700_000 and 0 <= miny and maxy <= 1_300_000):
            raise ValueError(f"layer {name!r} has no CRS and does not look like British National Grid")
        layer = layer.set_crs(BNG)
        notes.append(f"layer {name!r} had no CRS: taken as EPSG:27700 (its bounds fit British National Grid)")
    elif not pyproj.CRS(layer.crs).equals(pyproj.CRS(BNG)):
        layer = layer.to_crs(BNG)
    idx = PolygonIndex(layer.geometry.values, layer[code_col].astype(str).values)
    idx.notes = notes
    return idx


def _code_column(codes: np.ndarray, pos: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Codes for located positions as a pandas string column (<NA> where -1), built in Arrow.

    Why: turning a million Python strings into a string column costs more than locating
    the points; taking from the small array of codes does not.
    """
    import pyarrow as pa

    taken = pa.array(codes.astype(str), type=pa.large_string()).take(
        pa.array(np.where(pos >= 0, pos, 0), mask=pos < 0))
    return pd.array(taken, dtype=pd.StringDtype("pyarrow"))


def build_indexes(layers: Mapping[str, Any]) -> dict[str, PolygonIndex]:
    """Index every layer once; pass the result to `assign_points` to reuse it across sources."""
    return {name: layer_index(layer, name) for name, layer in layers.items()}


def _read_xy(df: pd.DataFrame, x_col: str | None, y_col: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw x, y as floats and a mask of usable rows (finite numbers / non-empty points)."""
    if x_col is None or y_col is None:
        if not isinstance(df, gpd.GeoDataFrame):
            raise ValueError("give x_col and y_col, or a GeoDataFrame of points")
        g = np.asarray(df.geometry.values, dtype=object)
        ok = ~shapely.is_missing(g)
        ok[ok] = (shapely.get_type_id(g[ok]) == 0) & ~shapely.is_empty(g[ok])
        x = np.full(len(df), np.nan)
        y = np.full(len(df), np.nan)
        x[ok] = shapely.get_x(g[ok])
        y[ok] = shapely.get_y(g[ok])
    else:
        x = pd.to_numeric(df[x_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        y = pd.to_numeric(df[y_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    return x, y, ok


def _to_bng(crs, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    crs = pyproj.CRS(crs)
    if crs.equals(pyproj.CRS(BNG)):
        return x.copy(), y.copy()
    t = pyproj.Transformer.from_crs(crs, BNG, always_xy=True)
    with np.errstate(all="ignore"):
        X, Y = t.transform(x, y, errcheck=False)
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    bad = ~(np.isfinite(X) & np.isfinite(Y))
    X[bad] = np.nan
    Y[bad] = np.nan
    return X, Y


def resolve_coordinates(x, y, ok, crs, extent, fix_swapped: bool = True, infer_crs: bool = True):
    """Project to EPSG:27700, repairing swapped axes and missing/wrong CRS where plausible.

    For each row the readings are tried in order - as declared, declared with axes
    swapped, then the other usual CRS (WGS84 lon/lat, British National Grid) either way
    round - and the first that lands within `extent` (bounds of the boundaries plus a
    margin) is kept. Rows no reading places keep the declared reading (they will count
    as outside the boundaries). Returns X, Y, swapped mask, crs_assumed mask.
    """
    n = len(x)
    minx, miny, maxx, maxy = extent
    declared = pyproj.CRS(crs) if crs is not None else None
    readings: list[tuple[Any, bool]] = []
    if declared is not None:
        readings.append((declared, False))
        if fix_swapped:
            readings.append((declared, True))
    if infer_crs or declared is None:
        for other in (WGS84, BNG):
            if declared is None or not declared.equals(pyproj.CRS(other)):
                readings.append((pyproj.CRS(other), False))
                if fix_swapped:
                    readings.append((pyproj.CRS(other), True))
    X = np.full(n, np.nan)
    Y = np.full(n, np.nan)
    swapped = np.zeros(n, bool)
    assumed = np.zeros(n, bool)
    todo = ok.copy()
    for reading_crs, swap in readings:
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        a, b = (y[rows], x[rows]) if swap else (x[rows], y[rows])
        if reading_crs.is_geographic:  # only try lon/lat readings that are valid angles
            valid = (np.abs(a) <= 180) & (np.abs(b) <= 90)
            rows, a, b = rows[valid], a[valid], b[valid]
        PX, PY = _to_bng(reading_crs, a, b)
        near = (PX >= minx) & (PX <= maxx) & (PY >= miny) & (PY <= maxy)
        hit = rows[near]
        X[hit], Y[hit] = PX[near], PY[near]
        swapped[hit] = swap
        assumed[hit] = declared is None or not reading_crs.equals(declared)
        todo[hit] = False
    # rows no reading places: keep the declared (or most plausible) reading, unrepaired
    rest = np.flatnonzero(todo)
    if len(rest):
        fallback = declared
        if fallback is None:
            fallback = pyproj.CRS(WGS84) if np.all((np.abs(x[rest]) <= 180) & (np.abs(y[rest]) <= 90)) else pyproj.CRS(BNG)
            assumed[rest] = True
        if fallback.is_geographic:
            valid = (np.abs(x[rest]) <= 180) & (np.abs(y[rest]) <= 90)
            rest = rest[valid]
        X[rest], Y[rest] = _to_bng(fallback, x[rest], y[rest])
    return X, Y, swapped, assumed


def assign_points(
    df: pd.DataFrame,
    x_col: str | None,
    y_col: str | None,
    crs: Any,
    layers: Mapping[str, Any],
    *,
    borough: str | None = None,
    borough_layer: str = "lad",
    key_cols: list[str] | None = None,
    source: str = "",
    fix_swapped: bool = True,
    infer_crs: bool = True,
    threads: int | None = None,
    report: MatchReport | None = None,
) -> tuple[pd.DataFrame, MatchReport]:
    """Place every row's point in each layer; return the rows with codes, plus a MatchReport.

    df: records with coordinates in `x_col`/`y_col` (longitude/latitude or
        easting/northing), or a GeoDataFrame of points with x_col=y_col=None.
    crs: the CRS the coordinates are declared in (e.g. "EPSG:4326", "EPSG:27700"), or
        None to infer it; a GeoDataFrame's own CRS is used when crs is None.
    layers: {name: GeoDataFrame | (GeoDataFrame, code column) | PolygonIndex}; the
        output has one column f"{name}_code" per layer (e.g. lsoa11_code, ward22_code).
    borough: GSS code of the borough of interest; rows placed elsewhere in
        `borough_layer` are flagged `outside_borough`.
    key_cols: fields copied into the report's examples (never the whole record).

    Returns a copy of df (same index and row order) with columns x_27700, y_27700, one
    code column per layer, geo_status (matched | partial | outside_boundaries |
    invalid), geo_fix ('' | swapped | crs | swapped+crs) and, when `borough` is given,
    outside_borough.
    """
    if crs is None and isinstance(df, gpd.GeoDataFrame) and x_col is None:
        crs = df.crs
    indexes = build_indexes(layers)
    rep = report or MatchReport(source=source)
    rep.step = rep.step or "assign_points"
    n = len(df)
    out = pd.DataFrame(df).copy()
    key_cols = [c for c in (key_cols or []) if c in out.columns]
    x, y, ok = _read_xy(df, x_col, y_col)

    bounds = np.array([ix.bounds for ix in indexes.values() if ix.codes.size], float)
    if len(bounds):
        extent = (bounds[:, 0].min() - PLAUSIBLE_MARGIN_M, bounds[:, 1].min() - PLAUSIBLE_MARGIN_M,
                  bounds[:, 2].max() + PLAUSIBLE_MARGIN_M, bounds[:, 3].max() + PLAUSIBLE_MARGIN_M)
    else:
        extent = (np.inf, np.inf, -np.inf, -np.inf)
    if crs is None:
        rep.note("no CRS declared: each point's CRS inferred (WGS84 or British National Grid)")
    X, Y, swapped, assumed = resolve_coordinates(x, y, ok, crs, extent, fix_swapped, infer_crs)
    ok &= np.isfinite(X) & np.isfinite(Y)
    swapped &= ok
    assumed &= ok

    found = np.zeros(n, np.int32)
    positions: dict[str, np.ndarray] = {}
    for name, ix in indexes.items():
        pos = ix.locate(X, Y, threads=threads) if n else np.zeros(0, np.int32)
        pos[~ok] = -1
        out[f"{name}_code"] = _code_column(ix.codes, pos)
        positions[name] = pos
        hit = pos >= 0
        found += hit
        rep.unmatched_by_layer[name] = int((ok & ~hit).sum())
        for text in getattr(ix, "notes", []):
            rep.note(text)
        if ix.cleaning.missing_code:
            rep.note(f"layer {name}: {ix.cleaning.missing_code} polygon(s) without a code dropped")
        for k, v in ix.cleaning.to_dict().items():
            if k in ("empty_dropped", "invalid_repaired", "non_polygonal_dropped") and v:
                rep.note(f"layer {name}: {v} polygon(s) {k.replace('_', ' ')}: {ix.cleaning.to_dict()['examples'][k]}")
    nlayers = len(indexes)
    status = np.where(~ok, "invalid",
                      np.where(found == nlayers, "matched", np.where(found == 0, "outside_boundaries", "partial")))
    fix = np.where(swapped & assumed, "swapped+crs", np.where(swapped, "swapped", np.where(assumed, "crs", "")))
    out["x_27700"] = X
    out["y_27700"] = Y
    out["geo_status"] = status
    out["geo_fix"] = fix

    rep.total += n
    rep.matched += int((status == "matched").sum())
    rep.invalid += int((status == "invalid").sum())
    rep.outside_boundaries += int((status == "outside_boundaries").sum())
    rep.partial += int((status == "partial").sum())
    rep.unmatched += int(((status == "outside_boundaries") | (status == "partial")).sum())
    rep.swapped_coordinates += int(swapped.sum())
    rep.crs_assumed += int(assumed.sum())
    rep.fixed += int((swapped | (assumed & (crs is not None))).sum())

    raw_x = x_col or "x"
    raw_y = y_col or "y"

    def ex(mask: np.ndarray, category: str, extra: tuple[str, ...] = ()) -> None:
        """A few example rows: row position, the key fields, the coordinates, `extra` columns."""
        rows = np.flatnonzero(mask)[: rep.max_examples]
        if not len(rows):
            return
        e = out.iloc[rows][key_cols].copy() if key_cols else pd.DataFrame(index=out.index[rows])
        e.insert(0, "row", rows)
        e[raw_x] = x[rows]
        e[raw_y] = y[rows]
        for k in extra:
            if k == "raw":
                e[k] = ([f"{df[x_col].iloc[r]!r}, {df[y_col].iloc[r]!r}" for r in rows] if x_col and y_col
                        else ["empty or non-point geometry"] * len(rows))
            else:
                e[k] = out[k].iloc[rows].to_numpy(dtype=object)
        rep.add_examples(category, e.reset_index(drop=True))

    ex(status == "invalid", "invalid", ("raw",))
    ex(status == "outside_boundaries", "outside_boundaries", ("x_27700", "y_27700"))
    ex(status == "partial", "partial", tuple(f"{k}_code" for k in indexes))
    ex(swapped, "swapped_coordinates")
    ex(assumed, "crs_assumed")
    ex(swapped | (assumed & (crs is not None)), "fixed", ("geo_fix",))
    ex((status == "outside_boundaries") | (status == "partial"), "unmatched", ("geo_status",))

    if borough is not None:
        col = f"{borough_layer}_code"
        if borough_layer in positions:
            pos = positions[borough_layer]
            codes = indexes[borough_layer].codes
            hit = np.flatnonzero(codes == borough)
            outside = (pos >= 0) & (pos != (hit[0] if len(hit) else -2))
            out["outside_borough"] = outside
            rep.outside_borough += int(outside.sum())
            ex(outside, "outside_borough", (col,))
        else:
            rep.note(f"borough check skipped: no layer named {borough_layer!r}")
    if crs is not None and rep.crs_assumed:
        rep.note(f"{rep.crs_assumed} point(s) did not fit the declared CRS {crs} and were read in another")
    return out, rep


def agreement_report(
    df: pd.DataFrame,
    given_col: str,
    assigned_col: str,
    *,
    key_cols: list[str] | None = None,
    source: str = "",
    max_examples: int = 5,
) -> MatchReport:
    """Compare an area code the publisher assigned (e.g. police.uk's `LSOA code`) with ours.

    Why: a source that carries its own area codes is a free check of the boundaries
    and of the source. matched = same code; unmatched = both present but different
    (listed with both codes: usually a point metres from a generalised boundary);
    invalid = no code on one side. Rows outside our boundaries count as invalid here,
    because `assign_points` already reports them.
    """
    rep = MatchReport(source=source, step=f"agreement:{given_col}~{assigned_col}", max_examples=max_examples)
    given = df[given_col].astype("string").str.strip()
    ours = df[assigned_col].astype("string")
    both = (given.notna() & ours.notna()).to_numpy(bool)
    same = both & (given == ours).fillna(False).to_numpy(bool)
    rep.total = len(df)
    rep.matched = int(same.sum())
    rep.unmatched = int((both & ~same).sum())
    rep.invalid = rep.total - rep.matched - rep.unmatched
    keys = [c for c in (key_cols or []) if c in df.columns]
    diff = df.loc[both & ~same, [*keys, given_col, assigned_col]].copy()
    diff.insert(0, "row", np.flatnonzero(both & ~same))
    rep.add_examples("unmatched", diff.reset_index(drop=True))
    return rep
