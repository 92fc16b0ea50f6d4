"""Library membership and yearly activity, as the library management system's API gives it.

Why: library use is an access-to-knowledge indicator, read from a JSON API. Members are
card holders (children most often), with visits and loans per year; a year is `active`
if the member visited or borrowed. Libraries closed for much of 2020 and reopened with
limits in 2021. Membership and activity levels are labelled assumptions (ASSUMPTIONS):
no published figure is used. Cards lapse after three years without use.

The payload holds a 1.5% sample of members (LIBRARY_FRACTION, stated in the payload) to
keep the build small.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context
from .mess import MessRates, assign_refs, identities, present_addresses
from .streams import age_on, day, iso, uniform_days, years_of

LIBRARY_FRACTION = 1.0
LIBRARY_MESS = MessRates(dup=0.03)
COVID = {2020: 0.35, 2021: 0.6}


def build_libraries(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("libraries")
    n = len(ctx.pop.persons)
    pid = np.arange(n)
    entry, exit_ = ctx.entry, np.minimum(ctx.exit, ctx.as_of)
    ref_age = age_on(ctx.dob, np.clip(day(2019, 7, 1), entry, np.maximum(exit_ - 1, entry)))
    p_card = np.select([ref_age < 5, ref_age < 16, ref_age < 30, ref_age < 65], [0.15, 0.40, 0.18, 0.15], 0.22)
    member = (rng.random(n) < p_card) & (exit_ > entry) & (rng.random(n) < LIBRARY_FRACTION)
    m = pid[member]
    # joined: before the period for half of those present at the start, else while resident
    at_start = entry[m] <= ctx.start
    early = at_start & (rng.random(m.size) < 0.55)
    lo = np.where(early, np.maximum(ctx.dob[m] + 365, day(2000)), np.maximum(entry[m], ctx.dob[m] + 365))
    hi = np.where(early, ctx.start, exit_[m])
    ok = hi > lo
    m, lo, hi = m[ok], lo[ok], hi[ok]
    joined = uniform_days(rng, lo, hi)
    prop = rng.beta(2.0, 2.0, m.size)
    rows = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        live = (years_of(joined) <= y) & (entry[m] < day(y + 1)) & (exit_[m] > day(y))
        idx = np.flatnonzero(live)
        age = age_on(ctx.dob[m[idx]], day(y, 7, 1))
        mult = np.select([age < 16, age >= 65], [1.3, 1.2], 1.0)
        active = rng.random(idx.size) < np.minimum(0.45 * mult * (0.5 + prop[idx]), 0.98)
        visits = np.where(active, rng.poisson(rng.gamma(1.2, 14 / 1.2, idx.size) * COVID.get(y, 1.0)), 0)
        loans = np.where(active, rng.poisson(0.8 * visits + 1.5 * COVID.get(y, 1.0)), 0)
        rows.append(pd.DataFrame({"i": idx, "year": y, "visits": visits, "loans": loans,
                                  "active": (visits > 0) | (loans > 0)}))
    act = pd.concat(rows, ignore_index=True).sort_values(["i", "year"], kind="stable")
    # lapse after three inactive years in a row
    i_arr = act["i"].to_numpy()
    active_arr = act["active"].to_numpy()
    reset = active_arr | np.r_[True, i_arr[1:] != i_arr[:-1]]
    inactive_run = pd.Series((~active_arr).astype(int)).groupby(np.cumsum(reset)).cumsum()
    lapsed = (inactive_run >= 3).groupby(i_arr).cummax()
    act = act[~lapsed.to_numpy()].reset_index(drop=True)
    act["pid"] = m[act["i"].to_numpy()]
    act["joined"] = joined[act["i"].to_numpy()]
    refs = assign_refs(ctx.rng("libraries.refs"), act["pid"].to_numpy(), act["year"].to_numpy(),
                       LIBRARY_MESS.dup, "LBM", 7)
    act["member_id"] = refs
    # a second card is issued in the first year it is used
    first_use = act.groupby("member_id")["year"].transform("min").to_numpy()
    second = first_use > years_of(act["joined"].to_numpy())
    second &= act.groupby("pid")["member_id"].transform("nunique").to_numpy() > 1
    act.loc[second, "joined"] = np.maximum(act.loc[second, "joined"].to_numpy(), [day(int(y), 1, 2) for y in first_use[second]])
    act = act.sort_values(["member_id", "year"], kind="stable").reset_index(drop=True)
    members = act.drop_duplicates("member_id")[["member_id", "pid", "joined"]].reset_index(drop=True)
    last_day = np.minimum(ctx.exit[members["pid"].to_numpy()], ctx.as_of) - 1
    members["addr"] = ctx.address_at(members["pid"].to_numpy(), last_day)
    ident = identities(ctx.rng("libraries.identity"), members["member_id"].to_numpy(), members["pid"].to_numpy(),
                       ctx.pop.persons, LIBRARY_MESS)
    pres = present_addresses(ctx.rng("libraries.addresses"), members["addr"].to_numpy(), ctx.gaz, ctx.outside,
                             LIBRARY_MESS)
    i = ident.loc[members["member_id"].to_numpy()]
    members["first_name"] = i["first_name"].to_numpy()
    members["surname"] = i["surname"].to_numpy()
    members["date_of_birth"] = iso(i["dob"].to_numpy())
    members["address_line"] = pres["address_line"].to_numpy()
    members["postcode"] = pres["postcode"].to_numpy()
    members["uprn"] = pres["uprn"].to_numpy()
    members["joined_date"] = iso(members["joined"].to_numpy())
    flat = act[["member_id", "year", "visits", "loans", "active"]].merge(
        members.drop(columns=["joined"]), on="member_id", how="left")
    truth = pd.DataFrame({"source_table": "libraries_members", "record_ref": members["member_id"],
                          "person_id": members["pid"]})
    flat["_pid"] = flat["pid"]
    flat["_addr"] = flat["addr"]
    return flat, truth
