"""Writing the synthetic systems where the platform will find them: databases and files.

Why: the platform ingests from SQL databases (SQLite by default; PostgreSQL and MariaDB
in the `services` tests), XLSX, CSV and JSON, so each system is written in its own
format with explicit column types: DATE for dates, TIMESTAMP/DATETIME for `updated_at`,
INTEGER, NUMERIC and VARCHAR; tables are dropped and created fresh with primary keys.
`append_rows` adds rows to an existing table, for incremental-load tests.

Everything is byte-stable for a given seed: rows arrive sorted, JSON is written with a
fixed layout, and XLSX files carry fixed created/modified properties and fixed zip
timestamps. XLSX is written by a small streaming SpreadsheetML writer rather than
openpyxl: openpyxl took about 22 s per 100,000 rows here, and the pupil extract has
about 450,000. The files are ordinary workbooks (shared strings, a date style, document
properties); the tests read them back with openpyxl.
"""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from .schemas import SQL_TABLES, Column
from .streams import EPOCH, NULL_DAY

_SQLITE_DATETIME = sqlite.DATETIME(
    storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
    regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


# ------------------------------------------------------------------ SQL
def _sa_type(c: Column) -> sa.types.TypeEngine:
    if c.type == "str":
        return sa.String(c.length)
    if c.type == "int":
        return sa.Integer()
    if c.type == "date":
        return sa.Date()
    if c.type == "datetime":
        return sa.DateTime().with_variant(_SQLITE_DATETIME, "sqlite")
    if c.type == "numeric":
        return sa.Numeric(12, 2, asdecimal=False)
    raise ValueError(c.type)


def sa_table(name: str, metadata: sa.MetaData) -> sa.Table:
    cols = [sa.Column(c.name, _sa_type(c), primary_key=c.pk, nullable=c.nullable, autoincrement=False)
            for c in SQL_TABLES[name]]
    # SQLite: clustered on the key (no separate index); MySQL/MariaDB: names need utf8mb4
    return sa.Table(name, metadata, *cols, sqlite_with_rowid=False, mysql_charset="utf8mb4")


def _py_column(values: Any, c: Column) -> list:
    """A frame column as Python values the DB driver accepts (None for missing)."""
    v = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if c.type == "date":
        if v.dtype.kind in "iu":
            return [None if d == NULL_DAY else EPOCH + dt.timedelta(days=int(d)) for d in v]
        return [_to_date(x) for x in v]
    if c.type == "datetime":
        if v.dtype.kind == "M":
            return [x.astype("datetime64[s]").item() for x in v]
        return [_to_datetime(x) for x in v]
    if c.type == "int":
        return [None if _missing(x) else int(x) for x in v]
    if c.type == "numeric":
        return [None if _missing(x) else round(float(x), 2) for x in v]
    arr = np.asarray(v, dtype=object)
    miss = pd.isna(arr).tolist()
    return [None if m else (x if isinstance(x, str) else str(x)) for x, m in zip(arr.tolist(), miss)]


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NaT or x is pd.NA


def _to_date(x: Any) -> dt.date | None:
    if _missing(x):
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, (int, np.integer)):
        return None if x == NULL_DAY else EPOCH + dt.timedelta(days=int(x))
    return pd.Timestamp(x).date()


def _to_datetime(x: Any) -> dt.datetime | None:
    if _missing(x):
        return None
    if isinstance(x, dt.datetime):
        return x.replace(tzinfo=None)
    return pd.Timestamp(x).to_pydatetime().replace(tzinfo=None)


def _records(name: str, frame: pd.DataFrame) -> list[dict]:
    spec = SQL_TABLES[name]
    cols = [_py_column(frame[c.name], c) for c in spec]
    names = [c.name for c in spec]
    return [dict(zip(names, row)) for row in zip(*cols)]


