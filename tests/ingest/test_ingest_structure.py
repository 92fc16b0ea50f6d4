"""Structural faults in files are refused, naming the file, the line (or cell) and the
column truly at fault; a well-formed file still reads exactly as before.

Why: each of these faults used to pass silently or blame the wrong column: a repeated
header was renamed ('value.1') and one column ignored, a short row was padded (and a long
first row became an index, shifting every column), a formula cell never calculated read
as NULL, a year written "2019.0" made the coverage check report 2019 missing, and a code
typed with full-width digits passed a `\\d` format check while the postcode normaliser
dropped the digit and made another postcode.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from social_progress.geography.postcodes import normalise_postcode, normalise_series
from social_progress.ingest import IngestError, ingest_source

FULLWIDTH_LSOA = "E0100\uff10\uff11\uff12\uff13"      # E0100０１２３
ARABIC_INDIC_LSOA = "E01\u0660\u0660\u0660\u0661\u0662\u0663"  # E01٠٠٠١٢٣


def csv_reader(path: str) -> dict:
    return {"kind": "file", "path": path, "format": "csv", "encoding": "utf-8"}


def xlsx_reader(path: str, sheet: str = "Data") -> dict:
    return {"kind": "file", "path": path, "format": "xlsx", "sheet": sheet}


def refused(project, source) -> str:
    """The ingest error's message; nothing may have been written."""
    with pytest.raises(IngestError) as err:
        ingest_source(source, project.settings)
    assert not project.has_table(source.id)
    return str(err.value)


def workbook(path: Path, rows: list[list], title: str = "Data") -> Path:
    """A workbook with a cover sheet first, so the sheet asked for is not simply the first."""
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["about this workbook"])
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ------------------------------------------------------------------------ repeated headers

def test_repeated_header_in_csv_names_both_columns(project, make):
    # "Value " differs from "value" only by case and a trailing space: pandas would keep both,
    # DuckDB ignores case, and a reader cannot tell them apart.
    project.write("data/dup.csv", "code,value,note,Value \nE01000001,1,x,2\n")
    message = refused(project, make("dup", csv_reader("data/dup.csv")))
    assert message == ("source 'dup' (data/dup.csv): the header (line 1) repeats the column name 'value': "
                       "columns 2 and 4 ('value' and 'Value '); every column needs its own name")


def test_exact_repeat_after_blank_lines_names_the_header_line(project, make):
    project.write("data/dup2.csv", "\n\ncode,value,value\nE01000001,1,2\n")
    message = refused(project, make("dup2", csv_reader("data/dup2.csv")))
    assert message == ("source 'dup2' (data/dup2.csv): the header (line 3) repeats the column name 'value': "
                       "columns 2 and 3 ('value' and 'value'); every column needs its own name")


def test_repeated_header_in_xlsx_names_the_sheet_and_column_letters(project, make):
    # pandas reads these as 'value', 'Value', 'value.1': the check reads row 1 as written
    workbook(project.root / "data/dup.xlsx", [["code", "value", "note", "value"], ["E01000001", 1, "x", 2]])
    message = refused(project, make("dupx", xlsx_reader("data/dup.xlsx")))
    assert message == ("source 'dupx' (data/dup.xlsx): the header (sheet 'Data' row 1) repeats the column name "
                       "'value': columns B and D ('value' and 'value'); every column needs its own name")


def test_names_that_only_look_renamed_are_kept(project, make):
    workbook(project.root / "data/sections.xlsx", [["code", "1", "1.1"], ["E01000001", "a", "b"]])
    ingest_source(make("sections", xlsx_reader("data/sections.xlsx")), project.settings)
    assert project.query('SELECT code, "1", "1.1" FROM raw.sections') == [("E01000001", "a", "b")]


# ------------------------------------------------------------------------------ ragged rows

