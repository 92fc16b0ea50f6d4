"""Revenues and benefits: Council Tax Support claims, council tax accounts, DHP awards.

Why: low income (support claims) and arrears are income-deprivation signals the council
holds for every street. Calibration: about 15,000 households receiving Council Tax
Support at any time, a Band D charge of about £1,500 in 2019/20, in-year collection of
about 95.5% (CALIBRATION). The revenues system keeps addresses in upper case and does not
always hold a date of birth for the liable person.

Council tax accounts are a 2.5% sample of dwellings (CT_ACCOUNTS_FRACTION: every account
of a sampled dwelling, every year) to keep the build small; rates per dwelling are
unaffected. Discretionary Housing Payment volumes are an assumption (ASSUMPTIONS).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calibration import value
from .context import Context, calibrate, tenure_weight
from .gazetteer import BAND_RATIO
from .mess import MessRates, assign_refs, identities, present_addresses
from .streams import NULL_DAY, age_on, day, uniform_days, weighted_sample

CT_ACCOUNTS_FRACTION = 0.25  # a quarter of dwellings: the arrears share is unbiased, LSOA counts stay above the disclosure threshold
DHP_AWARDS = 1000
CTS_MEAN_YEARS = 6.0  # spells on support: many claimants (pensioners, disabled) claim for years
CTS_MESS = MessRates(uprn_missing=0.05, style="upper")
ACCOUNT_MESS = MessRates(dup=0.0, dob_missing=0.10, pc_missing=0.01, pc_typo=0.01, outside=0.0,
                         uprn_missing=0.02, style="upper")


def band_d(fy: int) -> float:
    """Band D charge for the financial year starting in April of `fy` (4% a year around 2019/20)."""
    return value("band_d_2019") * 1.04 ** (fy - 2019)


def build_revenues(ctx: Context) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    claims = _cts_claims(ctx)
    rng = ctx.rng("revenues.refs")
    claims["person_ref"] = assign_refs(rng, claims["pid"].to_numpy(), claims["start"].to_numpy(), 0.03, "RB", 7)
    ident = identities(ctx.rng("revenues.identity"), claims["person_ref"].to_numpy(), claims["pid"].to_numpy(),
                       ctx.pop.persons, CTS_MESS)
    cts = _finish_cts(ctx, claims, ident)
    accounts, acc_truth = _accounts(ctx, claims)
    dhp = _dhp(ctx, claims)
    truth = pd.concat([
        pd.DataFrame({"source_table": "council_tax_support", "record_ref": claims["claim_ref"], "person_id": claims["pid"]}),
        acc_truth,
    ]).drop_duplicates()
    return {"council_tax_support": cts, "council_tax_accounts": accounts, "dhp_awards": dhp}, truth


def _cts_claims(ctx: Context) -> pd.DataFrame:
    tenure_w = {"council": 3.0, "housing_association": 2.5, "private_rent": 1.6, "owner": 0.3}
    years = list(range(ctx.first_year - 8, ctx.last_year + 1))
    checks = [day(y, 4, 1) for y in range(ctx.first_year, ctx.last_year + 1)]

    def run(rate: float):
        rng = ctx.rng("revenues.cts")
        parts = []
        for y in years:
            d = day(y, 7, 1) if y >= ctx.first_year else ctx.start
            h = ctx.households(d)
            w = ctx.risk(h["z"], h["u"], 0.8, 0.8) * tenure_weight(h["tenure"], tenure_w) * (h["lead_age"].to_numpy() >= 18)
            pick = weighted_sample(rng, w, rng.poisson(rate * len(h)))
            lead = h["lead"].to_numpy()[pick]
            start = ctx.presence_days(rng, lead, day(y), day(y + 1))
            dur = (rng.exponential(CTS_MEAN_YEARS, pick.size) * 365.25).astype(np.int64) + 28
            end = np.minimum(start + dur, ctx.exit[lead])
            parts.append(pd.DataFrame({"pid": lead, "start": start, "end": end}))
        c = pd.concat(parts, ignore_index=True)
        c = c[(c["end"] > ctx.start) & (c["start"] < ctx.as_of)]
        # one claim at a time per person: drop a claim starting inside another
        c = c.sort_values(["pid", "start"], kind="stable")
        prev_end = c.groupby("pid")["end"].shift(1)
        c = c[~(prev_end > c["start"])]
        level = np.mean([int(((c["start"] <= d) & (c["end"] > d)).sum()) for d in checks])
        return c, level

    n_h = len(ctx.households(day(ctx.first_year + 4, 7, 1)))
    c = calibrate(run, value("cts_households"), value("cts_households") / CTS_MEAN_YEARS / n_h, passes=3)
    c = c.sort_values(["start", "pid"], kind="stable").reset_index(drop=True)
    c["claim_ref"] = [f"CTS{i:07d}" for i in range(1, len(c) + 1)]
    c["addr"] = ctx.address_at(c["pid"].to_numpy(), c["start"].to_numpy())
    c["pensioner"] = (age_on(ctx.dob[c["pid"].to_numpy()], c["start"].to_numpy()) >= 65).astype(int)
    return c


def _finish_cts(ctx: Context, c: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("revenues.cts.finish")
    addr = present_addresses(rng, c["addr"].to_numpy(), ctx.gaz, ctx.outside, CTS_MESS)
    i = ident.loc[c["person_ref"].to_numpy()]
    end = ctx.end_or_open(c["end"].to_numpy())
    out = pd.DataFrame({"claim_ref": c["claim_ref"], "person_ref": c["person_ref"],
                        "first_name": i["first_name"].to_numpy(), "surname": i["surname"].to_numpy(),
                        "date_of_birth": i["dob"].to_numpy()})
    out = pd.concat([out, addr], axis=1)
    out["start_date"] = c["start"].to_numpy()
    out["end_date"] = end
    out["pensioner"] = c["pensioner"].to_numpy()
    out["updated_at"] = ctx.updated_at(rng, np.where(end != NULL_DAY, end, c["start"].to_numpy()), 10)
    out["_pid"] = c["pid"].to_numpy()
    return out


def _accounts(ctx: Context, claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("revenues.accounts")
    a = ctx.gaz.addresses
    sampled = np.zeros(len(a), bool)
    cand = np.flatnonzero(~a["reserved"].to_numpy())
    sampled[rng.choice(cand, size=int(CT_ACCOUNTS_FRACTION * cand.size), replace=False)] = True
    hs = ctx.pop.hh_spells
    fy0, fy1 = day(ctx.first_year, 4, 1), day(ctx.last_year + 1, 4, 1)
    s = hs[sampled[hs["addr"].to_numpy()] & (hs["end"] > fy0) & (hs["start"] < fy1)].copy()
    s = s.sort_values(["start", "addr", "hh"], kind="stable").reset_index(drop=True)
    s["pid"] = ctx.lead_of(s["hh"].to_numpy(), np.maximum(s["start"].to_numpy(), fy0))
    s = s[s["pid"] >= 0].reset_index(drop=True)
    s["account_ref"] = [f"CT{i:08d}" for i in range(1, len(s) + 1)]
    rows = []
    for fy in range(ctx.first_year, ctx.last_year + 1):
        f0, f1 = day(fy, 4, 1), day(fy + 1, 4, 1)
        m = (s["start"] < f1) & (s["end"] > f0)
        x = s[m].copy()
        x["fy"] = fy
        x["occ_from"] = np.maximum(x["start"], f0)
        x["occ_to"] = np.minimum(x["end"], f1)
        rows.append(x)
    r = pd.concat(rows, ignore_index=True)
    comp = ctx.composition(r["hh"].to_numpy(), r["occ_from"].to_numpy())
    single = comp["adults"].to_numpy() <= 1
    ratio = a["ct_band"].map(BAND_RATIO).to_numpy()[r["addr"].to_numpy()]
    frac = (r["occ_to"] - r["occ_from"]).to_numpy() / 365.0
    charge = np.array([band_d(f) for f in r["fy"]]) * ratio * np.minimum(frac, 1.0) * np.where(single, 0.75, 1.0)
    charge = np.round(charge, 2)
    # CTS in the year raises the chance of arrears
    cl = claims[["pid", "start", "end"]]
    j = r[["pid", "fy"]].reset_index().merge(cl, on="pid")
    j = j[(j["start"] < j["fy"].map(lambda f: day(f + 1, 4, 1))) & (j["end"] > j["fy"].map(lambda f: day(f, 4, 1)))]
    cts = np.zeros(len(r), bool)
    cts[j["index"].to_numpy()] = True
    z = ctx.addr_z[r["addr"].to_numpy()]
    u = ctx.hh_u[r["hh"].to_numpy()]
    lin = 0.6 * z + 0.7 * u + 0.8 * cts
    share = rng.beta(1.5, 3.0, len(r))
    target = 1 - value("ct_collection_rate")
    lo, hi = -8.0, 4.0
    for _ in range(50):  # the intercept that gives the published collection rate
        mid = (lo + hi) / 2
        p = 1 / (1 + np.exp(-(mid + lin)))
        if (p * share * charge).sum() / charge.sum() > target:
            hi = mid
        else:
            lo = mid
    p = 1 / (1 + np.exp(-((lo + hi) / 2 + lin)))
    arrears = np.where(rng.random(len(r)) < p, np.round(share * charge, 2), 0.0)
    year_end = np.array([day(f + 1, 3, 31) for f in r["fy"]])
    touched = np.where(r["occ_to"].to_numpy() < year_end, r["occ_to"].to_numpy(), year_end)

    ident = identities(ctx.rng("revenues.accounts.identity"), r["account_ref"].to_numpy(), r["pid"].to_numpy(),
                       ctx.pop.persons, ACCOUNT_MESS)
    i = ident.loc[r["account_ref"].to_numpy()]
    addr = present_addresses(rng, r["addr"].to_numpy(), ctx.gaz, ctx.outside, ACCOUNT_MESS)
    out = pd.DataFrame({
        "account_year_ref": [f"{ref}-{f}" for ref, f in zip(r["account_ref"], r["fy"])],
        "account_ref": r["account_ref"].to_numpy(), "uprn": addr["uprn"],
        "address_line": addr["address_line"], "postcode": addr["postcode"],
        "liable_first_name": i["first_name"].to_numpy(), "liable_surname": i["surname"].to_numpy(),
        "liable_date_of_birth": np.where(i["dob_missing"].to_numpy(), NULL_DAY, i["dob"].to_numpy()),
        "financial_year": r["fy"].to_numpy(), "charge": charge, "arrears_at_year_end": arrears,
    })
    out["updated_at"] = ctx.updated_at(rng, touched, 45)
    out["_pid"] = r["pid"].to_numpy()
    truth = pd.DataFrame({"source_table": "council_tax_accounts", "record_ref": out["account_year_ref"].to_numpy(),
                          "person_id": r["pid"].to_numpy()})
    return out, truth


def _dhp(ctx: Context, claims: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("revenues.dhp")
    renters = np.isin(ctx.addr_tenure[claims["addr"].to_numpy()], ["council", "housing_association", "private_rent"])
    elig = claims[(claims["pensioner"] == 0) & renters]
    z = ctx.addr_z[elig["addr"].to_numpy()]
    reasons = np.array(["rent_shortfall", "benefit_cap", "bedroom_tax", "deposit", "other"], dtype=object)
    p_reason = np.array([0.45, 0.20, 0.15, 0.10, 0.10])
    median = np.array([600.0, 900.0, 450.0, 1100.0, 400.0])
    rows = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        y0, y1 = day(y), day(y + 1)
        m = (elig["start"].to_numpy() < y1) & (elig["end"].to_numpy() > y0)
        idx = np.flatnonzero(m)
        k = min(rng.poisson(DHP_AWARDS), idx.size)
        pick = idx[weighted_sample(rng, np.exp(0.5 * z[idx]), k)]
        lo = np.maximum(elig["start"].to_numpy()[pick], y0)
        hi = np.minimum(elig["end"].to_numpy()[pick], y1)
        when = uniform_days(rng, lo, hi)
        ri = np.searchsorted(np.cumsum(p_reason), rng.random(pick.size), side="right").clip(0, 4)
        amount = np.round(median[ri] * np.exp(rng.normal(0, 0.5, pick.size)), 2)
        rows.append(pd.DataFrame({"claim_ref": elig["claim_ref"].to_numpy()[pick], "award_date": when,
                                  "amount": amount, "reason": reasons[ri]}))
    d = pd.concat(rows, ignore_index=True)
    d = d[d["award_date"] < ctx.as_of].sort_values(["award_date", "claim_ref"], kind="stable").reset_index(drop=True)
    d.insert(0, "award_ref", [f"DHP{i:07d}" for i in range(1, len(d) + 1)])
    d["updated_at"] = ctx.updated_at(rng, d["award_date"].to_numpy(), 5)
    return d
