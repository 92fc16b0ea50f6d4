"""What an alert carries so the recipient can see the failure: the check's Data Docs page and
the quarantined rows as CSV, attached, or linked under SPI_ALERT_BASE_URL.

Why: a path on the server ("warehouse/data_docs/...") or a SQL table name
("quality.quarantine where run_id = ...") is something a data steward cannot open. The
Data Docs page (one HTML file per failed batch, its references to the site's scripts and
styles removed so it opens on its own) and a CSV of the rows set aside are attached; when
the deployment serves the warehouse folder's data_docs/ and alerts/ behind its sign-in
(SPI_ALERT_BASE_URL), the message links there instead. Never a server path. The CSV holds
only what quality.quarantine holds (key fields for personal-data sources), without any
column the suite or the catalogue marks personal or restricted.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from social_progress.quality import store

_EXTERNAL_REF = re.compile(r"<script\b[^>]*\bsrc=[\"'][^\"']*[\"'][^>]*>\s*</script\s*>|<link\b[^>]*>", re.I | re.S)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    url: str | None = None      # set when linked under SPI_ALERT_BASE_URL instead of attached
    description: str = ""

    @property
    def size(self) -> int:
        return len(self.data)


def data_docs_pages(warehouse_dir: Path, data_docs: str | None, batches: list[str]) -> list[tuple[str, Path]]:
    """(name, file) of the Data Docs page of each failed batch of a check (its site's index
    page when no batch page is found). `data_docs` is relative to the warehouse dir."""
    if not data_docs:
        return []
    index = Path(warehouse_dir) / data_docs
    if not index.exists():
        return []
    check = index.parent.name
    out = []
    for batch in dict.fromkeys(b for b in batches if b):
        pages = sorted(index.parent.glob(f"validations/**/*-{batch}.html"), key=lambda p: p.stat().st_mtime)
        if pages:
            out.append((f"{check}-{batch}.html", pages[-1]))
    return out or [(f"{check}.html", index)]


def standalone_html(page: Path) -> bytes:
    """The page without references to the site's scripts and styles (they would not resolve
    from a mail client); the report's content is plain HTML and reads without them."""
    text = page.read_text(encoding="utf-8", errors="replace")
    return _EXTERNAL_REF.sub("", text).encode("utf-8")


def quarantine_csv(db: Path, run_id: str, source_id: str, hidden: set[str]) -> tuple[bytes, int] | None:
    """The run's quarantined rows of `source_id` as CSV (rule first, then the row's fields
    without `hidden` columns), and how many rows; None when there are none."""
    q = store.read(db, "SELECT rule, row_json FROM quality.quarantine WHERE run_id = ? AND source_id = ? "
                       "ORDER BY rule, row_json", [run_id, source_id])
    if q.empty:
        return None
    records = []
    for rule, row_json in zip(q["rule"], q["row_json"]):
        row = json.loads(row_json or "{}")
        records.append({"rule": _rule_words(rule), **{k: v for k, v in row.items() if k not in hidden}})
    frame = pd.DataFrame(records)
    if "_row" in frame.columns:
        frame = frame.rename(columns={"_row": "row_in_file"})
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8"), len(frame)


def _rule_words(rule: str) -> str:
    """'rows.expect_column_values_to_be_unique(New code)' -> 'expect_column_values_to_be_unique on New code'."""
    m = re.match(r"^(?:[a-z_]+\.)?([a-z_]+)\((.*)\)$", rule or "")
    return f"{m.group(1)} on {m.group(2)}" if m and m.group(2) else (m.group(1) if m else str(rule))


def publish_link(warehouse_dir: Path, relative: str, data: bytes, write: bool) -> None:
    """Write `data` at <warehouse>/<relative> (the alerts/ folder served under SPI_ALERT_BASE_URL)."""
    if not write:
        return
    target = Path(warehouse_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def link_for(base_url: str, relative: str) -> str:
    from urllib.parse import quote

    return f"{base_url.rstrip('/')}/{quote(relative.lstrip('/'))}"
