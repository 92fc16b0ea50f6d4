"""Postcodes to areas: normalise the text, look up the Code-Point Open centroid, place it.

Why: council systems (housing, licensing, FixMyStreet, school rolls) hold addresses typed
by people. "rm10 7ab", "RM107AB" and "RM1O 7AB" are the same postcode; without
normalising, each spelling is a separate miss. The centroid comes from the bundled
Ordnance Survey Code-Point Open file, and the area from the same exact point-in-polygon
lookup as every other point (`points.assign_points`), so a postcode and a crime at the
same spot always land in the same area.

Normalised form: outward code, one space, inward code, upper case ("RM10 7AB").
`fixed` is True only when a character was changed (a letter O or I typed for a zero or
one, or the reverse), not for case or spacing.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .match_report import MatchReport
from .points import assign_points

#: postcode areas (the letters before the district number), Royal Mail list
AREAS_2 = frozenset(
    "AB AL BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "EC EH EN EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL LN LS "
    "LU ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN SO SP SR SS "
    "ST SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE".split()
)
AREAS_1 = frozenset("BEGLMNSW")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # C I K M O V are never used in the inward code
_VALID = re.compile(
    r"^(?:[A-Z]{1,2}[0-9][0-9A-Z]?) [0-9][" + _INWARD_LETTERS + r"]{2}$"
)
_DIGITS = frozenset("0123456789")  # ASCII only: str.isdigit() also accepts "７" and "٣"
_TO_DIGIT = {"O": "0", "I": "1", "L": "1"}
_TO_LETTER = {"0": "O", "1": "I", "5": "S"}


def normalise_postcode(text: Any) -> tuple[str | None, bool]:
    """Return (normalised postcode or None if it cannot be one, fixed?).

    Handles case, any spacing or punctuation, and the usual slips in positions whose
    kind (letter or digit) is fixed by the postcode format: O/I/L typed for 0/1 where a
    digit must be, 0/1/5 typed for O/I/S where a letter must be (e.g. "1G11 OAB" ->
    "IG11 0AB"). The area letters are checked against the real postcode areas, so
    "SO14" (Southampton) is left alone while "E1O" becomes "E10".
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None, False
    text = str(text)
    if any(c.isdigit() and not c.isascii() for c in text):
        # Only 0-9 are postcode digits. A full-width or Arabic-Indic digit ("RM10 ７AB") is
        # invalid, as in the ingest check: dropping it like punctuation made "RM1 0AB".
        return None, False
    s = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if s == "GIR0AA":
        return "GIR 0AA", False
    if not 5 <= len(s) <= 7:
        return None, False
    outward, inward = s[:-3], s[-3:]
    fixed = False
    # inward: digit then two letters
    d = inward[0]
    if d not in _DIGITS:
        if d not in _TO_DIGIT:
            return None, False
        d, fixed = _TO_DIGIT[d], True
    inward = d + inward[1:]
    # outward: area letters (1 or 2, a real area) then district digit and digit/letter
    area, rest = _split_area(outward)
    if area is None:
        return None, False
    if area != outward[: len(area)]:
        fixed = True
    district = list(rest)
    if not district or len(district) > 2:
        return None, False
    if district[0] not in _DIGITS:
        if district[0] not in _TO_DIGIT:
            return None, False
        district[0], fixed = _TO_DIGIT[district[0]], True
    if len(district) == 2 and district[1] in "OI":  # never a district letter: a digit slip
        district[1], fixed = _TO_DIGIT[district[1]], True
    out = f"{area}{''.join(district)} {inward}"
    if not _VALID.match(out):
        return None, False
    return out, fixed


def _split_area(outward: str) -> tuple[str | None, str]:
    """Area letters and the rest; two-letter areas win when both readings are real."""
    def letters(chunk: str) -> str:
        return "".join(_TO_LETTER.get(c, c) for c in chunk)

    if len(outward) >= 3:
        two = letters(outward[:2])
        if two in AREAS_2 and (outward[2] in _DIGITS or outward[2] in _TO_DIGIT):
            return two, outward[2:]
    if len(outward) >= 2:
        one = letters(outward[:1])
        if one in AREAS_1:
            return one, outward[1:]
    return None, outward


def normalise_series(postcodes: pd.Series) -> pd.DataFrame:
    """Vectorised-by-cache normalisation: columns postcode_normalised, postcode_fixed."""
    uniq = pd.unique(postcodes.astype("object"))
    cache = {v: normalise_postcode(v) for v in uniq}
    pairs = [cache[v] for v in postcodes.astype("object")]
    return pd.DataFrame(
        {"postcode_normalised": [p[0] for p in pairs], "postcode_fixed": [p[1] for p in pairs]},
        index=postcodes.index,
    )


