"""The derived marts: each computed from the fixture warehouse, checked, written and read
back; the release built from them is the one the publish step used to compute itself."""
import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from fixture_warehouse import BOROUGH_DICT, make_warehouse
from social_progress.publish.build import build_release, read_warehouse
from social_progress.publish.marts import (DERIVED_MARTS, MartContext, MartError, check_mart, read_inputs, read_mart,
                                           write_derived_marts, write_mart)

ROOT = Path(__file__).resolve().parents[2]

TARGETS = ("targets:\n"
           "  - {indicator: crime_rate, status: illustrative, source: 'Test draft, not adopted', target: 50, "
           "target_year: 2030}\n"
           "  - {indicator: green_share, status: illustrative, source: 'Test draft, not adopted', target: 0.5, "
           "target_year: 2030}\n")
# sha256 of the release's table files as the publish step computed them before the marts
# existed (commit ca17718), for the fixture warehouse with every optional table and TARGETS.
# targets.csv has left this list: it has since gained the target's status (adopted or
# illustrative), kind and the relative targets' columns, and an unknown indicator is now
# refused rather than reported as "no data" (tests/publish/test_targets_status.py).
BEFORE = {
    # comparators.csv changed on purpose: the borough is compared with London as every benchmark
    # (publish.benchmark): its 95% interval against London's value, no longer interval overlap.
    # Havering 2021 (5.48-6.07 per 1,000 against London's 6.11) was "similar", is now "better".
    "comparators.csv": "81741c14a5404d249b2ac3de48782d028394198238ed5c678c957d1f0b84cb04",
    "indicator_values.csv": "ec6d4cdf23c70f6283b1c8476a2bd497eb5d221d90aad75166508f3a37ccef07",
    "progress.csv": "c8f6ef846329fd8471296cd4f8edb6d166cff4fcb87e723487da9959f914fe31",
    "similar_wards.csv": "4b8772cd4094408f36330e81d1c039d7c72d743d10edda9cdac34991c4ca637b",
    "strengths_weaknesses.csv": "bc12cc056a524447ab19064f0ac806cf370ab54b52e6bde73fcb1f6a0fbbc24d",
    "uncertainty.csv": "8927f377a2f5f17736d3fefeff591fa2d362ff8981f1e5a0459600f4a95dcbc2",
}


def _without_flags(name: str, data: bytes) -> bytes:
    """indicator_values.csv has carried a last column, quality_flag (disclosure control's
    suppressed_* and the other flags), since the council feeds; the fixture's values have no
    flags, so without that empty column the bytes are the ones computed before."""
    if name != "indicator_values.csv":
        return data
    lines = data.decode("utf-8").split("\n")
    assert lines[0].endswith(",quality_flag") and all(line.endswith(",") for line in lines[1:] if line)
    return "\n".join(line[:-len(",quality_flag")] if i == 0 else line[:-1] if line else line
                     for i, line in enumerate(lines)).encode("utf-8")


@pytest.fixture
def targets(tmp_path):
    p = tmp_path / "targets.yml"
    p.write_text(TARGETS)
    return p


def _marts(db, targets_path=None):
    """Every derived mart computed from `db`, in registry order, without writing."""
    ctx = MartContext(borough=BOROUGH_DICT, targets_path=targets_path)
    done = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for spec in DERIVED_MARTS.values():
            done[spec.name] = spec.compute(read_inputs(con, spec, {f"marts.{n}": f for n, f in done.items()}), ctx)
    finally:
        con.close()
    return done


def _release(db, targets_path, require_marts):
    return build_release(read_warehouse(db, require_marts=require_marts), borough=BOROUGH_DICT,
                         sources_path=ROOT / "catalogue" / "sources.yml", targets_path=targets_path,
                         code_version="test-version")


def test_registry_names_inputs_keys_and_dependency_order():
    seen = set()
    for name, spec in DERIVED_MARTS.items():
        assert spec.table == f"marts.{name}" and spec.description and spec.release_file.endswith(".csv")
        assert set(spec.key) <= set(spec.columns) and set(spec.order) <= set(spec.columns)
        assert all("." in t for t in spec.deps)
        for dep in spec.deps:  # a derived mart is computed after the marts it reads
            if dep.startswith("marts.") and dep[6:] in DERIVED_MARTS:
                assert dep[6:] in seen, (name, dep)
        seen.add(name)
    assert DERIVED_MARTS["comparisons"].optional_inputs == ("marts.indicator_comparators",)
    assert "marts.index_uncertainty" in DERIVED_MARTS["progress_ratings"].optional_inputs
    assert "marts.similar_areas" in DERIVED_MARTS["strengths_weaknesses"].inputs


