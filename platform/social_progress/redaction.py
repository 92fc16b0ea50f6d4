"""Keep secrets out of what the platform prints, logs and records.

Why: a webhook URL carries its credential in the URL itself (Slack's /services/T0/B0/<token>,
or user:password@host), and database URLs carry passwords; an error message from `requests`
or a driver repeats the URL in full. Anything that reaches stdout/stderr, a log, Dagster
metadata or a release goes through `redact`, which keeps only the host of every URL and
masks the secret values it is given. `host_of` names a destination by its host only
("webhook to hooks.example.org").
"""
from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit

MASK = "***"

# scheme://anything-up-to-whitespace-or-quote (http, https, postgresql+psycopg2, sqlite, smtp...)
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>()\[\]{}]+")


def host_of(url: str | None) -> str:
    """The host of `url` (no scheme, user, password, port, path or query); '(none)' when unset."""
    if not url:
        return "(none)"
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    if host:
        return host
    # sqlite:///path, file paths: no host, and the path may be private
    scheme = url.split(":", 1)[0] if "://" in url else ""
    return f"a {scheme} location" if scheme else "(unparsed address)"


def redact(text: object, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every URL reduced to its host and each of `secrets` masked."""
    out = str(text)
    # the secrets first: a URL given as a secret is then masked whole, whatever surrounds it
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(secret) >= 3:
            out = out.replace(secret, MASK)
    return _URL.sub(lambda m: host_of(m.group(0)), out)


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The parts of `url` that may be a credential: the URL itself, its user info, its path
    and its query (a webhook's token lives in its path)."""
    if not url:
        return ()
    try:
        parts = urlsplit(url)
    except ValueError:
        return (url,)
    found = [url, parts.username, parts.password]
    if parts.path and parts.path not in ("/", ""):
        found.append(parts.path)
    if parts.query:
        found.append(parts.query)
    return tuple(s for s in found if s)
