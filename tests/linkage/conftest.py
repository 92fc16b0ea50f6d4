"""A seeded generator of synthetic residents and their records in several council systems.

Nothing here is real: names come from short lists, dates and addresses are random.
The generator makes the slips real systems have: within-system duplicates, name typos,
forename and surname swapped, missing postcodes, postcodes typed without the space, in
lower case or with a letter O for a zero, two date formats (and some with a time), a
few day/month swaps, people who moved, accents and hyphens, UPRNs held by some systems.
"""
from __future__ import annotations

import datetime as dt
import random
import string

import pandas as pd
import pytest

FIRST_NAMES = [
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "charles", "mohammed", "ahmed", "ali", "omar", "yusuf", "ibrahim", "daniel", "matthew",
    "anthony", "mark", "paul", "steven", "andrew", "joshua", "kevin", "brian", "george",
    "edward", "ronald", "timothy", "jason", "jeffrey", "ryan", "jacob", "gary", "nicholas",
    "eric", "jonathan", "stephen", "larry", "mary", "patricia", "jennifer", "linda",
    "elizabeth", "barbara", "susan", "jessica", "sarah", "karen", "nancy", "lisa", "betty",
    "margaret", "sandra", "ashley", "kimberly", "emily", "donna", "michelle", "fatima",
    "aisha", "amina", "zainab", "chloe", "zoë", "olivia", "amelia", "isla", "ava", "mia",
    "grace", "sophia", "lily", "freya", "chidi", "ngozi", "emeka", "adaeze", "kwame",
    "ama", "priya", "rahul", "anjali", "arjun", "wei", "mei", "jun", "anna", "maria",
    "marie-claire", "jean-paul", "sean", "siobhan", "niamh", "aoife", "oisin", "ewa",
    "piotr", "agnieszka", "tomasz",
]
SURNAMES = [
    "smith", "jones", "williams", "taylor", "brown", "davies", "evans", "wilson", "thomas",
    "johnson", "roberts", "robinson", "thompson", "wright", "walker", "white", "edwards",
    "hughes", "green", "hall", "lewis", "harris", "clarke", "patel", "jackson", "wood",
    "turner", "martin", "cooper", "hill", "ward", "morris", "moore", "clark", "lee",
    "king", "baker", "harrison", "morgan", "allen", "james", "scott", "phillips", "watson",
    "davis", "parker", "price", "bennett", "young", "griffiths", "mitchell", "kelly",
    "cook", "carter", "richardson", "bailey", "collins", "bell", "shaw", "murphy", "miller",
    "cox", "richards", "khan", "marshall", "anderson", "simpson", "ellis", "adams", "singh",
    "begum", "ahmed", "hussain", "ali", "okafor", "okonkwo", "adeyemi", "mensah", "owusu",
    "nowak", "kowalski", "wiśniewski", "o'brien", "o'connor", "murray", "smith-jones",
    "ferreira", "da silva", "nguyen", "chen", "wang", "kaur", "shah", "mehta", "rahman",
    "uddin", "miah", "islam", "chowdhury", "begum-ali",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Ripple Road",
           "Longbridge Road", "Heathway", "Rainham Road", "Valence Avenue", "Becontree Avenue"]
