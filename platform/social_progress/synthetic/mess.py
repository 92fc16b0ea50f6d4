"""How real council systems hold people: their own references, and the mess.

Why: record linkage and address matching are only tested if the records are as messy as
real ones. Each system gives people its own reference; about 3% of people are registered
twice (a second reference for later records); about 5% of registrations carry a spelling
variant or typo in a name; about 1% have first name and surname swapped; about 1% a wrong
date of birth (day and month swapped, a digit off). Per record, addresses are presented
in the system's house style (upper case, abbreviations, no town), postcodes go missing
(~3%) or are mistyped (~2%: O for 0, no space, wrong last letter, lower case), ~2% carry
an address outside the borough (a real Redbridge, Havering or Newham postcode), and UPRNs
are missing (~15% where a system does not hold them as standard).

Identity errors belong to a registration (a person reference), so every row of one
reference carries the same misspelling, as in a real system.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .gazetteer import Gazetteer
from .streams import to_date

_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_ABBREV = (("Road", "Rd"), ("Avenue", "Ave"), ("Close", "Cl"), ("Gardens", "Gdns"),
           ("Street", "St"), ("Crescent", "Cres"), ("Drive", "Dr"), ("Lane", "Ln"),
           ("Grove", "Gr"), ("Place", "Pl"))


@dataclass(frozen=True)
class MessRates:
    dup: float = 0.03
    name_variant: float = 0.05
    swap: float = 0.01
    dob_error: float = 0.01
    dob_missing: float = 0.0
    pc_missing: float = 0.03
    pc_typo: float = 0.02
    outside: float = 0.02
    uprn_missing: float = 0.15
    style: str = "standard"   # standard | upper | abbrev | casual


def assign_refs(rng: np.random.Generator, pids: np.ndarray, order: np.ndarray, rate: float,
                prefix: str, width: int = 7, start: int = 1) -> np.ndarray:
    """A system reference for each record of person `pids[i]` (records ordered by `order`).

    References are numbered in order of each person's first record; `rate` of the
    people (as far as people with two or more records allow) get a second reference from
    a random record onwards."""
    pids = np.asarray(pids, dtype=np.int64)
    n = pids.size
    if n == 0:
        return np.zeros(0, dtype=object)
    o = np.lexsort((np.arange(n), np.asarray(order), pids))  # by person, then order
    sp = pids[o]
    first = np.r_[True, sp[1:] != sp[:-1]]
    grp = np.cumsum(first) - 1
    counts = np.bincount(grp)
    pos = np.arange(n) - np.flatnonzero(first)[grp]
    # duplicates: `rate` of all the system's people, taken from those with two or more
    # records (a person with one record cannot be seen twice), split at a later record
    multi = counts >= 2
    p_dup = min(1.0, rate * counts.size / max(int(multi.sum()), 1))
    dup_person = multi & (rng.random(counts.size) < p_dup)
    split_at = 1 + (rng.random(counts.size) * np.maximum(counts - 1, 1)).astype(int)
    second = dup_person[grp] & (pos >= split_at[grp])
    # numbering: by first-record order across the system
    ident = grp * 2 + second.astype(int)
    first_order = np.full(ident.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_order, ident, np.asarray(order)[o])
    used = np.unique(ident)
    rank = np.empty(ident.max() + 1, dtype=np.int64)
    seq = used[np.lexsort((used, first_order[used]))]
    rank[seq] = np.arange(seq.size) + start
    refs_sorted = np.array([f"{prefix}{r:0{width}d}" for r in rank[ident]], dtype=object)
    out = np.empty(n, dtype=object)
    out[o] = refs_sorted
    return out


def _dob_slip(rng: np.random.Generator, d: int) -> int:
    date = to_date(d)
    kind = rng.random()
    try:
        if kind < 0.45 and date.day <= 12 and date.day != date.month:
            return (date.replace(month=date.day, day=date.month) - to_date(0)).days
        if kind < 0.75:
            return d + int(rng.choice([-1, 1]))
        return (date.replace(year=date.year + int(rng.choice([-1, 1, -10, 10]))) - to_date(0)).days
    except ValueError:
        return d + 1


def identities(rng: np.random.Generator, refs: np.ndarray, pids: np.ndarray, persons: pd.DataFrame,
               rates: MessRates) -> pd.DataFrame:
    """The identity each reference was registered with: first_name, surname, dob (day number).

    `refs`/`pids` are per record; the result has one row per distinct reference (index)."""
    df = pd.DataFrame({"ref": refs, "pid": pids}).drop_duplicates("ref").set_index("ref")
    pid = df["pid"].to_numpy()
    first = persons["first_name"].to_numpy()[pid].copy()
    sur = persons["surname"].to_numpy()[pid].copy()
    dob = persons["dob"].to_numpy()[pid].astype(np.int64).copy()
    n = len(df)
    u = rng.random((n, 4))
    var = np.flatnonzero(u[:, 0] < rates.name_variant)
    for i in var:
        if rng.random() < 0.6:
            first[i] = names.variant(first[i], rng)
        else:
            sur[i] = names.variant(sur[i], rng)
    swap = u[:, 1] < rates.swap
    first[swap], sur[swap] = sur[swap].copy(), first[swap].copy()
    for i in np.flatnonzero(u[:, 2] < rates.dob_error):
        dob[i] = _dob_slip(rng, int(dob[i]))
    dob_missing = u[:, 3] < rates.dob_missing
    df["first_name"] = first
    df["surname"] = sur
    df["dob"] = dob
    df["dob_missing"] = dob_missing
    return df


def style_lines(gaz: Gazetteer, style: str) -> np.ndarray:
    """Every LLPG address line in a system's house style."""
    lines = gaz.addresses["address_line"].to_numpy().astype(str)
    if style == "upper":
        return np.char.upper(lines).astype(object)
    if style == "abbrev":
        s = pd.Series(lines)
        for full, short in _ABBREV:
            s = s.str.replace(f" {full},", f" {short},", regex=False)
        return s.to_numpy(dtype=object)
    if style == "casual":
        s = pd.Series(lines).str.replace(r", [A-Za-z ]+$", "", regex=True)
        s = s.str.replace(r"^Flat (\d+), ", r"\1 ", regex=True)
        return s.to_numpy(dtype=object)
    return lines.astype(object)


