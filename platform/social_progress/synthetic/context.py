"""What every system generator draws from: the population, the gazetteer, the dates.

Why: the eight systems are views of one population; this is the single place that
answers "who lived where on day d", "who leads this household", "how much need does this
person have" (the deprivation relative risk of their LSOA and their household's latent
need), and that stamps records with an `updated_at` watermark.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .areas import Areas
from .gazetteer import Gazetteer
from .people import BIG, Population
from .streams import NULL_DAY, age_on, day, stream, uniform_days

AS_OF_MONTH_DAY = (6, 30)  # extracts are taken at the end of June after the last year
#: tenures, sorted (residents and households carry the index into this tuple)
TENURES = np.array(sorted(["council", "housing_association", "owner", "private_rent"]), dtype=object)


def tenure_weight(codes, weights: dict[str, float]) -> np.ndarray:
    """Weight per tenure code (see TENURES)."""
    table = np.array([weights[t] for t in TENURES])
    return table[np.asarray(codes, dtype=np.int64)]


@dataclass
class Context:
    seed: int
    first_year: int
    last_year: int
    areas: Areas
    gaz: Gazetteer
    pop: Population
    outside: pd.DataFrame
    _cache: OrderedDict = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        a = self.gaz.addresses
        self.addr_z = a["z"].to_numpy()
        self.addr_tenure = a["tenure"].to_numpy()
        self.addr_tenure_code = np.searchsorted(TENURES, self.addr_tenure)
        self.addr_lsoa = a["lsoa"].to_numpy()
        self.addr_beds = a["bedrooms"].to_numpy()
        p = self.pop.persons
        self.dob = p["dob"].to_numpy()
        self.sex = p["sex"].to_numpy()
        self.female = self.sex == "F"
        self.rank = p["rank"].to_numpy()
        self.entry = p["entry"].to_numpy()
        self.exit = p["exit"].to_numpy()
        self.hh_u = self.pop.households["u"].to_numpy()

    # ---- dates
    @property
    def as_of(self) -> int:
        return day(self.last_year + 1, *AS_OF_MONTH_DAY)

    @property
    def start(self) -> int:
        return day(self.first_year)

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.seed, name)

    # ---- who lived where
    CACHE_SIZE = 64  # snapshots kept (each about 8 MB); calibration passes revisit the same days

    def _remember(self, key, value):
        self._cache[key] = value
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return value

    def residents(self, d: int) -> pd.DataFrame:
        """Residents on day d with pid, hh, addr, age, female, z, u, tenure code, rank (cached)."""
        if d in self._cache:
            self._cache.move_to_end(d)
        else:
            r = self.pop.at(max(d, self.start))
            if d < self.start:  # before the simulation: the first population, born by then
                r = r[self.dob[r["pid"].to_numpy()] < d].reset_index(drop=True)
            pid = r["pid"].to_numpy()
            r["age"] = age_on(self.dob[pid], d)
            r["female"] = self.female[pid]
            r["rank"] = self.rank[pid]
            r["z"] = self.addr_z[r["addr"].to_numpy()]
            r["u"] = self.hh_u[r["hh"].to_numpy()]
            r["tenure"] = self.addr_tenure_code[r["addr"].to_numpy()].astype(np.int8)
            r = r.astype({"pid": np.int32, "hh": np.int32, "addr": np.int32, "age": np.int16, "rank": np.int8})
            self._remember(d, r)
        return self._cache[d]

    def households(self, d: int) -> pd.DataFrame:
        """One row per household on day d: hh, addr, lead pid, size, adults, children,
        partner present, z, u, tenure, lead age."""
        key = ("hh", d)
        if key in self._cache:
            self._cache.move_to_end(key)
        else:
            r = self.residents(d)
            r2 = r.sort_values(["hh", "rank", "age"], ascending=[True, True, False], kind="stable")
            first = r2.drop_duplicates("hh")
            g = r.groupby("hh")
            h = pd.DataFrame({
                "size": g.size(),
                "adults": (r["age"] >= 18).groupby(r["hh"]).sum(),
                "children": (r["age"] < 18).groupby(r["hh"]).sum(),
                "partner": (r["rank"] == 1).groupby(r["hh"]).any(),
                "other_adults": ((r["rank"] == 2) & (r["age"] >= 18)).groupby(r["hh"]).sum(),
            })
            first = first.set_index("hh")
            h["lead"] = first["pid"]
            h["addr"] = first["addr"]
            h["lead_age"] = first["age"]
            h["z"] = first["z"]
            h["u"] = first["u"]
            h["tenure"] = first["tenure"]
            self._remember(key, h.reset_index())
        return self._cache[key]

    def composition(self, hh: np.ndarray, days: np.ndarray) -> pd.DataFrame:
        """Each household on each day: lead (head, else partner, else eldest; -1 if
        nobody), size, adults, children, partner present, other adults, bedrooms needed."""
        hh = np.asarray(hh, dtype=np.int64)
        days = np.maximum(np.broadcast_to(np.asarray(days, dtype=np.int64), hh.shape), self.start)
        q = pd.DataFrame({"i": np.arange(hh.size), "hh": hh, "d": days})
        s = self.pop.spells
        m = q.merge(s[["pid", "hh", "start", "end"]], on="hh")
        m = m[(m["start"] <= m["d"]) & (m["end"] > m["d"])]
        pid = m["pid"].to_numpy()
        m = m.assign(rank=self.rank[pid], dob=self.dob[pid],
                     age=age_on(self.dob[pid], m["d"].to_numpy()))
        m = m.sort_values(["i", "rank", "dob"], kind="stable")
        g = m.groupby("i")
        out = pd.DataFrame(index=np.arange(hh.size))
        out["lead"] = g["pid"].first().reindex(out.index).fillna(-1).astype(np.int64)
        out["size"] = g.size().reindex(out.index).fillna(0).astype(int)
        adult = m["age"] >= 18
        out["adults"] = adult.groupby(m["i"]).sum().reindex(out.index).fillna(0).astype(int)
        out["children"] = out["size"] - out["adults"]
        out["partner"] = (m["rank"] == 1).groupby(m["i"]).any().reindex(out.index).fillna(False).astype(bool)
        other = adult & (m["rank"] == 2)
        out["other_adults"] = other.groupby(m["i"]).sum().reindex(out.index).fillna(0).astype(int)
        # bedroom standard (simplified): the lead (and partner) 1, each other adult 1,
        # children two to a room
        out["bedrooms_needed"] = np.where(out["size"] > 0, 1 + out["other_adults"] + np.ceil(out["children"] / 2), 0).astype(int)
        return out

    def lead_of(self, hh: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The household's lead person (head, else partner, else eldest) on each day."""
        return self.composition(hh, days)["lead"].to_numpy()

    def risk(self, z: np.ndarray, u: np.ndarray, beta: float, gamma: float) -> np.ndarray:
        """Relative risk exp(beta * z + gamma * u): deprivation and household need."""
        return np.exp(beta * np.asarray(z) + gamma * np.asarray(u))

    def presence_days(self, rng: np.random.Generator, pids: np.ndarray, y0: int, y1: int) -> np.ndarray:
        """A uniform day in [y0, y1) while each person is in the borough (and born)."""
        lo = np.maximum(np.maximum(self.entry[pids], self.dob[pids] + 1), y0)
        lo = np.where(y0 < self.start, np.maximum(self.dob[pids] + 1, y0), lo)
        hi = np.minimum(self.exit[pids], y1)
        hi = np.maximum(hi, lo + 1)
        return uniform_days(rng, lo, hi)

    def address_at(self, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
        """LLPG address id of each person on each day (last known if not resident; -1 none)."""
        days = np.maximum(np.asarray(days, dtype=np.int64), self.start)
        addr, _ = self.pop.last_known(pids, days)
        return addr

    # ---- watermarks
    def updated_at(self, rng: np.random.Generator, event_day: np.ndarray, max_lag_days: int = 14) -> np.ndarray:
        """Timestamp a record was last changed: the event day plus an office-hours lag,
        never after the extract (as_of)."""
        event_day = np.asarray(event_day, dtype=np.int64)
        lag = (rng.random(event_day.size) * (max_lag_days + 1)).astype(np.int64)
        d = np.minimum(np.maximum(event_day, self.start) + lag, self.as_of)
        secs = (8 * 3600 + rng.random(event_day.size) * 10 * 3600).astype(np.int64)
        return (d * 86400 + secs).astype("datetime64[s]")

    def end_or_open(self, end: np.ndarray) -> np.ndarray:
        """End day, or NULL_DAY where the spell is still open at the extract."""
        end = np.asarray(end, dtype=np.int64)
        return np.where((end >= self.as_of) | (end >= BIG), NULL_DAY, end)


def calibrate(run: Callable[[float], tuple[object, float]], target: float, rate0: float,
              passes: int = 2) -> object:
    """Run `run(rate)` -> (result, measured level); rescale the rate so the measured level
    meets the published target; return the last result. Used for stocks that depend on
    spell lengths truncated by moves, deaths and birthdays."""
    rate = rate0
    result, level = run(rate)
    for _ in range(passes - 1):
        if level > 0:
            rate *= target / level
        result, level = run(rate)
    return result
