"""A synthetic resident population of the borough, living in households at LLPG addresses.

Why: the council systems are different views of the same people. Drawing every system
from one population, with people who are born, die, move house, arrive and leave,
gives the overlaps, duplicates and stale addresses that record linkage must cope with,
and gives person-level truth to test it against. Person ids are internal truth only.

How: on 1 January of the first year the borough holds the mid-2019 LSOA population
(ONS) scaled to the census path (2011 -> mid-2019 -> 2021), with ages drawn within each
LSOA's broad age bands, formed into households (heads, partners of similar age, children
with a head of parental age, young adults at home) at that LSOA's addresses. Each year:
deaths (Gompertz, a little higher in deprived LSOAs), households leaving the borough
(private renters most), young adults leaving home, moves within the borough, births to
mothers in the household (about 3,800 a year), and arriving households that keep the
total on the census path. Everything is vectorised by year; dates within a year are
uniform.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import names
from .areas import BAND_AGES, BANDS, Areas
from .calibration import value
from .gazetteer import Gazetteer
from .streams import age_on, day, objects, uniform_days, weighted_sample

BIG = day(2200)
HOUSEHOLD_SIZE0 = 2.85
FERTILITY_PEAK = 31.0


@dataclass
class Population:
    persons: pd.DataFrame     # index = person id: first_name, surname, sex, dob, group, entry, exit, exit_reason, rank
    spells: pd.DataFrame      # pid, hh, addr, start, end (end exclusive), sorted by pid, start
    hh_spells: pd.DataFrame   # hh, addr, start, end: a household's stay at an address
    households: pd.DataFrame  # index = hh: u (latent need), group
    start_day: int
    end_day: int

    def __post_init__(self) -> None:
        s = self.spells
        self._pid = s["pid"].to_numpy()
        self._start = s["start"].to_numpy()
        self._end = s["end"].to_numpy()
        self._key = self._pid.astype(np.int64) * 100_000 + (self._start - day(1900))

    def at(self, d: int) -> pd.DataFrame:
        """Residents on day d: pid, hh, addr."""
        s = self.spells
        m = (self._start <= d) & (self._end > d)
        return s.loc[m, ["pid", "hh", "addr"]].reset_index(drop=True)

    def lookup(self, pids: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(address id, household id) of each person on each day; -1 where not resident."""
        pids = np.asarray(pids, dtype=np.int64)
        days = np.broadcast_to(np.asarray(days, dtype=np.int64), pids.shape)
        key = pids * 100_000 + (days - day(1900))
        i = np.searchsorted(self._key, key, side="right") - 1
        i = np.clip(i, 0, len(self._key) - 1)
        ok = (self._pid[i] == pids) & (self._start[i] <= days) & (self._end[i] > days)
        addr = np.where(ok, self.spells["addr"].to_numpy()[i], -1)
        hh = np.where(ok, self.spells["hh"].to_numpy()[i], -1)
        return addr, hh

    def last_known(self, pids: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Like lookup, but falls back to the person's last address before `days`
        (systems keep the last address they knew) or the first one after."""
        pids = np.asarray(pids, dtype=np.int64)
        days = np.broadcast_to(np.asarray(days, dtype=np.int64), pids.shape)
        key = pids * 100_000 + (days - day(1900))
        i = np.searchsorted(self._key, key, side="right") - 1
        i = np.clip(i, 0, len(self._key) - 1)
        bad = self._pid[i] != pids
        j = np.clip(i + 1, 0, len(self._key) - 1)
        i = np.where(bad & (self._pid[j] == pids), j, i)
        ok = self._pid[i] == pids
        addr = np.where(ok, self.spells["addr"].to_numpy()[i], -1)
        hh = np.where(ok, self.spells["hh"].to_numpy()[i], -1)
        return addr, hh


def population_target(t: float) -> float:
    """Residents at decimal year t on the census path (log-linear between cited points)."""
    pts = [(2011.25, value("population_2011")), (2019.5, value("population_2019")),
           (2021.25, value("population_2021"))]
    if t <= pts[1][0]:
        (t0, p0), (t1, p1) = pts[0], pts[1]
    else:
        (t0, p0), (t1, p1) = pts[1], pts[2]
    return p0 * (p1 / p0) ** ((t - t0) / (t1 - t0))


class _State:
    """Growable arrays for persons and households during the simulation."""

    def __init__(self, cap_p: int, cap_h: int):
        self.n = 0
        self.nh = 0
        self.sex = np.zeros(cap_p, np.int8)       # 0 male, 1 female
        self.dob = np.zeros(cap_p, np.int64)
        self.group = np.zeros(cap_p, np.int8)
        self.first = np.empty(cap_p, object)
        self.surname = np.empty(cap_p, object)
        self.entry = np.zeros(cap_p, np.int64)
        self.exit = np.full(cap_p, BIG, np.int64)
        self.reason = np.zeros(cap_p, np.int8)    # 1 died, 2 left the borough
        self.hh = np.full(cap_p, -1, np.int64)
        self.rank = np.zeros(cap_p, np.int8)      # 0 head, 1 partner, 2 other adult, 3 child
        self.h_addr = np.full(cap_h, -1, np.int64)
        self.h_u = np.zeros(cap_h)
        self.h_group = np.zeros(cap_h, np.int8)
        self.h_size = np.zeros(cap_h, np.int64)
        self.mem: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []   # pid, hh, start
        self.moves: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # hh, addr, start

    def add_persons(self, k: int) -> np.ndarray:
        ids = np.arange(self.n, self.n + k)
        self.n += k
        return ids

    def add_households(self, k: int) -> np.ndarray:
        ids = np.arange(self.nh, self.nh + k)
        self.nh += k
        return ids


def _ages_in_band(rng: np.random.Generator, band: str, n: int) -> np.ndarray:
    lo, hi = BAND_AGES[band]
    if band == "65+":
        ages = np.arange(lo, hi + 1)
        w = np.exp(-0.075 * (ages - lo))
        return rng.choice(ages, size=n, p=w / w.sum())
    if band == "45-64":
        ages = np.arange(lo, hi + 1)
        w = np.linspace(1.15, 0.85, ages.size)
        return rng.choice(ages, size=n, p=w / w.sum())
    return rng.integers(lo, hi + 1, size=n)


def _dob_for_age(rng: np.random.Generator, ages: np.ndarray, on: int) -> np.ndarray:
    # born between (age+1) and age years before `on`
    return on - (ages * 365.25).astype(np.int64) - (rng.random(ages.size) * 365).astype(np.int64) - 1


def _pick_near(rng: np.random.Generator, sorted_vals: np.ndarray, targets: np.ndarray, width: float) -> np.ndarray:
    """Index into sorted_vals of a random element within +-width of each target (nearest if none)."""
    lo = np.searchsorted(sorted_vals, targets - width, side="left")
    hi = np.searchsorted(sorted_vals, targets + width, side="right")
    near = np.clip(np.searchsorted(sorted_vals, targets), 0, len(sorted_vals) - 1)
    span = hi - lo
    pick = lo + (rng.random(targets.size) * np.maximum(span, 1)).astype(np.int64)
    return np.where(span > 0, np.clip(pick, 0, len(sorted_vals) - 1), near)


def _form_households(st: _State, rng: np.random.Generator, pids: np.ndarray, ages: np.ndarray,
                     addrs: np.ndarray, start: int, n_house: int) -> None:
    """Group the persons of one LSOA into n_house households at addresses `addrs`."""
    sex = st.sex[pids]
    adult = ages >= 18
    w = np.where(ages < 18, 0.0, np.where(ages < 22, 0.15, np.where(ages < 25, 0.5, np.where(ages < 80, 1.0, 0.8))))
    n_house = int(min(n_house, int(adult.sum()), len(addrs)))
    keys = np.log(rng.random(pids.size)) / np.where(w > 0, w, 1e-12)
    keys[w == 0] = -np.inf
    heads = np.argsort(-keys)[:n_house]
    role = np.full(pids.size, -1)
    role[heads] = 0
    hh_local = np.full(pids.size, -1)
    hh_local[heads] = np.arange(n_house)
    head_age = ages[heads]
    # partners: half of heads aged 20-84, partner of the opposite sex and similar age
    need = heads[(head_age >= 20) & (head_age <= 84) & (rng.random(n_house) < 0.55)]
    pool = np.flatnonzero((role == -1) & adult)
    buckets: dict[tuple[int, int], list[int]] = {}
    for i in rng.permutation(pool):
        buckets.setdefault((int(sex[i]), int(ages[i])), []).append(int(i))
    deltas = rng.normal(0, 3.0, need.size)
    for h, dlt in zip(need, deltas):
        want_sex = 1 - int(sex[h])
        target = int(round(ages[h] + (-2.5 if sex[h] == 0 else 2.5) + dlt))
        for off in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5):
            b = buckets.get((want_sex, target + off))
            if b:
                p = b.pop()
                role[p] = 1
                hh_local[p] = hh_local[h]
                break
    # children: with a head of parental age
    order = np.argsort(head_age, kind="stable")
    sorted_age = head_age[order].astype(float)
    kids = np.flatnonzero((role == -1) & (ages < 18))
    if kids.size:
        target = ages[kids] + rng.normal(30, 6, kids.size).clip(18, 48)
        pick = _pick_near(rng, sorted_age, target, 4.0)
        hh_local[kids] = hh_local[heads[order[pick]]]
        role[kids] = 3
    # young adults at home with parents; others join a random household
    rest = np.flatnonzero(role == -1)
    if rest.size:
        ya = rest[ages[rest] <= 30]
        if ya.size:
            target = ages[ya] + rng.normal(29, 5, ya.size).clip(18, 45)
            pick = _pick_near(rng, sorted_age, target, 4.0)
            hh_local[ya] = hh_local[heads[order[pick]]]
        other = rest[ages[rest] > 30]
        hh_local[other] = rng.integers(0, n_house, other.size)
        role[rest] = 2
    hh_ids = st.add_households(n_house)
    st.h_addr[hh_ids] = addrs[:n_house]
    st.h_u[hh_ids] = rng.normal(0, 0.6, n_house)
    gid = names.draw_groups(rng, n_house, older=head_age >= 65)
    st.h_group[hh_ids] = gid
    gh = hh_ids[hh_local]
    st.hh[pids] = gh
    st.rank[pids] = np.where(role == 0, 0, np.where(role == 1, 1, np.where(role == 3, 3, 2)))
    st.group[pids] = st.h_group[gh]
    st.h_size[hh_ids] = np.bincount(hh_local, minlength=n_house)


def _name_people(st: _State, rng: np.random.Generator, pids: np.ndarray) -> None:
    """First names for pids; surnames: head's family name for most of the household."""
    st.first[pids] = names.first_names(rng, st.group[pids], st.sex[pids] == 1)
    fam = names.surnames(rng, st.h_group[st.hh[pids]])
    own = names.surnames(rng, st.group[pids])
    hh = st.hh[pids]
    # head's surname is the family surname: take it from the head of each household
    is_head = st.rank[pids] == 0
    fam_by_hh: dict[int, str] = {}
    for h, s in zip(hh[is_head], fam[is_head]):
        fam_by_hh.setdefault(int(h), s)
    family = np.array([fam_by_hh.get(int(h), f) for h, f in zip(hh, fam)], dtype=object)
    u = rng.random(pids.size)
    keep_own = ((st.rank[pids] == 1) & (u < 0.35)) | ((st.rank[pids] == 2) & (u < 0.5)) | ((st.rank[pids] == 3) & (u < 0.1))
    st.surname[pids] = np.where(keep_own, own, family)


def simulate_population(areas: Areas, gaz: Gazetteer, rng: np.random.Generator,
                        first_year: int, last_year: int) -> Population:
    start = day(first_year)
    end = day(last_year + 1)
    n0 = population_target(float(first_year))
    scale = n0 / value("population_2019")
    lsoa = areas.lsoa
    addr = gaz.addresses
    addr_lsoa = addr["lsoa"].to_numpy()
    reserved = addr["reserved"].to_numpy()
    z_addr = addr["z"].to_numpy()
    tenure = addr["tenure"].to_numpy()

    cap_p = int(n0 * 2.2) + 100_000
    st = _State(cap_p, cap_p // 2)

    # ---- initial population, LSOA by LSOA
    for li in range(len(lsoa)):
        row = lsoa.iloc[li]
        pids_l, ages_l = [], []
        for sex_i, sex_name in ((0, "Males"), (1, "Females")):
            for band in BANDS:
                expect = row[f"{sex_name}_{band}"] * scale
                k = int(np.floor(expect) + (rng.random() < expect - np.floor(expect)))
                if k == 0:
                    continue
                ids = st.add_persons(k)
                ages = _ages_in_band(rng, band, k)
                st.sex[ids] = sex_i
                st.dob[ids] = _dob_for_age(rng, ages, start)
                pids_l.append(ids)
                ages_l.append(ages)
        pids = np.concatenate(pids_l)
        ages = np.concatenate(ages_l)
        cand = np.flatnonzero((addr_lsoa == li) & ~reserved)
        cand = cand[rng.permutation(cand.size)]
        n_house = int(round(pids.size / HOUSEHOLD_SIZE0))
        _form_households(st, rng, pids, ages, cand, start, n_house)
    all0 = np.arange(st.n)
    st.entry[all0] = start
    _name_people(st, rng, all0)
    # move-in dates of the first households: before the start (longer for council/owners)
    h0 = np.arange(st.nh)
    ten0 = tenure[st.h_addr[h0]]
    mean_years = np.where(ten0 == "private_rent", 2.5, np.where(ten0 == "owner", 12.0, 9.0))
    since = start - (np.minimum(rng.exponential(mean_years), 40.0) * 365.25).astype(np.int64) - 1
    # nobody set up home before their 18th birthday
    ids0 = np.arange(st.n)
    heads0 = ids0[st.rank[ids0] == 0]
    head_dob = np.full(st.nh, start - 40 * 365, np.int64)
    head_dob[st.hh[heads0]] = st.dob[heads0]
    since = np.minimum(np.maximum(since, head_dob[h0] + int(18 * 365.25)), start - 1)
    st.moves.append((h0.copy(), st.h_addr[h0].copy(), since))
    st.mem.append((all0.copy(), st.hh[all0].copy(), np.full(all0.size, start)))

    occ = np.zeros(len(addr), np.int64)
    np.add.at(occ, st.h_addr[h0], 1)
    vac_date = np.full(len(addr), start - 30, np.int64)

    def vacate(a: np.ndarray, when: np.ndarray) -> None:
        np.add.at(occ, a, -1)
        vac_date[a] = np.maximum(vac_date[a], when)

    # empty council homes are re-let quickly (voids are a few per cent), others wait longer
    relet = np.where(tenure == "council", 10.0, 1.0)

    def place(k: int, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """k destination addresses (vacant first), and adjusted move-in dates."""
        vacant = np.flatnonzero((occ == 0) & ~reserved)
        if k <= vacant.size:
            dest = vacant[weighted_sample(rng, relet[vacant], k)]
            dest = dest[rng.permutation(k)]
        else:
            extra = rng.choice(np.flatnonzero(~reserved), size=k - vacant.size)
            dest = np.concatenate([rng.permutation(vacant), extra])
        when2 = np.maximum(when, vac_date[dest] + 7)
        np.add.at(occ, dest, 1)
        return dest, when2

    births_per_year = value("births")
    for y in range(first_year, last_year + 1):
        y0, y1 = day(y), day(y + 1)
        ids = np.arange(st.n)
        present = ids[st.exit[ids] == BIG]
        age = age_on(st.dob[present], y0 + 182)
        # deaths
        q = np.minimum(np.exp(-10.5 + 0.094 * age) * np.exp(0.15 * z_addr[st.h_addr[st.hh[present]]]), 0.6)
        dead = present[rng.random(present.size) < q]
        dd = uniform_days(rng, np.full(dead.size, y0), np.full(dead.size, y1))
        st.exit[dead] = dd
        st.reason[dead] = 1
        np.add.at(st.h_size, st.hh[dead], -1)
        emptied = np.unique(st.hh[dead][st.h_size[st.hh[dead]] == 0])
        if emptied.size:
            last = pd.Series(dd).groupby(st.hh[dead]).max()
            vacate(st.h_addr[emptied], last.loc[emptied].to_numpy())

        # households leaving the borough
        alive_h = np.flatnonzero(st.h_size[: st.nh] > 0)
        ten = tenure[st.h_addr[alive_h]]
        p_out = np.select([ten == "private_rent", ten == "owner", ten == "council"], [0.12, 0.03, 0.02], 0.025)
        out_h = alive_h[rng.random(alive_h.size) < p_out]
        out_d = uniform_days(rng, np.full(out_h.size, y0), np.full(out_h.size, y1))
        h_out_day = np.full(st.nh, -1, np.int64)
        h_out_day[out_h] = out_d
        ids = np.arange(st.n)
        leaving = ids[(st.exit[ids] == BIG) & (h_out_day[np.maximum(st.hh[ids], 0)] >= 0)]
        st.exit[leaving] = h_out_day[st.hh[leaving]]
        st.reason[leaving] = 2
        st.h_size[out_h] = 0
        vacate(st.h_addr[out_h], out_d)

        # young adults leaving home: 60% leave the borough, 40% set up home here
        ids = np.arange(st.n)
        present = ids[st.exit[ids] == BIG]
        age = age_on(st.dob[present], y0 + 182)
        ya = present[(st.rank[present] >= 2) & (age >= 19) & (age <= 34)]
        ya = ya[rng.random(ya.size) < 0.08]
        ya_d = uniform_days(rng, np.full(ya.size, y0), np.full(ya.size, y1))
        away = rng.random(ya.size) < 0.6
        st.exit[ya[away]] = ya_d[away]
        st.reason[ya[away]] = 2
        np.add.at(st.h_size, st.hh[ya], -1)
        nest = ya[~away]
        new_h = st.add_households(nest.size)
        dest, when = place(nest.size, ya_d[~away])
        st.h_addr[new_h] = dest
        st.h_u[new_h] = 0.6 * st.h_u[st.hh[nest]] + rng.normal(0, 0.45, nest.size)
        st.h_group[new_h] = st.group[nest]
        st.h_size[new_h] = 1
        st.hh[nest] = new_h
        st.rank[nest] = 0
        st.mem.append((nest.copy(), new_h.copy(), when))
        st.moves.append((new_h.copy(), dest.copy(), when))
        emptied = np.unique(st.hh[ya[away]])
        emptied = emptied[st.h_size[emptied] == 0]
        if emptied.size:
            vacate(st.h_addr[emptied], np.full(emptied.size, y1 - 1))

        # moves within the borough
        alive_h = np.flatnonzero(st.h_size[: st.nh] > 0)
        ten = tenure[st.h_addr[alive_h]]
        p_move = np.select([ten == "private_rent", ten == "owner", ten == "council"], [0.10, 0.035, 0.03], 0.04)
        mv = alive_h[rng.random(alive_h.size) < p_move]
        mv_d = uniform_days(rng, np.full(mv.size, y0), np.full(mv.size, y1))
        origin = st.h_addr[mv].copy()
        dest, when = place(mv.size, mv_d)
        vacate(origin, when)
        st.h_addr[mv] = dest
        st.moves.append((mv.copy(), dest.copy(), when))

        # births
        ids = np.arange(st.n)
        present = ids[st.exit[ids] == BIG]
        age = age_on(st.dob[present], y0 + 182)
        women = present[(st.sex[present] == 1) & (age >= 16) & (age <= 46)]
        wa = age_on(st.dob[women], y0 + 182)
        fw = np.exp(-0.5 * ((wa - FERTILITY_PEAK) / 6.0) ** 2) * np.exp(0.15 * z_addr[st.h_addr[st.hh[women]]])
        n_b = int(rng.poisson(births_per_year))
        mothers = rng.choice(women, size=n_b, p=fw / fw.sum())
        babies = st.add_persons(n_b)
        bd = uniform_days(rng, np.full(n_b, y0), np.full(n_b, y1))
        st.sex[babies] = (rng.random(n_b) < 0.488).astype(np.int8)
        st.dob[babies] = bd
        st.entry[babies] = bd
        st.group[babies] = st.group[mothers]
        st.hh[babies] = st.hh[mothers]
        st.rank[babies] = 3
        np.add.at(st.h_size, st.hh[babies], 1)
        st.first[babies] = names.first_names(rng, st.group[babies], st.sex[babies] == 1)
        # baby takes the surname of the household head (or the mother's)
        heads_of = _head_of(st, st.hh[babies])
        st.surname[babies] = np.where((heads_of >= 0) & (rng.random(n_b) < 0.8),
                                      st.surname[np.maximum(heads_of, 0)], st.surname[mothers])
        st.mem.append((babies.copy(), st.hh[babies].copy(), bd))

        # arrivals: households that keep the total on the census path
        ids = np.arange(st.n)
        n_now = int((st.exit[ids] == BIG).sum())
        short = int(round(population_target(y + 1.0) - n_now))
        if short > 0:
            _arrivals(st, rng, short, y0, y1, place)

    # ---- spells
    persons = pd.DataFrame({
        "first_name": objects(st.first[: st.n]), "surname": objects(st.surname[: st.n]),
        "sex": objects(np.where(st.sex[: st.n] == 1, "F", "M")), "dob": st.dob[: st.n],
        "group": st.group[: st.n], "entry": st.entry[: st.n], "exit": st.exit[: st.n],
        "exit_reason": st.reason[: st.n], "rank": st.rank[: st.n],
    })
    mem = pd.DataFrame({"pid": np.concatenate([m[0] for m in st.mem]),
                        "hh": np.concatenate([m[1] for m in st.mem]),
                        "start": np.concatenate([m[2] for m in st.mem])})
    mem = mem.sort_values(["pid", "start"], kind="stable").reset_index(drop=True)
    nxt = mem.groupby("pid")["start"].shift(-1)
    mem["end"] = np.where(nxt.isna(), persons["exit"].to_numpy()[mem["pid"].to_numpy()], nxt.fillna(0)).astype(np.int64)
    mv = pd.DataFrame({"hh": np.concatenate([m[0] for m in st.moves]),
                       "addr": np.concatenate([m[1] for m in st.moves]),
                       "start": np.concatenate([m[2] for m in st.moves])})
    mv = mv.sort_values(["hh", "start"], kind="stable").reset_index(drop=True)
    nxt = mv.groupby("hh")["start"].shift(-1)
    mv["end"] = np.where(nxt.isna(), BIG, nxt.fillna(0)).astype(np.int64)
    mv = mv[mv["end"] > mv["start"]]
    j = mem.merge(mv, on="hh", suffixes=("_m", "_a"))
    j["s"] = np.maximum(j["start_m"], j["start_a"])
    j["e"] = np.minimum(j["end_m"], j["end_a"])
    j = j[j["e"] > j["s"]]
    spells = (j[["pid", "hh", "addr", "s", "e"]].rename(columns={"s": "start", "e": "end"})
              .sort_values(["pid", "start"], kind="stable").reset_index(drop=True))
    # household stays end when the last member leaves
    last = spells.groupby(["hh", "addr"])["end"].max().rename("last_end")
    hh_sp = mv.merge(last, left_on=["hh", "addr"], right_index=True, how="inner")
    hh_sp["end"] = np.minimum(hh_sp["end"], hh_sp["last_end"])
    hh_sp = hh_sp.drop(columns="last_end")
    hh_sp = hh_sp[hh_sp["end"] > hh_sp["start"]].reset_index(drop=True)
    households = pd.DataFrame({"u": st.h_u[: st.nh], "group": st.h_group[: st.nh]})
    return Population(persons=persons, spells=spells, hh_spells=hh_sp, households=households,
                      start_day=start, end_day=end)


def _head_of(st: _State, hhs: np.ndarray) -> np.ndarray:
    """Current head (rank 0, still present) of each household, -1 if none."""
    ids = np.arange(st.n)
    heads = ids[(st.rank[ids] == 0) & (st.exit[ids] == BIG)]
    m = pd.Series(heads, index=st.hh[heads])
    m = m[~m.index.duplicated()]
    return m.reindex(hhs).fillna(-1).astype(np.int64).to_numpy()


def _arrivals(st: _State, rng: np.random.Generator, short: int, y0: int, y1: int, place) -> None:
    sizes = []
    total = 0
    p_size = np.array([0.24, 0.20, 0.20, 0.18, 0.11, 0.07])
    while total < short:
        s = rng.choice(np.arange(1, 7), size=max(16, (short - total) // 3), p=p_size)
        for v in s:
            sizes.append(int(v))
            total += int(v)
            if total >= short:
                break
    sizes = np.array(sizes)
    k = sizes.size
    hh = st.add_households(k)
    when = uniform_days(rng, np.full(k, y0), np.full(k, y1))
    dest, when = place(k, when)
    st.h_addr[hh] = dest
    st.h_u[hh] = rng.normal(0, 0.6, k)
    st.h_group[hh] = names.draw_groups(rng, k)
    st.h_size[hh] = sizes
    head_age = np.clip(rng.normal(33, 9, k), 19, 80).astype(int)
    pid_l, hh_l, age_l, rank_l, sex_l = [], [], [], [], []
    head_sex = (rng.random(k) < 0.45).astype(np.int8)
    has_partner = (sizes >= 2) & (rng.random(k) < 0.7)
    for i in range(k):
        n = sizes[i]
        members_age = [head_age[i]]
        ranks = [0]
        sexes = [head_sex[i]]
        if has_partner[i]:
            members_age.append(max(18, int(head_age[i] + rng.normal(-2.5 if head_sex[i] == 0 else 2.5, 3))))
            ranks.append(1)
            sexes.append(1 - head_sex[i])
        while len(members_age) < n:
            if head_age[i] >= 22 and rng.random() < 0.85:
                members_age.append(int(rng.integers(0, max(1, min(17, head_age[i] - 18)) + 1)))
                ranks.append(3)
            else:
                members_age.append(int(rng.integers(18, 60)))
                ranks.append(2)
            sexes.append(int(rng.random() < 0.5))
        age_l += members_age
        rank_l += ranks
        sex_l += sexes
        hh_l += [hh[i]] * n
    m = len(age_l)
    pids = st.add_persons(m)
    hh_arr = np.array(hh_l)
    st.sex[pids] = np.array(sex_l, np.int8)
    st.dob[pids] = _dob_for_age(rng, np.array(age_l), y0 + 182)
    st.rank[pids] = np.array(rank_l, np.int8)
    st.hh[pids] = hh_arr
    st.group[pids] = st.h_group[hh_arr]
    when_p = when[np.searchsorted(hh, hh_arr)]
    # babies in an arriving household cannot arrive before birth
    st.dob[pids] = np.minimum(st.dob[pids], when_p - 1)
    st.entry[pids] = when_p
    _name_people(st, rng, pids)
    st.mem.append((pids.copy(), hh_arr.copy(), when_p))
    st.moves.append((hh.copy(), dest.copy(), when))
