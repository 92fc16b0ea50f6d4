"""Standardise person records from council systems before linkage.

Why: the same resident is typed differently by each system ("O'Brien" / "OBRIEN",
"Zoë" / "Zoe", "03/04/1985" / "1985-04-03T00:00:00", "ig117ab" / "IG11 7AB"). Linkage
compares these values, so each is brought to one form first; whatever cannot be read
becomes null (unknown), never a guess, so that a bad value weakens the evidence for a
match instead of creating false evidence.

Input columns (``REQUIRED_COLUMNS`` must be present; ``OPTIONAL_COLUMNS`` may be):

| column          | raw form                                                        |
|-----------------|-----------------------------------------------------------------|
| record_key      | unique string per record                                        |
| source_id       | the system the record comes from                                |
| first_name      | free text                                                       |
| surname         | free text                                                       |
| date_of_birth   | 'YYYY-MM-DD' or 'DD/MM/YYYY' (UK, day first), maybe with a time |
| postcode        | messy text                                                      |
| uprn            | digits, or empty (optional)                                     |
| address_line    | free text (optional)                                            |

Output columns (``STANDARD_COLUMNS``), one row per input row, same order:

| column             | rule                                                                |
|--------------------|---------------------------------------------------------------------|
| record_key         | as given, as a string                                               |
| source_id          | as given, as a string                                               |
| first_name         | case-folded, accents stripped, every non-letter removed             |
|                    | ("Mary-Ann" -> "maryann"); null when nothing is left                |
| surname            | the same ("O'Brien" -> "obrien", "Smith-Jones" -> "smithjones")     |
| surname_tokens     | the surname's words, space separated ("smith jones"): a hyphen or   |
|                    | space separates words, an apostrophe does not ("o'brien" -> "obrien")|
| first_name_soundex | American Soundex of first_name (e.g. "r163"), null when no name     |
| surname_soundex    | American Soundex of surname                                         |
| dob                | ``datetime.date``; null when unreadable, impossible (31/02), in the |
|                    | future, before 1900, or the placeholder 1900-01-01                  |
| postcode           | 'AA9A 9AA' upper case, one space (``geography.postcodes`` rules:    |
|                    | case, spacing, O/I/L typed for 0/1 and the reverse are repaired);   |
|                    | null when it cannot be a postcode                                   |
| postcode_sector    | outward code, space, first inward digit ('IG11 7'); null with it    |
| uprn               | digits without leading zeros (1-12 digits); null when empty/invalid |
| address_number     | the leading house number of address_line ("12a High St" -> "12a"),  |
|                    | after an optional "Flat 3," prefix; null when there is none         |

Decisions, with examples (tested in ``tests/linkage/test_standardise.py``):

* 'IG11 7AB', 'ig117ab', 'ig117 ab' -> 'IG11 7AB' (spacing never matters: the inward
  code is always the last three characters).
* 'IGl1 7AB' (letter l for the digit one) -> 'IG11 7AB' (a digit must stand there).
* 'IG11 7A8' -> null (the inward code ends in two letters; '8' is not repaired).
* '03/04/1985' -> 1985-04-03 (UK order, day first); '1985-04-03T00:00:00' -> 1985-04-03;
  '1985-04-03 10:15' -> 1985-04-03; '31/02/1985' -> null.

Every value is read once per distinct raw value (a cache), so 150,000 records take well
under a second per column. Nothing here logs or raises with a record's values.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from social_progress.geography.postcodes import normalise_postcode

REQUIRED_COLUMNS = ("record_key", "source_id", "first_name", "surname", "date_of_birth", "postcode")
OPTIONAL_COLUMNS = ("uprn", "address_line")
STANDARD_COLUMNS = (
    "record_key", "source_id", "first_name", "surname", "surname_tokens",
    "first_name_soundex", "surname_soundex", "dob", "postcode", "postcode_sector",
    "uprn", "address_number",
)

EARLIEST_DOB = _dt.date(1900, 1, 1)
PLACEHOLDER_DOBS = frozenset({_dt.date(1900, 1, 1)})

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ,].*)?$")
_APOSTROPHES = frozenset("'’‘`´")
_FLAT_PREFIX = re.compile(
    r"^\s*(?:flat|apartment|apt|unit|room|maisonette|studio)\.?\s*[0-9a-z]+\s*[,/-]?\s*",
    re.IGNORECASE,
)
_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*([a-z])?(?![a-z])", re.IGNORECASE)
_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6",
}


class StandardiseError(ValueError):
    """The frame cannot be standardised (a missing column, duplicate keys). The message
    names columns and counts only, never a record's values."""


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return False


# ---- names ---------------------------------------------------------------------------

def name_tokens(value: Any) -> tuple[str, ...]:
    """Case-folded, accent-free words of a name. Apostrophes join ("O'Brien" -> obrien);
    any other non-letter (space, hyphen, full stop, digit) separates words."""
    if _is_missing(value):
        return ()
    text = unicodedata.normalize("NFKD", str(value).casefold())
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if unicodedata.combining(ch) or ch in _APOSTROPHES:
            continue
        if ch.isalpha():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


def clean_name(value: Any) -> str | None:
    """The comparison form of a name: its words run together ("Mary-Ann" -> "maryann")."""
    joined = "".join(name_tokens(value))
    return joined or None


