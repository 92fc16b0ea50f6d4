"""The one error a bad catalogue raises.

Why: callers (CLI, Dagster definitions, tests) catch a single type and show its message,
which already names the file, the entry and the field.
"""
from __future__ import annotations


class CatalogueError(ValueError):
    """sources.yml cannot be used; the message names the entry (id or index) and the field."""
