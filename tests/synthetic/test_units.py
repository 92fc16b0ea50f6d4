"""Building blocks of the synthetic generator, without a full build (fast).

Dates, names and their misspellings, postcode slips, system references with duplicates,
UPNs, the XLSX and SQL writers, and the library API's paging.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from social_progress.synthetic import CALIBRATION, CANARY_STRINGS, names
from social_progress.synthetic.canaries import CANARIES
from social_progress.synthetic.education import UPN_LETTERS, upn
from social_progress.synthetic.library_api import serve_library_api
from social_progress.synthetic.mess import assign_refs, mistype_postcode
from social_progress.synthetic.schemas import SQL_TABLES
from social_progress.synthetic.streams import NULL_DAY, age_on, day, dmy, iso, stream, weighted_sample, ymd
from social_progress.synthetic.writers import append_rows, read_table, sqlite_url, write_sql, write_xlsx



def test_day_arithmetic_matches_the_calendar():
    days = np.arange(day(1900), day(2030), 37)
    y, m, d = ymd(days)
    for n in days[::50]:
        date = dt.date(1970, 1, 1) + dt.timedelta(days=int(n))
        i = int(np.flatnonzero(days == n)[0])
        assert (y[i], m[i], d[i]) == (date.year, date.month, date.day)
    assert list(iso(np.array([day(2019, 4, 1)]))) == ["2019-04-01"]
    assert list(dmy(np.array([day(2019, 4, 1)]))) == ["01/04/2019"]
    # birthdays: the day before, on the day, leap day
    assert list(age_on(np.array([day(2000, 6, 15)] * 2), np.array([day(2010, 6, 14), day(2010, 6, 15)]))) == [9, 10]
    assert age_on(np.array([day(2000, 2, 29)]), day(2019, 3, 1))[0] == 19
    assert NULL_DAY < day(1800)


def test_streams_are_independent_of_call_order():
    a1 = stream(7, "a").random(3)
    stream(7, "b").random(100)
    assert np.array_equal(stream(7, "a").random(3), a1)
    assert not np.array_equal(stream(8, "a").random(3), a1)


def test_weighted_sample_never_picks_zero_weight_and_favours_heavy():
    rng = stream(1, "ws")
    w = np.array([0.0, 1.0, 1.0, 50.0, 0.0, 1.0])
    hits = np.zeros(6)
    for _ in range(300):
        pick = weighted_sample(rng, w, 2)
        assert len(set(pick)) == 2 and not set(pick) & {0, 4}
        hits[pick] += 1
    assert hits[3] >= 290


def test_name_variants_and_typos_differ_from_the_name():
    rng = stream(3, "names")
    for name in ["Mohammed", "Siobhan", "Šarūnas", "Oluwaseun", "Smith", "O'Brien", "Kowalczyk"]:
        for _ in range(20):
            v = names.variant(name, rng)
            assert v and v != name
    assert names.strip_accents("Łukasz Wiśniewski") == "Lukasz Wisniewski"
    groups = np.repeat(np.arange(len(names.GROUP_NAMES)), 10)
    firsts = names.first_names(rng, groups, np.tile([True, False], groups.size // 2))
    assert all(isinstance(f, str) and f for f in firsts)


def test_mistyped_postcodes_are_recognisable_slips():
    rng = stream(4, "pc")
    seen = set()
    for pc in ["RM10 7AB", "IG11 0LP", "RM8 1QT"] * 30:
        bad = mistype_postcode(pc, rng)
        assert bad != pc
        seen.add("lower" if bad == pc.lower() else "nospace" if bad == pc.replace(" ", "")
                 else "O" if "O" in bad.split()[0] + bad.split()[-1][:1] else "other")
    assert {"lower", "nospace", "O"} <= seen


def test_references_number_people_in_order_and_duplicate_some():
    rng = stream(5, "refs")
    pids = np.repeat(np.arange(2000), 3)
    order = np.tile([1, 2, 3], 2000)
    refs = assign_refs(rng, pids, order, 0.05, "HP", 6)
    df = pd.DataFrame({"pid": pids, "ref": refs})
    per_person = df.groupby("pid")["ref"].nunique()
    assert per_person.max() == 2 and 0.02 < (per_person == 2).mean() < 0.09
    assert df.groupby("ref")["pid"].nunique().max() == 1  # a reference never spans two people
    assert refs[0] == "HP000001"


def test_upn_has_the_dfe_shape_and_check_letter():
    u = upn(12_345, 2016)
    assert re.fullmatch(r"[A-Z]301\d{9}", u)
    total = sum(int(c) * w for c, w in zip(u[1:], range(2, 14)))
    assert u[0] == UPN_LETTERS[total % 23]
    assert upn(12_345, 2016) != upn(12_346, 2016)


def test_canary_strings_cover_names_streets_and_both_date_formats():
    for c in CANARIES:
        assert c.first_name in CANARY_STRINGS and c.surname in CANARY_STRINGS
        y, m, d = c.date_of_birth.split("-")
        assert c.date_of_birth in CANARY_STRINGS and f"{d}/{m}/{y}" in CANARY_STRINGS
    assert "Xylophory Close" in CANARY_STRINGS and "XYLOPHORY CLOSE" in CANARY_STRINGS


def test_calibration_table_cites_every_figure():
    assert len(CALIBRATION) >= 15
    for c in CALIBRATION:
        assert c.measure and c.publication and c.year and c.value > 0
    keys = {c.key for c in CALIBRATION}
    assert {"population_2019", "council_homes", "cin_rate", "households_in_ta", "cts_households"} <= keys


def test_xlsx_writer_round_trips_through_openpyxl(tmp_path):
    frame = pd.DataFrame({
        "ref": ["A1", "B&2", "C<3>"], "name": ["Šarūnas", None, "O'Brien"],
        "dob": [day(2011, 10, 7), NULL_DAY, day(1957, 11, 23)], "n": [3, -1, 0], "x": [1.5, None, 2.25],
    })
    stamp = dt.datetime(2024, 6, 30, 6, 0)
    write_xlsx(tmp_path / "t.xlsx", "sheet one", frame, list(frame.columns),
               {"dob": "date", "n": "int", "x": "float"}, "SYNTHETIC test", stamp)
    wb = load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["sheet one"]
    assert wb.properties.title == "SYNTHETIC test" and wb.properties.created == stamp
    rows = list(wb["sheet one"].iter_rows(values_only=True))
    assert rows[0] == ("ref", "name", "dob", "n", "x")
    assert rows[1] == ("A1", "Šarūnas", dt.datetime(2011, 10, 7), 3, 1.5)
    assert rows[2] == ("B&2", None, None, None, None)
    assert rows[3] == ("C<3>", "O'Brien", dt.datetime(1957, 11, 23), 0, 2.25)
    # read-only mode (what pandas uses) sees the same cells
    ro = load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert list(ro["sheet one"].iter_rows(values_only=True))[2] == ("B&2", None, None, None, None)
    # the same input gives the same bytes
    write_xlsx(tmp_path / "u.xlsx", "sheet one", frame, list(frame.columns),
               {"dob": "date", "n": "int", "x": "float"}, "SYNTHETIC test", stamp)
    assert (tmp_path / "t.xlsx").read_bytes() == (tmp_path / "u.xlsx").read_bytes()


def _tenancy_rows(n: int, start: int = 1) -> pd.DataFrame:
    return pd.DataFrame({
        "tenancy_ref": [f"TEN{i:07d}" for i in range(start, start + n)], "person_ref": "HP0000001",
        "first_name": "Test", "surname": "Person", "date_of_birth": day(1980, 1, 2),
        "address_line": "1 Test Road, Barking", "postcode": "IG11 7AB", "uprn": [None] + ["100010000001"] * (n - 1),
        "start_date": day(2019, 4, 1), "end_date": [NULL_DAY] * n, "bedrooms": 2, "household_size": 3,
        "updated_at": np.array(["2019-04-02T09:30:00"] * n, dtype="datetime64[s]"),
    })


def test_sql_writer_types_keys_and_append(tmp_path):
    url = sqlite_url(tmp_path / "h.sqlite")
    assert write_sql(url, {"tenancies": _tenancy_rows(3)}) == {"tenancies": 3}
    con = sqlite3.connect(tmp_path / "h.sqlite")
    info = {r[1]: (r[2], r[5]) for r in con.execute("PRAGMA table_info(tenancies)")}
    assert info["tenancy_ref"] == ("VARCHAR(16)", 1)
    assert info["date_of_birth"][0] == "DATE" and info["updated_at"][0] == "DATETIME"
    assert info["bedrooms"][0] == "INTEGER"
    row = con.execute("SELECT date_of_birth, end_date, uprn, updated_at FROM tenancies ORDER BY tenancy_ref").fetchone()
    assert row == ("1980-01-02", None, None, "2019-04-02 09:30:00")
    # rows added later, past the watermark, as a system would
    later = _tenancy_rows(2, start=10)
    later["updated_at"] = [dt.datetime(2020, 1, 5, 8, 0)] * 2
    later["date_of_birth"] = [dt.date(1990, 5, 6)] * 2
    assert append_rows(url, "tenancies", later) == 2
    after = con.execute("SELECT tenancy_ref FROM tenancies WHERE updated_at > '2019-12-31 23:59:59'").fetchall()
    assert after == [("TEN0000010",), ("TEN0000011",)]
    t = read_table(url, "tenancies")
    assert len(t) == 5 and list(t.columns) == [c.name for c in SQL_TABLES["tenancies"]]
    # drop and create fresh
    write_sql(url, {"tenancies": _tenancy_rows(1)})
    assert con.execute("SELECT count(*) FROM tenancies").fetchone()[0] == 1


def test_library_api_serves_pages_on_localhost(tmp_path):
    records = [{"member_id": f"LBM{i:07d}", "year": 2015 + i % 9, "visits": i, "loans": 0, "active": True}
               for i in range(25)]
    path = tmp_path / "activity.json"
    path.write_text(json.dumps(records))
    server, url = serve_library_api(path)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}/api/v1/member-activity") as r:
            assert r.headers["Content-Type"].startswith("application/json")
            assert json.loads(r.read()) == records
        got, nxt, pages = [], f"{url}/api/v1/member-activity?page=1&per_page=10", 0
        while nxt:
            with urllib.request.urlopen(nxt) as r:
                got += json.loads(r.read())
                link = r.headers.get("Link")
                nxt = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
                pages += 1
        assert got == records and pages == 3
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{url}/api/v1/other")
        assert e.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{url}/api/v1/member-activity?page=0&per_page=10")
        assert e.value.code == 400
    finally:
        server.shutdown()
        server.server_close()