def test_each_mart_on_the_fixture_warehouse(tmp_path, targets):
    db = make_warehouse(tmp_path / "social_progress.duckdb", uncertainty=True, comparators=True)
    m = _marts(db, targets)
    for name, frame in m.items():
        assert check_mart(DERIVED_MARTS[name], frame) == [], name
        assert list(frame.columns) == list(DERIVED_MARTS[name].columns), name

    iv = m["indicator_intervals"]
    assert len(iv) == 9 * 3 + 9  # crime: 9 areas x 3 years; green: 9 areas x 1 year
    crime = iv[(iv["indicator_id"] == "crime_rate") & (iv["boundary"] == "ward19") & (iv["area_code"] == "E05000001")
               & (iv["year"] == 2021)].iloc[0]
    assert crime["value"] == pytest.approx(1000 * 90 / 2200) and crime["ci_method"] == "byar_poisson"
    assert crime["ci_lower"] < crime["value"] < crime["ci_upper"]
    assert iv[iv["indicator_id"] == "green_share"]["ci_lower"].isna().all()

    p = m["progress_ratings"].set_index(["boundary", "area_code", "base_year", "year", "measure"])
    assert p.loc[("ward19", "E05000001", 2020, 2021, "crime_rate"), "rating"] == "better"
    assert p.loc[("ward19", "E05000002", 2020, 2021, "crime_rate"), "rating"] == "no significant change"
    assert p.loc[("lad", "E09000002", 2019, 2021, "Social Progress Index"), "rating"] == "not assessed"

    peers = m["similar_areas"]
    assert peers.attrs["status"] == {"available": True,
                                     "note": "IoD 2019 income domain numerator / ONS mid-2019 population"}
    w = peers[(peers["boundary"] == "ward19") & (peers["area_code"] == "E05000001")].iloc[0]
    assert (w["peer_code"], w["peer_name"], w["peer_rank"]) == ("E05000002", "Alibon", 1)
    assert w["income_deprivation"] == pytest.approx(500 / 2200, abs=1e-6)

    sw = m["strengths_weaknesses"].set_index(["boundary", "area_code", "year", "measure"])
    green = sw.loc[("ward19", "E05000002", 2021, "green_share")]
    assert green["assessment"] == "relative strength" and green["n_peers"] == 1

    t = m["target_status"].set_index("indicator_id")
    assert t.loc["crime_rate", "status"] == "on track" and t.loc["crime_rate", "current_year"] == 2021
    assert t.loc["green_share", "status"] == "off track" and set(t["adoption_status"]) == {"illustrative"}

    c = m["comparisons"]
    assert c.attrs["status"]["available"] is True
    assert set(c["role"]) == {"borough", "london", "neighbour"}
    own = c[(c["role"] == "borough") & (c["year"] == 2021)].iloc[0]
    assert own["comparator_name"] == "Barking and Dagenham" and own["compared_with_london"] == "worse"
    assert set(c[c["role"] == "london"]["compared_with_london"]) == {""}


def test_written_marts_read_back_as_computed(tmp_path, targets):
    db = make_warehouse(tmp_path / "social_progress.duckdb", uncertainty=True, comparators=True)
    computed = _marts(db, targets)
    rows = write_derived_marts(db, BOROUGH_DICT, targets)
    assert rows == {n: len(f) for n, f in computed.items()}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name, frame in computed.items():
            back = read_mart(con, name)
            pd.testing.assert_frame_equal(back, frame, check_dtype=False, obj=name)
            assert back.attrs["status"] == frame.attrs["status"], name
    finally:
        con.close()


