"""Every release carries the index audit under audit/: CSV tables that parse, PNG and SVG
plots that are valid images with no date or software version in them, a README naming
every file, its place in metadata.json, the data dictionary and the explorer's method page;
the same warehouse gives the same bytes, also from another process.

The audit tables come from the library itself (compute_index_tables with an audit
config) on a small index over the fixture warehouse's own areas: three components of
three indicators, one of them built to fail the audit, in warn mode so a release exists."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from fixture_warehouse import BOROUGH, YEARS, _areas, make_warehouse
from social_progress.borough import IndexAudit

ROOT = Path(__file__).resolve().parents[2]
BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}
AUDIT_FILES = ["audit/README.md", "audit/component_statistics.csv", "audit/correlations.csv",
               "audit/effective_weights.csv", "audit/sensitivity_ranks.csv", "audit/sensitivity_summary.csv",
               *[f"audit/{p}.{ext}" for p in ("correlations", "effective_weights", "rank_intervals") for ext in ("png", "svg")]]
# (component, dimension, indicators): "Shelter" holds one indicator running against the others
COMPONENTS = [("Personal Safety", "Basic Human Needs", 3), ("Shelter", "Basic Human Needs", 3),
              ("Health and Wellness", "Foundations of Wellbeing", 3)]


@dataclasses.dataclass(frozen=True)
class Years:
    first_year: int = YEARS[0]
    last_year: int = YEARS[-1]
    max_carry_forward_years: int = 2
    weighting: str = "pca"
    min_indicator_coverage: float = 0.75
    sensitivity_runs: int = 20
    audit: IndexAudit = dataclasses.field(default_factory=lambda: IndexAudit(mode="warn"))


def index_inputs():
    """Values (every boundary of the fixture: LSOA values, ward and borough means), metadata
    and areas for a nine-indicator index on the fixture warehouse's areas."""
    areas = pd.DataFrame([(c, n, lvl, b, BOROUGH[0]) for b, lvl, c, n, _ in _areas()],
                         columns=["area_code", "area_name", "area_level", "boundary", "lad_code"])
    lsoas = [m[0] for b, _, _, _, m in _areas() if b == "lsoa11"]
    rng = np.random.default_rng(11)
    meta, rows = [], []
    latent = {c: rng.normal(size=(len(lsoas), len(YEARS))) for c, _, _ in COMPONENTS}
    for comp, dim, k in COMPONENTS:
        for i in range(k):
            ind = f"{comp.split()[0].lower()}_{i}"
            sign = -1.0 if (comp == "Shelter" and i == 2) else 1.0
            meta.append(dict(indicator_id=ind, name=ind, dimension=dim, component=comp, direction="higher_is_better",
                             worst=0.0, best=100.0, transform="none", in_index=True,
                             audit_justification="Housing need takes several shapes." if comp == "Shelter" and i == 0 else None))
            lsoa = np.clip(50 + sign * 15 * latent[comp] + rng.normal(0, 3, latent[comp].shape), 1, 99)
            for b, lvl, code, _, members in _areas():
                idx = [lsoas.index(m) for m in members]
                for t, y in enumerate(YEARS):
                    rows.append((ind, code, lvl, b, y, float(lsoa[idx, t].mean()), str(y)))
    values = pd.DataFrame(rows, columns=["indicator_id", "area_code", "area_level", "boundary", "year", "value", "period"])
    return values, pd.DataFrame(meta), areas


def audit_warehouse(path: Path) -> Path:
    """The fixture warehouse, with the uncertainty table and the audit tables of the index above."""
    from social_progress.index import compute_index_tables

    db = make_warehouse(path, uncertainty=True, comparators=True, checks=True)
    values, meta, areas = index_inputs()
    tables = compute_index_tables(values, meta, areas, Years(), log=lambda m: None)
    con = duckdb.connect(str(db))
    for name, frame in tables.items():
        if name.startswith("index_audit"):
            con.register("_f", frame)
            con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT * FROM _f")
            con.unregister("_f")
    con.close()
    return db


def build_files(db: Path) -> tuple[int, dict[str, bytes]]:
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import write_derived_marts

    write_derived_marts(db, BOROUGH_DICT, None)
    return build_release(read_warehouse(db, require_marts=True), borough=BOROUGH_DICT,
                         sources_path=ROOT / "catalogue" / "sources.yml", targets_path=None, code_version="test-version")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    db = audit_warehouse(tmp_path_factory.mktemp("audit") / "wh" / "social_progress.duckdb")
    year, files = build_files(db)
    return db, year, files


def csv(files, name):
    return pd.read_csv(io.BytesIO(files[name]), keep_default_na=False, na_values=[""])


def test_the_release_holds_every_audit_file(release):
    _, _, files = release
    assert sorted(n for n in files if n.startswith("audit/")) == sorted(AUDIT_FILES)


