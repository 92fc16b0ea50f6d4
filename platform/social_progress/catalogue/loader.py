"""Read `catalogue/sources.yml` into a `Catalogue`, or fail naming the entry and field at fault.

Why: the catalogue is edited by hand; a message like "source 'crime' field 'reader.format':
'cvs' is not one of csv, xlsx, geojson, shapefile" lets the editor fix it in one go, where a
raw pydantic dump or a KeyError deep in the ingest would not. Every entry is checked and all
problems are reported together, so one edit-run cycle fixes them all.
"""
from __future__ import annotations

import glob
from pathlib import Path
from typing import Any, Mapping

import yaml

from social_progress.validation import describe_error, validate_entries

from .errors import CatalogueError
from .models import Catalogue, FileReader, HttpReader, Owner, Source
from .stewards import steward_problems
from .paths import catalogue_path_problem

_READER_KINDS = ("file", "http", "sql")


def load_catalogue(path: Path | str, root: Path | str | None = None,
                   stewards: Mapping[str, Owner] | None = None) -> Catalogue:
    """Load and validate the catalogue at `path`.

    `root` is the folder reader paths are relative to (default: the project root from
    settings). Paths are checked to exist here, so a catalogue that loads can be ingested,
    and to stay inside the data folders (`paths`), so it cannot read files elsewhere.
    `stewards` (a deployment's {role: person}, see `stewards`) also checks that every
    source's steward role has a person there, who is not the publisher.
    """
    path = Path(path)
    if root is None:
        from social_progress.settings import get_settings

        root = get_settings().project_root
    root = Path(root)
    label = _label(path, root)

    if not path.exists():
        raise CatalogueError(f"{label}: catalogue file not found")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{label}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{label}: not UTF-8 text at byte {exc.start}") from exc

    entries = _entries(document, label)
    problems: list[str] = []
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, name, source, invalid in validate_entries(entries, Source, _entry_name, _describe):
        if source is None:
            problems.extend(f"{label}: {name} {what}" for what in invalid)
            continue
        if source.id in seen:
            problems.append(
                f"{label}: {name} field 'id': duplicate id (first used by entry {seen[source.id]})"
            )
            continue
        seen[source.id] = index
        problems.extend(f"{label}: {name} {p}" for p in _path_problems(source, root))
        sources.append(source)
    if stewards is not None:
        problems.extend(f"{label}: {p}" for p in steward_problems(sources, stewards))

    if problems:
        raise CatalogueError("\n".join(problems))
    return Catalogue(path=label, sources=sources)


def _label(path: Path, root: Path) -> str:
    """The catalogue's path as shown in messages: relative to the root when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _entries(document: Any, label: str) -> list[Any]:
    if not isinstance(document, dict) or "sources" not in document:
        raise CatalogueError(f"{label}: expected a mapping with a 'sources' list at the top")
    unknown = set(document) - {"version", "sources"}
    if unknown:
        raise CatalogueError(f"{label}: unknown top-level key(s) {sorted(unknown)}")
    entries = document["sources"]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{label}: 'sources' must be a non-empty list")
    return entries


def _entry_name(entry: Any, index: int) -> str:
    """Name an entry by id when it has a usable one, else by its position (0-based)."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
        return f"source {entry['id']!r}"
    return f"source #{index}"


def _describe(err: dict[str, Any]) -> str:
    """A pydantic error of a source in plain words; the reader's union and the retired
    `owner` field are explained, the rest worded as for any validated file."""
    loc = list(err["loc"])
    # A discriminated union puts the chosen tag in the location: ('reader', 'file', 'format').
    if len(loc) >= 2 and loc[0] == "reader" and loc[1] in _READER_KINDS:
        del loc[1]
    field = ".".join(str(part) for part in loc) or "(entry)"
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden" and loc == ["owner"]:
        what = ("is not a known field: a source names a `steward` role instead (the person is in "
                "catalogue/areas.yml `stewards:`), and its `publisher: {name, contact, url}`")
    elif kind == "union_tag_invalid":
        what = f"{ctx.get('tag')!r} is not one of {', '.join(_READER_KINDS)}"
    elif kind == "union_tag_not_found":
        what = f"is required but missing (one of {', '.join(_READER_KINDS)})"
    else:
        return describe_error(err, field)
    return f"field {field!r}: {what}"


def _path_problems(source: Source, root: Path) -> list[str]:
    """A reader's local file must be inside the data folders (`paths`), then exist."""
    reader = source.reader
    if isinstance(reader, FileReader):
        where = catalogue_path_problem(reader.path, root, is_glob=reader.is_glob, shapefile=reader.format == "shapefile")
        if where:
            return [f"field 'reader.path': {where}"]
    if isinstance(reader, HttpReader) and reader.fallback:
        where = catalogue_path_problem(reader.fallback, root, is_glob=False)
        if where:
            return [f"field 'reader.fallback': {where}"]
    hint = (" (a SYNTHETIC stand-in: `social-progress council-systems` builds it, as every refresh does)"
            if source.synthetic else "")
    if isinstance(reader, FileReader):
        if reader.is_glob:
            if not glob.glob(str(root / reader.path)):
                return [f"field 'reader.path': no file matches {reader.path!r}{hint}"]
        elif not (root / reader.path).is_file():
            return [f"field 'reader.path': file {reader.path!r} does not exist{hint}"]
    if isinstance(reader, HttpReader) and reader.fallback:
        if not (root / reader.fallback).is_file():
            return [f"field 'reader.fallback': file {reader.fallback!r} does not exist{hint}"]
    return []