def test_short_row_is_refused_at_its_line_after_quoted_commas_and_line_breaks(project, make):
    project.write("data/ragged.csv",
                  'code,value,note\n'
                  'E01000001,"1,5",plain\n'           # line 2: a quoted comma is not a separator
                  'E01000002,2,"two\nlines"\n'        # lines 3-4: one record
                  'E01000003,3\n'                     # line 5: a field short
                  'E01000004,4,x\n')
    message = refused(project, make("ragged", csv_reader("data/ragged.csv")))
    assert message == ("source 'ragged' (data/ragged.csv): line 5 has 2 fields where the header (line 1) has 3; "
                       "a missing or extra separator would shift every later value into the wrong column")


def test_long_first_row_is_refused_not_turned_into_an_index(project, make):
    # pandas took the extra field as an index column and shifted every value one column left
    project.write("data/long.csv", "code,value,note\nE01000001,1,x,extra\nE01000002,2,y\n")
    message = refused(project, make("long", csv_reader("data/long.csv")))
    assert message == ("source 'long' (data/long.csv): line 2 has 4 fields where the header (line 1) has 3; "
                       "a missing or extra separator would shift every later value into the wrong column")


# ------------------------------------------------------------------------- formula cells

def _formula_book(path: Path) -> Path:
    rows = [["code", "value", "double"]] + [[f"E0100000{i}", i, i * 2] for i in range(1, 6)]
    rows.append(["E01000006", 6, "=B7*2"])   # row 7: openpyxl saves the formula, no value
    rows.append(["E01000007", 7, "=B8*2"])
    return workbook(path, rows)


def test_formula_without_saved_value_is_refused_naming_the_cell(project, make):
    _formula_book(project.root / "data/formulas.xlsx")
    message = refused(project, make("formulas", xlsx_reader("data/formulas.xlsx")))
    assert message == (
        "source 'formulas' (data/formulas.xlsx): sheet 'Data' cell C7 (column 'double') holds the formula "
        "=B7*2 without a saved value, which would read as empty (2 such cells in the sheet); the workbook "
        "was saved by a program that does not calculate formulas: open and save it in a spreadsheet "
        "program, or export values")