def test_the_audit_tables_parse_and_hold_the_audit(release):
    _, _, files = release
    stats = csv(files, "audit/component_statistics.csv").set_index("component")
    assert sorted(stats.index) == sorted(c for c, _, _ in COMPONENTS)
    assert {"n_indicators", "cronbach_alpha", "kmo", "variance_explained", "min_loading", "weighting",
            "max_abs_correlation", "max_correlation_a", "max_correlation_b", "failures", "passed"} <= set(stats.columns)
    assert (stats["n_indicators"] == 3).all()
    shelter = stats.loc["Shelter"]
    assert shelter["min_loading"] < 0 and shelter["min_loading_indicator"] == "shelter_2"
    assert not shelter["passed"] and "Shelter: first-component loading of shelter_2" in shelter["failures"]
    assert shelter["justification"] == "Housing need takes several shapes." and shelter["alpha_threshold"] == 0.6
    corr = csv(files, "audit/correlations.csv")
    assert len(corr[corr["level"] == "indicator"]) == 9 * 8 // 2 and corr["correlation"].abs().max() <= 1.0
    w = csv(files, "audit/effective_weights.csv")
    assert len(w) == 9 and w["index_effective_weight"].sum() == pytest.approx(1.0, abs=1e-5)
    assert w.groupby("component")["effective_weight"].sum().tolist() == pytest.approx([1.0] * 3, abs=1e-5)
    ranks = csv(files, "audit/sensitivity_ranks.csv")
    assert {"published", "equal weights", "aggregation: power mean 0.5"} <= set(ranks["scenario"])
    summary = csv(files, "audit/sensitivity_summary.csv")
    assert {"rank", "rank_min", "rank_median", "rank_max", "mc_rank_p05", "mc_rank_p95"} <= set(summary.columns)
    lsoa = summary[summary["boundary"] == "lsoa11"]
    assert len(lsoa) == 4 * len(YEARS) and (lsoa["rank_min"] <= lsoa["rank_max"]).all()


def test_the_plots_are_valid_png_and_svg_without_date_or_software(release):
    _, _, files = release
    for stem in ("correlations", "effective_weights", "rank_intervals"):
        png = files[f"audit/{stem}.png"]
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        img = Image.open(io.BytesIO(png))
        img.verify()
        img = Image.open(io.BytesIO(png))
        assert img.size[0] > 300 and img.size[1] > 200
        assert "Software" not in img.info and b"tIME" not in png
        svg = files[f"audit/{stem}.svg"]
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg


def test_the_readme_describes_every_file_and_the_findings(release):
    _, _, files = release
    text = files["audit/README.md"].decode()
    for name in AUDIT_FILES:
        if name != "audit/README.md":
            assert f"]({name[len('audit/'):]})" in text, name
    assert "Shelter: first-component loading of shelter_2" in text
    assert "Mode `warn`" in text
    assert "Shelter: Housing need takes several shapes." in text     # the justification, in a fenced block
    fences = text.count("```")
    assert fences % 2 == 0


def test_metadata_dictionary_and_explorer_know_the_audit(release):
    _, _, files = release
    meta = json.loads(files["metadata.json"])
    section = meta["sections"]["audit"]
    assert section["available"] and section["readme"] == "audit/README.md" and section["mode"] == "warn"
    assert not section["passed"] and any(f.startswith("Shelter:") for f in section["failures"])
    gate = next(c for c in meta["checks"] if c["check"] == "marts/index_scores:index_audit")
    assert gate["blocking"] is False and gate["status"].startswith("failed")
    for name in AUDIT_FILES:
        assert meta["files"][name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
    dd = pd.read_csv(io.BytesIO(files["data_dictionary.csv"]), keep_default_na=False)
    for name in AUDIT_FILES:
        assert dd[(dd["file"] == name) & (dd["column"] == "")]["description"].iloc[0], name
        if name.endswith(".csv"):
            for col in pd.read_csv(io.BytesIO(files[name]), nrows=1).columns:
                described = dd[(dd["file"] == name) & (dd["column"] == col)]["description"]
                assert len(described) == 1 and described.iloc[0], (name, col)
    data = files["explorer/data.js"].decode()
    assert '"audit":{' in data and '"audit/README.md"' in data
    assert 'href: "audit/README.md"' in files["explorer/app.js"].decode()


def test_a_release_without_audit_tables_says_so(build):
    _, files = build()
    assert not any(n.startswith("audit/") for n in files)
    meta = json.loads(files["metadata.json"])
    assert meta["sections"]["audit"]["available"] is False and meta["sections"]["audit"]["note"]


def test_same_warehouse_same_audit_bytes_also_from_another_process(release, tmp_path):
    db, _, files = release
    _, again = build_files(db)
    assert [n for n in AUDIT_FILES if again[n] != files[n]] == []
    script = (f"import sys, hashlib, json; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "from test_release_audit import build_files\n"
              "from pathlib import Path\n"
              f"_, f = build_files(Path({str(db)!r}))\n"
              "print(json.dumps({n: hashlib.sha256(b).hexdigest() for n, b in f.items() if n.startswith('audit/')}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    other = json.loads(out.stdout.strip().splitlines()[-1])
    assert other == {n: hashlib.sha256(files[n]).hexdigest() for n in AUDIT_FILES}


def test_the_method_page_links_to_the_audit_in_a_browser(release, tmp_path):
    """The explorer opened from disk in headless Chromium (skipped when it is not installed)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("headless Chromium not installed")
    from social_progress.publish.release import publish

    _, year, files = release
    folder = publish(tmp_path / "releases", year, files).path
    out = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom",
                          (folder / "index.html").as_uri()], capture_output=True, text=True, timeout=120)
    dom = out.stdout
    assert 'id="audit-link"' in dom, out.stderr[-1500:]
    assert 'href="audit/README.md"' in dom
    assert "audit finding" in dom and "reported, not blocking publication" in dom
    assert 'id="audit-findings"' in dom and "<li>Shelter: first-component loading of shelter_2" in dom
