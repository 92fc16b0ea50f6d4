"""Code versions: what makes an asset stale when its code or configuration changes.

Dagster compares an asset's code version and its inputs' data versions with those recorded
at its last materialization; a difference makes it stale, and the refresh re-runs only
stale assets and what depends on them. So a Python asset's code version is a hash of the
library source it calls plus the configuration files it reads: an edit to
`social_progress/index/` or `catalogue/areas.yml` makes the index stale, nothing else.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=None)
def _module_hash(relative: str) -> str:
    path = PACKAGE / relative
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for f in files:
        if f.is_file() and f.suffix in (".py", ".js", ".css", ".html", ".yml", ".yaml", ".sql") and "__pycache__" not in f.parts:
            digest.update(f.relative_to(PACKAGE).as_posix().encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "absent"


def code_version(*modules: str, files: tuple[Path, ...] = (), extra: str = "") -> str:
    """A short hash of library modules (paths relative to the package), config files and extra text."""
    digest = hashlib.sha256()
    for m in modules:
        digest.update(m.encode())
        digest.update(_module_hash(m).encode())
    for f in files:
        digest.update(str(Path(f).name).encode())
        digest.update(file_hash(f).encode())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]