def test_formula_with_saved_value_reads_the_value(project, make):
    """What a spreadsheet program saves: the formula and its value (written here by hand)."""
    path = _formula_book(project.root / "data/calculated.xlsx")
    fixed = path.with_name("calculated_values.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                assert data.count(b"<v />") == 2
                data = data.replace(b"<f>B7*2</f><v />", b"<f>B7*2</f><v>12</v>")
                data = data.replace(b"<f>B8*2</f><v />", b"<f>B8*2</f><v>14</v>")
            dst.writestr(item, data)
    ingest_source(make("calculated", xlsx_reader("data/calculated_values.xlsx")), project.settings)
    assert project.query("SELECT code, double FROM raw.calculated WHERE value::INT > 5 ORDER BY code") == [
        ("E01000006", "12"), ("E01000007", "14")]


# -------------------------------------------------------------------------- decimal years

def test_decimal_year_is_refused_naming_line_and_column(project, make):
    # Refused, not read as 2019: the raw layer keeps the text as sent, the coverage check
    # would report 2019 missing, and DuckDB rounds a cast of "2019.5" to 2020.
    project.write("data/years.csv", "code,year,value\nE01000001,2019,1\nE01000002,2019.0,2\nE01000003,2020.0,3\n")
    message = refused(project, make("years", csv_reader("data/years.csv")))
    assert message == ("source 'years' (data/years.csv): line 3, column 2 ('year'): the year '2019.0' is written "
                       "as a decimal number (2 cells of the column are); a year must be a whole number such as 2019")


def test_decimal_year_in_xlsx_names_the_cell(project, make):
    workbook(project.root / "data/years.xlsx",
             [["code", "closed_year"], ["E01000001", 2019], ["E01000002", None], ["E01000003", "2019.5"]])
    message = refused(project, make("yearsx", xlsx_reader("data/years.xlsx")))
    assert message == ("source 'yearsx' (data/years.xlsx): sheet 'Data' cell B4 (column 'closed_year'): the year "
                       "'2019.5' is written as a decimal number; a year must be a whole number such as 2019")


# ------------------------------------------------------------------------ non-ASCII digits

def test_fullwidth_digits_in_a_code_are_refused_naming_line_and_column(project, make):
    project.write("data/codes.csv", f"name,LSOA11CD\nFlat \uff13 High St,E01000001\nsecond,{FULLWIDTH_LSOA}\n")
    message = refused(project, make("codes", csv_reader("data/codes.csv")))
    assert message == (f"source 'codes' (data/codes.csv): line 3, column 2 ('LSOA11CD'): '{FULLWIDTH_LSOA}' has "
                       "the non-ASCII digit '\uff10' (U+FF10 FULLWIDTH DIGIT ZERO); codes, numbers and dates "
                       "take only the digits 0-9")


def test_arabic_indic_digits_in_xlsx_are_refused_naming_the_cell(project, make):
    workbook(project.root / "data/codes.xlsx", [["LSOA11CD", "n"], ["E01000001", 1], [ARABIC_INDIC_LSOA, 2]])
    message = refused(project, make("codesx", xlsx_reader("data/codes.xlsx")))
    assert message == (f"source 'codesx' (data/codes.xlsx): sheet 'Data' cell A3 (column 'LSOA11CD'): "
                       f"'{ARABIC_INDIC_LSOA}' has the non-ASCII digit '\u0660' (U+0660 ARABIC-INDIC DIGIT ZERO); "
                       "codes, numbers and dates take only the digits 0-9")


def test_postcode_with_a_unicode_digit_is_invalid_in_the_normaliser_and_at_ingest(project, make):
    typed = "RM10 \uff17AB"  # RM10 ７AB
    # The normaliser used to drop the digit like punctuation and return another postcode, RM1 0AB.
    assert normalise_postcode(typed) == (None, False)
    assert normalise_postcode("RM10 \u0667AB") == (None, False)   # Arabic-Indic seven
    assert normalise_postcode("RM10 7AB") == ("RM10 7AB", False)
    assert normalise_postcode("rm1O 7ab") == ("RM10 7AB", True)
    out = normalise_series(pd.Series(["RM10 7AB", typed]))
    assert out["postcode_normalised"].iloc[0] == "RM10 7AB" and pd.isna(out["postcode_normalised"].iloc[1])

    project.write("data/addresses.csv", f"ref,postcode\nA1,RM10 7AB\nA2,{typed}\n")
    message = refused(project, make("addresses", csv_reader("data/addresses.csv")))
    assert message.startswith(f"source 'addresses' (data/addresses.csv): line 3, column 2 ('postcode'): '{typed}' "
                              "has the non-ASCII digit '\uff17' (U+FF17 FULLWIDTH DIGIT SEVEN)")


# ---------------------------------------------------------------------- positive controls

def test_well_formed_csv_reads_exactly_as_written(project, make):
    project.write("data/good.csv",
                  'code,year,value,note,arrears_at_year_end\r\n'
                  'E01000001,2019,"1,5","two\r\nlines",1008.71\r\n'
                  'E01000002,2020,2.0,Flat \uff13 (free text) \u00a35,2019.50\r\n'
                  'E01000003,2021,,,\r\n'
                  '\r\n\r\n')   # trailing empty lines are allowed
    result = ingest_source(make("good", csv_reader("data/good.csv")), project.settings)
    assert result.rows == 3
    # money in a column named after the year end is not a year; free text may hold any digit
    assert project.query("SELECT code, year, value, note, arrears_at_year_end FROM raw.good ORDER BY code") == [
        ("E01000001", "2019", "1,5", "two\r\nlines", "1008.71"),
        ("E01000002", "2020", "2.0", "Flat \uff13 (free text) \u00a35", "2019.50"),
        ("E01000003", "2021", None, None, None)]


def test_well_formed_xlsx_reads_exactly_as_written(project, make):
    workbook(project.root / "data/good.xlsx",
             [["code", "year", "value"], ["E01000001", 2019, 12.5], [None, None, None], ["E01000002", 2020, 7]])
    result = ingest_source(make("goodx", xlsx_reader("data/good.xlsx")), project.settings)
    assert result.rows == 3
    assert project.query("SELECT code, year, value FROM raw.goodx ORDER BY code NULLS LAST") == [
        ("E01000001", "2019", "12.5"), ("E01000002", "2020", "7"), (None, None, None)]
