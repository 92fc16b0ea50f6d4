"""Housing management system: tenancies, repairs, housing register, homelessness, TA.

Why: housing need (overcrowding, homelessness, temporary accommodation, damp and mould)
is a large part of the index, and the housing system is one integrated database with
one person reference across its modules (duplicates aside). Calibration: 17,500 council
homes (the gazetteer), about 6,300 households on the register at each 31 March, about
1,300 households in temporary accommodation at a point in time (see CALIBRATION);
homelessness approaches and repairs volumes are labelled assumptions (ASSUMPTIONS).

Repairs are a 2% sample of responsive repairs (REPAIRS_FRACTION) to keep the build
small; their shape (categories, priorities, timeliness) is unaffected.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import value
from .context import Context, calibrate, tenure_weight
from .mess import MessRates, assign_refs, identities, present_addresses
from .streams import NULL_DAY, day, uniform_days

REPAIRS_FRACTION = 1.0
REPAIRS_PER_HOME_YEAR = 3.2
HOMELESS_APPROACHES = 2000

TENANCY_MESS = MessRates(pc_missing=0.01, pc_typo=0.01, outside=0.0, uprn_missing=0.01)
REGISTER_MESS = MessRates(uprn_missing=0.10)
HOMELESS_MESS = MessRates(uprn_missing=0.15)
IDENTITY_MESS = MessRates(dup=0.03)


def build_housing(ctx: Context) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    ten = _tenancy_spells(ctx)
    reg = _register_rows(ctx)
    hom, ta = _homelessness(ctx)

    # one person reference across the housing system
    rng = ctx.rng("housing.refs")
    pids = np.concatenate([ten["pid"], reg["pid"], hom["pid"]])
    order = np.concatenate([ten["start"], reg["app_start"], hom["approach"]])
    refs = assign_refs(rng, pids, order, IDENTITY_MESS.dup, "HP", 7)
    n1, n2 = len(ten), len(ten) + len(reg)
    ten["person_ref"], reg["person_ref"], hom["person_ref"] = refs[:n1], refs[n1:n2], refs[n2:]
    ident = identities(ctx.rng("housing.identity"), refs, pids, ctx.pop.persons, IDENTITY_MESS)

    tables = {
        "tenancies": _finish_tenancies(ctx, ten, ident),
        "housing_register": _finish_register(ctx, reg, ident),
        "homelessness_cases": _finish_homelessness(ctx, hom, ident),
        "temporary_accommodation": ta,
        "repairs": _repairs(ctx, ten),
    }
    # truth per record, keyed like the tables (each record's own key)
    truth = pd.concat([
        pd.DataFrame({"source_table": t, "record_ref": tables[t][key], "person_id": tables[t]["_pid"]})
        for t, key in (("tenancies", "tenancy_ref"), ("housing_register", "application_ref"),
                       ("homelessness_cases", "case_ref"))
    ])
    return tables, truth


def _person_columns(ident: pd.DataFrame, refs: pd.Series) -> pd.DataFrame:
    i = ident.loc[refs.to_numpy()]
    dob = np.where(i["dob_missing"].to_numpy(), NULL_DAY, i["dob"].to_numpy())
    return pd.DataFrame({"first_name": i["first_name"].to_numpy(), "surname": i["surname"].to_numpy(),
                         "date_of_birth": dob})


# ---------------------------------------------------------------- tenancies and repairs
def _tenancy_spells(ctx: Context) -> pd.DataFrame:
    hs = ctx.pop.hh_spells
    council = ctx.addr_tenure[hs["addr"].to_numpy()] == "council"
    t = hs[council & (hs["end"] > ctx.start) & (hs["start"] < ctx.as_of)].copy()
    comp = ctx.composition(t["hh"].to_numpy(), np.maximum(t["start"].to_numpy(), ctx.start))
    t["pid"] = comp["lead"].to_numpy()
    t["household_size"] = comp["size"].to_numpy()
    t = t[t["pid"] >= 0].sort_values(["start", "addr", "hh"], kind="stable").reset_index(drop=True)
    t["tenancy_ref"] = [f"TEN{i:07d}" for i in range(1, len(t) + 1)]
    return t


def _finish_tenancies(ctx: Context, t: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("housing.tenancies")
    addr = present_addresses(rng, t["addr"].to_numpy(), ctx.gaz, ctx.outside, TENANCY_MESS)
    end = ctx.end_or_open(t["end"].to_numpy())
    touched = np.where(end != NULL_DAY, end, t["start"].to_numpy())
    out = pd.DataFrame({"tenancy_ref": t["tenancy_ref"], "person_ref": t["person_ref"]})
    out = pd.concat([out, _person_columns(ident, t["person_ref"])], axis=1)
    out = pd.concat([out, addr], axis=1)
    out["start_date"] = t["start"].to_numpy()
    out["end_date"] = end
    out["bedrooms"] = ctx.addr_beds[t["addr"].to_numpy()]
    out["household_size"] = t["household_size"].to_numpy()
    out["updated_at"] = ctx.updated_at(rng, touched)
    out["_pid"] = t["pid"].to_numpy()
    return out


def _repairs(ctx: Context, t: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("housing.repairs")
    lo = np.maximum(t["start"].to_numpy(), ctx.start)
    hi = np.minimum(t["end"].to_numpy(), ctx.as_of)
    years = np.maximum(hi - lo, 0) / 365.25
    z = ctx.addr_z[t["addr"].to_numpy()]
    lam = REPAIRS_PER_HOME_YEAR * REPAIRS_FRACTION * years * np.exp(0.15 * z)
    k = rng.poisson(lam)
    idx = np.repeat(np.arange(len(t)), k)
    rep = uniform_days(rng, lo[idx], hi[idx])
    zi = z[idx]
    flat = ctx.gaz.addresses["is_flat"].to_numpy()[t["addr"].to_numpy()[idx]]
    # category: damp and mould more likely in deprived LSOAs, in flats and in winter
    month = ((rep.astype("datetime64[D]").astype("datetime64[M]").astype(int)) % 12) + 1
    winter = np.isin(month, [11, 12, 1, 2, 3])
    base = np.column_stack([
        0.09 * np.exp(0.3 * zi) * np.where(flat, 1.4, 1.0) * np.where(winter, 1.5, 1.0),  # damp_mould
        0.18 * np.where(winter, 1.6, 0.8),  # heating
        np.full(idx.size, 0.28), np.full(idx.size, 0.15), np.full(idx.size, 0.05), np.full(idx.size, 0.22),
    ])
    p = base / base.sum(1, keepdims=True)
    cat_i = (rng.random(idx.size)[:, None] > np.cumsum(p, 1)).sum(1)
    cats = np.array(["damp_mould", "heating", "plumbing", "electrical", "structural", "other"], dtype=object)
    pr_u = rng.random(idx.size)
    pr_i = np.searchsorted([0.15, 0.45], pr_u, side="right")
    prio = np.array(["emergency", "urgent", "routine"], dtype=object)[pr_i]
    target = np.array([1, 7, 28])[pr_i]
    mean = np.array([0.6, 5.0, 21.0])[pr_i] * np.exp(0.1 * zi)
    dur = np.ceil(rng.gamma(1.5, mean / 1.5)).astype(np.int64)
    done = rep + dur
    completed = np.where(done > ctx.as_of, NULL_DAY, done)
    order = np.lexsort((idx, rep))
    out = pd.DataFrame({
        "repair_ref": [f"R{i:08d}" for i in range(1, idx.size + 1)],
        "tenancy_ref": t["tenancy_ref"].to_numpy()[idx][order],
        "uprn": np.where(rng.random(idx.size) < 0.01, None, ctx.gaz.addresses["uprn"].to_numpy()[t["addr"].to_numpy()[idx]])[order],
        "reported_date": rep[order], "completed_date": completed[order],
        "category": cats[cat_i][order], "priority": prio[order], "target_days": target[order],
    })
    touched = np.where(out["completed_date"] != NULL_DAY, out["completed_date"], out["reported_date"])
    out["updated_at"] = ctx.updated_at(rng, np.asarray(touched), 3)
    return out


# ---------------------------------------------------------------- housing register
def _register_rows(ctx: Context) -> pd.DataFrame:
    tenure_w = {"private_rent": 2.5, "council": 1.3, "housing_association": 1.1, "owner": 0.12}
    years = list(range(ctx.first_year - 5, ctx.last_year + 1))
    snaps = [day(y, 3, 31) for y in range(ctx.first_year, ctx.last_year + 1)]

    def run(rate: float):
        rng = ctx.rng("housing.register")
        apps = []
        for y in years:
            d = day(max(y, ctx.first_year), 7, 1) if y >= ctx.first_year else ctx.start
            h = ctx.households(d)
            over = (h["children"] / 2 + h["other_adults"] + 1) > ctx.addr_beds[h["addr"].to_numpy()]
            w = ctx.risk(h["z"], h["u"], 0.6, 0.8) * tenure_weight(h["tenure"], tenure_w) * (1 + 1.5 * over.to_numpy())
            w = w * (h["lead_age"].to_numpy() >= 18)
            k = rng.poisson(rate * len(h))
            pick = _wsample(rng, w, k)
            lead = h["lead"].to_numpy()[pick]
            start = ctx.presence_days(rng, lead, day(y), day(y + 1))
            dur = (rng.exponential(3.0, pick.size) * 365.25).astype(np.int64) + 30
            end = np.minimum(start + dur, ctx.exit[lead])
            apps.append(pd.DataFrame({"pid": lead, "app_start": start, "app_end": end}))
        a = pd.concat(apps, ignore_index=True)
        a = a[a["app_end"] > snaps[0]].sort_values(["app_start", "pid"], kind="stable").reset_index(drop=True)
        a["app_no"] = np.arange(1, len(a) + 1)
        a["app_u"] = rng.normal(0, 0.7, len(a))
        rows = []
        for y, s in zip(range(ctx.first_year, ctx.last_year + 1), snaps):
            live = a[(a["app_start"] <= s) & (a["app_end"] > s)]
            rows.append(live.assign(snapshot_year=y, snap=s))
        r = pd.concat(rows, ignore_index=True)
        level = len(r) / len(snaps)
        return r, level

    households0 = len(ctx.households(day(ctx.first_year + 4, 7, 1)))
    r = calibrate(run, value("housing_register"), value("housing_register") / 3.0 / households0)
    rng = ctx.rng("housing.register.rows")
    addr, hh = ctx.pop.last_known(r["pid"].to_numpy(), r["snap"].to_numpy())
    comp = ctx.composition(hh, r["snap"].to_numpy())
    r["addr"] = addr
    r["household_size"] = np.maximum(comp["size"].to_numpy(), 1)
    r["bedrooms_needed"] = np.maximum(comp["bedrooms_needed"].to_numpy(), 1)
    r["bedrooms_current"] = ctx.addr_beds[np.maximum(addr, 0)]
    r["overcrowded"] = (r["bedrooms_needed"] > r["bedrooms_current"]).astype(int)
    gap = np.clip(r["bedrooms_needed"] - r["bedrooms_current"], 0, 3)
    score = gap + ctx.hh_u[np.maximum(hh, 0)] * 0.8 + r["app_u"].to_numpy() + rng.normal(0, 0.2, len(r))
    cuts = np.quantile(score, [0.30, 0.75, 0.95])  # D 30%, C 45%, B 20%, A 5%
    r["band"] = np.array(["D", "C", "B", "A"], dtype=object)[np.searchsorted(cuts, score)]
    return r


def _finish_register(ctx: Context, r: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("housing.register.finish")
    addr = present_addresses(rng, r["addr"].to_numpy(), ctx.gaz, ctx.outside, REGISTER_MESS)
    out = pd.DataFrame({"application_ref": [f"A{a:06d}-{y}" for a, y in zip(r["app_no"], r["snapshot_year"])],
                        "person_ref": r["person_ref"].to_numpy()})
    out = pd.concat([out, _person_columns(ident, r["person_ref"]), addr], axis=1)
    for c in ("snapshot_year", "band", "bedrooms_needed", "bedrooms_current", "overcrowded", "household_size"):
        out[c] = r[c].to_numpy()
    out["updated_at"] = ctx.updated_at(rng, r["snap"].to_numpy(), 14)
    out["_pid"] = r["pid"].to_numpy()
    return out


# ---------------------------------------------------------------- homelessness and TA
def _homelessness(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    tenure_w = {"private_rent": 4.0, "council": 0.6, "housing_association": 0.8, "owner": 0.15}
    years = list(range(ctx.first_year - 6, ctx.last_year + 1))
    duty_p = {  # prevention, relief, main_duty, not_owed
        "family_with_children": [0.50, 0.25, 0.20, 0.05],
        "couple": [0.55, 0.30, 0.10, 0.05],
        "single": [0.55, 0.35, 0.03, 0.07],
    }
    duties = np.array(["prevention", "relief", "main_duty", "not_owed"], dtype=object)

    rng0 = ctx.rng("housing.homeless")
    cases = []
    for y in years:
        d = day(y, 7, 1) if y >= ctx.first_year else ctx.start
        h = ctx.households(d)
        n = rng0.poisson(HOMELESS_APPROACHES)
        n_young = int(rng0.binomial(n, 0.2))
        w = ctx.risk(h["z"], h["u"], 0.7, 0.9) * tenure_weight(h["tenure"], tenure_w) * (h["lead_age"].to_numpy() >= 18)
        pick = _wsample(rng0, w, n - n_young)
        lead = h["lead"].to_numpy()[pick]
        htype = np.where(h["children"].to_numpy()[pick] > 0, "family_with_children",
                         np.where(h["partner"].to_numpy()[pick], "couple", "single")).astype(object)
        r = ctx.residents(d)
        ya = r[(r["rank"] == 2) & (r["age"] >= 18) & (r["age"] <= 30)]
        pick2 = _wsample(rng0, ctx.risk(ya["z"], ya["u"], 0.7, 0.9), n_young)
        lead = np.concatenate([lead, ya["pid"].to_numpy()[pick2]])
        htype = np.concatenate([htype, np.full(pick2.size, "single", dtype=object)])
        approach = ctx.presence_days(rng0, lead, day(y), day(y + 1))
        cases.append(pd.DataFrame({"pid": lead, "approach": approach, "household_type": htype}))
    c = pd.concat(cases, ignore_index=True)
    u = rng0.random(len(c))
    duty_i = np.zeros(len(c), dtype=int)
    for t, p in duty_p.items():
        m = c["household_type"].to_numpy() == t
        duty_i[m] = np.searchsorted(np.cumsum(p), u[m], side="right").clip(0, 3)
    c["duty"] = duties[duty_i]
    fam = c["household_type"].to_numpy() == "family_with_children"
    p_ta = np.select(
        [c["duty"] == "main_duty", (c["duty"] == "relief") & fam, c["duty"] == "relief",
         (c["duty"] == "prevention") & fam],
        [0.95, 0.6, 0.25, 0.10], 0.03)
    stay_mean = np.where(fam & (c["duty"] == "main_duty"), 2.4, np.where(fam, 1.2, 0.5)) * 365.25
    u_ta = rng0.random(len(c))
    stay = np.ceil(rng0.gamma(1.5, stay_mean / 1.5)).astype(np.int64) + 7
    lag = (rng0.random(len(c)) * 21).astype(np.int64)
    n_place = 1 + np.minimum(rng0.poisson(0.6, len(c)), 3)
    checks = [day(y, 12, 31) for y in range(ctx.first_year, ctx.last_year)]

    # who is placed is by duty and household; how long they stay is calibrated so that
    # the number in TA at the end of each year meets the published figure
    has_ta = u_ta < p_ta
    ta_start = c["approach"].to_numpy() + lag

    def run(scale: float):
        ta_end = ta_start + np.maximum((stay * scale).astype(np.int64), 7)
        level = np.mean([int(((ta_start <= d) & (ta_end > d) & has_ta).sum()) for d in checks])
        return ta_end, level

    ta_end = calibrate(run, value("households_in_ta"), 1.0, passes=3)
    keep = (c["approach"].to_numpy() >= ctx.start) | (has_ta & (ta_end > ctx.start))
    keep &= c["approach"].to_numpy() < ctx.as_of
    c = c.assign(has_ta=has_ta, ta_start=ta_start, ta_end=ta_end, n_place=n_place)[keep]
    c = c.sort_values(["approach", "pid"], kind="stable").reset_index(drop=True)
    c["case_ref"] = [f"HC{i:07d}" for i in range(1, len(c) + 1)]
    c["addr"] = ctx.address_at(c["pid"].to_numpy(), c["approach"].to_numpy())

    # placements: the stay split into 1-4 consecutive placements
    rng = ctx.rng("housing.ta")
    t = c[c["has_ta"]]
    rows = []
    for case_ref, s, e, k in zip(t["case_ref"], t["ta_start"], t["ta_end"], t["n_place"]):
        cuts = np.sort(s + (rng.random(k - 1) * (e - s)).astype(np.int64)) if k > 1 else np.zeros(0, np.int64)
        bounds = np.concatenate([[s], cuts, [e]])
        for j in range(k):
            if bounds[j + 1] <= bounds[j]:
                continue
            first = j == 0 and k > 1
            p = [0.25, 0.35, 0.35, 0.05] if first else [0.05, 0.35, 0.10, 0.50]
            typ = ["bed_and_breakfast", "nightly_let", "hostel", "private_sector_leased"][
                int(np.searchsorted(np.cumsum(p), rng.random(), side="right").clip(0, 3))]
            oob = int(rng.random() < (0.35 if typ == "nightly_let" else 0.2))
            rows.append((case_ref, int(bounds[j]), int(bounds[j + 1]), typ, oob))
    ta = pd.DataFrame(rows, columns=["case_ref", "start", "end", "placement_type", "out_of_borough"])
    ta = ta[ta["start"] < ctx.as_of].sort_values(["start", "case_ref"], kind="stable").reset_index(drop=True)
    end = ctx.end_or_open(ta["end"].to_numpy())
    ta_out = pd.DataFrame({
        "placement_ref": [f"TA{i:07d}" for i in range(1, len(ta) + 1)],
        "case_ref": ta["case_ref"], "start_date": ta["start"], "end_date": end,
        "placement_type": ta["placement_type"], "out_of_borough": ta["out_of_borough"],
    })
    ta_out["updated_at"] = ctx.updated_at(rng, np.where(end != NULL_DAY, end, ta["start"].to_numpy()), 7)
    return c, ta_out


def _finish_homelessness(ctx: Context, c: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("housing.homeless.finish")
    addr = present_addresses(rng, c["addr"].to_numpy(), ctx.gaz, ctx.outside, HOMELESS_MESS)
    out = pd.DataFrame({"case_ref": c["case_ref"], "person_ref": c["person_ref"]})
    out = pd.concat([out, _person_columns(ident, c["person_ref"]), addr], axis=1)
    out["approach_date"] = c["approach"].to_numpy()
    out["duty"] = c["duty"].to_numpy()
    out["household_type"] = c["household_type"].to_numpy()
    out["updated_at"] = ctx.updated_at(rng, c["approach"].to_numpy() + 56, 30)
    out["_pid"] = c["pid"].to_numpy()
    return out


def _wsample(rng: np.random.Generator, w: np.ndarray, k: int) -> np.ndarray:
    from .streams import weighted_sample
    return weighted_sample(rng, np.asarray(w, dtype=float), int(k))
