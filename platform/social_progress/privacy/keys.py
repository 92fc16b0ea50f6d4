"""The two keys that protect personal data, read from the environment.

- `SPI_PSEUDONYMISATION_KEY` keys the hashes that replace record and person references
  (HMAC-SHA256). Without the key nobody can recompute a pseudonym from a name or a
  reference, so the pseudonymised warehouse cannot be re-identified by guessing.
- `SPI_RESTRICTED_DB_KEY` encrypts the restricted DuckDB file at rest.

Each has a built-in value so that the default run on synthetic stand-ins needs no set-up.
A built-in key is public (it is in this file), so it is refused for any source that is not
synthetic: a council pointing a source at its real system must set both variables (at
least 32 characters; e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`).
"""
from __future__ import annotations

import os

PSEUDONYMISATION_ENV = "SPI_PSEUDONYMISATION_KEY"
ENCRYPTION_ENV = "SPI_RESTRICTED_DB_KEY"
MIN_KEY_LENGTH = 32

# Public, and so good only for data that is not about real people.
_BUILT_IN = {
    PSEUDONYMISATION_ENV: "synthetic-only:pseudonymisation:NOT-FOR-REAL-DATA:8f3c1a",
    ENCRYPTION_ENV: "synthetic-only:restricted-store:NOT-FOR-REAL-DATA:5d92e7",
}


class KeyError_(RuntimeError):
    """A key is missing, too short, or the built-in key was asked for real data."""


def _key(env: str, source_id: str, synthetic: bool) -> tuple[str, bool]:
    value = os.environ.get(env, "")
    if value:
        if len(value) < MIN_KEY_LENGTH:
            raise KeyError_(f"{env} is set but shorter than {MIN_KEY_LENGTH} characters; use a long random key")
        return value, False
    if not synthetic:
        raise KeyError_(f"source '{source_id}' holds real personal data: set {env} (at least {MIN_KEY_LENGTH} "
                        f"random characters); the built-in key works only for synthetic sources")
    return _BUILT_IN[env], True


def pseudonymisation_key(source_id: str, synthetic: bool) -> tuple[str, bool]:
    """(key, is_built_in) for hashing a source's references."""
    return _key(PSEUDONYMISATION_ENV, source_id, synthetic)


def encryption_key(source_id: str, synthetic: bool) -> tuple[str, bool]:
    """(key, is_built_in) for the restricted store that holds a source's identifiers."""
    return _key(ENCRYPTION_ENV, source_id, synthetic)