def test_the_release_from_marts_is_the_release_the_publish_step_computed(tmp_path, targets):
    db = make_warehouse(tmp_path / "a" / "social_progress.duckdb", uncertainty=True, comparators=True, checks=True)
    write_derived_marts(db, BOROUGH_DICT, targets)
    _, files = _release(db, targets, require_marts=True)
    assert {n: hashlib.sha256(_without_flags(n, files[n])).hexdigest() for n in BEFORE} == BEFORE
    # an older warehouse without the marts: computed in memory by the same functions, same bytes
    old = make_warehouse(tmp_path / "b" / "social_progress.duckdb", uncertainty=True, comparators=True, checks=True)
    _, again = _release(old, targets, require_marts=False)
    assert again.keys() == files.keys()
    assert [n for n in files if files[n] != again[n]] == []


def test_a_release_requiring_marts_names_the_missing_ones(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb")
    with pytest.raises(MartError, match="marts.progress_ratings"):
        read_warehouse(db, require_marts=True)


def test_missing_comparators_give_an_empty_mart_and_the_section_note(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb")
    write_derived_marts(db, BOROUGH_DICT, None)
    con = duckdb.connect(str(db), read_only=True)
    comps = read_mart(con, "comparisons")
    con.close()
    assert comps.empty and comps.attrs["status"]["available"] is False
    _, files = _release(db, None, require_marts=True)
    meta = json.loads(files["metadata.json"])
    assert meta["sections"]["comparators"] == {
        "available": False, "note": "marts.indicator_comparators is not in the warehouse: no London or neighbour "
                                    "comparison in this release"}
    assert "comparators.csv" not in files
    assert meta["sections"]["targets"]["available"] is False  # no targets file


def test_an_empty_comparators_table_reads_no_rows_from_the_marts(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb", comparators=True)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM marts.indicator_comparators")
    con.close()
    write_derived_marts(db, BOROUGH_DICT, None)
    _, files = _release(db, None, require_marts=True)
    note = json.loads(files["metadata.json"])["sections"]["comparators"]
    assert note["available"] is False and "has no rows" in note["note"]
    assert "comparators.csv" not in files


def test_no_income_data_leaves_similar_wards_out_with_the_reason(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb")
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE raw.imd2019_indicators")
    con.close()
    write_derived_marts(db, BOROUGH_DICT, None)
    con = duckdb.connect(str(db), read_only=True)
    peers, sw = read_mart(con, "similar_areas"), read_mart(con, "strengths_weaknesses")
    con.close()
    assert peers.empty and sw.empty and sw.attrs["status"]["available"] is False
    _, files = _release(db, None, require_marts=True)
    meta = json.loads(files["metadata.json"])
    assert meta["sections"]["similar_wards"] == {
        "available": False, "note": "unavailable: no income deprivation data (raw.imd2019_indicators) in the warehouse"}
    assert "similar_wards.csv" not in files and "strengths_weaknesses.csv" not in files
    assert '"peers":null' in files["explorer/data.js"].decode()


def test_no_uncertainty_leaves_index_changes_not_assessed(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb")
    p = _marts(db)["progress_ratings"]
    idx = p[(p["measure_type"] == "index") & (p["boundary"] == "ward19")]
    assert set(idx["rating"]) == {"not assessed"}
    assert idx["reason"].str.contains("rank intervals unavailable").all()


def test_check_mart_finds_null_and_duplicate_keys():
    spec = DERIVED_MARTS["similar_areas"]
    row = {c: None for c in spec.columns} | {"boundary": "ward19", "area_code": "E05000001", "peer_rank": 1}
    frame = pd.DataFrame([row, row, row | {"area_code": None}])
    problems = check_mart(spec, frame)
    assert any("rows with no area_code" in p for p in problems)
    assert any("share a key" in p for p in problems)
    assert check_mart(spec, frame.iloc[:1].drop(columns="gap")) == ["marts.similar_areas: missing columns ['gap']"]


def test_write_mart_keeps_the_status_as_the_table_comment(tmp_path):
    db = make_warehouse(tmp_path / "social_progress.duckdb")
    frame = _marts(db)["comparisons"]
    frame.attrs["status"] = {"available": False, "note": "the borough's neighbours aren't named"}  # quotes survive
    write_mart(db, DERIVED_MARTS["comparisons"], frame)
    con = duckdb.connect(str(db), read_only=True)
    comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'comparisons'").fetchone()[0]
    con.close()
    assert json.loads(comment) == frame.attrs["status"]
