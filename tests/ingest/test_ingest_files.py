"""File sources end to end: read, validate, land, load raw.<id>, skip when unchanged, and
fail cleanly (naming source, file and problem) while keeping the previous data."""
from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from social_progress.ingest import IngestError, ingest_source
from social_progress.ingest import warehouse
from social_progress.ingest.landing import file_sha256

CRIME_YEARS = [str(y) for y in range(2011, 2022)]


def csv_reader(path: str, encoding: str = "utf-8") -> dict:
    return {"kind": "file", "path": path, "format": "csv", "encoding": encoding}


# ------------------------------------------------------------------------------ CSV

def test_csv_is_landed_and_loaded_as_text(project, make):
    src_path = project.add("gp_practices_sample.csv", "data/records/gp.csv")
    source = make("gp", csv_reader("data/records/gp.csv"), ["org_code", "postcode"])

    result = ingest_source(source, project.settings)

    assert result.status == "ingested"
    assert (result.rows, result.columns, result.table) == (5, 12, "raw.gp")
    assert result.content_hash == file_sha256(src_path)
    landed = Path(result.landed_path)
    assert landed == project.settings.landing_dir / "gp" / f"{result.content_hash}.csv"
    assert landed.read_bytes() == src_path.read_bytes()
    # Text as published ("19740401" stays text), empty cells NULL, file named relative to the root.
    rows = project.query('SELECT org_code, open_date, close_date, _source_file FROM raw.gp ORDER BY org_code')
    assert rows[0] == ("F82001", "19740401", None, "data/records/gp.csv")
    assert rows[2][2] == "20180430"
    assert {t for (t,) in project.query(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'gp'")} == {"VARCHAR"}
    assert project.log("gp") == [(result.content_hash, 5, 12, result.landed_path)]


def test_na_markers_are_kept_and_only_empty_cells_are_null(project, make):
    project.write("data/x.csv", "code,name,note\nNA,None,\nN/A,null,x\n")
    ingest_source(make("markers", csv_reader("data/x.csv")), project.settings)
    assert project.query('SELECT code, name, note FROM raw.markers ORDER BY note NULLS FIRST') == [
        ("NA", "None", None), ("N/A", "null", "x")]


def test_unchanged_input_is_not_reingested_and_a_change_is(project, make):
    path = project.add("gp_practices_sample.csv", "data/gp.csv")
    source = make("gp", csv_reader("data/gp.csv"))
    first = ingest_source(source, project.settings)

    again = ingest_source(source, project.settings)
    assert again.status == "unchanged"
    assert (again.rows, again.columns, again.content_hash, again.landed_path) == (
        first.rows, first.columns, first.content_hash, first.landed_path)
    assert len(project.log("gp")) == 1

    with open(path, "a", encoding="utf-8") as fh:
        fh.write("F99999,NEW PRACTICE,1 ROAD,DAGENHAM,ESSEX,RM9 1AA,20250101,,A,A3A8R,4\n")
    changed = ingest_source(source, project.settings)
    assert changed.status == "ingested"
    assert changed.rows == 6 and changed.content_hash != first.content_hash
    assert project.count("gp") == 6
    assert [r[1] for r in project.log("gp")] == [5, 6]
    assert Path(first.landed_path).exists() and Path(changed.landed_path).exists()  # both versions kept

    forced = ingest_source(source, project.settings, force=True)
    assert forced.status == "ingested" and len(project.log("gp")) == 3


def test_glob_concatenates_files_with_union_of_columns(project, make):
    project.add("air_no2.csv", "data/air/lsoa11-2013-NO2.csv")
    project.add("air_pm25.csv", "data/air/lsoa11-2013-PM25.csv")
    source = make("air", csv_reader("data/air/lsoa11-*.csv"), ["LSOA11CD"])

    result = ingest_source(source, project.settings)

    assert result.rows == 6
    assert {"LSOA11CD", "NO2-2013-mean", "PM25-2013-mean", "_source_file"} <= set(result.column_names)
    assert result.columns == 1 + 5 + 5 + 1
    assert project.query('SELECT _source_file, count(*), count("NO2-2013-mean") FROM raw.air '
                         "GROUP BY 1 ORDER BY 1") == [
        ("data/air/lsoa11-2013-NO2.csv", 3, 3), ("data/air/lsoa11-2013-PM25.csv", 3, 0)]
    landed = Path(result.landed_path)
    assert landed.is_dir() and landed.name == result.content_hash
    assert sorted(p.name for p in landed.rglob("*.csv")) == ["lsoa11-2013-NO2.csv", "lsoa11-2013-PM25.csv"]

    assert ingest_source(source, project.settings).status == "unchanged"
    project.add("air_no2.csv", "data/air/lsoa11-2016-NO2.csv")  # a new file in the glob
    grown = ingest_source(source, project.settings)
    assert grown.status == "ingested" and grown.rows == 9 and grown.content_hash != result.content_hash


def test_glob_checks_required_columns_in_every_file(project, make):
    project.add("crime_arson.csv", "data/crime/london-2011-2021-major-arson.csv")
    broken = (Path(__file__).parents[1] / "data/ingest/crime_burglary.csv").read_text().replace(",2015,", ",Y2015,", 1)
    project.write("data/crime/london-2011-2021-major-burglary.csv", broken)
    source = make("crime", csv_reader("data/crime/london-2011-2021-*.csv"), ["LSOA11CD", *CRIME_YEARS])

    with pytest.raises(IngestError) as err:
        ingest_source(source, project.settings)
    assert str(err.value).startswith(
        "source 'crime' (data/crime/london-2011-2021-major-burglary.csv): missing required column(s) '2015'")


def test_detected_encoding_reads_cp1252_pound_sign(project, make):
    project.add("ward_profiles_sample_cp1252.csv", "data/wp.csv")
    source = make("ward_profiles", csv_reader("data/wp.csv", "detect"),
                  ["Ward name", "New code", "Median House Price (£) - 2014"])
    result = ingest_source(source, project.settings)
    assert result.rows == 3
    assert result.notes == ("data/wp.csv: text encoding detected as cp1252",)
    assert "Median House Price (£) - 2014" in result.column_names
    assert project.query('SELECT "Ward name" FROM raw.ward_profiles LIMIT 1') == [("City of London",)]


def test_declared_cp1252_works_and_declared_utf8_fails_at_the_byte(project, make):
    project.add("ward_profiles_sample_cp1252.csv", "data/indicators/ward_profiles/x.csv")
    ok = make("ward_profiles", csv_reader("data/indicators/ward_profiles/x.csv", "cp1252"))
    assert ingest_source(ok, project.settings).rows == 3

    wrong = make("ward_profiles_utf8", csv_reader("data/indicators/ward_profiles/x.csv", "utf-8"))
    with pytest.raises(IngestError) as err:
        ingest_source(wrong, project.settings)
    message = str(err.value)
    assert message.startswith("source 'ward_profiles_utf8' (data/indicators/ward_profiles/x.csv): "
                              "cannot decode as utf-8 at byte 1040 (0xa3)")
    assert "Median House Price (" in message and "cp1252" in message
    assert not project.has_table("ward_profiles_utf8")


def test_detect_handles_utf16_and_plain_utf8(project, make):
    project.write("data/u16.csv", "code,price\nA,£5\n".encode("utf-16"))
    project.write("data/u8.csv", "code,price\nA,£5\n".encode("utf-8"))
    for name in ("u16", "u8"):
        ingest_source(make(name, csv_reader(f"data/{name}.csv", "detect")), project.settings)
        assert project.query(f"SELECT code, price FROM raw.{name}") == [("A", "£5")]


def test_utf8_byte_order_mark_is_not_glued_to_the_first_column(project, make):
    project.write("data/bom.csv", "\ufeffcode,value\nA,1\n".encode("utf-8"))
    result = ingest_source(make("bom", csv_reader("data/bom.csv"), ["code"]), project.settings)
    assert result.column_names[0] == "code"


# ------------------------------------------------------------------------------ bad input

def test_missing_file(project, make):
    source = make("gone", csv_reader("data/not_there.csv"))
    with pytest.raises(IngestError, match=r"^source 'gone' \(data/not_there.csv\): file not found$"):
        ingest_source(source, project.settings)
    with pytest.raises(IngestError, match=r"source 'gone_glob' \(data/none-\*.csv\): no file matches"):
        ingest_source(make("gone_glob", csv_reader("data/none-*.csv")), project.settings)


def test_renamed_required_column_names_the_near_match(project, make):
    project.write("data/fms.csv", "Year,lsoa11cd,reports\n2019,E01000027,3\n")
    source = make("fixmystreet", csv_reader("data/fms.csv"), ["year", "lsoa11cd", "reports", "unique_users"])
    with pytest.raises(IngestError) as err:
        ingest_source(source, project.settings)
    assert str(err.value) == (
        "source 'fixmystreet' (data/fms.csv): missing required column(s) 'year', 'unique_users'; "
        "near matches: 'year' (found 'Year'); found: Year, lsoa11cd, reports")
    assert not project.has_table("fixmystreet")


def test_failed_ingest_keeps_previous_table_and_log(project, make):
    path = project.add("crime_arson.csv", "data/crime.csv")
    source = make("crime", csv_reader("data/crime.csv"), ["LSOA11CD", *CRIME_YEARS])
    good = ingest_source(source, project.settings)
    assert project.count("crime") == 3

    path.write_text(path.read_text().replace("LSOA11CD", "LSOA_CODE"))  # publisher renamed a column
    with pytest.raises(IngestError, match="missing required column"):
        ingest_source(source, project.settings)
    path.write_bytes(b"LSOA11CD,2011\nE01000006,\xa3\n")  # and then a bad byte
    with pytest.raises(IngestError, match="cannot decode as utf-8"):
        ingest_source(source, project.settings)

    assert project.count("crime") == 3
    assert project.log("crime") == [(good.content_hash, 3, good.columns, good.landed_path)]


def test_failure_inside_the_write_rolls_back_table_and_log(project, make, monkeypatch):
    path = project.add("gp_practices_sample.csv", "data/gp.csv")
    source = make("gp", csv_reader("data/gp.csv"))
    ingest_source(source, project.settings)
    path.write_text("org_code\nONLY\n")

    # The log insert fails after the table was replaced inside the transaction
    # (force=True: the change check would otherwise read the patched log name too).
    monkeypatch.setattr(warehouse, "LOG_TABLE", "raw._no_such_log")
    with pytest.raises(IngestError, match=r"source 'gp' \(raw.gp\): writing to .* failed"):
        ingest_source(source, project.settings, force=True)
    assert project.count("gp") == 5
    assert len(project.log("gp")) == 1


def test_header_only_csv_is_refused(project, make):
    project.write("data/empty.csv", "a,b\n")
    with pytest.raises(IngestError, match=r"source 'empty' \(data/empty.csv\): no data rows"):
        ingest_source(make("empty", csv_reader("data/empty.csv")), project.settings)
    project.write("data/blank.csv", "")
    with pytest.raises(IngestError, match="file is empty"):
        ingest_source(make("blank", csv_reader("data/blank.csv")), project.settings)


def test_columns_differing_only_in_case_are_refused(project, make):
    project.write("data/g/a.csv", "code,Year\nA,2019\n")
    project.write("data/g/b.csv", "code,year\nB,2020\n")
    with pytest.raises(IngestError, match=r"source 'g' \(2 files\): columns 'Year' and 'year' differ only in case"):
        ingest_source(make("g", csv_reader("data/g/*.csv")), project.settings)


# ------------------------------------------------------------------------------ XLSX

def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["code", "value", "note"])
    ws.append(["E01000027", 12.5, None])
    ws.append(["E01000028", 7, "x"])
    notes = wb.create_sheet("Notes")
    notes.append(["about"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_xlsx_sheet_is_read_as_text(project, make):
    _workbook(project.root / "data/book.xlsx")
    source = make("book", {"kind": "file", "path": "data/book.xlsx", "format": "xlsx", "sheet": "Data"},
                  ["code", "value"])
    result = ingest_source(source, project.settings)
    assert result.rows == 2
    assert Path(result.landed_path).suffix == ".xlsx"
    assert project.query("SELECT code, value, note FROM raw.book ORDER BY code") == [
        ("E01000027", "12.5", None), ("E01000028", "7", "x")]

    bad = make("book2", {"kind": "file", "path": "data/book.xlsx", "format": "xlsx", "sheet": "Nope"})
    with pytest.raises(IngestError, match=r"source 'book2' \(data/book.xlsx\): cannot read workbook: .*Nope"):
        ingest_source(bad, project.settings)
    project.write("data/fake.xlsx", "code,value\n")
    with pytest.raises(IngestError, match="not an xlsx workbook"):
        ingest_source(make("fake", {"kind": "file", "path": "data/fake.xlsx", "format": "xlsx"}), project.settings)


# ------------------------------------------------------------------------------ spatial

def test_geojson_glob_keeps_geometry_as_wkt_with_crs(project, make):
    project.add("wards_sample.geojson", "data/wards/E09000002.geojson")
    other = json.loads((Path(__file__).parents[1] / "data/ingest/wards_sample.geojson").read_text())
    other["features"] = other["features"][:1]
    project.write("data/wards/E09000016.geojson", json.dumps(other))
    source = make("wards", {"kind": "file", "path": "data/wards/*.geojson", "format": "geojson"},
                  ["WD25CD", "geometry_wkt"])

    result = ingest_source(source, project.settings)

    assert result.rows == 3
    rows = project.query("SELECT WD25CD, _crs, left(geometry_wkt, 7), _source_file FROM raw.wards ORDER BY _source_file, WD25CD")
    assert {r[1] for r in rows} == {"EPSG:4326"}
    assert {r[2] for r in rows} <= {"POLYGON", "MULTIPO"}
    assert [r[3] for r in rows] == ["data/wards/E09000002.geojson"] * 2 + ["data/wards/E09000016.geojson"]
    assert "geometry" not in result.column_names


def test_shapefile_is_landed_with_its_parts(project, make):
    gdf = gpd.read_file(Path(__file__).parents[1] / "data/ingest/wards_sample.geojson").to_crs("EPSG:27700")
    shp = project.root / "data/geo/wards.shp"
    shp.parent.mkdir(parents=True)
    gdf[["WD25CD", "WD25NM", "geometry"]].to_file(shp)
    source = make("wards_shp", {"kind": "file", "path": "data/geo/wards.shp", "format": "shapefile"},
                  ["WD25CD", "geometry_wkt", "_crs"])

    result = ingest_source(source, project.settings)

    assert result.rows == 2
    assert project.query("SELECT DISTINCT _crs FROM raw.wards_shp") == [("EPSG:27700",)]
    landed = Path(result.landed_path)
    assert landed.suffix == ".shp"
    assert {p.suffix for p in landed.parent.glob(f"{result.content_hash}.*")} >= {".shp", ".shx", ".dbf", ".prj"}
    # The content hash covers the attribute table too, not only the .shp.
    before = result.content_hash
    gdf.assign(WD25NM="renamed")[["WD25CD", "WD25NM", "geometry"]].to_file(shp)
    assert ingest_source(source, project.settings).content_hash != before

    os.remove(shp.with_suffix(".dbf"))
    with pytest.raises(IngestError, match=r"source 'wards_shp' \(data/geo/wards.shp\): shapefile is incomplete: missing .dbf"):
        ingest_source(source, project.settings)


def test_linked_data_files_are_named_by_their_place_in_the_project(project, make, tmp_path, monkeypatch):
    """Data linked into the project (as a deployment may do with a shared data folder, listed
    in SPI_DATA_ALLOW) is named relative to the project, so a glob's hash is the same
    wherever the project is."""
    import os

    shared = tmp_path / "shared_data"
    shared.mkdir()
    monkeypatch.setenv("SPI_DATA_ALLOW", str(shared))
    fixtures = Path(__file__).resolve().parents[1] / "data" / "ingest"
    for name in ("air_no2.csv", "air_pm25.csv"):
        (shared / name).write_bytes((fixtures / name).read_bytes())
    (project.root / "data" / "air").mkdir(parents=True)
    os.symlink(shared / "air_no2.csv", project.root / "data" / "air" / "lsoa11-2013-NO2.csv")
    os.symlink(shared / "air_pm25.csv", project.root / "data" / "air" / "lsoa11-2013-PM25.csv")
    source = make("air", csv_reader("data/air/lsoa11-*.csv"), ["LSOA11CD"])

    result = ingest_source(source, project.settings)

    assert project.query("SELECT DISTINCT _source_file FROM raw.air ORDER BY 1") == [
        ("data/air/lsoa11-2013-NO2.csv",), ("data/air/lsoa11-2013-PM25.csv",)]
    copied = make_project_copy(project.root, tmp_path / "moved")
    os.environ["SPI_PROJECT_ROOT"] = str(copied)  # restored by the project fixture's monkeypatch
    from social_progress.settings import get_settings
    moved = ingest_source(source, get_settings())
    assert moved.content_hash == result.content_hash


def make_project_copy(root: Path, dest: Path) -> Path:
    import shutil
    shutil.copytree(root, dest, symlinks=True)
    return dest
