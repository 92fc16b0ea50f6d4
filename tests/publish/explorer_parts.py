"""The explorer's data as the page sees it once every part is loaded (tests only): what
app.js's SPI_PART does with each `explorer/data-<boundary>-<year>.js` and `geo-<boundary>.js`,
in Python."""
from __future__ import annotations

import json
from pathlib import Path


def script(data: bytes, prefix: str):
    text = data.decode("utf-8")
    assert text.startswith(prefix) and text.endswith(";\n"), text[:60]
    body = text[len(prefix):-2]
    return json.loads(body[:-1] if prefix.endswith("(") else body)


def merge(files: dict[str, bytes]) -> tuple[dict, dict]:
    """What app.js's SPI_PART does with every part, in Python."""
    data, geo = script(files["explorer/data.js"], "window.SPI_DATA = "), script(files["explorer/geo.js"], "window.SPI_GEO = ")
    for pid, name in data.pop("parts").items():
        p = script(files[name], "window.SPI_PART(")
        assert p["id"] == pid
        if "paths" in p:
            geo["paths"][p["boundary"]] = p["paths"]
            continue
        y = str(p["year"])
        data["scores"].setdefault(y, {})[p["boundary"]] = p["scores"]
        for base, areas in p["progress"].items():
            data["progress"]["pairs"].setdefault(f"{base}:{y}", {})[p["boundary"]] = areas
        if "strengths" in p:
            data["strengths"].setdefault(y, {})[p["boundary"]] = p["strengths"]
        for k in ("benchmarks", "trends"):   # each area against its benchmark, and its trend
            if k in p:
                data[k].setdefault(y, {})[p["boundary"]] = p[k]
    return data, geo


def release_data(release: Path) -> tuple[dict, dict]:
    """(data, geo) of a release folder's explorer, every part merged in."""
    folder = Path(release)
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "explorer").glob("*.js")}
    return merge(files)
