"""No published CSV can carry a live spreadsheet formula (issue: hostile input).

A ward name such as `=HYPERLINK("http://x","click")` comes from an input file; a spreadsheet
opening scores.csv would run it. Text cells beginning with = + - @, a tab or a carriage
return are written with a leading `'` (OWASP); numbers are never changed, and the Parquet
files keep the original text.
"""
import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from fixture_warehouse import BOROUGH, make_warehouse
from social_progress.publish.release import publish
from social_progress.publish import tables

ROOT = Path(__file__).resolve().parents[2]
BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}
# what a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV Injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
WARD = "E05000001"          # a ward of the fixture warehouse (ward19 "Abbey")


def plain_csv(frame: pd.DataFrame) -> bytes:
    """What pandas writes with the release's options and no guard."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def formula_cells(data: bytes) -> list[str]:
    """Cells (header included) a spreadsheet would run: text starting with a formula character."""
    return [c for row in cells(data) for c in row if c.startswith(FORMULA_START) and not is_number(c)]


def hostile_frame() -> pd.DataFrame:
    names = HOSTILE + ["Abbey", None]
    return pd.DataFrame({
        "area_name": names,
        "change": [-3.5, 1.25, -0.0001, 0.0, -10.0, 2.0, -1e-7, None],
        "rank": [-1, 2, 3, 4, 5, 6, 7, 8],
        "year": pd.array([2019, None, -2021, 2021, 2021, 2021, 2021, 2021], dtype="Int64"),
        "flag": [True, False, True, False, True, False, True, False],
    })


def test_dangerous_text_cells_get_a_quote_and_everything_else_is_plain_pandas_output():
    frame = hostile_frame()
    original = frame.copy()
    out = tables.csv_bytes(frame)

    rows = cells(out)
    assert rows[0] == ["area_name", "change", "rank", "year", "flag"]
    # a carriage return is written as a line feed, so the cell is quoted and stays one cell
    guarded = ["'" + n.replace("\r", "\n") for n in HOSTILE]
    assert [r[0] for r in rows[1:]] == guarded + ["Abbey", ""]
    # numbers untouched: byte for byte what pandas writes once the names are prefixed
    expected = frame.assign(area_name=guarded + ["Abbey", None])
    assert out == plain_csv(expected)
    assert [r[1] for r in rows[1:]] == ["-3.5", "1.25", "-0.0001", "0", "-10", "2", "-1e-07", ""]
    assert [r[2] for r in rows[1:3]] == ["-1", "2"] and rows[2][3] == "" and rows[3][3] == "-2021"
    assert formula_cells(out) == []
    pd.testing.assert_frame_equal(frame, original)   # the caller's frame is not changed


def test_a_frame_without_dangerous_text_is_written_exactly_as_before():
    frame = hostile_frame().iloc[6:].reset_index(drop=True)
    assert tables.csv_safe(frame) is frame
    assert tables.csv_bytes(frame) == plain_csv(frame)
    assert tables.csv_bytes(frame, float_format="%.6g") == frame.to_csv(index=False, lineterminator="\n",
                                                                  float_format="%.6g").encode()


def test_every_kind_of_text_column_and_header_is_guarded_but_numbers_held_as_numbers_are_not():
    frame = pd.DataFrame({
        "code": ["-1", "E05000001"],                                      # text that looks like a number
        "string": pd.array(["@SUM(A1)", pd.NA], dtype="string"),
        "category": pd.Categorical(["=1+1", "ok"]),
        "mixed": pd.Series([-3.5, "+x"], dtype=object),                    # a number held as a number stays
        "=HEADER": [1.0, -2.0],
    })
    rows = cells(tables.csv_bytes(frame))
    assert rows == [["code", "string", "category", "mixed", "'=HEADER"],
                    ["'-1", "'@SUM(A1)", "'=1+1", "-3.5", "1"],
                    ["E05000001", "", "ok", "'+x", "-2"]]


def test_a_carriage_return_inside_text_cannot_start_a_row_with_a_formula():
    """Unquoted, "Abbey<CR>=1+1" is two rows to a spreadsheet, the second a formula."""
    frame = pd.DataFrame({"area_name": ["Abbey\r=1+1", "Alibon\r\n@SUM(A1)", "Becontree"], "score": [1.5, -2.0, 3.0]})
    assert formula_cells(plain_csv(frame)) == ["=1+1"]    # what pandas alone writes
    out = tables.csv_bytes(frame)
    assert cells(out) == [["area_name", "score"], ["Abbey\n=1+1", "1.5"], ["Alibon\n@SUM(A1)", "-2"], ["Becontree", "3"]]
    assert formula_cells(out) == []


def _hostile_warehouse(path):
    """The fixture warehouse with ward E05000001 renamed to a formula and an indicator
    described by one, everywhere the release reads names from."""
    import duckdb

    db = make_warehouse(path)
    con = duckdb.connect(str(db))
    try:
        for table in ("geography.areas", "marts.index_scores"):
            con.execute(f"UPDATE {table} SET area_name = ? WHERE area_code = ?", [HOSTILE[0], WARD])
        con.execute("UPDATE geography.ward19_boundaries SET ward19_name = ? WHERE ward19_code = ?", [HOSTILE[0], WARD])
        con.execute("UPDATE marts.indicator_metadata SET description = ? WHERE indicator_id = 'crime_rate'",
                    ["@SUM(A1) crimes"])
    finally:
        con.close()
    return db


def test_no_published_csv_holds_a_formula_and_parquet_keeps_the_original_name(tmp_path):
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import write_derived_marts

    db = _hostile_warehouse(tmp_path / "wh" / "social_progress.duckdb")
    write_derived_marts(db, BOROUGH_DICT, None)
    year, files = build_release(read_warehouse(db, require_marts=True), borough=BOROUGH_DICT,
                                sources_path=ROOT / "catalogue" / "sources.yml", targets_path=None,
                                code_version="test-version")
    out = publish(tmp_path / "releases", year, files)

    written = sorted(out.path.rglob("*.csv"))
    assert {"scores.csv", "indicator_values.csv", "indicators.csv", "data_dictionary.csv"} <= {p.name for p in written}
    for path in written:
        assert formula_cells(path.read_bytes()) == [], path.name
    # the hostile name did reach the CSV, as text a spreadsheet shows and never runs
    scores = cells((out.path / "scores.csv").read_bytes())
    col = scores[0].index("area_name")
    guarded = [r for r in scores[1:] if r[col] == "'" + HOSTILE[0]]
    assert len(guarded) > 0 and not [r for r in scores[1:] if r[col] == HOSTILE[0]]
    indicators = cells((out.path / "indicators.csv").read_bytes())
    assert "'@SUM(A1) crimes" in [r[indicators[0].index("description")] for r in indicators[1:]]
    # Parquet is data, not a spreadsheet: the original text, row for row
    names = pq.read_table(out.path / "scores.parquet").column("area_name").to_pylist()
    assert names.count(HOSTILE[0]) == len(guarded)
    assert not any(str(n).startswith("'") for n in names)
