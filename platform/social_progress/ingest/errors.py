"""The one error a failed ingest raises.

Why: whoever runs an ingest (CLI, Dagster asset, test) needs to know which source, which
file and what went wrong, in one line, without reading a traceback; and needs one type to
catch. The message always has the form "source '<id>' (<file or URL>): <problem>".
"""
from __future__ import annotations


class IngestError(RuntimeError):
    """An input could not be read, validated or stored. Nothing was written."""

    def __init__(self, source_id: str, where: str, problem: str):
        self.source_id = source_id
        self.where = where
        self.problem = problem
        super().__init__(f"source {source_id!r} ({where}): {problem}")
