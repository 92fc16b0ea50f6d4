"""Street-level reports (CRM export) and police-shared community safety incidents (CSV).

Why: fly-tipping, missed collections, anti-social behaviour and noise are the council's
own environment and safety signals; domestic abuse and serious youth violence are shared
by the police for the safety indicators. Incidents are placed where they happen: at
homes (missed collections, noise) or in the street near homes, in proportion to the
density of addresses and, for fly-tipping and ASB, more in deprived LSOAs.

Calibration: domestic abuse about 13 offences per 1,000 residents a year (MOPAC, the
highest rate in London). CRM volumes and serious youth violence are labelled assumptions.
The CRM export is a 4% sample of cases (CRM_FRACTION) to keep the build small. The CRM
was upgraded in 2019: created_at is 'dd/mm/yyyy HH:MM' before, ISO after.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import value
from .context import Context
from .mess import MessRates, identities, present_addresses
from .streams import day, dmy, uniform_days, weighted_sample

CRM_FRACTION = 1.0
CRM_VOLUMES = {"fly_tipping": 10_000, "missed_collection": 8_000, "anti_social_behaviour": 4_000, "noise": 3_000}
SYV_VICTIMS = 200
CRM_MESS = MessRates(dup=0.0, name_variant=0.06, swap=0.015, style="casual")
POLICE_MESS = MessRates(dup=0.0, style="upper", uprn_missing=1.0)


def build_crm(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("crm")
    a = ctx.gaz.addresses
    e = a["easting"].to_numpy()
    nn = a["northing"].to_numpy()
    flat = a["is_flat"].to_numpy()
    parts = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        y0, y1 = day(y), day(y + 1)
        h = ctx.households(day(y, 7, 1))
        r = ctx.residents(day(y, 7, 1))
        adults = r[r["age"] >= 18]
        for cat, vol in CRM_VOLUMES.items():
            k = rng.poisson(vol * CRM_FRACTION)
            if cat == "missed_collection":
                pick = rng.integers(0, len(h), k)
                addr = h["addr"].to_numpy()[pick]
                reporter = np.where(rng.random(k) < 0.85, h["lead"].to_numpy()[pick], -2)
            else:
                beta = {"fly_tipping": 0.5, "anti_social_behaviour": 0.6, "noise": 0.3}[cat]
                w = ctx.risk(h["z"], 0, beta, 0) * np.where(flat[h["addr"].to_numpy()], 1.5 if cat != "noise" else 2.0, 1.0)
                pick = rng.choice(len(h), size=k, p=w / w.sum())
                addr = h["addr"].to_numpy()[pick]
                reporter = np.full(k, -2)
            when = uniform_days(rng, np.full(k, y0), np.full(k, min(y1, ctx.as_of)))
            parts.append(pd.DataFrame({"category": cat, "addr": addr, "day": when, "reporter": reporter,
                                       "lsoa": ctx.addr_lsoa[addr]}))
        # reporters for street reports: an adult living in the same LSOA that year
        cur = pd.concat(parts[-len(CRM_VOLUMES):], ignore_index=True)
        need = cur["reporter"].to_numpy() == -2
        by_lsoa = adults.groupby(ctx.addr_lsoa[adults["addr"].to_numpy()])["pid"].apply(np.asarray)
        rep = cur["reporter"].to_numpy().copy()
        for li, idx in pd.Series(np.flatnonzero(need)).groupby(cur["lsoa"].to_numpy()[need]):
            pool = by_lsoa.get(li)
            if pool is not None and len(pool):
                rep[idx.to_numpy()] = pool[rng.integers(0, len(pool), idx.size)]
        cur["reporter"] = rep
        parts[-len(CRM_VOLUMES):] = [cur]
    c = pd.concat(parts, ignore_index=True)
    n = len(c)
    c["anonymous"] = (rng.random(n) < 0.12) | (c["reporter"].to_numpy() < 0)
    secs = (6 * 3600 + rng.random(n) * 17 * 3600).astype(np.int64)
    c["ts"] = c["day"].to_numpy() * 86400 + secs
    c = c.sort_values(["ts", "addr"], kind="stable").reset_index(drop=True)
    c["case_ref"] = [f"CRM{i:08d}" for i in range(1, n + 1)]
    street = c["category"].isin(["fly_tipping", "anti_social_behaviour"]).to_numpy()
    addr = c["addr"].to_numpy()
    # location: a street point near the address for street reports, the address otherwise
    off = np.where(street, 20 + rng.random(n) * 60, 0.0)
    ang = rng.random(n) * 2 * np.pi
    ie = np.rint(e[addr] + off * np.cos(ang)).astype(np.int64)
    inn = np.rint(nn[addr] + off * np.sin(ang)).astype(np.int64)
    no_pin = rng.random(n) < 0.08
    uprn_p = np.select([c["category"] == "missed_collection", c["category"] == "noise"], [0.95, 0.5], 0.12)
    has_uprn = rng.random(n) < uprn_p
    ts = c["ts"].to_numpy().astype("datetime64[s]")
    new = c["day"].to_numpy() >= day(2019)
    iso_s = np.datetime_as_string(ts, unit="s")
    created = np.where(new, iso_s, np.array([f"{s[8:10]}/{s[5:7]}/{s[0:4]} {s[11:16]}" for s in iso_s], dtype=object))
    recent = c["day"].to_numpy() > ctx.as_of - 45
    u = rng.random(n)
    status = np.where(recent, np.where(u < 0.4, "open", np.where(u < 0.7, "in_progress", "closed")),
                      np.where(u < 0.02, "in_progress", "closed")).astype(object)

    named = ~c["anonymous"].to_numpy()
    rep_pid = c["reporter"].to_numpy()
    refs = c["case_ref"].to_numpy()
    ident = identities(ctx.rng("crm.identity"), refs[named], rep_pid[named], ctx.pop.persons, CRM_MESS)
    rep_addr = ctx.address_at(np.maximum(rep_pid, 0), c["day"].to_numpy())
    pres = present_addresses(ctx.rng("crm.addresses"), rep_addr, ctx.gaz, ctx.outside, CRM_MESS)
    first = np.full(n, None, dtype=object)
    sur = np.full(n, None, dtype=object)
    first[named] = ident.loc[refs[named], "first_name"].to_numpy()
    sur[named] = ident.loc[refs[named], "surname"].to_numpy()
    out = pd.DataFrame({
        "case_ref": refs, "created_at": created, "category": c["category"].to_numpy(),
        "incident_uprn": np.where(has_uprn, a["uprn"].to_numpy()[addr], None),
        "incident_postcode": np.where(no_pin & (rng.random(n) < 0.5), None, a["postcode"].to_numpy()[addr]),
        "incident_easting": np.where(no_pin, None, ie.astype(object)),
        "incident_northing": np.where(no_pin, None, inn.astype(object)),
        "reporter_first_name": first, "reporter_surname": sur,
        "reporter_postcode": np.where(named, pres["postcode"].to_numpy(), None),
        "reporter_address_line": np.where(named, pres["address_line"].to_numpy(), None),
        "status": status,
    })
    out["_pid"] = np.where(named, rep_pid, -1)
    out["_incident_addr"] = addr
    out["_day"] = c["day"].to_numpy()
    truth = pd.DataFrame({"source_table": "crm_cases", "record_ref": refs[named], "person_id": rep_pid[named]})
    return out, truth


def build_community_safety(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("community_safety")
    a = ctx.gaz.addresses
    pcs = a["postcode"].to_numpy()
    parts = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        y0, y1 = day(y), min(day(y + 1), ctx.as_of)
        r = ctx.residents(day(y, 7, 1))
        # domestic abuse: repeat victimisation, mostly women aged 20-45
        n_inc = rng.poisson(value("domestic_abuse_rate") / 1000 * len(r))
        adults = r[r["age"] >= 16]
        age = adults["age"].to_numpy()
        w = (ctx.risk(adults["z"], adults["u"], 0.6, 0.6) * np.where(adults["female"].to_numpy(), 3.0, 1.0)
             * np.exp(-(((age - 32) / 13.0) ** 2)))
        victims = adults["pid"].to_numpy()[weighted_sample(rng, w, int(n_inc / 1.3))]
        times = 1 + rng.poisson(0.3, victims.size)
        vic = np.repeat(victims, times)[:n_inc]
        da = pd.DataFrame({"pid": vic, "type": "domestic_abuse"})
        # serious youth violence: victims aged 10-19, mostly young men
        young = r[(r["age"] >= 10) & (r["age"] <= 19)]
        ya = young["age"].to_numpy()
        w2 = (ctx.risk(young["z"], young["u"], 0.6, 0.4) * np.where(young["female"].to_numpy(), 1.0, 4.0)
              * np.exp(-(((ya - 17) / 2.5) ** 2)))
        syv = young["pid"].to_numpy()[weighted_sample(rng, w2, rng.poisson(SYV_VICTIMS))]
        x = pd.concat([da, pd.DataFrame({"pid": syv, "type": "serious_youth_violence"})], ignore_index=True)
        x["day"] = ctx.presence_days(rng, x["pid"].to_numpy(), y0, y1)
        parts.append(x)
    s = pd.concat(parts, ignore_index=True).sort_values(["day", "pid"], kind="stable").reset_index(drop=True)
    n = len(s)
    yy = (s["day"].to_numpy().astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970) % 100
    s["incident_ref"] = [f"{4_200_000 + i}/{y:02d}" for i, y in zip(range(1, n + 1), yy)]
    addr = ctx.address_at(s["pid"].to_numpy(), s["day"].to_numpy())
    at_home = (s["type"].to_numpy() == "domestic_abuse") & (rng.random(n) < 0.85)
    elsewhere = rng.integers(0, len(a), n)
    loc = np.where(at_home, pcs[np.maximum(addr, 0)], pcs[elsewhere]).astype(object)
    loc[rng.random(n) < 0.02] = None
    ident = identities(ctx.rng("community_safety.identity"), s["incident_ref"].to_numpy(), s["pid"].to_numpy(),
                       ctx.pop.persons, POLICE_MESS)
    pres = present_addresses(ctx.rng("community_safety.addresses"), addr, ctx.gaz, ctx.outside, POLICE_MESS)
    i = ident.loc[s["incident_ref"].to_numpy()]
    out = pd.DataFrame({
        "incident_ref": s["incident_ref"], "recorded_date": dmy(s["day"].to_numpy()), "incident_type": s["type"],
        "victim_first_name": i["first_name"].to_numpy(), "victim_surname": i["surname"].to_numpy(),
        "victim_date_of_birth": dmy(i["dob"].to_numpy()), "victim_postcode": pres["postcode"],
        "victim_address_line": pres["address_line"], "location_postcode": loc,
    })
    out["_pid"] = s["pid"].to_numpy()
    out["_addr"] = addr
    out["_day"] = s["day"].to_numpy()
    truth = pd.DataFrame({"source_table": "community_safety_incidents", "record_ref": s["incident_ref"],
                          "person_id": s["pid"]})
    return out, truth
