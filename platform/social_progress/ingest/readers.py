"""Read one landed file of a known format into a DataFrame, as close to the file as possible.

Why: the raw layer keeps what the publisher sent, so staging models (dbt) can cast and rename
with the file in view. CSV and XLSX cells are read as text (a code such as "00AA" or a
postcode keeps its form; "1.0" stays "1.0"), and only empty cells become NULL: other markers
such as "NA" or "None" are kept as written, because in open data they are as often a value
(a ward named "None", a postcode area "NA") as a missing one. Spatial files keep their
attribute types (the file declares them) and the geometry as WKT text in `geometry_wkt`
with its CRS in `_crs`, so DuckDB needs no spatial extension to hold them.

Every problem is raised as a `ReadProblem` whose message is meant to follow
"source 'x' (file): ".
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from .encoding import DecodeProblem, decode_text

SHAPEFILE_REQUIRED = (".shp", ".shx", ".dbf")
SHAPEFILE_OPTIONAL = (".prj", ".cpg")
GEOMETRY_COLUMN = "geometry_wkt"
CRS_COLUMN = "_crs"


class ReadProblem(ValueError):
    """The file cannot be read as declared; the message says why."""


def shapefile_parts(path: Path) -> list[Path]:
    """The files that make up a shapefile, required ones first; missing required ones raise."""
    missing = [ext for ext in SHAPEFILE_REQUIRED if not path.with_suffix(ext).is_file()]
    if missing:
        raise ReadProblem(f"shapefile is incomplete: missing {', '.join(missing)} next to it")
    return [path.with_suffix(ext) for ext in SHAPEFILE_REQUIRED + SHAPEFILE_OPTIONAL
            if path.with_suffix(ext).is_file()]


def read_table(path: Path, fmt: str, encoding: str = "utf-8", sheet: str | int | None = None) -> pd.DataFrame:
    """Read `path` as `fmt` (csv, xlsx, geojson, shapefile)."""
    if not path.is_file():
        raise ReadProblem("file not found")
    if fmt == "csv":
        return read_csv(path, encoding)
    if fmt == "xlsx":
        return read_xlsx(path, sheet)
    if fmt == "json":
        return read_json(path, encoding)
    if fmt in ("geojson", "shapefile"):
        return read_spatial(path, fmt, encoding)
    raise ReadProblem(f"unsupported format {fmt!r}")


def read_csv(path: Path, encoding: str) -> pd.DataFrame:
    try:
        text, used = decode_text(path.read_bytes(), encoding)
    except DecodeProblem as exc:
        raise ReadProblem(str(exc)) from None
    if not text.strip():
        raise ReadProblem("file is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadProblem(f"not valid CSV: {str(exc).strip()}") from None
    frame.attrs["encoding"] = used  # reported when the encoding was detected
    return frame


def read_json(path: Path, encoding: str) -> pd.DataFrame:
    """A JSON API payload: an array of flat records, or an object holding exactly one such
    array (`{"members": [...]}`). Values become text like a CSV's (nested values as JSON
    text), so the raw layer keeps what the API sent; null stays NULL."""
    import json

    try:
        text, used = decode_text(path.read_bytes(), encoding)
    except DecodeProblem as exc:
        raise ReadProblem(str(exc)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadProblem(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if isinstance(document, dict):
        arrays = [k for k, v in document.items() if isinstance(v, list)]
        if len(arrays) != 1:
            raise ReadProblem("a JSON object must hold exactly one array of records "
                              f"(found {len(arrays)}: {', '.join(arrays) or 'none'})")
        document = document[arrays[0]]
    if not isinstance(document, list):
        raise ReadProblem(f"expected an array of records, got {type(document).__name__}")
    bad = next((i for i, r in enumerate(document) if not isinstance(r, dict)), None)
    if bad is not None:
        raise ReadProblem(f"record {bad + 1} is not an object")
    columns = list(dict.fromkeys(k for record in document for k in record))
    frame = pd.DataFrame({c: [_json_text(r.get(c)) for r in document] for c in columns}, dtype=str)
    frame.attrs["encoding"] = used
    return frame


def _json_text(value: object) -> str | None:
    import json

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        # calamine (Rust) reads a 450,000-row export in ~11 s where openpyxl takes minutes;
        # both give the cached value of a formula cell
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str,
                             engine="calamine", keep_default_na=False, na_values=[""])
    except zipfile.BadZipFile:
        raise ReadProblem("not an xlsx workbook (not a zip container)") from None
    except (ValueError, KeyError) as exc:
        raise ReadProblem(f"cannot read workbook: {exc}") from None
    except Exception as exc:  # calamine's own error type: an unreadable container
        if type(exc).__name__ != "CalamineError":
            raise
        if not zipfile.is_zipfile(path):
            raise ReadProblem("not an xlsx workbook (not a zip container)") from None
        raise ReadProblem(f"cannot read workbook: {exc}") from None


def read_spatial(path: Path, fmt: str, encoding: str) -> pd.DataFrame:
    import geopandas as gpd
    import shapely

    options: dict[str, str] = {}
    if fmt == "shapefile":
        shapefile_parts(path)
        # A .cpg next to the .shp names the attribute encoding; otherwise use the declaration.
        if not path.with_suffix(".cpg").is_file() and encoding != "detect":
            options["encoding"] = encoding
    try:
        gdf = gpd.read_file(path, engine="pyogrio", **options)
    except Exception as exc:  # pyogrio raises several types, all meaning "not readable"
        raise ReadProblem(f"cannot read as {fmt}: {exc}") from None
    geometry_name = getattr(gdf, "_geometry_column_name", None)
    if geometry_name not in gdf.columns:
        geometry_name = None  # a layer without geometry (e.g. a GeoJSON of null geometries)
    out = pd.DataFrame(gdf.drop(columns=[geometry_name]) if geometry_name else gdf)
    if geometry_name:
        # Full precision: the raw layer must not round coordinates the publisher gave.
        out[GEOMETRY_COLUMN] = shapely.to_wkt(gdf.geometry.values, rounding_precision=-1)
        out[CRS_COLUMN] = gdf.crs.to_string() if gdf.crs is not None else None
    return out
