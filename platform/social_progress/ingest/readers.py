"""Read one landed file of a known format into a DataFrame, as close to the file as possible.

Why: the raw layer keeps what the publisher sent, so staging models (dbt) can cast and rename
with the file in view. CSV and XLSX cells are read as text (a code such as "00AA" or a
postcode keeps its form; "1.0" stays "1.0"), and only empty cells become NULL: other markers
such as "NA" or "None" are kept as written, because in open data they are as often a value
(a ward named "None", a postcode area "NA") as a missing one. Spatial files keep their
attribute types (the file declares them) and the geometry as WKT text in `geometry_wkt`
with its CRS in `_crs`, so DuckDB needs no spatial extension to hold them.

Structural faults are refused, naming the line (CSV, 1-based, the header counted) or the
cell (XLSX) and the column truly at fault, because each one otherwise passes silently or
sends the alert to the wrong column: a repeated column name (pandas renames the second
copy and a staging model reads only one), a row with more or fewer fields than the header
(every value after the gap shifts one column), a formula cell without a saved value (it
reads as empty), a year written as a decimal ("2019.0": the coverage check then misses
2019, and DuckDB rounds "2019.5" to 2020), and a code, number or date typed with non-ASCII
digits ("E0100０１２３": a `\\d` check passes it, the postcode normaliser and any join do not).

Every problem is raised as a `ReadProblem` whose message is meant to follow
"source 'x' (file): ".
"""
from __future__ import annotations

import csv
import io
import posixpath
import re
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

from .encoding import DecodeProblem, decode_text

SHAPEFILE_REQUIRED = (".shp", ".shx", ".dbf")
SHAPEFILE_OPTIONAL = (".prj", ".cpg")
GEOMETRY_COLUMN = "geometry_wkt"
CRS_COLUMN = "_crs"

# A CSV may hold long fields (WKT geometry); the csv module's default limit is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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
    _check_csv_shape(text)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadProblem(f"not valid CSV: {str(exc).strip()}") from None
    if not text.isascii() or any(map(_is_year_name, frame.columns)):
        found = _cell_problem(frame)
        if found:
            row, col, problem = found
            line = _csv_record_lines(text)[row + 1]  # +1: the header is record 0
            raise ReadProblem(f"line {line}, column {col + 1} ({str(frame.columns[col])!r}): {problem}")
    frame.attrs["encoding"] = used  # reported when the encoding was detected
    return frame


def _csv_records(text: str):
    """(first line, fields) of each record, as pandas sees them: empty and whitespace-only
    lines are skipped (a quoted empty field `""` is a record).

    The csv module does the counting, so a quoted comma or line break is not a separator."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for fields in reader:
            if fields and not (len(fields) == 1 and fields[0] and not fields[0].strip()):
                yield line, fields
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ReadProblem(f"not valid CSV: line {reader.line_num}: {exc}") from None


def _csv_record_lines(text: str) -> list[int]:
    """The first line of every record; only built when a problem must be placed."""
    return [line for line, _ in _csv_records(text)]


def _check_csv_shape(text: str) -> None:
    """Refuse a repeated column name or a row whose field count differs from the header's."""
    records = _csv_records(text)
    header_line, header = next(records)
    _check_header([str(h) for h in header], f"the header (line {header_line})", lambda i: str(i + 1))
    width = len(header)
    for line, fields in records:
        if len(fields) != width:
            raise ReadProblem(
                f"line {line} has {len(fields)} fields where the header (line {header_line}) has {width}; "
                "a missing or extra separator would shift every later value into the wrong column")


