"""Ingestion: read each catalogue source as published, keep it in the landing area, and
load it into DuckDB as raw.<source_id>.

Why a separate raw layer: staging models (dbt) cast and clean with the landed file in view,
and a release can always be traced back to the exact bytes it was built from.
"""
from .errors import IngestError
from .pipeline import SOURCE_FILE_COLUMN, IngestResult, fingerprint_source, ingest_catalogue, ingest_source

__all__ = ["SOURCE_FILE_COLUMN", "IngestError", "IngestResult", "ingest_catalogue", "ingest_source"]
