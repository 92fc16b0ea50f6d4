"""Education: one row per resident pupil per academic year (the school census view).

Why: attendance, exclusions, special educational needs and 16-17 participation are the
index's education indicators. Every resident child aged 4-15 on 31 August who attends a
state-funded school (96%) has a row with their year group (R, 1..11); 16-17 year olds
(year groups 12-13) are all tracked for participation (activity_16_17), with sessions only
for those in a school sixth form. Levels (CALIBRATION, England figures; the borough is
close to England): overall absence by year (4.6-4.9% before the pandemic, 7.4-7.6%
after), suspensions and permanent exclusions, EHC plans rising from 2.8% to 4.3%, about
5.5% of 16-17 year olds NEET or not known. Absence, exclusions and NEET rise with
deprivation and household need; EHC plans rise only a little with deprivation.

The extract holds a 30% sample of pupils (EDUCATION_FRACTION; each sampled pupil in every
year) to keep the build small; rates are unaffected. The MIS exports dates of birth as
real Excel dates. UPNs follow the DfE format (check
letter, LA 301, establishment, year, serial); ~2% of pupils get a second UPN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from .calibration import ABSENCE_BY_YEAR, EHC_BY_YEAR, SUSPENSIONS_BY_YEAR, value
from .context import Context
from .mess import MessRates, assign_refs, identities, present_addresses
from .streams import age_on, day, export_dates

EDUCATION_MESS = MessRates(dup=0.02, name_variant=0.03, swap=0.005, dob_error=0.005)
SESSIONS_FULL_YEAR = 380
SESSIONS_BY_YEAR = {2019: 260}  # 2019/20: autumn and spring terms only, as DfE published
EDUCATION_FRACTION = 1.0  # every resident pupil
STATE_SCHOOL_SHARE = 0.96
SCHOOL_SIXTH_FORM_SHARE = 0.55
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _by_year(table: dict[int, float], y: int) -> float:
    """The figure for year y, or for the nearest year the table has."""
    return table[min(table, key=lambda k: abs(k - y))]


def pupil_traits(ctx: Context) -> pd.DataFrame:
    """Per-person traits shared by the education and NCMP generators."""
    rng = ctx.rng("pupils.traits")
    n = len(ctx.pop.persons)
    return pd.DataFrame({
        "state_school": rng.random(n) < STATE_SCHOOL_SHARE,
        "e_abs": rng.normal(0, 1, n), "e_excl": rng.normal(0, 1, n), "e_ehc": rng.normal(0, 1, n),
        "e_neet": rng.normal(0, 1, n), "sixth_form": rng.random(n) < SCHOOL_SIXTH_FORM_SHARE,
        "e_bmi": rng.normal(0, 1, n), "in_extract": rng.random(n) < EDUCATION_FRACTION,
        "in_ncmp_extract": rng.random(n) < NCMP_FRACTION,
    })


def upn(n: int, year: int) -> str:
    """A UPN in the DfE format: check letter + LA (301) + establishment + year + serial."""
    body = f"301{2000 + (n // 1000) % 8000:04d}{year % 100:02d}{n % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, range(2, 14)))
    return UPN_LETTERS[total % 23] + body


def build_education(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    traits = pupil_traits(ctx)
    rng = ctx.rng("education")
    rows = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        census = day(y, 10, 5)
        r = ctx.residents(census)
        pid = r["pid"].to_numpy()
        a31 = age_on(ctx.dob[pid], day(y, 8, 31))
        tr = traits.iloc[pid]
        sampled = tr["in_extract"].to_numpy()
        school_age = (a31 >= 4) & (a31 <= 15) & tr["state_school"].to_numpy() & sampled
        post16 = (a31 >= 16) & (a31 <= 17) & sampled
        m = school_age | post16
        x = r[m].copy()
        x["academic_year"] = y
        x["group"] = a31[m] - 4
        x = pd.concat([x.reset_index(drop=True), tr[m].reset_index(drop=True)], axis=1)
        n = len(x)
        g = x["group"].to_numpy()
        z, u = x["z"].to_numpy(), x["u"].to_numpy()
        # 16-17 participation
        act = np.full(n, None, dtype=object)
        p16 = g >= 12
        idx = np.flatnonzero(p16)
        act[idx] = "education"
        nk = idx[rng.random(idx.size) < 0.025]
        act[nk] = "not_known"
        rest = idx[act[idx] == "education"]
        lat = 0.4 * z[rest] + 0.5 * u[rest] + x["e_neet"].to_numpy()[rest]
        order = rest[np.argsort(-lat, kind="stable")]
        k_neet = int(round(0.03 * idx.size))
        k_emp = int(round(0.04 * idx.size))
        act[order[:k_neet]] = "neet"
        emp = order[k_neet:][rng.random(order.size - k_neet) < k_emp / max(order.size - k_neet, 1)]
        act[emp] = "employment_training"
        in_school = ~p16 | ((act == "education") & x["sixth_form"].to_numpy())
        # sessions possible, pro rata for pupils who leave the borough during the year
        full = SESSIONS_BY_YEAR.get(y, SESSIONS_FULL_YEAR)
        ay0, ay1 = day(y, 9, 1), day(y + 1, 7, 22)
        leave = ctx.exit[x["pid"].to_numpy()]
        frac = np.clip((np.minimum(leave, ay1) - ay0) / (ay1 - ay0), 0.05, 1.0)
        possible = np.maximum(np.rint(full * frac), 1).astype(int)
        phase = np.where(g <= 6, 0.85, np.where(g <= 11, 1.25, 1.3))
        rel = np.exp(0.25 * z + 0.35 * u + 0.8 * x["e_abs"].to_numpy() + rng.normal(0, 0.3, n)) * phase
        w = in_school * possible
        p_abs = np.minimum(_by_year(ABSENCE_BY_YEAR, y) * rel / np.average(rel, weights=w), 0.95)
        missed = rng.binomial(possible, p_abs)
        rel2 = np.exp(0.3 * z + 0.5 * u + 1.0 * x["e_excl"].to_numpy()) * np.where(g <= 6, 0.15, np.where(g <= 11, 2.2, 0.4))
        rel2 = rel2 / np.average(rel2, weights=in_school)
        fte = rng.poisson(np.minimum(_by_year(SUSPENSIONS_BY_YEAR, y) * rel2, 8.0))
        perm = (rng.random(n) < np.minimum(value("permanent_exclusion_rate") * rel2, 0.3)).astype(int)
        score = x["e_ehc"].to_numpy() + 0.15 * z + 0.25 * ~x["female"].to_numpy()
        ehc = (score > np.quantile(score, 1 - _by_year(EHC_BY_YEAR, y))).astype(int)
        x["sessions_possible"] = np.where(in_school, possible, -1)
        x["sessions_missed"] = np.where(in_school, missed, -1)
        x["fixed_term_exclusions"] = np.where(in_school, fte, -1)
        x["permanent_exclusion"] = np.where(in_school, perm, -1)
        x["ehc_plan"] = ehc
        x["activity_16_17"] = act
        rows.append(x[["pid", "addr", "academic_year", "group", "sessions_possible", "sessions_missed",
                       "fixed_term_exclusions", "permanent_exclusion", "ehc_plan", "activity_16_17"]])
    e = pd.concat(rows, ignore_index=True)
    refs = assign_refs(ctx.rng("education.refs"), e["pid"].to_numpy(), e["academic_year"].to_numpy(),
                       EDUCATION_MESS.dup, "", 7)
    first_year_of_ref = pd.Series(e["academic_year"].to_numpy()).groupby(refs).min()
    upn_of = {r: upn(int(r), int(fy)) for r, fy in first_year_of_ref.items()}
    upns = np.array([upn_of[r] for r in refs], dtype=object)
    e["upn"] = upns
    ident = identities(ctx.rng("education.identity"), upns, e["pid"].to_numpy(), ctx.pop.persons,
                       EDUCATION_MESS)
    pres = present_addresses(ctx.rng("education.addresses"), e["addr"].to_numpy(), ctx.gaz, ctx.outside,
                             EDUCATION_MESS)
    i = ident.loc[upns]
    yg = e["group"].to_numpy()
    out = pd.DataFrame({
        "upn": upns, "first_name": i["first_name"].to_numpy(), "surname": i["surname"].to_numpy(),
        "date_of_birth": i["dob"].to_numpy(), "address_line": pres["address_line"], "postcode": pres["postcode"],
        "uprn": pres["uprn"], "academic_year": e["academic_year"].to_numpy(),
        "year_group": np.where(yg == 0, "R", yg.astype(str)).astype(object),
    })
    for c in ("sessions_possible", "sessions_missed", "fixed_term_exclusions", "permanent_exclusion", "ehc_plan",
              "activity_16_17"):
        out[c] = e[c].to_numpy()
    out["_pid"] = e["pid"].to_numpy()
    out["_addr"] = e["addr"].to_numpy()
    out = out.sort_values(["academic_year", "upn"], kind="stable").reset_index(drop=True)
    truth = pd.DataFrame({"source_table": "education_pupils", "record_ref": upns,
                          "person_id": e["pid"].to_numpy()}).drop_duplicates()
    return out, truth


# ------------------------------------------------------------------ NCMP
NCMP_MESS = MessRates(dup=0.0, uprn_missing=1.0)
NCMP_FRACTION = 1.0  # every measured child
#: category shares (underweight, healthy, overweight, obese not severe, severely obese)
def _ncmp_shares(school_year: str) -> np.ndarray:
    if school_year == "6":
        ob, sev, ov = value("ncmp_y6_obese"), value("ncmp_y6_severely_obese"), value("ncmp_y6_overweight")
        under = 0.015
    else:
        ob, ov = value("ncmp_reception_obese"), value("ncmp_reception_overweight")
        sev = 0.25 * ob  # England's ratio of severe to all obesity in Reception (assumption)
        under = 0.01
    return np.array([under, 1 - under - ov - ob, ov, ob - sev, sev])


CENTILE_BOUNDS = np.array([0.0, 2.0, 85.0, 95.0, 99.6, 100.0])
CATEGORIES = np.array(["underweight", "healthy", "overweight", "obese", "severely_obese"], dtype=object)
#: approximate UK90 BMI median and log-scale spread (an approximation, not the LMS tables)
BMI_MEDIAN = {("R", "M"): 15.6, ("R", "F"): 15.5, ("6", "M"): 17.4, ("6", "F"): 17.6}
BMI_SPREAD = {"R": 0.085, "6": 0.14}
HEIGHT = {"R": (110.5, 4.8), "6": (144.5, 7.0)}


def build_ncmp(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One measurement per child in Reception and Year 6 at a state school (about 95%
    take part), for a 50% sample of children (NCMP_FRACTION). Categories follow the
    published borough prevalence, assigned by rank of a latent weight that rises with
    deprivation and household need, so the borough level is exact and the gradient real;
    BMI and weight are derived from the centile with an approximate UK90 curve."""
    traits = pupil_traits(ctx)
    rng = ctx.rng("ncmp")
    parts = []
    for y in range(ctx.first_year, ctx.last_year + 1):
        r = ctx.residents(day(y, 11, 1))
        pid = r["pid"].to_numpy()
        a31 = age_on(ctx.dob[pid], day(y, 8, 31))
        for sy, age in (("R", 4), ("6", 10)):
            m = (a31 == age) & traits["state_school"].to_numpy()[pid] & traits["in_ncmp_extract"].to_numpy()[pid]
            x = r[m]
            when = ctx.presence_days(rng, x["pid"].to_numpy(), day(y, 11, 1), day(y + 1, 7, 1))
            take = (rng.random(len(x)) < value("ncmp_participation")) & (when < ctx.exit[x["pid"].to_numpy()])
            x = x[take]
            when = when[take]
            n = len(x)
            lat = (0.7 * traits["e_bmi"].to_numpy()[x["pid"].to_numpy()] + 0.5 * rng.normal(0, 1, n)
                   + 0.3 * x["z"].to_numpy() + 0.3 * x["u"].to_numpy())
            order = np.argsort(lat, kind="stable")
            shares = _ncmp_shares(sy)
            cut = np.rint(np.cumsum(shares) * n).astype(int)
            cat = np.zeros(n, dtype=int)
            rank = np.empty(n, dtype=int)
            rank[order] = np.arange(n)
            cat = np.searchsorted(cut, rank, side="right").clip(0, 4)
            lo_rank = np.r_[0, cut[:-1]][cat]
            hi_rank = cut[cat]
            pos = (rank - lo_rank + 0.5) / np.maximum(hi_rank - lo_rank, 1)
            centile = CENTILE_BOUNDS[cat] + pos * (CENTILE_BOUNDS[cat + 1] - CENTILE_BOUNDS[cat])
            # one decimal, kept inside the category's centile range (<2, 2-85, 85-95, 95-99.6, >=99.6)
            lo_c = np.array([0.1, 2.1, 85.0, 95.0, 99.6])[cat]
            hi_c = np.array([2.0, 84.9, 94.9, 99.5, 99.9])[cat]
            centile = np.clip(np.round(centile, 1), lo_c, hi_c)
            sex = np.where(x["female"].to_numpy(), "F", "M")
            med = np.array([BMI_MEDIAN[(sy, s)] for s in sex])
            bmi = med * np.exp(BMI_SPREAD[sy] * norm.ppf(centile / 100))
            h_mu, h_sd = HEIGHT[sy]
            height = np.round(rng.normal(h_mu, h_sd, n), 1)
            weight = np.round(bmi * (height / 100) ** 2, 1)
            parts.append(pd.DataFrame({"pid": x["pid"].to_numpy(), "addr": x["addr"].to_numpy(), "year": y,
                                       "school_year": sy, "when": when, "sex": sex, "height_cm": height,
                                       "weight_kg": weight, "bmi_centile": centile,
                                       "weight_category": CATEGORIES[cat]}))
    m = pd.concat(parts, ignore_index=True).sort_values(["when", "pid"], kind="stable").reset_index(drop=True)
    m["measurement_ref"] = [f"NM{y % 100:02d}{i:07d}" for i, y in zip(range(1, len(m) + 1), m["year"])]
    ident = identities(ctx.rng("ncmp.identity"), m["measurement_ref"].to_numpy(), m["pid"].to_numpy(),
                       ctx.pop.persons, NCMP_MESS)
    pres = present_addresses(ctx.rng("ncmp.addresses"), m["addr"].to_numpy(), ctx.gaz, ctx.outside, NCMP_MESS)
    i = ident.loc[m["measurement_ref"].to_numpy()]
    new = m["year"].to_numpy() >= 2019
    out = pd.DataFrame({
        "measurement_ref": m["measurement_ref"], "first_name": i["first_name"].to_numpy(),
        "surname": i["surname"].to_numpy(), "date_of_birth": export_dates(i["dob"].to_numpy(), new),
        "sex": m["sex"], "postcode": pres["postcode"], "address_line": pres["address_line"],
        "school_year": m["school_year"], "measurement_date": export_dates(m["when"].to_numpy(), new),
        "height_cm": m["height_cm"], "weight_kg": m["weight_kg"], "bmi_centile": m["bmi_centile"],
        "weight_category": m["weight_category"],
    })
    out["_pid"] = m["pid"].to_numpy()
    out["_addr"] = m["addr"].to_numpy()
    out["_year"] = m["year"].to_numpy()
    truth = pd.DataFrame({"source_table": "ncmp_measurements", "record_ref": m["measurement_ref"],
                          "person_id": m["pid"]})
    return out, truth
