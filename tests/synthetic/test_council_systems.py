"""The default build of the SYNTHETIC council systems: levels, shape, mess, canaries, truth.

One build per session (about 20 s: the module is marked slow), checked as the platform
would see it: the SQLite databases, workbooks, CSV and JSON exports. Levels are checked
against the published figures the generator cites (CALIBRATION), the deprivation
gradient against the real IoD 2019 ranks, and the mess against the linkage truth.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from social_progress.synthetic import CANARIES, CANARY_STRINGS, SAMPLE_FRACTIONS, build_council_systems
from social_progress.synthetic.areas import load_areas
from social_progress.synthetic.calibration import ABSENCE_BY_YEAR, EHC_BY_YEAR, value
from social_progress.synthetic.library_api import serve_library_api
from social_progress.synthetic.schemas import FILE_COLUMNS, SQL_TABLES, TRUTH_REF_COLUMNS
from social_progress.synthetic.truth import read_truth

pytestmark = pytest.mark.slow

VALID_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$")
PERSONAL_CSV = ("crm_cases", "community_safety_incidents", "ncmp_measurements")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    return build_council_systems(out)


@pytest.fixture(scope="module")
def out(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="module")
def db(out):
    cons = {"housing": sqlite3.connect(out / "housing.sqlite"), "revenues": sqlite3.connect(out / "revenues.sqlite")}
    yield cons
    for c in cons.values():
        c.close()


def sql(db, system: str, query: str) -> pd.DataFrame:
    return pd.read_sql(query, db[system])


@pytest.fixture(scope="module")
def files(out) -> dict[str, pd.DataFrame]:
    f = {name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
         for name in PERSONAL_CSV}
    f["social_care_children"] = pd.read_excel(out / "social_care_children.xlsx", sheet_name="episodes", dtype=str,
                                              engine="openpyxl")
    f["social_care_adults"] = pd.read_excel(out / "social_care_adults.xlsx", sheet_name="clients", dtype=str,
                                            engine="openpyxl")
    f["libraries_activity"] = pd.DataFrame(json.loads((out / "libraries_activity.json").read_text()))
    return f


@pytest.fixture(scope="module")
def pupils(out) -> pd.DataFrame:
    return pd.read_excel(out / "education_pupils.xlsx", sheet_name="pupils", engine="openpyxl",
                         dtype={"upn": str, "uprn": str, "postcode": str, "year_group": str})


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def place(areas):
    """postcode -> (LSOA code, IoD 2019 rank) from Code-Point and the real IoD, and the
    LSOA quintile of deprivation (1 = most deprived fifth)."""
    lsoa = areas.lsoa.copy()
    lsoa["quintile"] = pd.qcut(lsoa["IMD_rank"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    pc = areas.postcodes.assign(code=lsoa["code"].to_numpy()[areas.postcodes["lsoa"].to_numpy()])
    return pc.set_index("postcode")["code"], lsoa.set_index("code")


def _quintile_rate(place, postcodes: pd.Series, keys: pd.Series, denominator: str) -> pd.Series:
    """Distinct keys per head of the LSOA's population column, by deprivation quintile."""
    pc_code, lsoa = place
    code = postcodes.map(pc_code)
    df = pd.DataFrame({"code": code, "key": keys.to_numpy()}).dropna()
    n = df.groupby("code")["key"].nunique().reindex(lsoa.index, fill_value=0)
    q = lsoa["quintile"]
    return n.groupby(q).sum() / lsoa[denominator].groupby(q).sum()


# ------------------------------------------------------------------ what was written
def test_manifest_lists_every_output_and_says_synthetic(out, built):
    m = json.loads((out / "MANIFEST.json").read_text())
    assert m["synthetic"] is True and m["seed"] == built.seed and m["borough"] == "E09000002"
    assert m["years"] == [2015, 2023]
    for name, meta in m["files"].items():
        assert (out / name).is_file(), name
    assert m["sample_fractions"] == SAMPLE_FRACTIONS
    assert m["truth_ref_columns"] == TRUTH_REF_COLUMNS
    assert {c["key"] for c in m["calibration"]} >= {"population_2019", "council_homes", "cin_rate"}
    # no canary in the manifest itself
    text = (out / "MANIFEST.json").read_text()
    assert not [s for s in CANARY_STRINGS if s in text]
    # complete tables (a count per resident must count every resident) but the council tax
    # accounts, a quarter of dwellings (their one indicator is a share); the whole set stays small
    assert {k for k, v in SAMPLE_FRACTIONS.items() if v < 1} == {"council_tax_accounts"}
    assert built.total_bytes < 400e6


