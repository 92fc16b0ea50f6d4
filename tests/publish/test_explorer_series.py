"""The charts' data and code in a release: each area set's years in its own part (never in the
first view), equal to scores.csv; the vendored charting library shipped with its licence and
named in metadata.json; and no code in it or in charts.js that the served CSP would refuse."""
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from explorer_parts import script  # noqa: E402  (tests/publish is on sys.path)

ROOT = Path(__file__).resolve().parents[2]
EXPLORER = ROOT / "platform" / "social_progress" / "explorer"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from fixture_warehouse import BOROUGH, make_warehouse
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import write_derived_marts
    BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}
    db = make_warehouse(tmp_path_factory.mktemp("series") / "social_progress.duckdb", uncertainty=True, comparators=True)
    write_derived_marts(db, BOROUGH_DICT, None)
    return build_release(read_warehouse(db, require_marts=True), borough=BOROUGH_DICT,
                         sources_path=ROOT / "catalogue" / "sources.yml", targets_path=None, code_version="test")[1]


def test_each_area_sets_years_are_a_part_of_their_own_holding_scores_csv(files):
    data = script(files["explorer/data.js"], "window.SPI_DATA = ")
    s = pd.read_csv(io.BytesIO(files["scores.csv"]), dtype={"area_code": str})
    boundaries = sorted(set(s["boundary"]) - {"lad"})
    assert data["series"] == {b: f"explorer/series-{b}.js" for b in boundaries}
    assert "explorer/series-lad.js" not in files            # the borough's years are in data.js
    years = sorted(int(y) for y in s["year"].unique())
    checked = 0
    for b in boundaries:
        part = script(files[data["series"][b]], "window.SPI_SERIES(")
        assert part["boundary"] == b and part["years"] == years
        sb = s[s["boundary"] == b]
        assert set(part["scores"]) == set(sb["area_code"])
        for r in sb.itertuples():
            i = years.index(int(r.year))
            score = part["scores"][r.area_code][r.measure][i]
            assert (score is None) if pd.isna(r.score) else score == pytest.approx(r.score, abs=1e-4), r
            if r.measure_type == "indicator":
                value = part["values"][r.area_code][r.measure][i]
                assert (value is None) if pd.isna(r.value) else value == pytest.approx(r.value, rel=1e-5, abs=1e-6), r
                checked += 1
            else:
                assert r.measure not in part["values"].get(r.area_code, {}), r   # a score has no value
    assert checked > 40
    # a year an area has no row for is null, not zero
    for b in boundaries:
        part = script(files[data["series"][b]], "window.SPI_SERIES(")
        for code, measures in part["scores"].items():
            for m, line in measures.items():
                have = set(s[(s["boundary"] == b) & (s["area_code"] == code) & (s["measure"] == m)]["year"].astype(int))
                assert all(v is None for y, v in zip(years, line) if y not in have), (b, code, m)


def test_the_charts_and_their_library_are_in_the_release_with_the_licence(files):
    assert files["explorer/charts.js"] == (EXPLORER / "charts.js").read_bytes()
    lib = "explorer/vendor/uplot/"
    assert files[lib + "uPlot.iife.min.js"].startswith(b"/*! https://github.com/leeoniya/uPlot (v1.6.32) */")
    assert b"uplot" in files[lib + "uPlot.min.css"]
    assert files[lib + "LICENSE"].startswith(b"The MIT License (MIT)") and b"Leon Sorokin" in files[lib + "LICENSE"]
    meta = json.loads(files["metadata.json"])
    [uplot] = [t for t in meta["third_party"] if t["package"] == "uplot"]
    assert uplot["version"] == "1.6.32" and uplot["licence"] == "MIT" and uplot["folder"] == lib
    assert uplot["integrity"].startswith("sha512-")
    for name in uplot["files"]:
        assert lib + name in files and lib + name in meta["files"], name
    # the first view loads neither: index.html names only app.js, style.css and the data
    page = files["index.html"].decode()
    assert re.findall(r'<script src="([^"]+)"', page) == ["explorer/data.js", "explorer/geo.js", "explorer/app.js"]
    assert "uPlot" not in files["explorer/app.js"].decode() and "vendor/" not in files["explorer/app.js"].decode()


@pytest.mark.parametrize("name", ["explorer/vendor/uplot/uPlot.iife.min.js", "explorer/charts.js"])
def test_no_code_the_served_csp_refuses(files, name):
    """script-src 'self' without 'unsafe-eval' or 'unsafe-inline': no eval, no new Function,
    no string timers, no inline handlers or <script>/<style> text written into the page."""
    text = files[name].decode()
    for pattern in (r"\beval\(", r"new Function\b", r"\bFunction\(", r"setTimeout\(\s*['\"]", r"setInterval\(\s*['\"]",
                    r"\.innerHTML\s*=", r"document\.write", r"setAttribute\(\s*['\"]on", r"createElement\(\s*['\"](script|style)['\"]\s*\)\.text"):
        assert not re.search(pattern, text), (name, pattern)
