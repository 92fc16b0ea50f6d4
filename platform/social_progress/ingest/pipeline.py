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
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from social_progress.catalogue import Catalogue, FileReader, HttpReader, Source, SqlReader
from social_progress.catalogue.paths import allowed_folders, target_problem, written_problem
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
    """Bring one source into raw.<id>; raise IngestError (and write nothing) on bad input.

    A source holding personal data (`personal` in the catalogue) is split first: its
    identifiers go to the encrypted restricted store, with its input bytes, and raw.<id>
    gets keyed pseudonyms in their place (`social_progress.privacy`). A SQL source with a
    `watermark` reads only the rows past the last load and merges them by key.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"ingest-{source.id}-") as scratch:
        os.chmod(scratch, 0o700)  # a query result of a personal source passes through here
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
        incremental = None
        if _is_incremental(source):
            incremental = _read_incremental(source, settings, Path(scratch), None if force else previous)
            inputs = incremental.inputs
        frame, read_notes, landed, personal_notes = _read_and_protect(source, settings, inputs, incremental)
        if incremental is not None and incremental.since is not None and len(frame) != incremental.rows:
            # rows were deleted at the source (or changed without moving the watermark): the
            # merged table would not be what the source holds, so read it all again
            surplus = len(frame) - incremental.rows
            incremental = _read_incremental(source, settings, Path(scratch), None)
            inputs = incremental.inputs
            incremental = replace(incremental, note=(
                f"full read: after reading the rows past the watermark the table had {surplus:+d} rows against "
                f"the source (rows deleted, or changed without moving {source.reader.watermark})"))
            frame, read_notes, landed, personal_notes = _read_and_protect(source, settings, inputs, incremental)
        if incremental is not None:
            notes = notes + (incremental.note,)
            _check_complete(source, frame, incremental)
        notes = notes + read_notes + personal_notes
        content_hash = incremental.state_hash if incremental is not None else inputs.content_hash
        try:
            with warehouse.writer_lock(settings.duckdb_path):
                entry = warehouse.write_raw_table(settings.duckdb_path, source.id, frame,
                                                  content_hash, str(landed))
                if incremental is not None:
                    warehouse.write_watermark(settings.duckdb_path, source.id, source.reader.watermark,
                                              incremental.high, len(frame))
        except Exception as exc:
            raise IngestError(source.id, table, f"writing to {settings.duckdb_path} failed: {exc}") from exc
    return IngestResult(source.id, "ingested", entry.content_hash, entry.rows, entry.columns,
                        entry.landed_path, table, entry.column_names, origin, notes,
                        time.perf_counter() - started)


def _read_and_protect(source: Source, settings: Settings, inputs: InputSet, incremental: "_Incremental | None"):
    """Read the inputs; split off identifiers (personal sources) or land them; merge an
    incremental read with the previous rows. Returns (frame, read notes, landed, notes)."""
    _recheck(source, settings, inputs)
    frame, read_notes = _read_all(source, inputs, allow_empty=incremental is not None and incremental.since is not None)
    if source.personal is not None:
        frame, landed, personal_notes = _protect(source, settings, inputs, frame, incremental)
        return frame, read_notes, landed, personal_notes
    if incremental is not None and incremental.since is not None:
        frame = _merge_public(settings, source, frame, None)
    return frame, read_notes, land(inputs, source.id, settings.landing_dir), ()


# ----------------------------------------------------------------------------- incremental SQL

@dataclass(frozen=True)
class _Incremental:
    inputs: InputSet          # the rows read (all, or those past `since`)
    since: str | None         # the previous load's watermark, None for a full read
    high: str | None          # the source's highest watermark now
    rows: int                 # the source's row count now
    state_hash: str           # the data version: (rows, highest watermark)
    note: str


def _is_incremental(source: Source) -> bool:
    return isinstance(source.reader, SqlReader) and source.reader.watermark is not None


def _state_hash(rows: int, high: str | None) -> str:
    import hashlib

    return hashlib.sha256(f"rows={rows}\nwatermark={high}".encode()).hexdigest()


def _read_incremental(source: Source, settings: Settings, scratch: Path, previous) -> _Incremental:
    reader = source.reader
    rows, high = sql.query_state(source.id, reader, settings.project_root)
    since = None
    if previous is not None:
        with warehouse.writer_lock(settings.duckdb_path):
            mark = warehouse.last_watermark(settings.duckdb_path, source.id)
        if mark is not None and mark[0] == reader.watermark and mark[1] is not None:
            since = mark[1]
    path = scratch / f"{source.id}.rows.csv"
    path.write_bytes(sql.run_query(source.id, reader, settings.project_root, since=since))
    os.chmod(path, 0o600)
    inputs = InputSet((_input(source, path, f"sql:{source.id}"),), False)
    note = (f"incremental read: rows with {reader.watermark} after the last load's watermark"
            if since is not None else "full read (no earlier load to continue from)")
    return _Incremental(inputs, since, high, rows, _state_hash(rows, high), note)


def _merge_public(settings: Settings, source: Source, new: pd.DataFrame, key_column: str | None) -> pd.DataFrame:
    """The previous raw rows not replaced by `new` (same key), then `new`."""
    key_column = key_column or source.reader.key
    with warehouse.connect(settings.duckdb_path, read_only=True) as con:
        old = con.execute(f"SELECT * FROM {warehouse.table_name(source.id)}").df()
    old = old.astype(object).where(old.notna(), None)
    kept = old[~old[key_column].astype(str).isin(set(new[key_column].astype(str)))]
    return pd.concat([kept, new], ignore_index=True, sort=False)


def _check_complete(source: Source, frame: pd.DataFrame, incremental: _Incremental) -> None:
    """The table must hold what the source holds now (a full read that does not is a source
    that changed while it was read: the next refresh reads it again)."""
    if len(frame) != incremental.rows:
        raise IngestError(source.id, f"sql:{source.id}",
                          f"the table read has {len(frame)} rows but the source has {incremental.rows}: it changed "
                          f"while it was read; the previous table is kept, and the next refresh reads it again")


# ----------------------------------------------------------------------------- personal data

def _protect(source: Source, settings: Settings, inputs: InputSet, frame: pd.DataFrame,
             incremental: "_Incremental | None") -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    """Split identifiers off into the restricted store; return the pseudonymised frame."""
    from social_progress.privacy import (PrivacyKeyError, RestrictedStore, encryption_key, pseudonymisation_key,
                                         restricted_path, split_personal)

    where = inputs.files[0].label if len(inputs.files) == 1 else f"{len(inputs.files)} files"
    try:
        key, _ = pseudonymisation_key(source.id, source.synthetic)
        store_key, built_in = encryption_key(source.id, source.synthetic)
        parts = split_personal(source, frame, key)
    except PrivacyKeyError as exc:
        raise IngestError(source.id, where, str(exc)) from None
    except ValueError as exc:
        raise IngestError(source.id, where, str(exc)) from None
    store = RestrictedStore(restricted_path(settings.warehouse_dir), store_key, built_in_key=built_in)
    restricted, public = parts.restricted, parts.public
    try:
        if incremental is not None and incremental.since is not None:
            old = store.read_table(source.id)
            if old is not None:
                old = old.astype(object).where(old.notna(), None)
                restricted = pd.concat([old[~old["record_key"].isin(set(restricted["record_key"]))], restricted],
                                       ignore_index=True, sort=False)
            public = _merge_public(settings, source, public, "record_key")
        store.write_table(source.id, restricted, synthetic=source.synthetic)
        content = b"".join(b for item in inputs.files for part in item.parts for b in (part.read_bytes(),))
        landed = store.store_landed(source.id, inputs.content_hash, where, content)
    except PrivacyKeyError as exc:
        raise IngestError(source.id, "restricted store", str(exc)) from None
    notes = (f"personal data: {len(source.personal.restricted_columns())} identifying column(s) kept in the "
             f"restricted store, pseudonymised keys in raw",)
    if parts.duplicated_keys:
        notes += (f"{parts.duplicated_keys} record(s) repeat another record's own key; each kept with its own pseudonym",)
    return public, landed, notes


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
        _check_written(source, reader.path, root)
        folders = allowed_folders(root)
        if reader.is_glob:
            paths = sorted(Path(p) for p in glob.glob(str(root / reader.path)) if Path(p).is_file())
            if not paths:
                raise IngestError(source.id, reader.path, "no file matches the pattern")
            return InputSet(tuple(_input(source, p, _label(p, root), root, folders) for p in paths), True), "file", ()
        path = root / reader.path
        return InputSet((_input(source, path, _label(path, root), root, folders),), False), "file", ()
    if isinstance(reader, HttpReader):
        if reader.fallback:
            _check_written(source, reader.fallback, root)
        # a download of personal data is never cached in plain text: it goes to the scratch
        # folder and, once split, into the restricted store
        cache = scratch / "http" if source.personal is not None else settings.http_cache_dir
        got = http.fetch(source.id, reader, cache, root)
        notes = (got.note,) if got.note else ()
        if got.origin == "fallback":
            return InputSet((_input(source, got.path, got.label, root, allowed_folders(root)),), False), got.origin, notes
        return InputSet((_input(source, got.path, got.label),), False), got.origin, notes
    if isinstance(reader, SqlReader):
        path = scratch / f"{source.id}.csv"
        if reader.watermark is not None:
            # the data version of an incremental source is its (rows, highest watermark):
            # answered by the database without reading the rows
            rows, high = sql.query_state(source.id, reader, root)
            path.write_text(f"rows={rows}\nwatermark={high}")  # its sha256 is _state_hash
        else:
            path.write_bytes(sql.run_query(source.id, reader, root))
        os.chmod(path, 0o600)
        return InputSet((_input(source, path, f"sql:{source.id}"),), False), "sql", ()
    raise IngestError(source.id, "reader", f"unsupported reader {type(reader).__name__}")


def _input(source: Source, path: Path, label: str, root: Path | None = None,
           folders: tuple[str, ...] = ()) -> InputFile:
    """Find and hash one input. A file the catalogue names (`root` given) is checked, links
    followed, to lie in the data `folders` right before its first byte is read: a file
    replaced by a link after the catalogue was loaded is refused here."""
    if root is not None:
        _check_target(source, path, label, root, folders)
    if not path.is_file():
        raise IngestError(source.id, label, "file not found")
    parts = None
    if source.reader.format == "shapefile":
        try:
            parts = shapefile_parts(path)
        except ReadProblem as exc:
            raise IngestError(source.id, label, str(exc)) from None
        if root is not None:
            for part in parts:
                _check_target(source, part, label, root, folders)
    return InputFile.from_parts(path, label, parts)


def _check_written(source: Source, text: str, root: Path) -> None:
    """Refuse a catalogue path that is absolute or leads out of the project, as written
    (the loader refuses it too; a Source need not come from a loaded catalogue)."""
    problem = written_problem(text, root)
    if problem:
        raise IngestError(source.id, text, problem)


def _recheck(source: Source, settings: Settings, inputs: InputSet) -> None:
    """Check the catalogue's files again just before they are read and landed: the wait
    for the warehouse lock since they were found and hashed is time enough to swap one."""
    reader, root = source.reader, settings.project_root
    folders = allowed_folders(root)
    for item in inputs.files:
        if isinstance(reader, FileReader) or (isinstance(reader, HttpReader) and item.label == reader.fallback):
            for part in item.parts:
                _check_target(source, part, item.label, root, folders)


def _check_target(source: Source, path: Path, label: str, root: Path, folders: tuple[str, ...]) -> None:
    problem = target_problem(path, root, folders)
    if problem:
        raise IngestError(source.id, label, problem)


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

def _read_all(source: Source, inputs: InputSet, allow_empty: bool = False) -> tuple[pd.DataFrame, tuple[str, ...]]:
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
    if frame.empty and not allow_empty:
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
