"""Named random streams and day-number dates, shared by every generator module.

Why: the build must be byte-for-byte reproducible from one seed, and a change in how one
system is drawn must not reshuffle every other system. Each concept draws from its own
stream, derived from (seed, name), so streams are independent of call order.
Dates are handled as integer day numbers (days since 1970-01-01) so whole populations
can be moved, aged and compared with numpy, and are formatted only when written.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np

EPOCH = dt.date(1970, 1, 1)
#: a missing date (day numbers before 1970 are negative, so -1 cannot mean "none")
NULL_DAY = -999_999


def objects(values) -> "pd.Series":
    """A Series of Python objects (not pandas' Arrow-backed str), for columns that are
    indexed and re-combined many times during generation."""
    import pandas as pd
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator for `name` under `seed` (order-independent)."""
    key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([int(seed), key]))


def day(y: int, m: int = 1, d: int = 1) -> int:
    """Day number of a calendar date."""
    return (dt.date(y, m, d) - EPOCH).days


def to_date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def iso(days: np.ndarray) -> np.ndarray:
    """Day numbers -> 'yyyy-mm-dd' strings (object array)."""
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]")).astype(object)


def dmy(days: np.ndarray) -> np.ndarray:
    """Day numbers -> 'dd/mm/yyyy' strings (object array)."""
    return np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]}" for s in iso(days)], dtype=object)


def ymd(days: np.ndarray | int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of day numbers, by integer arithmetic (H. Hinnant's
    civil_from_days), much faster than datetime64 conversions on large arrays."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return ymd(days)[0]


def age_on(dob: np.ndarray, on: np.ndarray | int) -> np.ndarray:
    """Completed years of age on day `on` for dates of birth `dob` (day numbers)."""
    by, bm, bd = ymd(dob)
    oy, om, od = ymd(on)
    return oy - by - ((om < bm) | ((om == bm) & (od < bd))).astype(np.int64)


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of k items drawn without replacement, probability proportional to weight.

    Efraimidis-Spirakis keys (log(u)/w, take the k largest): O(n), vectorised.
    """
    w = np.asarray(weights, dtype=float)
    n = int((w > 0).sum())
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.full(w.shape, -np.inf)
    pos = w > 0
    keys[pos] = np.log(rng.random(int(pos.sum()))) / w[pos]
    idx = np.argpartition(-keys, k - 1)[:k]
    return np.sort(idx)


def uniform_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform day in [lo, hi) for each pair (hi > lo assumed; equal gives lo)."""
    lo = np.asarray(lo, dtype="int64")
    span = np.maximum(np.asarray(hi, dtype="int64") - lo, 1)
    return lo + (rng.random(lo.shape) * span).astype("int64")


def export_dates(days: np.ndarray, iso_format: np.ndarray) -> np.ndarray:
    """Day numbers as a system exports them: ISO where `iso_format`, else dd/mm/yyyy;
    None for NULL_DAY."""
    days = np.asarray(days, dtype=np.int64)
    null = days == NULL_DAY
    safe = np.where(null, 0, days)
    out = np.where(iso_format, iso(safe), dmy(safe)).astype(object)
    out[null] = None
    return out
