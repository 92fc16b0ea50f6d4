"""The Dagster layer: assets, checks, jobs, schedules, sensors and resources, and nothing else.

Every module here only wires library code (`social_progress.ingest`, `.geography`,
`.index`, `.quality`, `.publish`, `.alerts`) into Dagster: if a line computes something it
belongs in a library that these modules call. Each module exposes a `build_*` function
taking the platform's `Settings` (read once, in `definitions.py`), so nothing here reads
the environment at import.
"""
