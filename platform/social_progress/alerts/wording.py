"""Say what a failed expectation means, in words a data steward reads without knowing GX.

Why: "expect_column_values_to_be_between on column 'age_days' (freshness): 1 of 1 rows failed"
tells a council officer nothing; "a newer edition is due (the publisher issues it every year; the
copy here is from 2021)" tells them what to fetch. Each Great Expectations type maps to a function that
builds a title from the failure's own numbers (count, column, bounds, missing columns), and an
action; anything not mapped falls back to a generic sentence. The expectation's name is kept
as a detail line, for whoever has to open the suite.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Wording:
    title: str      # what is wrong, with its numbers
    action: str     # what the recipient can do about it
    detail: str     # the expectation and where it ran (for whoever opens the suite)


FIX_AT_SOURCE = ("Correct these rows at source (or ask the publisher for a corrected file), then run the refresh "
                 "again; the next refresh picks the corrected file up.")
CHECK_SCHEMA = ("Compare the file with the publisher's latest layout: a renamed or dropped column must be "
                "restored in the file, or the source's catalogue entry updated; then run the refresh again.")
REVIEW_INDEX = ("Review the inputs of the index for these areas (the sources named in the release's metadata), "
                "then run the refresh again.")
KNOWN = ("If this is how the publisher's file really is, record it in catalogue/known_issues.yml (reason, who, "
         "until when) so that it is not sent again.")


def rows(n) -> str:
    if n is None:
        return "some rows"
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def _have(n) -> str:
    return "has" if n == 1 else "have"


def what_column(column: str | None) -> str:
    """A column named for a person: 'an LSOA code (column LSOA11CD)' rather than 'LSOA11CD'."""
    if not column:
        return "a value"
    low = column.lower()
    for marks, name in ((("lsoa",), "an LSOA code"), (("ward",), "a ward code"), (("msoa",), "an MSOA code"),
                        (("lad", "borough", "la_code", "lacode"), "a borough code"), (("postcode", "pcd"), "a postcode"),
                        (("date",), "a date")):
        if any(m in low for m in marks):
            return f"{name} (column {column})"
    return f"a value in column {column}"


def _num(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def _param(v) -> bool:
    return isinstance(v, dict)  # {$PARAMETER: name}: filled at run time


def _not_null(f: dict, kw: dict) -> tuple[str, str]:
    col = f.get("column")
    thing = what_column(col)
    thing = thing.split(" ", 1)[1] if thing.startswith(("a ", "an ")) else thing
    return f"{rows(f.get('unexpected_count'))} {_have(f.get('unexpected_count'))} no {thing}", FIX_AT_SOURCE


def _between(f: dict, kw: dict) -> tuple[str, str]:
    col, n = f.get("column"), f.get("unexpected_count")
    lo, hi = kw.get("min_value"), kw.get("max_value")
    lo = None if _param(lo) else lo
    hi = None if _param(hi) else hi
    if f.get("batch") == "freshness" or col == "age_days":
        return _freshness(f)
    if lo == 0 and hi is None:
        return f"{rows(n)} {_have(n)} negative values in column {col}", FIX_AT_SOURCE
    if lo is not None and hi is not None:
        bound = f"outside {_num(lo)} to {_num(hi)}"
    elif lo is not None:
        bound = f"below {_num(lo)}"
    elif hi is not None:
        bound = f"above {_num(hi)}"
    else:
        bound = "outside the expected range"
    action = REVIEW_INDEX if f.get("asset_key", "").startswith("marts/") else FIX_AT_SOURCE
    return f"{rows(n)} {_have(n)} values in column {col} {bound}", action


def _freshness(f: dict) -> tuple[str, str]:
    """"A newer edition is due (the publisher issues it every year; the copy here is from 2021,
    1,802 days old)": the steward's copy is behind, the publisher's data is not at fault."""
    from social_progress.quality.freshness import EVERY, describe_period

    ex = (f.get("examples") or [{}])[0]
    ex = ex if isinstance(ex, dict) else {}
    said = []
    if f.get("cadence"):
        said.append(f"the publisher issues {EVERY.get(f['cadence'], f['cadence'])}")
    if ex.get("latest_period") is not None:
        age = f", {_num(ex['age_days'])} days old" if ex.get("age_days") is not None else ""
        said.append(f"the copy here is from {describe_period(str(ex['latest_period']))}{age}")
    elif f.get("edition_date"):
        said.append(f"the copy here is from {f['edition_date']}")
    title = "A newer edition is due" + (f" ({'; '.join(said)})" if said else "")
    where = f" from {f['fetch_url']}" if f.get("fetch_url") else " from the publisher"
    return title, (f"Fetch it{where}, put it where the catalogue entry says, and run the refresh "
                   f"again. If the publisher has issued nothing newer, record that in catalogue/known_issues.yml.")


