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


def read_xlsx(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str,
                             engine="openpyxl", keep_default_na=False, na_values=[""])
    except zipfile.BadZipFile:
        raise ReadProblem("not an xlsx workbook (not a zip container)") from None
    except (ValueError, KeyError) as exc:
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