def prepare_lookup(lookup_df: pd.DataFrame, postcode_col: str = "postcode",
                   x_col: str = "easting", y_col: str = "northing") -> pd.DataFrame:
    """Code-Point Open rows keyed by normalised postcode (first row wins if duplicated)."""
    lk = lookup_df[[postcode_col, x_col, y_col]].copy()
    lk["postcode_normalised"] = normalise_series(lk[postcode_col])["postcode_normalised"]
    lk = lk.dropna(subset=["postcode_normalised"]).drop_duplicates("postcode_normalised")
    return lk.rename(columns={x_col: "pc_easting", y_col: "pc_northing"})[
        ["postcode_normalised", "pc_easting", "pc_northing"]
    ]


def geocode_postcodes(
    df: pd.DataFrame,
    postcode_col: str,
    lookup_df: pd.DataFrame,
    layers: Mapping[str, Any],
    borough: str | None = None,
    *,
    key_cols: list[str] | None = None,
    source: str = "",
    lookup_cols: tuple[str, str, str] = ("postcode", "easting", "northing"),
    threads: int | None = None,
) -> tuple[pd.DataFrame, MatchReport]:
    """Postcode -> normalised postcode -> Code-Point centroid (EPSG:27700) -> areas.

    Returns a copy of df (same index and order) with postcode_normalised,
    postcode_fixed, the centroid (x_27700, y_27700), one code column per layer,
    geo_status (matched | partial | outside_boundaries | unknown_postcode | invalid) and,
    with `borough`, outside_borough; and a MatchReport where malformed postcodes are
    `invalid`, well-formed ones missing from Code-Point are `unknown_codes` (and
    `unmatched`), and corrected ones are `fixed`.
    """
    rep = MatchReport(source=source, step="geocode_postcodes")
    out = pd.DataFrame(df).copy()
    norm = normalise_series(out[postcode_col])
    out["postcode_normalised"] = norm["postcode_normalised"].astype("string")
    out["postcode_fixed"] = norm["postcode_fixed"].to_numpy(bool)
    lk = prepare_lookup(lookup_df, *lookup_cols)
    merged = out[["postcode_normalised"]].merge(lk.astype({"postcode_normalised": "string"}),
                                                on="postcode_normalised", how="left")
    out["pc_easting"] = merged["pc_easting"].to_numpy(float)
    out["pc_northing"] = merged["pc_northing"].to_numpy(float)

    malformed = out["postcode_normalised"].isna().to_numpy()
    unknown = ~malformed & np.isnan(out["pc_easting"].to_numpy())
    found = ~malformed & ~unknown
    keys = [c for c in (key_cols or []) if c in out.columns and c != postcode_col]
    sub = out.loc[found, ["pc_easting", "pc_northing", *keys]]
    pts, prep = assign_points(sub, "pc_easting", "pc_northing", "EPSG:27700", layers,
                              borough=borough, key_cols=key_cols, source=source, threads=threads,
                              fix_swapped=False, infer_crs=False)
    code_cols = [f"{name}_code" for name in layers]  # replace same-named input columns
    extra = code_cols + ["x_27700", "y_27700", "geo_status"] + (["outside_borough"] if borough else [])
    for c in extra:
        out[c] = pts[c].reindex(out.index) if c in pts.columns else None
    for c in code_cols:
        out[c] = out[c].astype("string")
    status = out["geo_status"].to_numpy(dtype=object, copy=True)
    status[malformed] = "invalid"
    status[unknown] = "unknown_postcode"
    out["geo_status"] = status
    if borough:
        out["outside_borough"] = out["outside_borough"].fillna(False).astype(bool)
    out = out.drop(columns=["pc_easting", "pc_northing"])

    fixed = out["postcode_fixed"].to_numpy(bool) & ~malformed
    rep.total = len(out)
    rep.invalid = int(malformed.sum())
    rep.unknown_codes = int(unknown.sum())
    rep.matched = prep.matched
    rep.partial = prep.partial
    rep.outside_boundaries = prep.outside_boundaries
    rep.unmatched = rep.unknown_codes + prep.unmatched
    rep.outside_borough = prep.outside_borough
    rep.fixed = int(fixed.sum())
    rep.unmatched_by_layer = dict(prep.unmatched_by_layer)
    rep.notes = list(prep.notes)

    def ex(mask, category, cols):
        rows = np.flatnonzero(mask)[: rep.max_examples]
        e = out.iloc[rows][[postcode_col, *keys, *cols]].copy()
        e.insert(0, "row", rows)
        rep.add_examples(category, e.reset_index(drop=True))

    ex(malformed, "invalid", [])
    ex(unknown, "unknown_codes", ["postcode_normalised"])
    ex(fixed, "fixed", ["postcode_normalised"])
    ex(np.isin(status, ["unknown_postcode", "outside_boundaries", "partial"]), "unmatched", ["geo_status"])
    ex(status == "outside_boundaries", "outside_boundaries", ["postcode_normalised"])
    ex(status == "partial", "partial", ["postcode_normalised"])
    if borough:
        lad_col = "lad_code" if "lad_code" in out.columns else None
        ex(out["outside_borough"].to_numpy(bool), "outside_borough", [lad_col] if lad_col else [])
    return out, rep
