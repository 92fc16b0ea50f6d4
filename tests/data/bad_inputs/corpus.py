"""The bad-input corpus: each case takes one bundled source file, breaks it in one way a real
feed breaks, and names the check, batch, expectation and column that must catch it.

Cases are transformations of the real bundled files (bytes in, bytes out) rather than
copies, so the corpus stays small and follows the data when it is re-bundled. A case's
`expect` is either
  {"kind": "check", "check": ..., "batch": ..., "expectation": ..., "column": ..., "severity": "error"}
or {"kind": "ingest", "message": <text the ingest error contains>} for files that cannot be
read at all (the raw asset fails; nothing is checked, staged or published).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Callable

CRIME = "data/indicators/crime/london-2011-2021-major-burglary.csv"
FMS = "data/records/fixmystreet_lsoa_counts_bd_2010_2019.csv"
FHRS = "data/records/fhrs_london_2020-07.csv"
POP20 = "data/indicators/population/london-mid2020-pop.csv"
CENSUS_DEP = "data/indicators/census/census21_deprivation_england_wales_lsoa21.csv"
CENSUS_POP = "data/indicators/census/census21_pop_lsoa21_age6.csv"
IMD19 = "data/indicators/imd/imd2019_england_lsoa11.csv"
IMD19_IND = "data/indicators/imd/imd2019_england_lsoa11_indicators.csv"
IMD15 = "data/indicators/imd/imd2015_england_lsoa11.csv"
GP = "data/records/gp_practices_epraccur_london_2023-12.csv"
SCHOOLS = "data/records/gias_schools_london_open_2025-05.csv"
GAS = "data/indicators/energy/london-2010-2020-gas.csv"
POLICE = "data/records/police_uk_2023-01_metropolitan_street_sample.csv"
POSTCODES = "data/records/codepoint_2025_4/E09000002.csv"
WARD_PROFILES = "data/indicators/ward_profiles/ward-profiles-excel-version.csv"

# An LSOA code of the 2021 vintage in Barking and Dagenham that did not exist in 2011.
LSOA21_ONLY = "E01034469"
OTHER_BOROUGH_LSOA = "E01000001"  # City of London 001A


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    file: str
    mutate: Callable[[bytes], bytes]
    expect: dict
    description: str
    env: dict = field(default_factory=dict)
    # which part of the real yearly_refresh job runs: "downstream" (the raw asset, its check and
    # everything downstream of it, up to the release when the source feeds it), "full" (the whole
    # job) or "asset" (the raw asset and its check only)
    run: str = "downstream"


# ------------------------------------------------------------------------------ helpers

def _table(data: bytes, encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode(encoding))))
    return rows[0], rows[1:]


def _write(header, rows, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def set_cell(column: str, value: str, row: int = 0, where: Callable[[dict], bool] | None = None, encoding: str = "utf-8"):
    """Set `column` to `value` in the `row`-th data row (or the first row matching `where`)."""
    def mutate(data: bytes) -> bytes:
        header, rows = _table(data, encoding)
        i = header.index(column)
        idx = next(n for n, r in enumerate(rows) if where(dict(zip(header, r)))) if where else row
        rows[idx][i] = value
        return _write(header, rows, encoding)
    return mutate


def duplicate_row(row: int = 0):
    def mutate(data: bytes) -> bytes:
        header, rows = _table(data)
        rows.insert(row + 1, list(rows[row]))
        return _write(header, rows)
    return mutate


def drop_rows(where: Callable[[dict], bool]):
    def mutate(data: bytes) -> bytes:
        header, rows = _table(data)
        kept = [r for r in rows if not where(dict(zip(header, r)))]
        assert len(kept) < len(rows)
        return _write(header, kept)
    return mutate


def rename_column(old: str, new: str):
    def mutate(data: bytes) -> bytes:
        first, rest = data.split(b"\n", 1)
        assert old.encode() in first
        return first.replace(old.encode(), new.encode(), 1) + b"\n" + rest
    return mutate


def cut_mid_row(line: int, after_fields: int):
    """The file ends part-way through data line `line`, after `after_fields` fields (a partial download)."""
    def mutate(data: bytes) -> bytes:
        lines = data.split(b"\n")
        partial = b",".join(lines[line].split(b",")[:after_fields]) + b","
        return b"\n".join(lines[:line]) + b"\n" + partial
    return mutate


def empty(_: bytes) -> bytes:
    return b""


def unchanged(data: bytes) -> bytes:
    return data


def _check(check, batch, expectation, column=None, severity="error"):
    return {"kind": "check", "check": check, "batch": batch, "expectation": expectation, "column": column, "severity": severity}


# ------------------------------------------------------------------------------ the corpus

CASES: list[Case] = [
    Case("crime_duplicated_row", "crime", CRIME, duplicate_row(0),
         _check("crime_expectations", "rows", "expect_compound_columns_to_be_unique"),
         "the same LSOA twice in one crime category file"),
    Case("crime_code_from_another_vintage", "crime", CRIME, set_cell("LSOA11CD", LSOA21_ONLY, row=3),
         _check("crime_expectations", "rows", "expect_column_values_to_be_in_set", "LSOA11CD"),
         "a 2021 LSOA code in a feed declared as 2011 LSOAs"),
    Case("crime_negative_count", "crime", CRIME, set_cell("2019", "-3.0", row=2),
         _check("crime_expectations", "typed", "expect_column_values_to_be_between", "2019"),
         "a negative number of burglaries"),
    Case("crime_text_in_a_count", "crime", CRIME, set_cell("2020", "12a", row=1),
         _check("crime_expectations", "rows", "expect_column_values_to_match_regex", "2020"),
         "a count with a stray character"),
    Case("crime_blank_area_code", "crime", CRIME, set_cell("LSOA11CD", "", row=4),
         _check("crime_expectations", "rows", "expect_column_values_to_not_be_null", "LSOA11CD"),
         "a row with no LSOA code"),
    Case("crime_renamed_required_column", "crime", CRIME, rename_column("LSOA11CD", "LSOA_CODE"),
         {"kind": "ingest", "message": "missing required column(s) 'LSOA11CD'"},
         "the key column renamed in one file: the file cannot be read as this source"),
    Case("fixmystreet_codes_from_another_borough", "fixmystreet", FMS, set_cell("lsoa11cd", OTHER_BOROUGH_LSOA, row=0),
         _check("fixmystreet_expectations", "rows", "expect_column_values_to_be_in_set", "lsoa11cd"),
         "a City of London LSOA in the borough's own FixMyStreet extract"),
    Case("fixmystreet_missing_year", "fixmystreet", FMS, drop_rows(lambda r: r["year"] == "2015"),
         _check("fixmystreet_expectations", "coverage", "expect_column_values_to_be_in_set", "present"),
         "no rows at all for 2015 (a year missing between 2010 and 2019)"),
    Case("fixmystreet_non_numeric_count", "fixmystreet", FMS, set_cell("reports", "n/a", row=6),
         _check("fixmystreet_expectations", "rows", "expect_column_values_to_match_regex", "reports"),
         "'n/a' where a number of reports should be"),
    Case("fixmystreet_empty_file", "fixmystreet", FMS, empty,
         {"kind": "ingest", "message": "fixmystreet"},
         "an empty file (0 bytes)"),
    Case("imd2019_indicators_renamed_column", "imd2019_indicators", IMD19_IND,
         rename_column("staying_on_in_education_post_16_indicator", "staying_on_post16"),
         dict(_check("imd2019_indicators_expectations", "rows", "expect_table_columns_to_match_set"),
              mentions=["missing column staying_on_in_education_post_16_indicator"]),
         "a column the 'not staying on after 16' indicator reads, renamed by the publisher"),
    Case("imd2019_decile_out_of_range", "imd2019", IMD19, set_cell("IMD_decile", "11.0", row=10),
         _check("imd2019_expectations", "typed", "expect_column_values_to_be_between", "IMD_decile"),
         "a decile of 11"),
    Case("imd2015_code_from_another_vintage", "imd2015", IMD15, set_cell("lsoa11_code", LSOA21_ONLY, row=5),
         _check("imd2015_expectations", "rows", "expect_column_values_to_be_in_set", "lsoa11_code"),
         "a 2021 LSOA code in the 2011-LSOA IMD 2015 file"),
    # a ragged row is refused when the file is read, naming the line and the field counts (it
    # used to be read with the row's missing fields empty and caught by a null check)
    Case("population_cut_off_mid_row", "population", POP20, cut_mid_row(line=3000, after_fields=8),
         {"kind": "ingest", "message": "line 3001 has 9 fields where the header (line 1) has 24"},
         "the mid-2020 file ends half way through a row"),
    Case("census_deprivation_percent_over_100", "census_deprivation", CENSUS_DEP, set_cell("percent", "130.5", row=7),
         _check("census_deprivation_expectations", "typed", "expect_column_values_to_be_between", "percent"),
         "a percentage over 100"),
    Case("census_population_missing_area", "census_population", CENSUS_POP, drop_rows(lambda r: r["lsoa21_code"] == "E01000027"),
         _check("census_population_expectations", "coverage", "expect_column_values_to_be_in_set", "present"),
         "every row of one Barking and Dagenham LSOA missing"),
    Case("food_hygiene_excel_dates", "food_hygiene", FHRS, set_cell("RatingDate", "43997", row=0),
         _check("food_hygiene_expectations", "rows", "expect_column_values_to_match_regex", "RatingDate"),
         "a rating date saved by Excel as a serial number (personal-data source: no names in the alert)"),
    Case("food_hygiene_duplicated_row", "food_hygiene", FHRS, duplicate_row(5),
         _check("food_hygiene_expectations", "rows", "expect_column_values_to_be_unique", "FHRSID"),
         "the same establishment twice (personal-data source: no names in the alert)"),
    Case("gp_practices_excel_date", "gp_practices", GP, set_cell("open_date", "27120", row=0),
         _check("gp_practices_expectations", "rows", "expect_column_values_to_match_regex", "open_date"),
         "an opening date stored as an Excel serial number"),
    Case("schools_fsm_over_100", "schools", SCHOOLS, set_cell("percentage_fsm", "112.5", row=0),
         _check("schools_expectations", "typed", "expect_column_values_to_be_between", "percentage_fsm"),
         "free school meals for 112.5% of pupils"),
    Case("energy_gas_negative_meters", "energy_gas", GAS, set_cell("meters_n_2019", "-12", row=0),
         _check("energy_gas_expectations", "typed", "expect_column_values_to_be_between", "meters_n_2019"),
         "a negative number of gas meters"),
    Case("police_uk_bad_month", "police_uk", POLICE, set_cell("Month", "01/2023", row=0),
         _check("police_uk_expectations", "rows", "expect_column_values_to_match_regex", "Month"),
         "a month written 01/2023 instead of 2023-01 (police.uk does not feed the index: the whole job is run, to "
         "show that a failed source check stops the dbt build and so the release)", run="full"),
    Case("postcodes_northing_out_of_range", "postcodes", POSTCODES, set_cell("northing", "9999999", row=0),
         _check("postcodes_expectations", "typed", "expect_column_values_to_be_between", "northing"),
         "a postcode placed far outside London"),
    Case("ward_profiles_percent_over_100", "ward_profiles", WARD_PROFILES,
         set_cell("% BAME - 2011", "123.4", row=3, encoding="cp1252"),
         _check("ward_profiles_expectations", "typed", "expect_column_values_to_be_between", "% BAME - 2011"),
         "a ward percentage over 100 in the cp1252 GLA ward profiles"),
    Case("police_uk_past_its_cadence", "police_uk", POLICE, unchanged,
         _check("police_uk_expectations", "freshness", "expect_column_values_to_be_between", "age_days", severity="warning"),
         "a monthly feed whose latest month (2023-01) is older than one month plus its publication lag on the "
         "reference date: a warning, reported to the owner, that does not block",
         env={"SPI_AS_OF": "2023-09-01"}, run="asset"),
]
