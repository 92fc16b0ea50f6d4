"""Feed values, headers and observed columns are text in Data Docs, never markup.

GX's templates do not autoescape: before the fix a failing value `<script>...` from a feed
was written into the Data Docs page as a live element. The payloads below are planted in
every place a feed's text reaches a page: failing values of a row-level check, a column's
name, the set of observed columns of a table-level check, and a value that becomes a dict
key of the failing-row index list."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from social_progress.quality.suites import ExpectationSpec, Suite
from social_progress.quality.validate import run_suite

PAYLOADS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">',
            '<iframe src="javascript:window.__pwned=3"></iframe>', '<svg onload=window.__pwned=4>']


def _planted_frame() -> pd.DataFrame:
    frame = pd.DataFrame({"code": ["E01000001"] * 20 + PAYLOADS[:3], "name": PAYLOADS[:3] + ["ok"] * 20,
                          PAYLOADS[3]: "x"})
    frame["_row"] = range(2, 2 + len(frame))
    return frame


def _suite() -> Suite:
    return Suite(name="planted", asset="raw/planted", owner="steward@example.org", batches={"main": [
        ExpectationSpec("expect_column_values_to_match_regex", {"column": "code", "regex": "^E01[0-9]{6}$",
                                                               "mostly": 0.5}, row_level=True),
        ExpectationSpec("expect_column_values_to_be_in_set", {"column": "name", "value_set": ["ok"]}, row_level=True),
        ExpectationSpec("expect_table_columns_to_match_set", {"column_set": ["code", "name", "_row"],
                                                              "exact_match": True}),
        ExpectationSpec("expect_column_values_to_not_be_null", {"column": PAYLOADS[3]}),
    ]})


def build_planted_docs(docs_dir):
    """Run the suite on the planted frame, with Data Docs; returns the outcome."""
    return run_suite(_suite(), {"main": _planted_frame()}, id_columns={"main": ["code", "name"]}, docs_dir=docs_dir)


def test_planted_payloads_are_escaped_text_in_every_data_docs_page(tmp_path):
    outcome = build_planted_docs(tmp_path / "docs")
    assert outcome.docs_index is not None and outcome.docs_index.exists()
    # the checks still see the real values: the name check fails on exactly the three payloads
    by_col = {f.column: f for f in outcome.failures}
    assert by_col["name"].unexpected_count == 3
    # the failure's examples (for alerts and the quarantine) keep the values as they are
    assert sorted(e["name"] for e in by_col["name"].examples) == sorted(PAYLOADS[:3])
    pages = list((tmp_path / "docs").rglob("*.html"))
    assert len(pages) >= 2
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    for payload in PAYLOADS:
        assert payload not in text, f"{payload!r} written into a Data Docs page unescaped"
    # shown, as text, once escaped (not double-escaped)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in text
    assert "&amp;lt;" not in text
    assert not re.search(r"<(script|iframe|svg)[^>]*__pwned", text)
    assert not re.search(r"<[a-z]+[^<>]*\son(error|load)\s*=", text)      # no live element with a handler


def _write_feed(path, fmt: str, frame: pd.DataFrame) -> None:
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "json":
        frame.to_json(path, orient="records")
    else:
        frame.to_excel(path, index=False)


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_payloads_in_every_text_field_of_each_feed_kind_are_escaped(tmp_path, fmt):
    """A feed of each kind with a payload in every text cell and in a header, read by the
    ingest readers (SQL and HTTP sources land as CSV bytes, read the same way)."""
    from social_progress.ingest.readers import read_table

    feed = pd.DataFrame({"lsoa_code": PAYLOADS, "ward_name": PAYLOADS[::-1], PAYLOADS[0]: PAYLOADS[1:] + PAYLOADS[:1]})
    path = tmp_path / f"feed.{fmt}"
    _write_feed(path, fmt, feed)
    frame = read_table(path, fmt)
    assert set(frame.columns) >= {"lsoa_code", "ward_name"} and len(frame) == len(PAYLOADS)
    text_columns = list(frame.columns)
    suite = Suite(name=f"feed_{fmt}", asset=f"raw/feed_{fmt}", owner="steward@example.org", batches={"main": [
        *[ExpectationSpec("expect_column_values_to_match_regex", {"column": c, "regex": "^E0[0-9]{7}$"}, row_level=True)
          for c in text_columns],
        ExpectationSpec("expect_table_columns_to_match_set", {"column_set": ["lsoa_code"], "exact_match": True}),
    ]})
    outcome = run_suite(suite, {"main": frame.assign(_row=range(2, 2 + len(frame)))}, docs_dir=tmp_path / "docs")
    assert len(outcome.failures) == len(text_columns) + 1
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "docs").rglob("*.html"))
    for payload in PAYLOADS:
        assert payload not in text
    assert not re.search(r"<(script|img|iframe|svg)\b[^<>]*__pwned", text)
    assert "&lt;svg onload=window.__pwned=4&gt;" in text