def _check_header(names: list[str], where: str, position) -> None:
    """Two columns whose names are equal once trimmed and case-folded cannot both be kept:
    pandas renames the second ('value.1'), DuckDB ignores case, and a reader sees one name.
    `position(i)` names the i-th (0-based) column: '3' in a CSV, 'C' in a sheet."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = name.strip().casefold()
        if not key or key.startswith("unnamed: "):  # an empty header cell; pandas names it
            continue
        if key in seen:
            j = seen[key]
            raise ReadProblem(f"{where} repeats the column name {names[j].strip()!r}: "
                              f"columns {position(j)} and {position(i)} "
                              f"({names[j]!r} and {name!r}); every column needs its own name")
        seen[key] = i


# -------------------------------------------------------------------------- cell checks

# A year column: its name ends in the word "year" ("year", "Year", "closed_year"; not
# "year_group" or "arrears_at_year_end") and every filled cell is a year 1800-2199,
# perhaps written with decimals; a money column such as "cost_per_year" is not one.
_YEAR_NAME = re.compile(r"(?:^|[^a-z])year$")
_YEARISH = r"^\s*(?:1[89]|2[01])[0-9]{2}(?:\.[0-9]*)?\s*$"
# What a value would be if its digits were ASCII: a code, number, date or postcode
# ("E01000123", "12.5", "2019-01-01", "RM10 7AB"); free text ("Flat ３") is not refused.
_CODE_LIKE = re.compile(r"[A-Za-z]{0,3}[0-9][0-9A-Za-z]*(?:[ .,/:-][0-9A-Za-z]+)*", re.ASCII)


def _is_year_name(name: object) -> bool:
    return bool(_YEAR_NAME.search(str(name).strip().lower()))


def _non_ascii_digits(value: str) -> str | None:
    """The first non-ASCII decimal digit (what `\\d` and int() accept: "０", "٣") of a
    code-like value, else None. Superscripts ("m²") are not decimal digits."""
    odd = [c for c in value if c.isdecimal() and not c.isascii()]
    if not odd:
        return None
    ascii_form = "".join(str(unicodedata.decimal(c)) if c in odd else c for c in value.strip())
    return odd[0] if _CODE_LIKE.fullmatch(ascii_form) else None


def _cell_problem(frame: pd.DataFrame) -> tuple[int, int, str] | None:
    """The first (frame row, column position, problem) in file order, or None.

    Only text columns are looked at; vectorised filters keep a clean file cheap (one to two
    seconds on a 450,000-row workbook that takes 20-30 s to read)."""
    found: list[tuple[int, int, str]] = []
    for col in range(frame.shape[1]):
        values = frame.iloc[:, col]
        if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
            continue
        text = values.astype("string")  # no copy when already text (read_csv and read_excel give str)
        if _is_year_name(frame.columns[col]):
            yearish = text.str.contains(_YEARISH, na=False)
            filled = text.notna() & text.str.strip().ne("").fillna(False)
            decimal = yearish & text.str.contains(".", regex=False, na=False)
            hits = decimal.to_numpy(bool).nonzero()[0] if (yearish == filled).all() else []
            if len(hits):
                value = str(text.iloc[hits[0]])
                more = f" ({len(hits)} cells of the column are)" if len(hits) > 1 else ""
                found.append((int(hits[0]), col, f"the year {value.strip()!r} is written as a decimal number{more}; "
                              "a year must be a whole number such as 2019"))
        odd = (~text.str.isascii().fillna(True)).to_numpy(bool)
        if odd.any():
            for row, value in zip(odd.nonzero()[0], text[odd].tolist()):
                digit = _non_ascii_digits(value)
                if digit:
                    found.append((int(row), col, f"{value!r} has the non-ASCII digit {digit!r} "
                                  f"(U+{ord(digit):04X} {unicodedata.name(digit, '?')}); codes, numbers "
                                  "and dates take only the digits 0-9"))
                    break
    return min(found, default=None)


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
    found = _cell_problem(frame)
    if found:
        row, col, problem = found
        raise ReadProblem(f"record {row + 1}, field {str(frame.columns[col])!r}: {problem}")
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
    frame = _read_excel(path, sheet)
    name, part = _sheet_part(path, 0 if sheet is None else sheet)
    where = f"sheet {name!r}"
    header = [_header_text(c) for c in frame.columns]
    if _renamed(header):
        header = _raw_header(path, name)  # compare the names as written, not as pandas renamed them
    _check_header(header, f"the header ({where} row 1)", _letter)
    if part is not None:
        _check_formulas(path, part, where, frame)
    found = _cell_problem(frame)
    if found:
        row, col, problem = found
        raise ReadProblem(f"{where} cell {_letter(col)}{row + 2} (column {str(frame.columns[col])!r}): {problem}")
    return frame


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        # calamine (Rust) reads a 450,000-row export in ~11 s where openpyxl takes minutes;
        # both give the cached value of a formula cell (none at all if it was never calculated:
        # `_check_formulas`). Row 1 is the header and blank rows are kept, so frame row i is
        # sheet row i + 2 and frame column j is sheet column j.
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


_MANGLED = re.compile(r"(.+)\.[0-9]+")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# how a formula element starts, with or without a namespace prefix (`<f>`, `<x:f t="shared"/>`)
_FORMULA_MARKS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")


def _letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based position (0 -> A, 27 -> AB)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _header_text(value: object) -> str:
    """A header cell as text, as pandas names the column (a number 2019.0 is '2019')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _renamed(header: list[str]) -> bool:
    """True when pandas may have renamed a repeated name ('value', 'value.1'); a header may
    also hold such names as written, so the caller reads row 1 again to tell."""
    names = set(header)
    return any((m := _MANGLED.fullmatch(h)) is not None and m.group(1) in names for h in header)


