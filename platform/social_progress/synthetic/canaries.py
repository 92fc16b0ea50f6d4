"""Planted canary identities: three synthetic people who must never leave the platform.

Why: a test scans every output of the platform for these strings. If one appears in a
release, a scorecard or a log, personal data has leaked. The canaries are given names,
dates of birth and streets so distinctive that no real output could contain them by
chance, and they ALWAYS appear in several systems, with clean records (no typos, no
missing postcodes), so every ingestion path carries them.

- Quillon Zabriskie-Farthingale, 7 Xylophory Close: council tenant, Council Tax Support
  (pensioner from 2022), council tax account, CRM reporter, library member, adult social
  care client (home care from 2021).
- Thessaly Vornholt-Quagmire, Flat 4 Umbrifer House, Zarathine Walk: private renter on the
  housing register, Council Tax Support with a DHP award, council tax account, victim in
  the community safety extract, library member, CRM reporter.
- Perpetua Quenneville-Xanthos, Thessaly's daughter: pupil from Reception (2016), NCMP in
  Reception and Year 6, a children-in-need episode, library member.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Canary:
    key: str
    first_name: str
    surname: str
    sex: str
    date_of_birth: str  # ISO
    address_key: str


@dataclass(frozen=True)
class CanaryAddress:
    key: str
    house: str          # house number or "Flat 4, Umbrifer House"
    street: str
    postcode_rank: int  # which borough postcode (by z rank of its LSOA) it sits at


CANARY_ADDRESSES: tuple[CanaryAddress, ...] = (
    CanaryAddress("xylophory", "7", "Xylophory Close", 5),
    CanaryAddress("zarathine", "Flat 4, Umbrifer House", "Zarathine Walk", 12),
)

CANARIES: tuple[Canary, ...] = (
    Canary("quillon", "Quillon", "Zabriskie-Farthingale", "M", "1957-11-23", "xylophory"),
    Canary("thessaly", "Thessaly", "Vornholt-Quagmire", "F", "1983-07-19", "zarathine"),
    Canary("perpetua", "Perpetua", "Quenneville-Xanthos", "F", "2011-10-07", "zarathine"),
)

#: person ids of canaries in the truth file (far above any simulated person)
CANARY_PERSON_IDS = {c.key: 900_000_001 + i for i, c in enumerate(CANARIES)}


def _dmy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _strings() -> tuple[str, ...]:
    out: list[str] = []
    for c in CANARIES:
        out += [c.first_name, c.surname, f"{c.first_name} {c.surname}",
                c.date_of_birth, _dmy(c.date_of_birth)]
    for a in CANARY_ADDRESSES:
        out.append(a.street)
        if "," in a.house:
            out.append(a.house.split(",", 1)[1].strip())
    out += [s.upper() for s in out if not s[0].isdigit()]
    return tuple(dict.fromkeys(out))


#: every string that must never appear in a platform output
CANARY_STRINGS: tuple[str, ...] = _strings()


# ---------------------------------------------------------------------------- planting
def _next_ref(values, prefix: str, width: int, k: int = 1) -> list[str]:
    """The next k references after the highest `prefix` + `width` digits in use."""
    import pandas as pd

    s = pd.Series(pd.unique(pd.Series(values).dropna().astype(str)))
    s = s[s.str.startswith(prefix)].str[len(prefix):len(prefix) + width]
    nums = pd.to_numeric(s[s.str.fullmatch(r"\d+")], errors="coerce")
    start = (int(nums.max()) if len(nums) else 0) + 1
    return [f"{prefix}{i:0{width}d}" for i in range(start, start + k)]


def plant(tables: dict, ctx) -> "pd.DataFrame":
    """Append the canaries' records to the generated tables (in place); return truth rows.

    Canary records are clean: exact names, dates of birth, standard-case addresses."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from .education import upn
    from .streams import NULL_DAY, day

    rng = ctx.rng("canaries")
    a = ctx.gaz.addresses
    person = {c.key: c for c in CANARIES}
    pid = CANARY_PERSON_IDS
    addr = {k: a.loc[i] for k, i in ctx.gaz.canary_ids.items()}

    def dob(key: str) -> int:
        y, m, d = map(int, person[key].date_of_birth.split("-"))
        return day(y, m, d)

    def at(key: str) -> dict:
        ad = addr[person[key].address_key]
        return {"address_line": ad["address_line"], "postcode": ad["postcode"], "uprn": ad["uprn"]}

    def stamp(d: int) -> np.datetime64:
        return ctx.updated_at(rng, np.array([d]), 5)[0]

    def add(table: str, rows: list[dict]) -> None:
        tables[table] = pd.concat([tables[table], pd.DataFrame(rows)], ignore_index=True)

    def yr(y: int) -> int:
        """A year of the canaries' story, kept inside the generated period."""
        return min(max(y, ctx.first_year), ctx.last_year)

    def when(y: int, m: int, d: int, fmt: str) -> str:
        """A date of the story in an export format that changes in 2019 (dmy before)."""
        y = yr(y)
        return f"{y:04d}-{m:02d}-{d:02d}" if (fmt == "iso" or (fmt == "auto" and y >= 2019)) else f"{d:02d}/{m:02d}/{y:04d}"

    truth: list[tuple[str, str, int]] = []
    q, t, p = "quillon", "thessaly", "perpetua"
    housing_refs = pd.concat([tables["tenancies"]["person_ref"], tables["housing_register"]["person_ref"],
                              tables["homelessness_cases"]["person_ref"]])
    hp_q, hp_t = _next_ref(housing_refs, "HP", 7, 2)

    # housing: Quillon's council tenancy, Thessaly on the register 2017-2020
    ten_ref = _next_ref(tables["tenancies"]["tenancy_ref"], "TEN", 7)[0]
    add("tenancies", [{"tenancy_ref": ten_ref, "person_ref": hp_q, "first_name": person[q].first_name,
                       "surname": person[q].surname, "date_of_birth": dob(q), **at(q),
                       "start_date": day(1998, 6, 15), "end_date": NULL_DAY,
                       "bedrooms": int(addr["xylophory"]["bedrooms"]), "household_size": 1,
                       "updated_at": stamp(ctx.start)}])
    truth.append(("tenancies", ten_ref, pid[q]))
    app = _next_ref(tables["housing_register"]["application_ref"], "A", 6)[0]
    add("housing_register", [{"application_ref": f"{app}-{y}", "person_ref": hp_t,
                              "first_name": person[t].first_name, "surname": person[t].surname,
                              "date_of_birth": dob(t), **at(t), "snapshot_year": y, "band": "B",
                              "bedrooms_needed": 2, "bedrooms_current": 1, "overcrowded": 1, "household_size": 2,
                              "updated_at": stamp(day(y, 3, 31))} for y in range(yr(2017), yr(2020) + 1)])
    truth += [("housing_register", f"{app}-{y}", pid[t]) for y in range(yr(2017), yr(2020) + 1)]

    # revenues: support claims, a DHP award, council tax accounts
    rb_q, rb_t = _next_ref(tables["council_tax_support"]["person_ref"], "RB", 7, 2)
    c1, c2, c3 = _next_ref(tables["council_tax_support"]["claim_ref"], "CTS", 7, 3)
    pension_day = max(day(yr(2022), 11, 23), day(yr(2016), 5, 3) + 30)
    claims = [(c1, q, rb_q, day(yr(2016), 5, 3), pension_day, 0), (c2, q, rb_q, pension_day, NULL_DAY, 1),
              (c3, t, rb_t, day(yr(2017), 2, 1), max(day(yr(2021), 8, 31), day(yr(2017), 2, 1) + 60), 0)]
    add("council_tax_support", [{"claim_ref": cr, "person_ref": ref, "first_name": person[k].first_name,
                                 "surname": person[k].surname, "date_of_birth": dob(k), **at(k),
                                 "start_date": s, "end_date": e, "pensioner": pen,
                                 "updated_at": stamp(e if e != NULL_DAY else s)} for cr, k, ref, s, e, pen in claims])
    truth += [("council_tax_support", cr, pid[k]) for cr, k, *_ in claims]
    add("dhp_awards", [{"award_ref": _next_ref(tables["dhp_awards"]["award_ref"], "DHP", 7)[0], "claim_ref": c3,
                        "award_date": day(yr(2018), 3, 14), "amount": 650.0, "reason": "rent_shortfall",
                        "updated_at": stamp(day(yr(2018), 3, 14))}])
    from .gazetteer import BAND_RATIO
    from .revenues import band_d
    acc_q, acc_t = _next_ref(tables["council_tax_accounts"]["account_ref"], "CT", 8, 2)
    rows = []
    for acc, k in ((acc_q, q), (acc_t, t)):
        ad = addr[person[k].address_key]
        for fy in range(ctx.first_year, ctx.last_year + 1):
            charge = round(band_d(fy) * BAND_RATIO[ad["ct_band"]] * (0.75 if k == q else 1.0), 2)
            rows.append({"account_year_ref": f"{acc}-{fy}", "account_ref": acc, **at(k),
                         "liable_first_name": person[k].first_name, "liable_surname": person[k].surname,
                         "liable_date_of_birth": dob(k), "financial_year": fy, "charge": charge,
                         "arrears_at_year_end": round(charge * 0.2, 2) if (k == t and fy == yr(2018)) else 0.0,
                         "updated_at": stamp(day(fy + 1, 3, 31))})
        truth += [("council_tax_accounts", f"{acc}-{fy}", pid[k]) for fy in range(ctx.first_year, ctx.last_year + 1)]
    add("council_tax_accounts", rows)

    # social care: Quillon's home care from 2021, Perpetua's child-in-need episode in 2018
    cl = _next_ref(tables["social_care_adults"]["client_ref"], "AC", 7)[0]
    add("social_care_adults", [{"client_ref": cl, "first_name": person[q].first_name, "surname": person[q].surname,
                                "date_of_birth": person[q].date_of_birth, **at(q), "service_type": "home_care",
                                "start_date": when(2021, 3, 1, "auto"), "end_date": None}])
    truth.append(("social_care_adults", cl, pid[q]))
    ch = _next_ref(tables["social_care_children"]["child_ref"], "C", 7)[0]
    add("social_care_children", [{"child_ref": ch, "first_name": person[p].first_name,
                                  "surname": person[p].surname, "date_of_birth": _dmy(person[p].date_of_birth),
                                  **at(p), "episode_type": "CIN", "start_date": when(2018, 1, 15, "auto"),
                                  "end_date": when(2018, 9, 30, "dmy" if yr(2018) < 2019 else "iso")}])
    truth.append(("social_care_children", ch, pid[p]))

    # CRM: Quillon reports fly-tipping every year; Thessaly reports noise once
    crm_rows = []
    refs = _next_ref(tables["crm_cases"]["case_ref"], "CRM", 8, ctx.last_year - ctx.first_year + 2)
    ad_q = addr["xylophory"]
    for j, y in enumerate(range(ctx.first_year, ctx.last_year + 1)):
        ts = dt.datetime(y, 6, 14, 9, 30)
        crm_rows.append((refs[j], ts, "fly_tipping", q))
    crm_rows.append((refs[-1], dt.datetime(yr(2019), 11, 2, 23, 10), "noise", t))
    rows = []
    for ref, ts, cat, k in crm_rows:
        ad = addr[person[k].address_key]
        created = ts.strftime("%Y-%m-%dT%H:%M:%S") if ts.year >= 2019 else ts.strftime("%d/%m/%Y %H:%M")
        rows.append({"case_ref": ref, "created_at": created, "category": cat,
                     "incident_uprn": None if cat == "fly_tipping" else ad["uprn"],
                     "incident_postcode": ad["postcode"], "incident_easting": int(ad["easting"]) + 35,
                     "incident_northing": int(ad["northing"]) - 20,
                     "reporter_first_name": person[k].first_name, "reporter_surname": person[k].surname,
                     "reporter_postcode": ad["postcode"], "reporter_address_line": ad["address_line"],
                     "status": "closed"})
        truth.append(("crm_cases", ref, pid[k]))
    add("crm_cases", rows)

    # libraries: all three, a card each, active most years
    mids = _next_ref(tables["libraries_activity"]["member_id"], "LBM", 7, 3)
    rows = []
    for mid, k, joined in zip(mids, (q, t, p), ("2009-04-18", "2014-09-06", "2015-10-10")):
        for y in range(ctx.first_year, ctx.last_year + 1):
            visits = 0 if y == 2020 else 6 + (y % 5)  # the libraries were closed in 2020
            rows.append({"member_id": mid, "year": y, "visits": visits, "loans": visits + 2 if visits else 0,
                         "active": bool(visits), "first_name": person[k].first_name, "surname": person[k].surname,
                         "date_of_birth": person[k].date_of_birth, **at(k), "joined_date": joined})
        truth.append(("libraries_members", mid, pid[k]))
    add("libraries_activity", rows)

    # education: Perpetua from Reception (2016) to Year 7 (2023)
    u = upn(9_999_001, 2016)
    add("education_pupils", [{"upn": u, "first_name": person[p].first_name, "surname": person[p].surname,
                              "date_of_birth": dob(p), **at(p), "academic_year": y,
                              "year_group": "R" if y == 2016 else str(y - 2016),
                              "sessions_possible": 380, "sessions_missed": 9, "fixed_term_exclusions": 0,
                              "permanent_exclusion": 0, "ehc_plan": 0, "activity_16_17": None}
                             for y in range(max(2016, ctx.first_year), ctx.last_year + 1)])
    if ctx.last_year >= 2016:
        truth.append(("education_pupils", u, pid[p]))

    # NCMP: Reception (2016/17) and Year 6 (2022/23), where the period covers them
    nm = [f"NM17{9_999_001:07d}", f"NM23{9_999_002:07d}"]
    ncmp = [
        {"measurement_ref": nm[0], "first_name": person[p].first_name, "surname": person[p].surname,
         "date_of_birth": _dmy(person[p].date_of_birth), "sex": "F", "postcode": at(p)["postcode"],
         "address_line": at(p)["address_line"], "school_year": "R", "measurement_date": "08/02/2017",
         "height_cm": 108.9, "weight_kg": 18.4, "bmi_centile": 61.3, "weight_category": "healthy"},
        {"measurement_ref": nm[1], "first_name": person[p].first_name, "surname": person[p].surname,
         "date_of_birth": person[p].date_of_birth, "sex": "F", "postcode": at(p)["postcode"],
         "address_line": at(p)["address_line"], "school_year": "6", "measurement_date": "2023-01-25",
         "height_cm": 146.2, "weight_kg": 41.0, "bmi_centile": 78.5, "weight_category": "healthy"},
    ]
    keep = [ctx.first_year <= 2016 <= ctx.last_year, ctx.first_year <= 2022 <= ctx.last_year]
    add("ncmp_measurements", [m for m, k in zip(ncmp, keep) if k])
    truth += [("ncmp_measurements", ref, pid[p]) for ref, k in zip(nm, keep) if k]

    # community safety: Thessaly, a domestic abuse victim in 2018
    ir = f"4999001/{yr(2018) % 100:02d}"
    add("community_safety_incidents", [{"incident_ref": ir, "recorded_date": when(2018, 5, 20, "dmy"),
                                        "incident_type": "domestic_abuse", "victim_first_name": person[t].first_name,
                                        "victim_surname": person[t].surname,
                                        "victim_date_of_birth": _dmy(person[t].date_of_birth),
                                        "victim_postcode": at(t)["postcode"], "victim_address_line": at(t)["address_line"],
                                        "location_postcode": at(t)["postcode"]}])
    truth.append(("community_safety_incidents", ir, pid[t]))
    return pd.DataFrame(truth, columns=["source_table", "record_ref", "person_id"])
