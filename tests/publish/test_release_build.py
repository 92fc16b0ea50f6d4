"""A release holds every table as CSV and Parquet, GeoJSON, the explorer, a dictionary and
metadata; optional sections say when their source table is missing; the bytes are stable."""
import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from social_progress.publish.release import publish
from social_progress.publish.tables import parquet_bytes

TABLES = ["scores", "indicator_values", "indicators", "progress", "similar_wards", "strengths_weaknesses", "targets"]


def read_csv(files, name):
    return pd.read_csv(io.BytesIO(files[name]), dtype={"area_code": str})


def test_release_has_every_table_as_csv_and_parquet_with_the_same_rows(build):
    year, files = build()
    assert year == 2021
    for t in TABLES:
        csv = read_csv(files, f"{t}.csv")
        par = pq.read_table(io.BytesIO(files[f"{t}.parquet"])).to_pandas()
        assert list(csv.columns) == list(par.columns), t
        assert len(csv) == len(par), t
    for name in ("index.html", "explorer/app.js", "explorer/style.css", "explorer/data.js", "explorer/geo.js",
                 "areas.geojson", "data_dictionary.csv", "metadata.json", "weights.csv", "diagnostics.csv"):
        assert name in files, name


def test_scores_cover_every_area_level_and_year(build):
    _, files = build()
    s = read_csv(files, "scores.csv")
    assert set(s["measure_type"]) == {"indicator", "component", "dimension", "index"}
    per = s[s["measure_type"] == "index"].groupby("boundary")["area_code"].nunique().to_dict()
    assert per == {"lad": 1, "lsoa11": 4, "ward19": 2, "ward22": 2}
    assert sorted(s["year"].unique()) == [2019, 2020, 2021]
    v = read_csv(files, "indicator_values.csv")
    crime = v[v["indicator_id"] == "crime_rate"]
    assert (crime["ci_lower"] < crime["value"]).all() and (crime["value"] < crime["ci_upper"]).all()
    assert v[v["indicator_id"] == "green_share"]["ci_lower"].isna().all()  # no interval for a weighted mean


def test_geojson_is_wgs84_with_scores(build):
    _, files = build()
    gj = json.loads(files["areas.geojson"])
    assert len(gj["features"]) == 9
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert 0.0 < lon < 0.3 and 51.4 < lat < 51.7
    assert all("Social Progress Index" in f["properties"] for f in gj["features"])


def test_data_dictionary_describes_every_file_and_column(build):
    _, files = build(comparators=True, uncertainty=True)
    dd = pd.read_csv(io.BytesIO(files["data_dictionary.csv"]), keep_default_na=False)
    described = set(zip(dd["file"], dd["column"]))
    for name in files:
        assert (name, "") in described, name
        if name.endswith(".csv"):
            for col in pd.read_csv(io.BytesIO(files[name]), nrows=1).columns:
                row = dd[(dd["file"] == name) & (dd["column"] == col)]
                assert len(row) == 1 and row["description"].iloc[0], (name, col)