def _raw_header(path: Path, sheet: str) -> list[str]:
    """Row 1 of the sheet as written, before pandas renames repeated names."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=1)
    return [_header_text(v) for v in (rows[0] if rows else [])]


def _sheet_part(path: Path, sheet: str | int) -> tuple[str, str | None]:
    """(sheet name, its XML part in the zip), from the workbook's own index.

    Part None when the index cannot be read (pandas already read the sheet, so the only
    loss is the formula check)."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return str(sheet), None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = [(s.get("name", ""), targets.get(s.get(f"{_REL_NS}id"), "")) for s in book.iter(f"{_MAIN_NS}sheet")]
    match = sheets[sheet] if isinstance(sheet, int) and 0 <= sheet < len(sheets) else next(
        (s for s in sheets if s[0] == sheet), None)
    if match is None or not match[1]:
        return str(sheet), None
    name, target = match
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return name, part


def _check_formulas(path: Path, part: str, where: str, frame: pd.DataFrame) -> None:
    """Refuse formula cells without a saved value: they read as empty, silently.

    A workbook written by a program that does not calculate (openpyxl, many report
    generators) stores the formula only. The sheet's XML is read directly rather than
    loading the workbook twice with openpyxl (minutes on a large export), and parsed only
    when it holds a formula at all."""
    with zipfile.ZipFile(path) as zf:
        if part not in zf.namelist() or not _has_formula(zf, part):
            return
        first, count = None, 0
        row, col = 0, -1
        with zf.open(part) as fh:
            for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                tag = el.tag.rpartition("}")[2]
                if event == "start":
                    if tag == "row":
                        row, col = int(el.get("r") or row + 1), -1
                    elif tag == "c":
                        col = _column_index(el.get("r")) if el.get("r") else col + 1
                    continue
                if tag == "c":
                    kinds = {child.tag.rpartition("}")[2]: child for child in el}
                    value = kinds.get("v")
                    if ("f" in kinds and (value is None or not value.text)
                            and el.get("t") not in ("str", "inlineStr")):  # "str": a cached ""
                        count += 1
                        formula = f"the formula ={kinds['f'].text}" if kinds["f"].text else "a shared formula"
                        first = first or (f"{_letter(col)}{row}", col, formula)
                    el.clear()
                elif tag == "row":
                    el.clear()
    if first:
        ref, col, formula = first
        name = str(frame.columns[col]) if col < frame.shape[1] else "?"
        more = f" ({count} such cells in the sheet)" if count > 1 else ""
        raise ReadProblem(f"{where} cell {ref} (column {name!r}) holds {formula} without a saved "
                          f"value, which would read as empty{more}; the workbook was saved by a program that "
                          "does not calculate formulas: open and save it in a spreadsheet program, or export values")


def _has_formula(zf: zipfile.ZipFile, part: str) -> bool:
    """A quick byte scan (a false positive only costs the full parse)."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 22):
            window = tail + chunk
            if any(mark in window for mark in _FORMULA_MARKS):
                return True
            tail = chunk[-8:]
    return False


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ("C7" -> 2)."""
    index = 0
    for ch in ref:
        if not ch.isalpha():
            break
        index = index * 26 + (ord(ch.upper()) - 64)
    return index - 1


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