def _sqlite_column(values: Any, c: Column) -> list:
    """A frame column as the values SQLAlchemy would store in SQLite (dates as ISO
    text, timestamps as 'yyyy-mm-dd HH:MM:SS'), converted in bulk."""
    v = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if c.type == "date" and v.dtype.kind in "iu":
        s = np.datetime_as_string(np.where(v == NULL_DAY, 0, v).astype("datetime64[D]")).astype(object)
        s[v == NULL_DAY] = None
        return s.tolist()
    if c.type == "datetime" and v.dtype.kind == "M":
        return np.char.replace(np.datetime_as_string(v.astype("datetime64[s]"), unit="s"), "T", " ").tolist()
    if c.type in ("int", "numeric") and v.dtype.kind in "iuf" and not np.isnan(v.astype(float)).any():
        return v.astype(int).tolist() if c.type == "int" else np.round(v.astype(float), 2).tolist()
    py = _py_column(values, c)
    if c.type == "date":
        return [None if x is None else x.isoformat() for x in py]
    if c.type == "datetime":
        return [None if x is None else x.strftime("%Y-%m-%d %H:%M:%S") for x in py]
    return py


def write_sql(url: str, tables: dict[str, pd.DataFrame], chunk: int = 20_000) -> dict[str, int]:
    """Drop and create each table, insert its rows in order; returns row counts.

    SQLite is filled through the driver's executemany (bulk-converted values); other
    databases through SQLAlchemy's batched multi-row inserts."""
    engine = sa.create_engine(url)
    counts = {}
    try:
        md = sa.MetaData()
        objs = {n: sa_table(n, md) for n in tables}
        with engine.begin() as conn:
            for n, t in objs.items():
                t.drop(conn, checkfirst=True)
                t.create(conn)
        for n, frame in tables.items():
            spec = SQL_TABLES[n]
            if engine.dialect.name == "sqlite":
                rows = list(zip(*[_sqlite_column(frame[c.name], c) for c in spec]))
                sql = (f"INSERT INTO {n} ({', '.join(c.name for c in spec)}) "
                       f"VALUES ({', '.join('?' for _ in spec)})")
                with engine.begin() as conn:
                    conn.exec_driver_sql(sql, rows)
                counts[n] = len(rows)
                continue
            recs = _records(n, frame)
            with engine.begin() as conn:
                for i in range(0, len(recs), chunk):
                    conn.execute(objs[n].insert(), recs[i:i + chunk])
            counts[n] = len(recs)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("VACUUM")
    finally:
        engine.dispose()
    return counts


def append_rows(url: str, table: str, frame: pd.DataFrame) -> int:
    """Append rows (columns named as the table's) to an existing synthetic table."""
    engine = sa.create_engine(url)
    try:
        t = sa_table(table, sa.MetaData())
        recs = _records(table, frame)
        if recs:
            with engine.begin() as conn:
                conn.execute(t.insert(), recs)
        return len(recs)
    finally:
        engine.dispose()


def read_table(url: str, table: str) -> pd.DataFrame:
    """A whole table, sorted by its primary key (for tests and checks)."""
    engine = sa.create_engine(url)
    try:
        pk = next(c.name for c in SQL_TABLES[table] if c.pk)
        with engine.connect() as conn:
            return pd.read_sql(sa.text(f"SELECT * FROM {table} ORDER BY {pk}"), conn)
    finally:
        engine.dispose()


# ------------------------------------------------------------------ CSV and JSON
def write_csv(path: Path, frame: pd.DataFrame, columns: Sequence[str]) -> int:
    frame.loc[:, list(columns)].to_csv(path, index=False, lineterminator="\n", na_rep="", encoding="utf-8")
    return len(frame)


def write_json(path: Path, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n",
                          encoding="utf-8")


# ------------------------------------------------------------------ XLSX
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_EXCEL_EPOCH_OFFSET = 25569  # 1970-01-01 as an Excel serial (1900 date system)


def _col_letters(n: int) -> list[str]:
    out = []
    for i in range(n):
        s, k = "", i + 1
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out


