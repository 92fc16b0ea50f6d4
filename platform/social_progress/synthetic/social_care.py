"""Social care case-system exports: children's episodes and adult clients (XLSX).

Why: children in need, on protection plans and looked after, and adults receiving
long-term care, are core needs indicators, and they are strongly shaped by deprivation
and by family circumstance (the household's latent need). Calibration (CALIBRATION):
children in need about 380, child protection plans about 45 and looked after about 65
per 10,000 children at 31 March; adults receiving long-term support during a year about
0.9% of 18-64 year olds and 5.2% of those 65+.

The case system was replaced in 2019: records opened before 2019 export their dates as
dd/mm/yyyy text, later records as ISO yyyy-mm-dd.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .calibration import value
from .context import Context, calibrate
from .mess import MessRates, assign_refs, identities, present_addresses
from .people import BIG
from .streams import day, export_dates, weighted_sample

SOCIAL_CARE_MESS = MessRates(style="abbrev")
FORMAT_CHANGE_YEAR = 2019


def _draw_spells(ctx: Context, rng: np.random.Generator, years: list[int], rate: float,
                 eligible: Callable[[pd.DataFrame, int], np.ndarray],
                 weight: Callable[[pd.DataFrame], np.ndarray],
                 duration: Callable[[np.random.Generator, pd.DataFrame], np.ndarray]) -> pd.DataFrame:
    """Starts drawn each year among eligible residents (k ~ Poisson(rate * eligible)),
    weighted by need; spells of a random duration."""
    parts = []
    for y in years:
        # before the simulation starts, the first population at the age it had then
        r = ctx.residents(day(y, 7, 1))
        m = eligible(r, y)
        e = r[m]
        k = rng.poisson(rate * len(e))
        pick = weighted_sample(rng, weight(e), k)
        sel = e.iloc[pick]
        start = ctx.presence_days(rng, sel["pid"].to_numpy(), day(y), day(y + 1))
        dur = duration(rng, sel)
        parts.append(pd.DataFrame({"pid": sel["pid"].to_numpy(), "start": start,
                                   "end": start + dur, "age": sel["age"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------ children
CHILD_PROGRAMS = {
    # type: (target per 10k at 31 March, mean years, gamma shape, age weights (0-4, 5-10, 11-17));
    # LAC and CPP first; CIN is then calibrated so that all children in need (any episode)
    # meet the published rate
    "LAC": ("lac_rate", 2.5, 0.8, (0.9, 0.6, 1.5)),
    "CPP": ("cpp_rate", 0.9, 1.5, (1.6, 1.0, 0.6)),
    "CIN": ("cin_rate", 0.8, 1.2, (1.0, 1.0, 1.2)),
}


def build_children(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    checks = [day(y, 3, 31) for y in range(ctx.first_year + 1, ctx.last_year + 1)]
    n_children = {d: int((ctx.residents(d)["age"] < 18).sum()) for d in checks}
    years = list(range(ctx.first_year - 6, ctx.last_year + 1))
    episodes: list[pd.DataFrame] = []
    for typ, (key, mean_y, shape, ages_w) in CHILD_PROGRAMS.items():
        target = value(key)
        earlier = pd.concat(episodes, ignore_index=True) if typ == "CIN" else None

        def eligible(r: pd.DataFrame, y: int) -> np.ndarray:
            return (r["age"] < 18).to_numpy()

        def weight(e: pd.DataFrame, ages_w=ages_w) -> np.ndarray:
            a = e["age"].to_numpy()
            aw = np.select([a <= 4, a <= 10], [ages_w[0], ages_w[1]], ages_w[2])
            return ctx.risk(e["z"], e["u"], 0.7, 1.0) * aw

        def duration(rng: np.random.Generator, sel: pd.DataFrame, mean_y=mean_y, shape=shape) -> np.ndarray:
            return np.ceil(rng.gamma(shape, mean_y * 365.25 / shape, len(sel))).astype(np.int64) + 14

        def run(rate: float, typ=typ, eligible=eligible, weight=weight, duration=duration, earlier=earlier):
            rng = ctx.rng(f"social_care.children.{typ}")
            s = _draw_spells(ctx, rng, years, rate, eligible, weight, duration)
            eighteen = ctx.dob[s["pid"].to_numpy()] + int(18 * 365.25)
            leave = ctx.exit[s["pid"].to_numpy()] if typ != "LAC" else BIG
            s["end"] = np.minimum(np.minimum(s["end"], eighteen), leave)
            s = s[(s["end"] > s["start"]) & (s["end"] > ctx.start) & (s["start"] < ctx.as_of)]
            m = s if earlier is None else pd.concat([s, earlier])
            level = np.mean([m.loc[(m["start"] <= d) & (m["end"] > d), "pid"].nunique() / n_children[d] * 1e4
                             for d in checks])
            return s.assign(episode_type=typ), level

        rate0 = target / 1e4 / mean_y if typ != "CIN" else (target - 110) / 1e4 / mean_y
        episodes.append(calibrate(run, target, rate0, passes=3))
    e = pd.concat(episodes, ignore_index=True)
    e = e.sort_values(["start", "pid", "episode_type"], kind="stable").reset_index(drop=True)
    rng = ctx.rng("social_care.children.refs")
    e["child_ref"] = assign_refs(rng, e["pid"].to_numpy(), e["start"].to_numpy(), SOCIAL_CARE_MESS.dup, "C", 7)
    ident = identities(ctx.rng("social_care.children.identity"), e["child_ref"].to_numpy(), e["pid"].to_numpy(),
                       ctx.pop.persons, SOCIAL_CARE_MESS)
    addr = ctx.address_at(e["pid"].to_numpy(), e["start"].to_numpy())
    pres = present_addresses(rng, addr, ctx.gaz, ctx.outside, SOCIAL_CARE_MESS)
    i = ident.loc[e["child_ref"].to_numpy()]
    new = e["start"].to_numpy() >= day(FORMAT_CHANGE_YEAR)
    out = pd.DataFrame({
        "child_ref": e["child_ref"], "first_name": i["first_name"].to_numpy(), "surname": i["surname"].to_numpy(),
        "date_of_birth": export_dates(i["dob"].to_numpy(), new),
        "address_line": pres["address_line"], "postcode": pres["postcode"], "uprn": pres["uprn"],
        "episode_type": e["episode_type"],
        "start_date": export_dates(e["start"].to_numpy(), new),
        "end_date": export_dates(ctx.end_or_open(e["end"].to_numpy()), new),
    })
    out["_pid"] = e["pid"].to_numpy()
    out["_start"] = e["start"].to_numpy()
    out["_end"] = ctx.end_or_open(e["end"].to_numpy())
    truth = pd.DataFrame({"source_table": "social_care_children", "record_ref": e["child_ref"],
                          "person_id": e["pid"]}).drop_duplicates()
    return out, truth


# ------------------------------------------------------------------ adults
ADULT_SERVICES = ("home_care", "residential", "nursing", "day_care", "direct_payment")
ADULT_GROUPS = {
    # key: (age range, calibration key, mean years, service mix in ADULT_SERVICES order)
    "18_64": ((18, 64), "adult_ltc_18_64", 4.0, (0.20, 0.12, 0.03, 0.30, 0.35)),
    "65_plus": ((65, 120), "adult_ltc_65_plus", 2.0, (0.50, 0.17, 0.10, 0.13, 0.10)),
}


def build_adults(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    years = list(range(ctx.first_year - 8, ctx.last_year + 1))
    parts = []
    for key, ((lo, hi), cal, mean_y, mix) in ADULT_GROUPS.items():
        mids = {y: day(y, 7, 1) for y in range(ctx.first_year, ctx.last_year + 1)}
        pop_n = {y: int(((ctx.residents(d)["age"] >= lo) & (ctx.residents(d)["age"] <= hi)).sum()) for y, d in mids.items()}

        def eligible(r: pd.DataFrame, y: int, lo=lo, hi=hi) -> np.ndarray:
            return ((r["age"] >= lo) & (r["age"] <= hi)).to_numpy()

        def weight(e: pd.DataFrame) -> np.ndarray:
            return ctx.risk(e["z"], e["u"], 0.4, 0.5) * np.exp(0.04 * np.clip(e["age"].to_numpy() - 65, 0, None))

        def duration(rng: np.random.Generator, sel: pd.DataFrame, mean_y=mean_y) -> np.ndarray:
            return np.ceil(rng.gamma(1.0, mean_y * 365.25, len(sel))).astype(np.int64) + 28

        def run(rate: float, key=key, eligible=eligible, duration=duration):
            rng = ctx.rng(f"social_care.adults.{key}")
            s = _draw_spells(ctx, rng, years, rate, eligible, weight, duration)
            s["end"] = np.minimum(s["end"], ctx.exit[s["pid"].to_numpy()])
            s = s[(s["end"] > s["start"]) & (s["end"] > ctx.start) & (s["start"] < ctx.as_of)]
            level = np.mean([s.loc[(s["start"] < day(y + 1)) & (s["end"] > day(y)), "pid"].nunique() / pop_n[y]
                             for y in mids])
            return s, level

        s = calibrate(run, value(cal), value(cal) / (mean_y + 1))
        rng = ctx.rng(f"social_care.adults.{key}.service")
        si = np.searchsorted(np.cumsum(mix), rng.random(len(s)), side="right").clip(0, len(mix) - 1)
        parts.append(s.assign(service_type=np.array(ADULT_SERVICES, dtype=object)[si]))
    c = pd.concat(parts, ignore_index=True).sort_values(["start", "pid"], kind="stable").reset_index(drop=True)
    rng = ctx.rng("social_care.adults.refs")
    c["client_ref"] = assign_refs(rng, c["pid"].to_numpy(), c["start"].to_numpy(), SOCIAL_CARE_MESS.dup, "AC", 7)
    ident = identities(ctx.rng("social_care.adults.identity"), c["client_ref"].to_numpy(), c["pid"].to_numpy(),
                       ctx.pop.persons, SOCIAL_CARE_MESS)
    addr = ctx.address_at(c["pid"].to_numpy(), c["start"].to_numpy())
    pres = present_addresses(rng, addr, ctx.gaz, ctx.outside, SOCIAL_CARE_MESS)
    i = ident.loc[c["client_ref"].to_numpy()]
    new = c["start"].to_numpy() >= day(FORMAT_CHANGE_YEAR)
    out = pd.DataFrame({
        "client_ref": c["client_ref"], "first_name": i["first_name"].to_numpy(), "surname": i["surname"].to_numpy(),
        "date_of_birth": export_dates(i["dob"].to_numpy(), new),
        "address_line": pres["address_line"], "postcode": pres["postcode"], "uprn": pres["uprn"],
        "service_type": c["service_type"],
        "start_date": export_dates(c["start"].to_numpy(), new),
        "end_date": export_dates(ctx.end_or_open(c["end"].to_numpy()), new),
    })
    out["_pid"] = c["pid"].to_numpy()
    out["_start"] = c["start"].to_numpy()
    out["_end"] = ctx.end_or_open(c["end"].to_numpy())
    truth = pd.DataFrame({"source_table": "social_care_adults", "record_ref": c["client_ref"],
                          "person_id": c["pid"]}).drop_duplicates()
    return out, truth