def test_population_follows_ons_mid_2019(out):
    m = json.loads((out / "MANIFEST.json").read_text())
    pop = {int(k): v for k, v in m["population_30_june"].items()}
    assert abs(pop[2019] / value("population_2019") - 1) < 0.03
    assert pop[2015] < pop[2019] < pop[2023]


def test_database_tables_have_the_declared_types_and_keys(db):
    for system, con in db.items():
        for (name,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"):
            spec = {c.name: c for c in SQL_TABLES[name]}
            info = con.execute(f"PRAGMA table_info({name})").fetchall()
            assert [r[1] for r in info] == list(spec), name
            for _, col, typ, _, _, pk in info:
                want = {"date": "DATE", "datetime": "DATETIME", "int": "INTEGER", "numeric": "NUMERIC(12, 2)"}.get(
                    spec[col].type, f"VARCHAR({spec[col].length})")
                assert typ == want and bool(pk) == spec[col].pk, (name, col, typ)
    assert db["housing"].execute("SELECT count(*) FROM tenancies WHERE date_of_birth NOT GLOB "
                                 "'[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'").fetchone()[0] == 0


def test_workbooks_and_payloads_say_synthetic_and_have_the_columns(out):
    for fname, sheet, name in (("social_care_children.xlsx", "episodes", "social_care_children"),
                               ("social_care_adults.xlsx", "clients", "social_care_adults"),
                               ("education_pupils.xlsx", "pupils", "education_pupils")):
        wb = load_workbook(out / fname, read_only=True)
        assert wb.properties.title.startswith("SYNTHETIC") and wb.sheetnames == [sheet]
        header = next(wb[sheet].iter_rows(max_row=1, values_only=True))
        assert list(header) == list(FILE_COLUMNS[name])
    payload = json.loads((out / "libraries_members.json").read_text())
    assert payload["synthetic"] is True and payload["members"]
    assert set(payload["members"][0]) == {"member_id", "first_name", "surname", "date_of_birth", "address_line",
                                          "postcode", "uprn", "joined_date", "activity"}
    flat = json.loads((out / "libraries_activity.json").read_text())
    assert len(flat) == sum(len(m["activity"]) for m in payload["members"])
    assert list(flat[0]) == list(FILE_COLUMNS["libraries_activity"])
    for name in PERSONAL_CSV:
        assert (out / f"{name}.csv").read_text().splitlines()[0].split(",") == list(FILE_COLUMNS[name])


def test_gazetteer_uses_real_postcodes_and_stays_near_their_centroids(out, areas):
    llpg = pd.read_csv(out / "llpg_addresses.csv", dtype={"uprn": str})
    assert llpg["uprn"].str.fullmatch(r"\d{12}").all() and llpg["uprn"].is_unique
    assert abs(len(llpg) - value("population_2019") / 2.6) < 200
    pcs = areas.postcodes.set_index("postcode")
    assert llpg["postcode"].isin(pcs.index).all()
    c = pcs.loc[llpg["postcode"]]
    dist = np.hypot(llpg["easting"].to_numpy() - c["easting"].to_numpy(), llpg["northing"].to_numpy() - c["northing"].to_numpy())
    assert dist.max() <= 30


# ------------------------------------------------------------------ levels
def test_council_homes_and_tenancies(db):
    open_2019 = sql(db, "housing", "SELECT count(DISTINCT uprn) n FROM tenancies WHERE start_date <= '2019-06-30' "
                                   "AND (end_date IS NULL OR end_date > '2019-06-30')")["n"][0]
    assert 0.9 * value("council_homes") < open_2019 <= value("council_homes")  # a few voids


def test_housing_register_at_each_snapshot(db):
    n = sql(db, "housing", "SELECT snapshot_year, count(*) n FROM housing_register GROUP BY 1").set_index("snapshot_year")["n"]
    assert list(n.index) == list(range(2015, 2024))
    assert ((n - value("housing_register")).abs() < 0.2 * value("housing_register")).all()
    bands = sql(db, "housing", "SELECT band, count(*) n FROM housing_register GROUP BY 1").set_index("band")["n"]
    assert set(bands.index) == {"A", "B", "C", "D"} and bands["A"] < bands["B"] < bands["C"]


def test_temporary_accommodation_stock(db):
    ta = sql(db, "housing", "SELECT * FROM temporary_accommodation")
    stock = [ta.loc[(ta.start_date <= f"{y}-12-31") & (ta.end_date.isna() | (ta.end_date > f"{y}-12-31")),
                    "case_ref"].nunique() for y in range(2016, 2023)]
    assert abs(np.mean(stock) / value("households_in_ta") - 1) < 0.2
    assert set(ta.placement_type) == {"bed_and_breakfast", "nightly_let", "hostel", "private_sector_leased"}
    cases = sql(db, "housing", "SELECT case_ref FROM homelessness_cases")["case_ref"]
    assert ta["case_ref"].isin(cases).all()


def test_council_tax_support_and_collection(db):
    cts = sql(db, "revenues", "SELECT start_date, end_date FROM council_tax_support")
    stock = [((cts.start_date <= f"{y}-04-01") & (cts.end_date.isna() | (cts.end_date > f"{y}-04-01"))).sum()
             for y in range(2015, 2024)]
    assert all(abs(s / value("cts_households") - 1) < 0.2 for s in stock)
    acc = sql(db, "revenues", "SELECT sum(arrears_at_year_end) a, sum(charge) c FROM council_tax_accounts")
    assert abs(acc["a"][0] / acc["c"][0] - (1 - value("ct_collection_rate"))) < 0.015
    dhp = sql(db, "revenues", "SELECT d.claim_ref FROM dhp_awards d LEFT JOIN council_tax_support c "
                              "USING (claim_ref) WHERE c.claim_ref IS NULL")
    assert dhp.empty


def test_children_in_need_rate(files):
    e = files["social_care_children"]
    start = _dates(e["start_date"])
    end = _dates(e["end_date"])
    # denominator: ONS mid-2019 children aged 0-17 (0-15, and 2 of the 14 years of 16-29)
    pop = pd.read_csv(Path(__file__).resolve().parents[2] / "data/indicators/population/london-mid2019-pop.csv")
    bd = pop[pop["LAD11CD"] == "E09000002"]
    children = bd["Persons_0-15"].sum() + bd["Persons_16-29"].sum() * 2 / 14
    d = pd.Timestamp("2019-03-31")
    open_ = (start <= d) & (end.isna() | (end > d))
    rate = e.loc[open_, "child_ref"].nunique() / children * 1e4
    assert abs(rate / value("cin_rate") - 1) < 0.2
    lac = e.loc[open_ & (e["episode_type"] == "LAC"), "child_ref"].nunique() / children * 1e4
    assert abs(lac / value("lac_rate") - 1) < 0.3


def test_domestic_abuse_rate(files):
    cs = files["community_safety_incidents"]
    y2019 = cs["recorded_date"].str.endswith("/2019") & (cs["incident_type"] == "domestic_abuse")
    assert abs(y2019.sum() / value("population_2019") * 1000 / value("domestic_abuse_rate") - 1) < 0.2
    assert (cs["incident_type"] == "serious_youth_violence").sum() > 0


def test_ncmp_levels_and_participation(files):
    n = files["ncmp_measurements"]
    y6 = n[n["school_year"] == "6"]
    share = y6["weight_category"].value_counts(normalize=True)
    assert abs(share["obese"] + share["severely_obese"] - value("ncmp_y6_obese")) < 0.03
    assert abs(share["severely_obese"] - value("ncmp_y6_severely_obese")) < 0.015
    r = n[n["school_year"] == "R"]
    rs = r["weight_category"].value_counts(normalize=True)
    assert abs(rs["obese"] + rs["severely_obese"] - value("ncmp_reception_obese")) < 0.03
    c = n["bmi_centile"].astype(float)
    assert c.between(0, 100).all()
    assert (n.loc[c >= 95, "weight_category"].isin(["obese", "severely_obese"])).all()


def test_education_levels(pupils):
    p = pupils
    school = p["sessions_possible"].notna()
    by_year = p[school].groupby("academic_year")[["sessions_missed", "sessions_possible"]].sum()
    rate = by_year["sessions_missed"] / by_year["sessions_possible"]
    for y, r in rate.items():
        assert abs(r / ABSENCE_BY_YEAR[y] - 1) < 0.15, (y, r)
    ehc = p.groupby("academic_year")["ehc_plan"].mean()
    for y, s in ehc.items():
        assert abs(s - EHC_BY_YEAR[y]) < 0.01
    assert set(p["year_group"]) == {"R"} | {str(i) for i in range(1, 14)}
    post16 = p[p["year_group"].isin(["12", "13"])]
    nn = post16["activity_16_17"].isin(["neet", "not_known"]).mean()
    assert abs(nn - value("neet_not_known_16_17")) < 0.02
    assert p.loc[~p["year_group"].isin(["12", "13"]), "activity_16_17"].isna().all()
    assert str(p["date_of_birth"].dtype).startswith("datetime64")  # real Excel dates


# ------------------------------------------------------------------ shape
def test_more_deprived_lsoas_have_more_need(db, files, place):
    e = files["social_care_children"]
    cin = _quintile_rate(place, e["postcode"], e["child_ref"], "Persons_0-15")
    assert cin[1] > 1.5 * cin[5]
    h = sql(db, "housing", "SELECT case_ref, postcode FROM homelessness_cases")
    hom = _quintile_rate(place, h["postcode"], h["case_ref"], "Persons_All-Ages")
    assert hom[1] > 1.5 * hom[5]
    n = files["ncmp_measurements"]
    y6 = n[n["school_year"] == "6"]
    obese = _quintile_rate(place, y6.loc[y6["weight_category"].isin(["obese", "severely_obese"]), "postcode"],
                           y6.loc[y6["weight_category"].isin(["obese", "severely_obese"]), "measurement_ref"],
                           "Persons_0-15")
    measured = _quintile_rate(place, y6["postcode"], y6["measurement_ref"], "Persons_0-15")
    share = obese / measured
    assert share[1] > share[5]
    acc = sql(db, "revenues", "SELECT postcode, account_year_ref, arrears_at_year_end > 0 AS arrears FROM council_tax_accounts")
    in_arrears = _quintile_rate(place, acc.loc[acc["arrears"] == 1, "postcode"], acc.loc[acc["arrears"] == 1, "account_year_ref"], "Persons_All-Ages")
    all_acc = _quintile_rate(place, acc["postcode"], acc["account_year_ref"], "Persons_All-Ages")
    assert (in_arrears / all_acc)[1] > (in_arrears / all_acc)[5]


def test_crm_incidents_are_placed_where_they_happen(files, areas):
    c = files["crm_cases"]
    pin = c["incident_easting"].notna()
    assert 0.85 < pin.mean() < 0.97
    e = c.loc[pin, "incident_easting"].astype(int)
    n = c.loc[pin, "incident_northing"].astype(int)
    pcs = areas.postcodes
    assert e.between(pcs["easting"].min() - 200, pcs["easting"].max() + 200).all()
    assert n.between(pcs["northing"].min() - 200, pcs["northing"].max() + 200).all()
    assert set(c["category"]) == {"fly_tipping", "missed_collection", "anti_social_behaviour", "noise"}


# ------------------------------------------------------------------ mess
def _dates(s: pd.Series) -> pd.Series:
    iso = pd.to_datetime(s.where(s.str.match(r"^\d{4}-", na=False)), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(s.where(s.str.match(r"^\d{2}/", na=False)), format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def test_the_same_person_is_registered_twice_within_systems(db, out):
    t = read_truth(out)
    assert list(t.columns) == ["source_table", "record_ref", "person_id"]

    def person_refs(system, table, key):
        f = sql(db, system, f"SELECT {key} AS record_ref, person_ref FROM {table}").assign(source_table=table)
        return f.merge(t, on=["source_table", "record_ref"])[["person_id", "person_ref"]]

    # the housing system has one person reference across its modules
    housing = pd.concat([person_refs("housing", "tenancies", "tenancy_ref"),
                         person_refs("housing", "housing_register", "application_ref"),
                         person_refs("housing", "homelessness_cases", "case_ref")])
    systems = {"housing": housing, "revenues": person_refs("revenues", "council_tax_support", "claim_ref")}
    for table in ("social_care_children", "social_care_adults", "education_pupils", "libraries_members"):
        # these systems' record reference is their person reference
        systems[table] = t[t["source_table"] == table].rename(columns={"record_ref": "person_ref"})
    for name, f in systems.items():
        refs = f.groupby("person_id")["person_ref"].nunique()
        assert 0.01 < (refs > 1).mean() < 0.05, name
        assert f.groupby("person_ref")["person_id"].nunique().max() == 1, name
    systems = t.groupby("person_id")["source_table"].nunique()
    assert (systems >= 3).sum() > 1000  # people known to several systems


def test_names_vary_for_one_person_across_records(db, out):
    t = read_truth(out)
    ten = sql(db, "housing", "SELECT tenancy_ref AS record_ref, first_name, surname FROM tenancies")
    cts = sql(db, "revenues", "SELECT claim_ref AS record_ref, first_name, surname FROM council_tax_support")
    rows = pd.concat([ten.assign(source_table="tenancies"), cts.assign(source_table="council_tax_support")])
    rows = rows.merge(t, on=["source_table", "record_ref"])
    spellings = rows.assign(name=rows["first_name"] + " " + rows["surname"]).groupby("person_id")["name"].nunique()
    both = rows.groupby("person_id")["source_table"].nunique() == 2
    varied = (spellings[both] > 1).mean()
    assert 0.04 < varied < 0.3


def test_postcodes_go_missing_mistyped_and_outside_the_borough(db, files, areas):
    inside = set(areas.postcodes["postcode"])
    outside = set(areas.outside["postcode"])
    samples = {
        "homelessness_cases": sql(db, "housing", "SELECT postcode FROM homelessness_cases")["postcode"],
        "council_tax_support": sql(db, "revenues", "SELECT postcode FROM council_tax_support")["postcode"],
        "social_care_children": files["social_care_children"]["postcode"],
        "ncmp_measurements": files["ncmp_measurements"]["postcode"],
    }
    for name, pc in samples.items():
        missing = pc.isna().mean()
        valid = pc.fillna("").str.fullmatch(VALID_POSTCODE.pattern)
        mistyped = (pc.notna() & ~valid).mean()
        out_ = pc.isin(outside).mean()
        assert 0.015 < missing < 0.05, name
        assert 0.005 < mistyped < 0.03, name
        assert 0.01 < out_ < 0.035, name
        assert pc[valid].isin(inside | outside).mean() > 0.97, name


def test_uprns_are_missing_where_systems_do_not_hold_them(db, files):
    sc = files["social_care_children"]["uprn"]
    assert 0.12 < sc.isna().mean() < 0.2
    ten = sql(db, "housing", "SELECT uprn FROM tenancies")["uprn"]
    assert ten.isna().mean() < 0.03


def test_date_formats_change_partway(files):
    sc = files["social_care_children"]
    uk = sc["start_date"].str.match(r"^\d{2}/\d{2}/\d{4}$")
    iso = sc["start_date"].str.match(r"^\d{4}-\d{2}-\d{2}$")
    assert uk.any() and iso.any() and (uk | iso).all()
    assert _dates(sc.loc[uk, "start_date"]).max() < pd.Timestamp("2019-01-01")
    crm = files["crm_cases"]["created_at"]
    assert crm.str.match(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$").any()
    assert crm.str.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$").any()
    ncmp = files["ncmp_measurements"]["measurement_date"]
    assert ncmp.str.contains("/").any() and ncmp.str.contains("-").any()


def test_updated_at_watermarks_follow_the_records(db):
    rep = sql(db, "housing", "SELECT reported_date, completed_date, updated_at FROM repairs")
    assert (rep["updated_at"].str[:10] >= rep["reported_date"]).all()
    assert (rep["completed_date"].isna() | (rep["updated_at"].str[:10] >= rep["completed_date"])).all()
    reg = sql(db, "housing", "SELECT snapshot_year, updated_at FROM housing_register")
    assert (reg["updated_at"].str[:4].astype(int) == reg["snapshot_year"]).all()
    for system, table in (("housing", "tenancies"), ("revenues", "council_tax_accounts"), ("housing", "repairs")):
        u = sql(db, system, f"SELECT updated_at FROM {table}")["updated_at"]
        assert u.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
        assert u.max() <= "2024-06-30 23:59:59" and u.min() >= "2015-01-01"
    # an incremental read by watermark picks up only recent records
    recent = sql(db, "housing", "SELECT count(*) n FROM repairs WHERE updated_at > '2023-01-01 00:00:00'")["n"][0]
    total = sql(db, "housing", "SELECT count(*) n FROM repairs")["n"][0]
    assert 0 < recent < 0.25 * total


# ------------------------------------------------------------------ canaries and truth
def _system_texts(out: Path) -> dict[str, str]:
    texts = {}
    for db_name in ("housing.sqlite", "revenues.sqlite"):
        con = sqlite3.connect(out / db_name)
        for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"):
            texts[t] = "\n".join("|".join(map(str, r)) for r in con.execute(f"SELECT * FROM {t}"))
        con.close()
    for f in out.glob("*.xlsx"):
        with zipfile.ZipFile(f) as z:
            texts[f.stem] = z.read("xl/sharedStrings.xml").decode("utf-8")
    for f in list(out.glob("*.csv")) + list(out.glob("*.json")):
        if f.name not in ("llpg_addresses.csv", "MANIFEST.json"):
            texts[f.stem] = f.read_text(encoding="utf-8")
    return texts


def test_canaries_appear_in_several_systems(out):
    texts = _system_texts(out)
    for c in CANARIES:
        full = f"{c.first_name} {c.surname}"
        where = {t for t, text in texts.items() if c.first_name in text and c.surname in text}
        systems = {w.replace("libraries_activity", "libraries").replace("libraries_members", "libraries") for w in where}
        assert len(systems) >= 3, (full, sorted(systems))
    # the canary street names are in the gazetteer too (an address is not personal by itself)
    llpg = (out / "llpg_addresses.csv").read_text()
    assert "Xylophory Close" in llpg and "Zarathine Walk" in llpg


def test_truth_refers_to_records_that_exist(db, files, out, pupils):
    t = read_truth(out)
    assert set(t["source_table"]) == set(TRUTH_REF_COLUMNS)
    refs = {
        "tenancies": sql(db, "housing", "SELECT tenancy_ref r FROM tenancies")["r"],
        "housing_register": sql(db, "housing", "SELECT application_ref r FROM housing_register")["r"],
        "council_tax_support": sql(db, "revenues", "SELECT claim_ref r FROM council_tax_support")["r"],
        "council_tax_accounts": sql(db, "revenues", "SELECT account_year_ref r FROM council_tax_accounts")["r"],
        "social_care_children": files["social_care_children"]["child_ref"],
        "crm_cases": files["crm_cases"]["case_ref"],
        "education_pupils": pupils["upn"],
        "libraries_members": files["libraries_activity"]["member_id"],
    }
    for table, r in refs.items():
        truth_refs = set(t.loc[t["source_table"] == table, "record_ref"])
        assert truth_refs and truth_refs <= set(r), table
        if table != "crm_cases":  # anonymous CRM reports have no person
            assert set(r) <= truth_refs, table


# ------------------------------------------------------------------ the library API
def test_library_api_serves_the_built_payload_in_pages(out):
    records = json.loads((out / "libraries_activity.json").read_text())
    server, url = serve_library_api(out / "libraries_activity.json")
    try:
        got, nxt = [], f"{url}/api/v1/member-activity?page=1&per_page=2000"
        while nxt:
            with urllib.request.urlopen(nxt) as r:
                got += json.loads(r.read())
                link = r.headers.get("Link")
                nxt = re.match(r'<([^>]+)>; rel="next"', link).group(1) if link else None
        assert got == records
        server2, url2 = serve_library_api(out / "libraries_members.json")  # the nested payload, flattened
        try:
            with urllib.request.urlopen(f"{url2}/api/v1/member-activity") as r:
                assert json.loads(r.read()) == records
        finally:
            server2.shutdown()
            server2.server_close()
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ determinism
def _digest(out: Path) -> dict[str, str]:
    d = {}
    for f in sorted(out.rglob("*")):
        if f.is_file() and f.suffix != ".sqlite":
            d[str(f.relative_to(out))] = hashlib.sha256(f.read_bytes()).hexdigest()
    for db_name in ("housing.sqlite", "revenues.sqlite"):
        con = sqlite3.connect(out / db_name)
        for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"):
            h = hashlib.sha256()
            for row in con.execute(f"SELECT * FROM {t} ORDER BY 1"):
                h.update(repr(row).encode())
            d[f"{db_name}:{t}"] = h.hexdigest()
        con.close()
    return d


def test_same_seed_gives_identical_outputs(out, tmp_path):
    again = build_council_systems(tmp_path / "again")
    assert _digest(again.out_dir) == _digest(out)
    for db_name in ("housing.sqlite", "revenues.sqlite"):
        assert (again.out_dir / db_name).read_bytes() == (out / db_name).read_bytes()
    other = build_council_systems(tmp_path / "other", seed=7)
    assert (other.out_dir / "crm_cases.csv").read_bytes() != (out / "crm_cases.csv").read_bytes()