def test_metadata_lists_inputs_weights_diagnostics_checks_and_file_hashes(build):
    import hashlib
    _, files = build()
    meta = json.loads(files["metadata.json"])
    crime = next(i for i in meta["inputs"] if i["source_id"] == "crime")
    assert crime["licence"] and crime["content_hash"] == "a" * 64 and crime["period"] == "2019-2021"
    # who issues it, where its next edition is, and the council role that fetches it (a role, never a person)
    assert (crime["publisher"], crime["publisher_contact"], crime["latest_edition_url"], crime["steward_role"]) == (
        "Metropolitan Police Service (via London Datastore)", "datastore@london.gov.uk",
        "https://data.london.gov.uk/dataset/recorded_crime_summary", "public_data")
    assert "@" not in json.dumps([{k: v for k, v in i.items() if k != "publisher_contact"} for i in meta["inputs"]])
    assert meta["code_version"] == "test-version"
    assert meta["weights"] and meta["diagnostics"]
    assert meta["checks"] == [{"blocking": True, "check": "marts/index_scores:index_scores_expectations", "status": "passed"}]
    assert meta["release"]["years"] == [2019, 2020, 2021]
    for name, info in meta["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == info["sha256"]
    assert set(meta["files"]) == set(files) - {"metadata.json"}


def test_missing_optional_tables_are_reported_as_unavailable(build):
    _, files = build()
    meta = json.loads(files["metadata.json"])
    for section in ("uncertainty", "comparators", "quality_checks"):
        assert meta["sections"][section]["available"] is False, section
        assert meta["sections"][section]["note"]
    assert "comparators.csv" not in files and "uncertainty.csv" not in files
    data = files["explorer/data.js"].decode()
    assert '"comparators":null' in data and '"uncertainty":null' in data
    progress = read_csv(files, "progress.csv")
    idx = progress[(progress["measure_type"] == "index") & (progress["boundary"] == "ward22")]
    assert set(idx["rating"]) == {"not assessed"}
    assert idx["reason"].str.contains("rank intervals unavailable").all()


def test_optional_tables_when_present_reach_the_release(build):
    _, files = build(uncertainty=True, comparators=True, checks=True)
    meta = json.loads(files["metadata.json"])
    assert all(meta["sections"][s]["available"] for s in ("uncertainty", "comparators", "quality_checks"))
    comps = read_csv(files, "comparators.csv")
    assert set(comps["comparator_code"]) == {"E09000002", "E12000007", "E09000016", "E09000026", "E09000025"}
    own = comps[(comps["role"] == "borough") & (comps["year"] == 2021)].iloc[0]
    assert own["compared_with_london"] == "worse"  # 40-odd per 1,000 against London's 6
    # each check's latest evaluation, with no run id, timestamp or run-specific path (re-runs stay byte-identical)
    assert [c["check"] for c in meta["quality_checks"]] == ["index_scores_expectations", "indicator_values_expectations"]
    assert all(c["passed"] for c in meta["quality_checks"])
    assert not {"evaluated_at", "run_id", "data_docs"} & set(meta["quality_checks"][0])
    unc = read_csv(files, "uncertainty.csv")
    assert {"median_rank", "rank_p05", "rank_p95", "wide_interval"} <= set(unc.columns)
    data = files["explorer/data.js"].decode()
    assert '"London"' in data and '"comparators":null' not in data


def test_same_inputs_give_byte_identical_files_and_an_unchanged_release(build, tmp_path):
    _, first = build(uncertainty=True, comparators=True, checks=True)
    _, second = build(uncertainty=True, comparators=True, checks=True)
    assert first.keys() == second.keys()
    assert [n for n in first if first[n] != second[n]] == []
    out = publish(tmp_path / "releases", 2021, first)
    assert out.status == "published"
    assert publish(tmp_path / "releases", 2021, second).status == "unchanged"


def test_parquet_bytes_are_deterministic():
    df = pd.DataFrame({"a": [1.5, None, 3.25], "b": ["x", "y", None], "c": pd.array([1, None, 3], dtype="Int64")})
    assert parquet_bytes(df) == parquet_bytes(df.copy())
    assert pq.read_table(io.BytesIO(parquet_bytes(df))).to_pandas()["a"].tolist()[0] == 1.5


def test_ward_peers_are_the_nearest_in_income_deprivation(build):
    _, files = build()
    peers = read_csv(files, "similar_wards.csv")
    w = peers[(peers["boundary"] == "ward19") & (peers["area_code"] == "E05000001")].iloc[0]
    assert w["peer_code"] == "E05000002" and w["peer_rank"] == 1
    assert w["income_deprivation"] == pytest.approx(500 / 2200, abs=1e-6)
    sw = read_csv(files, "strengths_weaknesses.csv")
    assert set(sw["assessment"]) <= {"relative strength", "relative weakness", "neutral"}
    green = sw[(sw["area_code"] == "E05000002") & (sw["measure"] == "green_share") & (sw["year"] == 2021)].iloc[0]
    assert green["assessment"] == "relative strength"  # 42.5 against its peer's 27.3


def test_explorer_static_files_come_from_the_package(build):
    _, files = build()
    html = files["index.html"].decode()
    assert "explorer/app.js" in html and "explorer/data.js" in html
    for f in ("index.html", "explorer/app.js", "explorer/style.css"):
        text = files[f].decode()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text, f  # no CDN


def test_an_empty_comparators_table_is_reported_as_unavailable(tmp_path):
    import duckdb

    from fixture_warehouse import make_warehouse
    from social_progress.publish.build import build_release, read_warehouse
    from pathlib import Path
    ROOT = Path(__file__).resolve().parents[2]
    db = make_warehouse(tmp_path / "social_progress.duckdb", comparators=True)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM marts.indicator_comparators")
    con.close()
    _, files = build_release(read_warehouse(db), borough={"code": "E09000002", "name": "Barking and Dagenham"},
                             sources_path=ROOT / "catalogue" / "sources.yml", targets_path=None, code_version="t")
    meta = json.loads(files["metadata.json"])
    assert meta["sections"]["comparators"]["available"] is False
    assert "no rows" in meta["sections"]["comparators"]["note"]
    assert "comparators.csv" not in files
