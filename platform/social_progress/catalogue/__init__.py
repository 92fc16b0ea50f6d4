"""Source catalogue: what feeds the platform reads, who owns them, and how to read them.

Why: one typed, validated description of every input, shared by ingest, Dagster assets,
schedules and release attribution.
"""
from .errors import CatalogueError
from .loader import load_catalogue
from .models import (
    CADENCES,
    FORMATS,
    GEOGRAPHY_LEVELS,
    Catalogue,
    FileReader,
    Geography,
    HttpReader,
    Licence,
    Owner,
    Source,
    SqlReader,
)

__all__ = [
    "CADENCES",
    "FORMATS",
    "GEOGRAPHY_LEVELS",
    "Catalogue",
    "CatalogueError",
    "FileReader",
    "Geography",
    "HttpReader",
    "Licence",
    "Owner",
    "Source",
    "SqlReader",
    "load_catalogue",
]