def _cells(values: np.ndarray, kind: str) -> list[str]:
    """XML of one column's cells, in row order. kind: str (values are shared-string
    indices, -1 = empty), int (-1 or None = empty), float, date (day numbers, NULL_DAY =
    empty). Cells carry no reference: readers count them along the row, and an empty
    cell is written as <c/> to keep the count."""
    if kind == "str":
        return ["<c/>" if v < 0 else f'<c t="s"><v>{v}</v></c>' for v in values.tolist()]
    if kind == "date":
        return ["<c/>" if v == NULL_DAY else f'<c s="1"><v>{v + _EXCEL_EPOCH_OFFSET}</v></c>' for v in values.tolist()]
    if kind == "int":
        return ["<c/>" if v is None or v == -1 or v != v else f"<c><v>{int(v)}</v></c>" for v in values.tolist()]
    return ["<c/>" if v is None or v != v else f"<c><v>{float(v)!r}</v></c>" for v in values.tolist()]


def write_xlsx(path: Path, sheet: str, frame: pd.DataFrame, columns: Sequence[str], kinds: dict[str, str],
               title: str, stamp: dt.datetime) -> int:
    """One-sheet workbook. `kinds` gives the cell kind of each column (default str):
    'int' (-1 or None = empty), 'float', 'date' (day numbers; NULL_DAY = empty)."""
    columns = list(columns)
    letters = _col_letters(len(columns))
    n = len(frame)
    # shared strings: header and every string value, in order of first appearance
    str_cols = [c for c in columns if kinds.get(c, "str") == "str"]
    codes, uniq = pd.factorize(pd.Series(np.concatenate(
        [np.asarray(columns, dtype=object)] + [frame[c].to_numpy(dtype=object) for c in str_cols])))
    header_codes = codes[: len(columns)]
    col_codes = {c: codes[len(columns) + i * n: len(columns) + (i + 1) * n] for i, c in enumerate(str_cols)}
    col_cells = [_cells(col_codes[c] if c in col_codes else frame[c].to_numpy(), kinds.get(c, "str"))
                 for c in columns]
    header = "".join(f'<c t="s"><v>{i}</v></c>' for i in header_codes)
    body = [f'<row r="1">{header}</row>']
    body += ["<row>" + "".join(cells) + "</row>" for cells in zip(*col_cells)]
    dim = f"A1:{letters[-1]}{n + 1}"
    sheet_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 f'<dimension ref="{dim}"/><sheetData>' + "".join(body) + "</sheetData></worksheet>")
    sst_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(uniq)}" '
               f'uniqueCount="{len(uniq)}">' + "".join(f"<si><t>{s}</t></si>" for s in _escape_all(uniq)) + "</sst>")
    files = _package(sheet, title, stamp)
    files["xl/sharedStrings.xml"] = sst_xml
    files["xl/worksheets/sheet1.xml"] = sheet_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name].encode("utf-8"))
    return n


def _escape_all(strings) -> list[str]:
    """XML-escape many strings in one pass (they contain no NUL)."""
    return escape("\x00".join(map(str, strings))).split("\x00")


def _package(sheet: str, title: str, stamp: dt.datetime) -> dict[str, str]:
    ts = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    ns_main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ns_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ns_pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"),
        "_rels/.rels": head + (
            f'<Relationships xmlns="{ns_pkg}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"),
        "docProps/core.xml": head + (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title>"
            "<dc:subject>SYNTHETIC records: not real people</dc:subject>"
            "<dc:creator>social_progress.synthetic</dc:creator>"
            "<cp:keywords>synthetic</cp:keywords>"
            "<dc:description>Synthetic stand-in generated for testing; every person in it is invented.</dc:description>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{ts}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{ts}</dcterms:modified>'
            "</cp:coreProperties>"),
        "docProps/app.xml": head + (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>social_progress.synthetic</Application></Properties>"),
        "xl/workbook.xml": head + (
            f'<workbook xmlns="{ns_main}" xmlns:r="{ns_rel}"><sheets>'
            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": head + (
            f'<Relationships xmlns="{ns_pkg}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": head + (
            f'<styleSheet xmlns="{ns_main}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"),
    }