SYSTEMS = ["council_tax", "housing", "school_roll", "social_care", "electoral", "libraries"]
OUTWARDS = ["IG11", "RM8", "RM9", "RM10", "IG3", "RM6", "E6", "E12"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcodes(rng: random.Random, n: int) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        out.add(f"{rng.choice(OUTWARDS)} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}"
                f"{rng.choice(INWARD_LETTERS)}")
    return sorted(out)


def _typo(rng: random.Random, name: str) -> str:
    """One keyboard slip: substitute, delete, insert or transpose one letter (not the first)."""
    if len(name) < 3:
        return name + rng.choice("aeiou")
    i = rng.randint(1, len(name) - 1)
    kind = rng.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        return name[:i] + rng.choice(string.ascii_lowercase) + name[i + 1:]
    if kind == "del":
        return name[:i] + name[i + 1:]
    if kind == "ins":
        return name[:i] + rng.choice(string.ascii_lowercase) + name[i:]
    if i == len(name) - 1:
        i -= 1
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _messy_postcode(rng: random.Random, postcode: str) -> str:
    r = rng.random()
    if r < 0.25:
        return postcode.lower()
    if r < 0.45:
        return postcode.replace(" ", "")
    if r < 0.50 and "0" in postcode:
        return postcode.replace("0", "O", 1)
    return postcode


def _format_dob(rng: random.Random, dob: dt.date) -> str:
    r = rng.random()
    if r < 0.45:
        return dob.isoformat()
    if r < 0.85:
        return dob.strftime("%d/%m/%Y")
    if r < 0.95:
        return dob.isoformat() + "T00:00:00"
    return dob.strftime("%d/%m/%Y") + " 00:00"


def _cased(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.5:
        return name.title()
    if r < 0.8:
        return name.upper()
    return name


def make_people(
    n_persons: int = 3000,
    seed: int = 7,
    *,
    duplicate_rate: float = 0.03,
    typo_rate: float = 0.05,
    missing_postcode_rate: float = 0.03,
    swap_rate: float = 0.02,
    dob_error_rate: float = 0.02,
    move_rate: float = 0.05,
    first_names: list[str] | None = None,
    surnames: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """(raw records, truth record_key -> person id). Households of 1-4 people share a
    surname, postcode and UPRN; each person is in 1-3 systems."""
    rng = random.Random(seed)
    first_names = first_names or FIRST_NAMES
    surnames = surnames or SURNAMES
    postcodes = _postcodes(rng, max(50, n_persons // 6))
    persons = []
    pid = 0
    uprn_next = 100_000_000
    while pid < n_persons:
        size = rng.choice([1, 1, 2, 2, 3, 4])
        surname = rng.choice(surnames)
        postcode = rng.choice(postcodes)
        uprn = str(uprn_next)
        uprn_next += rng.randint(1, 40)
        house = rng.randint(1, 250)
        street = rng.choice(STREETS)
        for _ in range(size):
            if pid >= n_persons:
                break
            dob = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 75))
            persons.append({
                "pid": pid, "first": rng.choice(first_names),
                "surname": surname if rng.random() < 0.9 else rng.choice(surnames),
                "dob": dob, "postcode": postcode, "uprn": uprn,
                "address": f"{house} {street}",
            })
            pid += 1

    rows = []
    truth: dict[str, int] = {}
    counter = 0
    for p in persons:
        systems = rng.sample(SYSTEMS, rng.choice([1, 1, 2, 2, 2, 3]))
        copies = []
        for system in systems:
            copies.append(system)
            if rng.random() < duplicate_rate:
                copies.append(system)  # a within-system duplicate
        for system in copies:
            first, surname, dob = p["first"], p["surname"], p["dob"]
            postcode, uprn, address = p["postcode"], p["uprn"], p["address"]
            if rng.random() < typo_rate:
                if rng.random() < 0.5:
                    first = _typo(rng, first)
                else:
                    surname = _typo(rng, surname)
            if rng.random() < dob_error_rate:
                if dob.day <= 12 and dob.day != dob.month:
                    dob = dt.date(dob.year, dob.day, dob.month)
                else:
                    day = dob.day + rng.choice([-1, 1])
                    dob = dt.date(dob.year, dob.month, min(max(day, 1), 28))
            if rng.random() < move_rate:
                postcode = rng.choice(postcodes)
                uprn = str(rng.randint(200_000_000, 299_999_999))
                address = f"{rng.randint(1, 250)} {rng.choice(STREETS)}"
            if rng.random() < swap_rate:
                first, surname = surname, first
            raw_postcode = None if rng.random() < missing_postcode_rate else _messy_postcode(rng, postcode)
            has_uprn = system in ("council_tax", "housing", "electoral") and rng.random() < 0.9
            key = f"{system[:3]}-{counter:07d}"
            counter += 1
            rows.append({
                "record_key": key,
                "source_id": system,
                "first_name": _cased(rng, first),
                "surname": _cased(rng, surname),
                "date_of_birth": _format_dob(rng, dob),
                "postcode": raw_postcode,
                "uprn": uprn if has_uprn else "",
                "address_line": address,
            })
            truth[key] = p["pid"]
    order = list(range(len(rows)))
    rng.shuffle(order)
    frame = pd.DataFrame([rows[i] for i in order])
    return frame, truth


@pytest.fixture(scope="session")
def make_records():
    """The generator itself (a fixture, so tests need not import conftest)."""
    return make_people


@pytest.fixture(scope="session")
def people():
    """3,000 synthetic persons in 1-3 systems each (about 6,000 records)."""
    return make_people(3000, seed=7)


@pytest.fixture(scope="session")
def linked(people):
    """link_records on the synthetic people, run once per session."""
    from social_progress.linkage import link_records

    records, _truth = people
    return link_records(records)
