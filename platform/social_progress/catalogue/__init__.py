"""Source catalogue: what feeds the platform reads, who publishes them, which steward role
fetches them (the person is the deployment's: `stewards.steward_for`), and how to read them.

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
    Publisher,
    Source,
    SqlReader,
)
from .stewards import StewardError, check_stewards, steward_for

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
    "Publisher",
    "Source",
    "SqlReader",
    "StewardError",
    "check_stewards",
    "load_catalogue",
    "steward_for",
]


def indicators_on_sources(metadata, source_ids) -> frozenset[str]:
    """Indicators (rows of indicator metadata, `sources` a comma list of catalogue ids) built
    on any of `source_ids`: e.g. the council's own indicators, or the synthetic ones."""
    wanted = set(source_ids)
    return frozenset(r.indicator_id for r in metadata.itertuples()
                     if wanted & {x.strip() for x in str(getattr(r, "sources", "") or "").split(",")})