def _in_set(f: dict, kw: dict) -> tuple[str, str]:
    col, n, total = f.get("column"), f.get("unexpected_count"), f.get("element_count")
    if f.get("batch") == "coverage":
        of = f" of {total:,}" if total else ""
        title = (f"{n:,}{of} area and period combinations have no data" if n is not None else
                 "some areas and periods have no data")
        if f.get("asset_key", "").startswith("marts/"):
            return title, REVIEW_INDEX
        return title, ("Check that the file covers every area and period it should (a partial or filtered "
                       "extract?); send the complete file, then run the refresh again.")
    values = kw.get("value_set")
    allowed = "" if _param(values) or not isinstance(values, list) or len(values) > 8 else \
        f" (allowed: {', '.join(map(str, values))})"
    return f"{rows(n)} {_have(n)} {what_column(col)} that is not one of the expected values{allowed}", FIX_AT_SOURCE


def _regex(f: dict, kw: dict) -> tuple[str, str]:
    n = f.get("unexpected_count")
    return f"{rows(n)} {_have(n)} {what_column(f.get('column'))} that is not in the expected form", FIX_AT_SOURCE


def _unique(f: dict, kw: dict) -> tuple[str, str]:
    n = f.get("unexpected_count")
    return (f"{rows(n)} repeat a value of column {f.get('column')} that should appear once",
            f"{FIX_AT_SOURCE} {KNOWN}")


def _compound_unique(f: dict, kw: dict) -> tuple[str, str]:
    n, cols = f.get("unexpected_count"), kw.get("column_list") or []
    return (f"{rows(n)} repeat the same combination of {', '.join(map(str, cols)) or 'key columns'}",
            f"{FIX_AT_SOURCE} {KNOWN}")


def _columns(f: dict, kw: dict) -> tuple[str, str]:
    obs = f.get("observed") if isinstance(f.get("observed"), dict) else {}
    missing, extra = obs.get("missing") or [], obs.get("unexpected") or []
    if missing:
        s = "s" if len(missing) > 1 else ""
        title = f"the file is missing column{s} {', '.join(map(str, missing))}"
    elif extra:
        title = f"the file has unexpected column(s) {', '.join(map(str, extra))}"
    else:
        title = "the file's columns are not the ones expected"
    return title, CHECK_SCHEMA


def _row_count(f: dict, kw: dict) -> tuple[str, str]:
    got = f.get("observed")
    lo, hi = kw.get("min_value"), kw.get("max_value")
    has = f"the file has {_num(got)} rows" if isinstance(got, (int, float)) else "the file has an unexpected number of rows"
    if lo is not None and not _param(lo) and isinstance(got, (int, float)) and got < lo:
        return f"{has}; at least {_num(lo)} are expected (a truncated or partial file?)", (
            "Fetch the complete file from the publisher, then run the refresh again.")
    if hi is not None and not _param(hi) and isinstance(got, (int, float)) and got > hi:
        return f"{has}; at most {_num(hi)} are expected (duplicated or wider extract?)", CHECK_SCHEMA
    return has, CHECK_SCHEMA


def _pair_greater(f: dict, kw: dict) -> tuple[str, str]:
    n = f.get("unexpected_count")
    a, b = kw.get("column_A"), kw.get("column_B")
    return f"{rows(n)} {_have(n)} column {a} not greater than column {b}", FIX_AT_SOURCE


def _could_not_run(f: dict, kw: dict) -> tuple[str, str]:
    ex = (f.get("examples") or [""])[0]
    return (f"the checks could not run on this data: {ex}" if ex else "the checks could not run on this data"), (
        "Nothing from this data can be trusted until the checks run: look at the file (or the table the "
        "checks read) named above, fix it, and run the refresh again.")


WORDING: dict[str, Callable[[dict, dict], tuple[str, str]]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _regex,
    "expect_column_values_to_be_unique": _unique,
    "expect_compound_columns_to_be_unique": _compound_unique,
    "expect_table_columns_to_match_set": _columns,
    "expect_table_columns_to_match_ordered_list": _columns,
    "expect_table_row_count_to_be_between": _row_count,
    "expect_column_pair_values_a_to_be_greater_than_b": _pair_greater,
    "check_could_run": _could_not_run,
}


def describe(failure: dict, kwargs: dict | None = None) -> Wording:
    """Title, action and detail line of one failed expectation (a quality.check_failures row as
    a dict; `kwargs` the expectation's arguments from its suite, when known)."""
    kw = kwargs or {}
    fn = WORDING.get(failure.get("expectation") or "")
    if fn is not None:
        title, action = fn(failure, kw)
    else:
        title, action = _generic(failure)
    detail = f"check: {failure.get('expectation')}"
    if failure.get("column"):
        detail += f" on column '{failure['column']}'"
    if failure.get("batch") and failure.get("batch") != "(check)":
        detail += f" ({failure['batch']})"
    if failure.get("check_name"):
        detail += f", in {failure['check_name']}"
    return Wording(title[:1].upper() + title[1:], action, detail)


def _generic(f: dict) -> tuple[str, str]:
    n, total, col = f.get("unexpected_count"), f.get("element_count"), f.get("column")
    where = f" in column {col}" if col else ""
    if n and total:
        return f"{n:,} of {total:,} rows{where} do not meet a check", FIX_AT_SOURCE
    return f"the data{where} does not meet a check", FIX_AT_SOURCE
