"""A synthetic local land and property gazetteer (LLPG) for the borough.

Why: council systems key addresses by UPRN, and record linkage leans on addresses. The
gazetteer gives every synthetic home a 12-digit UPRN, an address line on a synthetic
street, a REAL Code-Point Open postcode of the borough, and coordinates a few metres from
that postcode's centroid, so addresses geocode into the right LSOA like real ones.

Counts follow the brief: addresses per LSOA = mid-2019 residents / 2.6. Streets run
across the postcodes of a postcode sector; a share of postcodes are blocks of flats
(more in the more deprived LSOAs). Each address also carries what the systems need:
flat or house, bedrooms, tenure (17,500 council homes, weighted towards deprived LSOAs
and flats) and council tax band. The file written (`llpg_addresses.csv`) holds no
personal data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .areas import Areas
from .calibration import value
from .canaries import CANARY_ADDRESSES
from .streams import objects

_ROOT_A = ("Ash", "Birch", "Bram", "Brook", "Carl", "Chal", "Cran", "Dun", "Elm", "Fair",
           "Fern", "Gold", "Hare", "Haw", "Holm", "Kings", "Lang", "Lark", "Lin", "Marl",
           "Mill", "Nor", "Oak", "Pen", "Quar", "Red", "Rook", "Rush", "Sand", "Shel",
           "Stan", "Thorn", "Wal", "Wen", "West", "Whit", "Wick", "Wil", "Wood", "Yew",
           "Alder", "Bar", "Bel", "Cold", "Dray", "East", "Frog", "Gar", "Hat", "Ivy")
_ROOT_B = ("bury", "by", "combe", "croft", "dale", "den", "field", "ford", "gate", "ham",
           "hurst", "ley", "mead", "more", "stead", "stone", "ton", "well", "wick", "worth")
_STREET_TYPES = ("Road", "Road", "Road", "Avenue", "Avenue", "Close", "Gardens", "Way",
                 "Street", "Crescent", "Drive", "Lane", "Walk", "Grove", "Place")
_BUILDINGS = ("Marlowe", "Becket", "Tennyson", "Fanshawe", "Lansbury", "Bevin", "Attlee",
              "Keir", "Morris", "Pankhurst", "Fry", "Cavell", "Ruskin", "Blake", "Milton",
              "Shelley", "Keats", "Byron", "Chaucer", "Dickens", "Hardy", "Orwell", "Austen",
              "Bronte", "Wesley", "Newton", "Darwin", "Faraday", "Brunel", "Telford",
              "Seacole", "Nightingale", "Fleming", "Jenner", "Lister", "Harvey")
_BUILDING_TYPES = ("House", "House", "Court", "Point", "Tower", "Lodge")
BAND_RATIO = {"A": 6 / 9, "B": 7 / 9, "C": 8 / 9, "D": 1.0, "E": 11 / 9, "F": 13 / 9,
              "G": 15 / 9, "H": 18 / 9}
ADDRESSES_PER_RESIDENT = 1 / 2.6
JITTER_M = 29.0  # + rounding to whole metres stays under 30 m


@dataclass
class Gazetteer:
    """addresses: one row per address, index = address id (0..n-1)."""
    addresses: pd.DataFrame
    canary_ids: dict[str, int]  # canary address key -> address id (reserved: nobody else lives there)

    @property
    def n(self) -> int:
        return len(self.addresses)

    def llpg(self) -> pd.DataFrame:
        a = self.addresses
        return (a[["uprn", "address_line", "postcode", "easting", "northing"]]
                .sort_values("uprn").reset_index(drop=True))


def _street_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [a + b for a in _ROOT_A for b in _ROOT_B]
    roots = rng.permutation(len(combos))
    names: list[str] = []
    seen: set[str] = set()
    i = 0
    while len(names) < n:
        root = combos[roots[i % len(combos)]]
        typ = _STREET_TYPES[int(rng.integers(len(_STREET_TYPES)))]
        name = f"{root} {typ}"
        if name not in seen:
            seen.add(name)
            names.append(name)
        i += 1
    return names


def build_gazetteer(areas: Areas, rng: np.random.Generator) -> Gazetteer:
    lsoa, pcs = areas.lsoa, areas.postcodes
    z = lsoa["z"].to_numpy()
    n_per_lsoa = np.rint(lsoa["Persons_All-Ages"].to_numpy() * ADDRESSES_PER_RESIDENT).astype(int)

    # streets: per postcode sector, about one street per 2.5 postcodes
    pcs = pcs.copy()
    pcs["sector"] = pcs["postcode"].str[:-2]
    sector_codes, sector_idx = np.unique(pcs["sector"].to_numpy(), return_inverse=True)
    n_sector_pc = np.bincount(sector_idx)
    n_streets_sector = np.maximum(1, np.ceil(n_sector_pc / 2.5).astype(int))
    first_street = np.concatenate([[0], np.cumsum(n_streets_sector)[:-1]])
    street_names = _street_names(rng, int(n_streets_sector.sum()))
    pc_street = first_street[sector_idx] + (rng.random(len(pcs)) * n_streets_sector[sector_idx]).astype(int)

    # flats: blocks are whole postcodes; more of them in deprived LSOAs
    p_block = np.clip(0.28 + 0.12 * z[pcs["lsoa"].to_numpy()], 0.05, 0.6)
    pc_block = rng.random(len(pcs)) < p_block

    # addresses per postcode: LSOA total spread over its postcodes (blocks hold more)
    rows_pc: list[np.ndarray] = []
    for li, n in enumerate(n_per_lsoa):
        members = np.flatnonzero(pcs["lsoa"].to_numpy() == li)
        w = rng.gamma(2.0, 1.0, members.size) * np.where(pc_block[members], 2.0, 1.0)
        counts = rng.multinomial(n, w / w.sum())
        rows_pc.append(np.repeat(members, counts))
    addr_pc = np.concatenate(rows_pc)
    addr_pc.sort(kind="stable")
    n_addr = addr_pc.size

    # numbering along each street, flats within buildings of each block postcode
    a = pd.DataFrame({"pc": addr_pc})
    a["street_id"] = pc_street[addr_pc]
    a["is_flat"] = pc_block[addr_pc]
    a["seq_street"] = a.groupby("street_id").cumcount()
    a["seq_pc"] = a.groupby("pc").cumcount()
    street_arr = np.asarray(street_names, dtype=object)
    a["street"] = street_arr[a["street_id"].to_numpy()]
    a["town"] = pcs["town"].to_numpy()[addr_pc]
    a["postcode"] = pcs["postcode"].to_numpy()[addr_pc]
    a["lsoa"] = pcs["lsoa"].to_numpy()[addr_pc]
    # houses: odd/even sides of the street
    number = 2 * (a["seq_street"].to_numpy() // 2) + 1 + (a["seq_street"].to_numpy() % 2)
    # buildings of a block postcode: up to 3 buildings of 10-40 flats
    bsize = 10 + (rng.random(len(pcs)) * 30).astype(int)
    b_in_pc = a["seq_pc"].to_numpy() // bsize[addr_pc]
    flat_no = a["seq_pc"].to_numpy() % bsize[addr_pc] + 1
    bname_idx = (addr_pc * 7 + b_in_pc * 3) % len(_BUILDINGS)
    btype_idx = (addr_pc + b_in_pc) % len(_BUILDING_TYPES)
    bld = np.array([f"{_BUILDINGS[i]} {_BUILDING_TYPES[j]}" for i, j in zip(bname_idx, btype_idx)], dtype=object)
    is_flat = a["is_flat"].to_numpy()
    house = np.where(is_flat,
                     np.array([f"Flat {f}, {b}" for f, b in zip(flat_no, bld)], dtype=object),
                     number.astype(str).astype(object))
    a["house"] = house
    a["building"] = np.where(is_flat, bld, None)

    # canary addresses: appended, reserved, at real postcodes picked by a fixed rule
    order = np.argsort(z[pcs["lsoa"].to_numpy()], kind="stable")[::-1]
    extra = []
    for ca in CANARY_ADDRESSES:
        pi = int(order[ca.postcode_rank])
        extra.append({"pc": pi, "street_id": -1, "is_flat": "Flat" in ca.house,
                      "street": ca.street, "town": pcs["town"].iat[pi],
                      "postcode": pcs["postcode"].iat[pi], "lsoa": int(pcs["lsoa"].iat[pi]),
                      "house": ca.house,
                      "building": ca.house.split(",", 1)[1].strip() if "," in ca.house else None})
    a = pd.concat([a, pd.DataFrame(extra)], ignore_index=True)
    canary_ids = {ca.key: n_addr + i for i, ca in enumerate(CANARY_ADDRESSES)}
    n_all = len(a)

    a["address_line"] = a["house"] + np.where(a["house"].str.startswith("Flat"), ", ", " ") + a["street"] + ", " + a["town"]
    # coordinates: centroid + jitter within 29 m, whole metres
    r = JITTER_M * np.sqrt(rng.random(n_all))
    t = rng.random(n_all) * 2 * np.pi
    a["easting"] = np.rint(pcs["easting"].to_numpy()[a["pc"].to_numpy()] + r * np.cos(t)).astype(int)
    a["northing"] = np.rint(pcs["northing"].to_numpy()[a["pc"].to_numpy()] + r * np.sin(t)).astype(int)

    # UPRNs: increasing along postcode order, random gaps, 12 digits
    order_u = np.lexsort((np.arange(n_all), a["postcode"].to_numpy()))
    uprn = np.empty(n_all, dtype=np.int64)
    uprn[order_u] = 100_010_000_000 + np.cumsum(rng.integers(1, 40, n_all))
    a["uprn"] = uprn.astype(str)

    # bedrooms
    u = rng.random(n_all)
    flat_beds = np.searchsorted(np.cumsum([0.05, 0.45, 0.38, 0.12]), u)  # 0..3
    house_beds = 2 + np.searchsorted(np.cumsum([0.25, 0.58, 0.17]), u)   # 2..4
    a["bedrooms"] = np.where(a["is_flat"].to_numpy(), flat_beds, np.minimum(house_beds, 4)).astype(int)
    a.loc[[canary_ids["xylophory"], canary_ids["zarathine"]], "bedrooms"] = [2, 1]

    # tenure: council homes (calibrated count), housing association, private rent, owned
    za = z[a["lsoa"].to_numpy()]
    flat = a["is_flat"].to_numpy().astype(bool)
    tenure = np.full(n_all, "owner", dtype=object)
    eligible = np.ones(n_all, dtype=bool)
    eligible[list(canary_ids.values())] = False
    from .streams import weighted_sample
    n_council = int(value("council_homes"))
    wc = np.exp(0.7 * za) * np.where(flat, 1.6, 1.0) * eligible
    council = weighted_sample(rng, wc, n_council)
    tenure[council] = "council"
    rest = (tenure == "owner") & eligible
    ha = weighted_sample(rng, np.exp(0.4 * za) * rest, int(0.06 * n_all))
    tenure[ha] = "housing_association"
    rest = (tenure == "owner") & eligible
    prs = weighted_sample(rng, np.exp(0.3 * za) * np.where(flat, 1.4, 1.0) * rest, int(0.30 * n_all))
    tenure[prs] = "private_rent"
    tenure[canary_ids["xylophory"]] = "council"
    tenure[canary_ids["zarathine"]] = "private_rent"
    a["tenure"] = tenure

    # council tax band
    bands = np.array(list("ABCDEFG"))
    p_flat = np.array([0.12, 0.38, 0.38, 0.10, 0.02, 0.0, 0.0])
    p_house = np.array([0.02, 0.12, 0.38, 0.34, 0.10, 0.03, 0.01])
    uu = rng.random(n_all)
    band_f = bands[np.searchsorted(np.cumsum(p_flat / p_flat.sum()), uu).clip(0, 6)]
    band_h = bands[np.searchsorted(np.cumsum(p_house / p_house.sum()), uu).clip(0, 6)]
    a["ct_band"] = np.where(flat, band_f, band_h)
    a["reserved"] = False
    a.loc[list(canary_ids.values()), "reserved"] = True
    a["z"] = za
    keep = ["uprn", "address_line", "house", "building", "street", "town", "postcode",
            "easting", "northing", "lsoa", "z", "is_flat", "bedrooms", "tenure", "ct_band", "reserved"]
    a = a[keep].reset_index(drop=True)
    for c in ("uprn", "address_line", "house", "building", "street", "town", "postcode", "tenure", "ct_band"):
        a[c] = objects(a[c].to_numpy())
    return Gazetteer(addresses=a, canary_ids=canary_ids)


def outside_addresses(areas: Areas, rng: np.random.Generator, n: int = 4000) -> pd.DataFrame:
    """Addresses in neighbouring boroughs (real postcodes, synthetic streets), no UPRN."""
    o = areas.outside
    idx = np.sort(rng.choice(len(o), size=min(n, len(o)), replace=False))
    streets = _street_names(rng, 600)
    st = np.asarray(streets, dtype=object)[rng.integers(0, len(streets), idx.size)]
    num = rng.integers(1, 180, idx.size)
    town = o["town"].to_numpy()[idx]
    line = np.array([f"{n_} {s}, {t}" for n_, s, t in zip(num, st, town)], dtype=object)
    return pd.DataFrame({"address_line": line, "postcode": o["postcode"].to_numpy()[idx],
                         "lad_code": o["lad_code"].to_numpy()[idx]})