def mistype_postcode(pc: str, rng: np.random.Generator) -> str:
    kinds = ["nospace", "lastletter", "lower"]
    if "0" in pc:
        kinds += ["O_for_0", "O_for_0"]
    if "1" in pc:
        kinds.append("I_for_1")
    k = kinds[int(rng.integers(len(kinds)))]
    if k == "nospace":
        return pc.replace(" ", "")
    if k == "lower":
        return pc.lower()
    if k == "O_for_0":
        return pc.replace("0", "O", 1)
    if k == "I_for_1":
        return pc.replace("1", "I", 1)
    letters = [c for c in _INWARD_LETTERS if c != pc[-1]]
    return pc[:-1] + letters[int(rng.integers(len(letters)))]


def present_addresses(rng: np.random.Generator, addr: np.ndarray, gaz: Gazetteer,
                      outside: pd.DataFrame, rates: MessRates, clean: np.ndarray | None = None,
                      lines: np.ndarray | None = None) -> pd.DataFrame:
    """address_line, postcode, uprn for each record at LLPG address id `addr` (-1: unknown,
    shown as an out-of-borough address); records flagged `clean` are left as the LLPG has them."""
    addr = np.asarray(addr, dtype=np.int64)
    n = addr.size
    a = gaz.addresses
    if lines is None:
        lines = style_lines(gaz, rates.style)
    safe = np.maximum(addr, 0)
    line = lines[safe].copy()
    pc = a["postcode"].to_numpy()[safe].astype(object).copy()
    uprn = a["uprn"].to_numpy()[safe].astype(object).copy()
    clean = np.zeros(n, bool) if clean is None else np.asarray(clean, bool)
    u = rng.random((n, 4))
    out = ((u[:, 0] < rates.outside) | (addr < 0)) & ~clean
    k = int(out.sum())
    if k:
        pick = rng.integers(0, len(outside), k)
        line[out] = outside["address_line"].to_numpy()[pick]
        if rates.style == "upper":
            line[out] = np.char.upper(line[out].astype(str)).astype(object)
        pc[out] = outside["postcode"].to_numpy()[pick]
        uprn[out] = None
    if rates.style == "casual":
        # casual systems: town sometimes kept
        keep_town = (u[:, 3] < 0.5) & ~out
        line[keep_town] = a["address_line"].to_numpy()[safe[keep_town]]
    miss_pc = (u[:, 1] < rates.pc_missing) & ~clean
    typo_pc = (~miss_pc) & (u[:, 1] < rates.pc_missing + rates.pc_typo) & ~clean
    for i in np.flatnonzero(typo_pc):
        pc[i] = mistype_postcode(pc[i], rng)
    pc[miss_pc] = None
    uprn[(u[:, 2] < rates.uprn_missing) & ~clean] = None
    return pd.DataFrame({"address_line": line, "postcode": pc, "uprn": uprn})
