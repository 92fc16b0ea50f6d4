"""Postcode normalisation and geocoding through Code-Point Open on the bundled file."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from social_progress.geography.postcodes import geocode_postcodes, normalise_postcode

BD = "E09000002"


@pytest.mark.parametrize("text, expected", [
    ("rm10 7ab", ("RM10 7AB", False)),
    ("RM107AB", ("RM10 7AB", False)),
    ("  rm10   7AB ", ("RM10 7AB", False)),
    ("RM10-7AB", ("RM10 7AB", False)),
    ("RM1O 7AB", ("RM10 7AB", True)),     # letter O for zero in the district
    ("IG11 OAB", ("IG11 0AB", True)),     # letter O for zero in the inward code
    ("1G11 0AB", ("IG11 0AB", True)),     # one for I in the area
    ("E1O 5AB", ("E10 5AB", True)),
    ("SO14 7DU", ("SO14 7DU", False)),    # Southampton: a real O, left alone
    ("EC1A 1BB", ("EC1A 1BB", False)),
    ("W1A 0AX", ("W1A 0AX", False)),
    ("GIR 0AA", ("GIR 0AA", False)),
    ("XX1 1AA", (None, False)),           # no such area
    ("RM10", (None, False)),              # outward code only
    ("RM10 7IB", (None, False)),          # I never appears in the inward letters
    ("", (None, False)),
    (None, (None, False)),
    (float("nan"), (None, False)),
    (12345, (None, False)),
])
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


def test_every_bd_postcode_maps_to_exactly_one_lsoa21_and_current_ward(codepoint, indexes):
    bd = codepoint[codepoint["lad_code"] == BD]
    assert len(bd) == 3060
    out, rep = geocode_postcodes(bd, "postcode", codepoint, indexes, borough=BD, source="codepoint B&D")
    assert len(out) == len(bd)  # one row per postcode: never duplicated by the join
    assert out["lsoa21_code"].notna().all() and out["ward22_code"].notna().all()
    assert out["lsoa11_code"].notna().all() and out["ward19_code"].notna().all()
    assert rep.matched == 3060 and rep.unmatched == 0 and rep.invalid == 0
    # Ordnance Survey's own ward for each postcode agrees almost everywhere
    assert (out["ward22_code"] == bd["ward_code"]).mean() > 0.995
    # generalised boundaries put a postcode or two over the borough line: counted, listed
    assert rep.outside_borough == int(out["outside_borough"].sum()) <= 5
    rep.check()


def test_all_bundled_postcodes(codepoint, indexes):
    out, rep = geocode_postcodes(codepoint, "postcode", codepoint, indexes, borough=BD)
    rep.check()
    assert rep.total == len(codepoint) == len(out)
    assert rep.matched >= len(codepoint) - 5
    assert rep.outside_borough == int((out["lad_code"].notna() & (out["lad_code"] != BD)).sum())


def test_messy_postcodes_are_fixed_or_counted(codepoint, indexes):
    real = codepoint[codepoint["lad_code"] == BD]["postcode"].iloc[:3].tolist()
    messy = pd.DataFrame({
        "ref": ["a", "b", "c", "d", "e", "f", "g"],
        "pc": [real[0].lower().replace(" ", ""),          # case and spacing: not a fix
               real[1].replace("0", "O") if "0" in real[1] else real[1][:-3] + "O" + real[1][-2:],
               "RM10 9ZZ",                               # well formed, not in Code-Point
               "not a postcode", None, "SW1A 2AA",        # malformed, missing, outside
               real[2]],
    })
    out, rep = geocode_postcodes(messy, "pc", codepoint, indexes, borough=BD, key_cols=["ref"])
    st = dict(zip(out["ref"], out["geo_status"]))
    assert st["a"] == "matched" and st["g"] == "matched"
    assert st["c"] == "unknown_postcode" and st["f"] == "unknown_postcode"  # SW1A is not in the bundled file
    assert st["d"] == "invalid" and st["e"] == "invalid"
    assert rep.invalid == 2 and rep.unknown_codes == 2 and rep.unmatched == 2
    rep.check()
    d = rep.to_dict()
    json.dumps(d)
    # examples carry the key fields and postcode only - never the whole record
    for cat, rows in d["examples"].items():
        for r in rows:
            assert set(r) <= {"row", "pc", "ref", "postcode_normalised", "geo_status", "lad_code"}, (cat, r)


def test_fixed_postcode_counts(codepoint, indexes):
    df = pd.DataFrame({"pc": ["RM1O 7AB", "rm10 7ab", "IG11 OAB"]})
    out, rep = geocode_postcodes(df, "pc", codepoint, indexes)
    assert rep.fixed == 2
    assert list(out["postcode_fixed"]) == [True, False, True]
