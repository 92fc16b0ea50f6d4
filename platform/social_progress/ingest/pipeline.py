"""Ingest one catalogue source: find, hash, read, validate, land, then write raw.<id>.

Why this order: everything that can fail on bad input (a missing file, an undecodable byte,
a renamed column) happens before anything is written, and the only write that matters, the
raw table plus its log row, is one DuckDB transaction. So a failed ingest leaves the
previous raw table and log untouched, and the error names the source, file and problem.

An input whose content hash equals the last ingested one is not read again: the result is
'unchanged' with the previous row count. Changing how a source is read (encoding, required
columns) without changing the file needs `force=True`.
"""
from __future__ import annotations

import glob
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from social_progress.catalogue import Catalogue, FileReader, HttpReader, Source, SqlReader
from social_progress.settings import Settings

from . import http, sql, warehouse
from .errors import IngestError
from .landing import InputFile, InputSet, land
from .readers import ReadProblem, read_table, shapefile_parts

SOURCE_FILE_COLUMN = "_source_file"


@dataclass(frozen=True)
class IngestResult:
    source_id: str
    status: str                     # "ingested" or "unchanged"
    content_hash: str
    rows: int
    columns: int
    landed_path: str
    table: str                      # raw.<source_id>
    column_names: tuple[str, ...] = ()
    origin: str = "file"            # file, download, cache, fallback or sql
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0


def ingest_source(source: Source, settings: Settings, *, force: bool = False) -> IngestResult:
    """Bring one source into raw.<id>; raise IngestError (and write nothing) on bad input."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"ingest-{source.id}-") as scratch:
        inputs, origin, notes = _resolve(source, settings, Path(scratch))
        table = f"raw.{source.id}"
        # The database is held only for the check and the write; reading runs in parallel.
        previous = None
        if not force:
            with warehouse.writer_lock(settings.duckdb_path):
                previous = warehouse.last_ingest(settings.duckdb_path, source.id)
        if previous is not None and previous.content_hash == inputs.content_hash:
            return IngestResult(source.id, "unchanged", previous.content_hash, previous.rows,
                                previous.columns, previous.landed_path, table, previous.column_names,
                                origin, notes, time.perf_counter() - started)
        frame, read_notes = _read_all(source, inputs)
        notes = notes + read_notes
        landed = land(inputs, source.id, settings.landing_dir)
        try:
            with warehouse.writer_lock(settings.duckdb_path):
                entry = warehouse.write_raw_table(settings.duckdb_path, source.id, frame,
                                                  inputs.content_hash, str(landed))
        except Exception as exc:
            raise IngestError(source.id, table, f"writing to {settings.duckdb_path} failed: {exc}") from exc
    return IngestResult(source.id, "ingested", entry.content_hash, entry.rows, entry.columns,
                        entry.landed_path, table, entry.column_names, origin, notes,
                        time.perf_counter() - started)


def fingerprint_source(source: Source, settings: Settings) -> str:
    """The content hash a source would be ingested with now, without reading or writing it.

    Cheap for files (hashing only); an http source resolves like ingest does (cache, or the
    local fallback unless downloads are allowed); a SQL source runs its query. It is what
    the refresh records as the input's data version, so an unchanged input re-runs nothing.
    """
    with tempfile.TemporaryDirectory(prefix=f"fingerprint-{source.id}-") as scratch:
        inputs, _, _ = _resolve(source, settings, Path(scratch))
        return inputs.content_hash


def ingest_catalogue(catalogue: Catalogue, settings: Settings, *, force: bool = False) -> list[IngestResult]:
    """Ingest every source in order; stop at the first error (it names the source)."""
    return [ingest_source(source, settings, force=force) for source in catalogue.sources]


# ----------------------------------------------------------------------------- inputs

def _resolve(source: Source, settings: Settings, scratch: Path) -> tuple[InputSet, str, tuple[str, ...]]:
    """Find the input files of a source (downloading or querying as needed) and hash them."""
    reader = source.reader
    root = settings.project_root
    if isinstance(reader, FileReader):
        if reader.is_glob:
            paths = sorted(Path(p) for p in glob.glob(str(root / reader.path)) if Path(p).is_file())
            if not paths:
                raise IngestError(source.id, reader.path, "no file matches the pattern")
            return InputSet(tuple(_input(source, p, _label(p, root)) for p in paths), True), "file", ()
        path = root / reader.path
        return InputSet((_input(source, path, _label(path, root)),), False), "file", ()
    if isinstance(reader, HttpReader):
        got = http.fetch(source.id, reader, settings.http_cache_dir, root)
        notes = (got.note,) if got.note else ()
        return InputSet((_input(source, got.path, got.label),), False), got.origin, notes
    if isinstance(reader, SqlReader):
        path = scratch / f"{source.id}.csv"
        path.write_bytes(sql.run_query(source.id, reader))
        return InputSet((_input(source, path, f"sql:{source.id}"),), False), "sql", ()
    raise IngestError(source.id, "reader", f"unsupported reader {type(reader).__name__}")


def _input(source: Source, path: Path, label: str) -> InputFile:
    if not path.is_file():
        raise IngestError(source.id, label, "file not found")
    parts = None
    if source.reader.format == "shapefile":
        try:
            parts = shapefile_parts(path)
        except ReadProblem as exc:
            raise IngestError(source.id, label, str(exc)) from None
    return InputFile.from_parts(path, label, parts)


def _label(path: Path, root: Path) -> str:
    """How a file is named in _source_file and messages: relative to the project root.

    Symbolic links are not followed: a data file linked into the project is still named by
    its place in the project, so the name (and a glob's content hash, which includes the
    names) does not change when the project is copied or moved."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- reading

