"""Social Progress Index platform: ingest, geography, indicators, index, quality, publish."""

__version__ = "0.1.0"
