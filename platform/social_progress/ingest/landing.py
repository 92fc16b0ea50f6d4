"""Content hashes and the landing area: every input kept, byte for byte, under its hash.

Why: a published index must be reproducible from the exact inputs it was built from, even
after the publisher replaces a file or the bundled data is refreshed. Files are stored as
landing/<source_id>/<sha256>.<ext>, so the same content is stored once and a changed input
gets a new name. The content hash is also what decides whether a source needs ingesting.

- one file: its sha256 (a shapefile: one hash over its .shp/.shx/.dbf/.prj/.cpg parts);
- a glob: one sha256 over the sorted (relative path, file sha256) list, so adding, removing,
  renaming or changing any file changes the hash; the files are kept under
  landing/<source_id>/<hash>/<relative path>.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def combined_sha256(items: list[tuple[str, str]]) -> str:
    """One hash over (name, sha256) pairs, independent of the order they were found in."""
    digest = hashlib.sha256()
    for name, sha in sorted(items):
        digest.update(f"{name}\t{sha}\n".encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class InputFile:
    """One input as found: where it is now, how it is named in the raw table, its parts."""

    path: Path                 # local file to read (for a shapefile, the .shp)
    label: str                 # value of _source_file: path relative to the project root, URL or sql:<id>
    parts: tuple[Path, ...]    # files to hash and keep (a shapefile has several)
    sha256: str                # hash of the parts

    @classmethod
    def from_parts(cls, path: Path, label: str, parts: list[Path] | None = None) -> "InputFile":
        parts = parts or [path]
        if len(parts) == 1:
            sha = file_sha256(parts[0])
        else:
            sha = combined_sha256([(p.suffix, file_sha256(p)) for p in parts])
        return cls(path=path, label=label, parts=tuple(parts), sha256=sha)


@dataclass(frozen=True)
class InputSet:
    """All inputs of one source and their single content hash."""

    files: tuple[InputFile, ...]
    is_glob: bool
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        if self.is_glob:
            value = combined_sha256([(f.label, f.sha256) for f in self.files])
        else:
            value = self.files[0].sha256
        object.__setattr__(self, "content_hash", value)


def land(inputs: InputSet, source_id: str, landing_dir: Path) -> Path:
    """Copy the inputs into the landing area (if not already there); return the landed path.

    Copies go through a temporary file and a rename, so a landed file is never half written.
    """
    target_dir = landing_dir / source_id
    target_dir.mkdir(parents=True, exist_ok=True)
    if not inputs.is_glob:
        one = inputs.files[0]
        for part in one.parts:
            _copy_atomic(part, target_dir / f"{inputs.content_hash}{_ext(part)}")
        return target_dir / f"{inputs.content_hash}{_ext(one.path)}"
    root = target_dir / inputs.content_hash
    for item in inputs.files:
        name = Path(item.label.replace("://", "/").lstrip("/"))
        for part in item.parts:
            _copy_atomic(part, root / name.with_suffix(part.suffix))
    return root


def _ext(path: Path) -> str:
    return path.suffix.lower() or ".dat"


def _copy_atomic(src: Path, dst: Path) -> None:
    if dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".landing-")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
