"""Deterministic table files: the same frame always gives the same CSV and Parquet bytes.

Why: a release is recognised as unchanged only if every file is byte-identical, so rows
are sorted on a fixed key, floats are rounded and written with a fixed format, and the
Parquet writer is given fixed options (no statistics that depend on chunking, one row
group, fixed compression); pyarrow writes no timestamp into the file.

Formula injection: the CSV files are opened in spreadsheets, which run a cell beginning with
`=`, `+`, `-` or `@` as a formula (some skip a leading tab or carriage return first), so a
ward name `=HYPERLINK(...)` from an input would become a live link. Every CSV goes through csv_bytes,
which writes such text cells with a leading `'` (OWASP's advice; see csv_safe). Parquet
files are data for programs, not spreadsheets: they keep every value as it is.
"""
from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def tidy(frame: pd.DataFrame, order: list[str], round_to: dict[str, int] | None = None,
         ints: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy with rows in a fixed order, floats rounded (no -0.0) and integer columns as Int64."""
    out = frame.copy()
    for col, digits in (round_to or {}).items():
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(digits) + 0.0
    for col in ints:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    keys = [c for c in order if c in out.columns]
    if keys:
        out = out.sort_values(keys, ignore_index=True, kind="mergesort")
    return out.reset_index(drop=True)


# what a spreadsheet reads as the start of a formula (OWASP, CSV Injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _risky(value) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_START) or "\r" in value)


def _neutralise(value):
    """`value` with a leading `'` if it is text a spreadsheet would run as a formula.

    A carriage return inside text becomes a line feed: the CSV writer quotes a field holding
    a line feed but not one holding a bare carriage return, which a spreadsheet reads as a
    new row, whose first cell (text after the carriage return, say "=HYPERLINK(...)") would
    escape the check above."""
    if not _risky(value):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and column name) that begins with = + - @, a tab or a
    carriage return prefixed with `'`, so a spreadsheet shows it as text and never runs it.

    Only text is changed: numeric columns (int, float, Int64, bool) and numbers held in
    text columns are written as they are, so -3.5 stays -3.5. Text that merely looks like
    a negative number ("-1" in a code column) is prefixed too, as OWASP advises: one rule
    for every text cell is easier to trust than judging which text is "only a number"
    ("-2+3" is a formula). A carriage return in text is written as a line feed (see
    _neutralise). Returns `frame` itself when nothing needs changing."""
    out = frame
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        values = column.astype(object)
        if values.map(_risky).astype(bool).any():
            if out is frame:
                out = frame.copy()
            out.isetitem(i, values.map(_neutralise))
    names = [_neutralise(c) for c in frame.columns]
    if names != list(frame.columns):
        out = out.set_axis(names, axis=1)
    return out


def csv_bytes(frame: pd.DataFrame, *, float_format: str = "%.10g", guard: bool = True) -> bytes:
    """The CSV bytes of `frame`, formula-safe (csv_safe). Every CSV of a release is written
    here, so none can carry a live formula. `guard=False` only to read a table back into a
    frame (e.g. for its Parquet twin, which keeps the original text), never for a file."""
    buf = io.StringIO()
    (csv_safe(frame) if guard else frame).to_csv(buf, index=False, lineterminator="\n",
                                                 float_format=float_format)
    return buf.getvalue().encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # the pandas metadata holds the pandas version only: drop it so the bytes depend on the data
    table = table.replace_schema_metadata(None)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=9, row_group_size=max(len(frame), 1),
                   use_dictionary=True, write_statistics=True, version="2.6")
    return buf.getvalue()


def both(name: str, frame: pd.DataFrame) -> dict[str, bytes]:
    """`name`.csv and `name`.parquet for one frame."""
    return {f"{name}.csv": csv_bytes(frame), f"{name}.parquet": parquet_bytes(frame)}
