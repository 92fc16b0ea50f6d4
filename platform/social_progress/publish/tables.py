"""Deterministic table files: the same frame always gives the same CSV and Parquet bytes.

Why: a release is recognised as unchanged only if every file is byte-identical, so rows
are sorted on a fixed key, floats are rounded and written with a fixed format, and the
Parquet writer is given fixed options (no statistics that depend on chunking, one row
group, fixed compression); pyarrow writes no timestamp into the file.
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


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format="%.10g")
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
