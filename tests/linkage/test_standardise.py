"""standardise(): the cleaning rules, on hand-made examples."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from social_progress.linkage import STANDARD_COLUMNS, StandardiseError, standardise
from social_progress.linkage.standardise import (
    address_number,
    clean_name,
    clean_postcode,
    clean_uprn,
    is_standardised,
    name_tokens,
    parse_date,
    postcode_sector,
    soundex,
)

TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("IG11 7AB", "IG11 7AB"),
        ("ig117ab", "IG11 7AB"),
        ("ig117 ab", "IG11 7AB"),       # spacing never matters: inward code = last three
        ("  ig11  7ab ", "IG11 7AB"),
        ("IGl1 7AB", "IG11 7AB"),       # letter l where a digit must be
        ("rm1o 7ab", "RM10 7AB"),       # letter O for zero
        ("IG11 7A8", None),             # inward code must end in two letters
        ("IG11", None),                 # outward code only
        ("not a postcode", None),
        ("", None),
        (None, None),
        ("GIR 0AA", None),              # non-geographic
    ],
)
def test_postcodes(raw, expected):
    assert clean_postcode(raw) == expected


def test_postcode_sector():
    assert postcode_sector("IG11 7AB") == "IG11 7"
    assert postcode_sector("E6 1GG") == "E6 1"
    assert postcode_sector(None) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("03/04/1985", dt.date(1985, 4, 3)),          # UK order: day first
        ("3/4/1985", dt.date(1985, 4, 3)),
        ("03-04-1985", dt.date(1985, 4, 3)),
        ("1985-04-03", dt.date(1985, 4, 3)),
        ("1985-04-03T00:00:00", dt.date(1985, 4, 3)),
        ("1985-04-03 10:15:00", dt.date(1985, 4, 3)),
        ("03/04/1985 00:00", dt.date(1985, 4, 3)),
        (dt.date(1985, 4, 3), dt.date(1985, 4, 3)),
        (pd.Timestamp("1985-04-03 12:00"), dt.date(1985, 4, 3)),
        ("31/02/1985", None),                          # impossible
        ("13/13/1985", None),
        ("1985", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("01/01/1900", None),                          # placeholder
        ("1899-12-31", None),                          # before 1900
        ("2030-01-01", None),                          # in the future
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Zoë", "zoe"),
        ("  JOSÉ ", "jose"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("Smith-Jones", "smithjones"),
        ("Mary Ann", "maryann"),
        ("Wiśniewski", "wisniewski"),
        ("Strauß", "strauss"),
        ("J.", "j"),
        ("--", None),
        ("", None),
        (None, None),
    ],
)
def test_names(raw, expected):
    assert clean_name(raw) == expected


def test_name_tokens():
    assert name_tokens("Smith-Jones") == ("smith", "jones")
    assert name_tokens("da Silva") == ("da", "silva")
    assert name_tokens("O'Brien") == ("obrien",)


@pytest.mark.parametrize(
    "name, code",
    [("robert", "r163"), ("rupert", "r163"), ("ashcraft", "a261"), ("tymczak", "t522"),
     ("pfister", "p236"), ("lee", "l000"), (None, None), ("", None)],
)
def test_soundex(name, code):
    assert soundex(name) == code


@pytest.mark.parametrize(
    "raw, expected",
    [("100023", "100023"), ("00100023", "100023"), (" 100023 ", "100023"), ("100023.0", "100023"),
     (100023, "100023"), (100023.0, "100023"), ("", None), (None, None), ("12AB", None),
     ("0", None), ("1234567890123", None)],
)
def test_uprn(raw, expected):
    assert clean_uprn(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("12 High Street", "12"), ("12a High Street", "12a"), ("12 A High St", "12a"),
     ("Flat 3, 45 Long Road", "45"), ("Flat 3b 45 Long Road", "45"), ("Rose Cottage", None),
     ("Apartment 7, 9 Mill Lane", "9"), ("", None), (None, None), ("007 Bond St", "7")],
)
def test_address_number(raw, expected):
    assert address_number(raw) == expected


def _raw(**overrides):
    row = {
        "record_key": "r1", "source_id": "housing", "first_name": "Zoë", "surname": "O'Brien",
        "date_of_birth": "03/04/1985", "postcode": "ig117ab", "uprn": "", "address_line": "12 High St",
    }
    row.update(overrides)
    return row


def test_standardise_frame():
    frame = pd.DataFrame([
        _raw(),
        _raw(record_key="r2", first_name="Mary-Ann", surname="Smith-Jones",
             date_of_birth="1985-04-03T00:00:00", postcode="IGl1 7AB", uprn="00100023",
             address_line="Flat 2, 7 Elm Road"),
        _raw(record_key="r3", first_name=None, surname="  ", date_of_birth="31/02/1985",
             postcode="IG11 7A8", uprn=None, address_line=None),
    ])
    out = standardise(frame, today=TODAY)
    assert list(out.columns) == list(STANDARD_COLUMNS)
    assert is_standardised(out)
    assert out["first_name"].tolist()[:2] == ["zoe", "maryann"]
    assert out["surname"].tolist()[:2] == ["obrien", "smithjones"]
    assert out["surname_tokens"].tolist()[:2] == ["obrien", "smith jones"]
    assert out["dob"].tolist()[:2] == [dt.date(1985, 4, 3)] * 2
    assert out["postcode"].tolist()[:2] == ["IG11 7AB"] * 2
    assert out["postcode_sector"].tolist()[:2] == ["IG11 7"] * 2
    assert out["uprn"].tolist()[1] == "100023"
    assert out["address_number"].tolist()[:2] == ["12", "7"]
    assert out["first_name_soundex"].tolist()[0] == "z000"
    # the unreadable row: every derived value null
    last = out.iloc[2]
    for col in ("first_name", "surname", "surname_tokens", "first_name_soundex", "dob",
                "postcode", "postcode_sector", "uprn", "address_number"):
        assert pd.isna(last[col]), col
    assert pd.isna(out.iloc[0]["uprn"])  # empty string -> null


def test_standardise_optional_columns_and_index():
    frame = pd.DataFrame([_raw()]).drop(columns=["uprn", "address_line"])
    frame.index = [10]
    out = standardise(frame, today=TODAY)
    assert out.index.tolist() == [10]
    assert pd.isna(out.loc[10, "uprn"]) and pd.isna(out.loc[10, "address_number"])


def test_standardise_errors_name_no_values():
    with pytest.raises(StandardiseError, match="surname"):
        standardise(pd.DataFrame([_raw()]).drop(columns=["surname"]))
    frame = pd.DataFrame([_raw(), _raw(first_name="Secretname")])
    with pytest.raises(StandardiseError) as err:
        standardise(frame)
    assert "1 record_key" in str(err.value)
    assert "r1" not in str(err.value) and "secretname" not in str(err.value).lower()