def _read_all(source: Source, inputs: InputSet) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """All input files as one frame (union of columns) plus notes, e.g. detected encodings."""
    reader = source.reader
    frames, notes = [], []
    for item in inputs.files:
        try:
            frame = read_table(item.path, reader.format, reader.encoding, getattr(reader, "sheet", None))
        except ReadProblem as exc:
            raise IngestError(source.id, item.label, str(exc)) from None
        if reader.encoding == "detect" and "encoding" in frame.attrs:
            notes.append(f"{item.label}: text encoding detected as {frame.attrs['encoding']}")
        _check_columns(source, item.label, frame)
        frame[SOURCE_FILE_COLUMN] = item.label
        frames.append(frame)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, sort=False)
    where = inputs.files[0].label if len(inputs.files) == 1 else f"{len(inputs.files)} files"
    if frame.empty:
        raise IngestError(source.id, where, "no data rows; the previous raw table is kept")
    _check_unique_names(source, where, frame)
    return frame, tuple(notes)


def _check_columns(source: Source, label: str, frame: pd.DataFrame) -> None:
    columns = [str(c) for c in frame.columns]
    if SOURCE_FILE_COLUMN in columns:
        raise IngestError(source.id, label, f"the file has a column named {SOURCE_FILE_COLUMN!r}, which ingest reserves")
    missing = [c for c in source.required_columns if c not in columns]
    if missing:
        folded = {c.strip().lower(): c for c in columns}
        hints = [f"{m!r} (found {folded[m.strip().lower()]!r})" for m in missing if m.strip().lower() in folded]
        hint = f"; near matches: {', '.join(hints)}" if hints else ""
        shown = ", ".join(columns[:25]) + (", ..." if len(columns) > 25 else "")
        raise IngestError(source.id, label,
                          f"missing required column(s) {', '.join(map(repr, missing))}{hint}; found: {shown}")


def _check_unique_names(source: Source, where: str, frame: pd.DataFrame) -> None:
    """DuckDB column names ignore case: 'Year' and 'year' from two files would collide."""
    seen: dict[str, str] = {}
    for name in map(str, frame.columns):
        key = name.lower()
        if key in seen:
            raise IngestError(source.id, where,
                              f"columns {seen[key]!r} and {name!r} differ only in case; DuckDB cannot hold both")
        seen[key] = name
