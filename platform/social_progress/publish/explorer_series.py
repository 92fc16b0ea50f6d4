"""The explorer's time series: every area's scores and values over all years, one file per
area set, for the trend chart, the sparklines and the profile (explorer/charts.js).

Why a part of its own: the year parts (`data-<boundary>-<year>.js`) hold one year each, with
progress against every earlier year; a chart of one area over the years would need all of
them. `series-<boundary>.js` holds only what a chart draws (each measure's score and each
indicator's value, year by year), is loaded when a chart is first shown, and never with the
first view. The borough as a whole is not in it: its years are in data.js already.

    window.SPI_SERIES({"boundary": "ward22", "years": [2019, ...],
                       "scores": {area: {measure: [score per year]}},
                       "values": {area: {indicator: [value per year]}}})

A year with no score (or value) is null, never zero.
"""
from __future__ import annotations

import json

CORE_BOUNDARY = "lad"
PREFIX, SUFFIX = "window.SPI_SERIES(", ");\n"


def series_file(boundary: str) -> str:
    return f"explorer/series-{boundary}.js"


def series_docs(doc: dict) -> dict[str, dict]:
    """{boundary: series document}, from the explorer document's scores
    ({year: {boundary: {area: {measure: [value, score, ...]}}}}) and its measures."""
    years = [int(y) for y in doc["years"]]
    indicator = {m["id"] for m in doc["measures"] if m.get("type") in ("indicator", "context")}
    out: dict[str, dict] = {}
    for i, y in enumerate(years):
        for b, areas in (doc["scores"].get(str(y)) or {}).items():
            if b == CORE_BOUNDARY:
                continue
            s = out.setdefault(b, {"boundary": b, "years": years, "scores": {}, "values": {}})
            for code, measures in areas.items():
                for m, e in measures.items():
                    scores = s["scores"].setdefault(code, {}).setdefault(m, [None] * len(years))
                    scores[i] = e[1]
                    if m in indicator:
                        values = s["values"].setdefault(code, {}).setdefault(m, [None] * len(years))
                        values[i] = e[0]
    return out


def series_files(doc: dict) -> tuple[dict[str, str], dict[str, bytes]]:
    """({boundary: file} for data.js, {file: bytes}) of every area set's series part."""
    index, files = {}, {}
    for b, s in sorted(series_docs(doc).items()):
        index[b] = series_file(b)
        body = json.dumps(s, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        files[series_file(b)] = f"{PREFIX}{body}{SUFFIX}".encode("utf-8")
    return index, files