def soundex(name: str | None) -> str | None:
    """American Soundex (first letter, three digits; h/w do not separate equal codes)."""
    if not name:
        return None
    letters = [c for c in name if "a" <= c <= "z"]
    if not letters:
        return None
    first = letters[0]
    digits: list[str] = []
    previous = _SOUNDEX_CODES.get(first, "")
    for c in letters[1:]:
        code = _SOUNDEX_CODES.get(c, "")
        if code and code != previous:
            digits.append(code)
            if len(digits) == 3:
                break
        if c not in "hw":
            previous = code
    return (first + "".join(digits)).ljust(4, "0")


# ---- dates ---------------------------------------------------------------------------

def parse_date(value: Any, today: _dt.date | None = None) -> _dt.date | None:
    """A date of birth, or None when it is unreadable or implausible (see module doc)."""
    if _is_missing(value):
        return None
    if isinstance(value, _dt.datetime):  # pd.Timestamp is a datetime
        day = value.date()
    elif isinstance(value, _dt.date):
        day = value
    elif isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        day = pd.Timestamp(value).date()
    else:
        text = str(value).strip()
        m = _ISO_DATE.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
        else:
            m = _UK_DATE.match(text)
            if not m:
                return None
            d, mo, y = (int(g) for g in m.groups())
        try:
            day = _dt.date(y, mo, d)
        except ValueError:
            return None
    today = today or _dt.date.today()
    if day < EARLIEST_DOB or day > today or day in PLACEHOLDER_DOBS:
        return None
    return day


# ---- postcodes, uprn, address --------------------------------------------------------

def clean_postcode(value: Any) -> str | None:
    """'AA9A 9AA' or None (the rules of ``geography.postcodes.normalise_postcode``)."""
    postcode, _fixed = normalise_postcode(value)
    if postcode == "GIR 0AA":  # Girobank's non-geographic code: no resident lives there
        return None
    return postcode


def postcode_sector(postcode: str | None) -> str | None:
    """'IG11 7AB' -> 'IG11 7'."""
    if not postcode:
        return None
    return postcode[:-2]


def clean_uprn(value: Any) -> str | None:
    """Digits of a UPRN without leading zeros ('00100023' -> '100023'); None otherwise.
    A float-typed '100023.0' (spreadsheet export) is read as 100023."""
    if _is_missing(value):
        return None
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            return None
        number = int(value)
    else:
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if not text.isdigit() or not 1 <= len(text) <= 12:
            return None
        number = int(text)
    if number <= 0 or number >= 10**12:
        return None
    return str(number)


def address_number(value: Any) -> str | None:
    """The leading house number ('12a High Street' -> '12a'; 'Flat 3, 45 Long Road' ->
    '45'); None when the address does not start with one ('Rose Cottage')."""
    if _is_missing(value):
        return None
    text = str(value)
    stripped = _FLAT_PREFIX.sub("", text, count=1)
    m = _HOUSE_NUMBER.match(stripped)
    if not m:
        return None
    number = str(int(m.group(1)))
    return number + (m.group(2) or "").lower()


# ---- the frame -----------------------------------------------------------------------

def _mapped(values: Iterable[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """fn over values, computed once per distinct value (missing values: fn(None))."""
    codes, uniques = pd.factorize(pd.Series(list(values), dtype="object"), use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype="object")
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = fn(None)
    return results[codes].tolist()


def _string_column(values: list[Any]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="string"))


def standardise(frame: pd.DataFrame, *, today: _dt.date | None = None) -> pd.DataFrame:
    """Return the ``STANDARD_COLUMNS`` frame for raw person records (see module doc).

    Raises StandardiseError (columns and counts only in the message) when a required
    column is missing, a record_key is empty or record_keys repeat.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise StandardiseError(f"person records lack column(s): {', '.join(missing)}")
    n = len(frame)
    keys = frame["record_key"].astype("object").tolist()
    if any(_is_missing(k) or str(k).strip() == "" for k in keys):
        raise StandardiseError("some records have an empty record_key")
    keys = [str(k) for k in keys]
    duplicated = n - len(set(keys))
    if duplicated:
        raise StandardiseError(f"{duplicated} record_key value(s) repeat; each must be unique")

    def column(name: str) -> list[Any]:
        if name in frame.columns:
            return frame[name].astype("object").tolist()
        return [None] * n

    first_tokens = _mapped(column("first_name"), name_tokens)
    surname_tokens = _mapped(column("surname"), name_tokens)
    first = [("".join(t) or None) for t in first_tokens]
    surname = [("".join(t) or None) for t in surname_tokens]
    postcodes = _mapped(column("postcode"), clean_postcode)
    dobs = _mapped(column("date_of_birth"), lambda v: parse_date(v, today))

    out = pd.DataFrame(
        {
            "record_key": _string_column(keys),
            "source_id": _string_column([None if _is_missing(s) else str(s) for s in column("source_id")]),
            "first_name": _string_column(first),
            "surname": _string_column(surname),
            "surname_tokens": _string_column([(" ".join(t) or None) for t in surname_tokens]),
            "first_name_soundex": _string_column(_mapped(first, soundex)),
            "surname_soundex": _string_column(_mapped(surname, soundex)),
            "dob": pd.Series(dobs, dtype="object"),
            "postcode": _string_column(postcodes),
            "postcode_sector": _string_column([postcode_sector(p) for p in postcodes]),
            "uprn": _string_column(_mapped(column("uprn"), clean_uprn)),
            "address_number": _string_column(_mapped(column("address_line"), address_number)),
        }
    )
    out.index = frame.index
    return out


def is_standardised(frame: pd.DataFrame) -> bool:
    """True when the frame already has every standard column (as ``standardise`` makes)."""
    return all(c in frame.columns for c in STANDARD_COLUMNS)
