"""Geography reference assets built from the landed boundary files of the borough."""
import duckdb
import pytest
import shapely
from dagster import materialize

from social_progress.borough import area_config
from social_progress.catalogue import load_catalogue
from social_progress.defs.geography import build_geography_assets
from social_progress.defs.ingest import build_raw_assets
from social_progress.defs.resources import resources_for
from social_progress.settings import get_settings

BOUNDARY_SOURCES = {"lsoa11_boundaries", "lsoa21_boundaries", "ward22_boundaries", "borough_boundaries", "lsoa11_ward19_lookup",
                    "postcodes", "police_uk", "schools", "gp_practices", "food_hygiene"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = tmp_path_factory.mktemp("geo_wh")
    mp = pytest.MonkeyPatch()
    mp.setenv("SPI_WAREHOUSE_DIR", str(wh))
    settings = get_settings()
    catalogue = load_catalogue(settings.sources_path)
    ingest = [a for a in build_raw_assets(catalogue, settings) if a.key.path[-1] in BOUNDARY_SOURCES]
    resources = {k: v for k, v in resources_for(settings).items() if k in ("platform", "warehouse")}
    owner = area_config(settings).index_owner.email   # the deployment's index owner, as definitions.py wires it
    result = materialize([*ingest, *build_geography_assets(settings, owner)], resources=resources)
    assert result.success
    yield duckdb.connect(str(wh / "social_progress.duckdb"), read_only=True)
    mp.undo()


def test_every_vintage_has_the_borough_areas(warehouse):
    counts = dict(warehouse.execute("SELECT boundary, count(*) FROM geography.areas GROUP BY 1").fetchall())
    assert counts == {"lsoa11": 110, "lsoa21": 115, "ward19": 17, "ward22": 19, "lad": 1}
    old = [r[0] for r in warehouse.execute("SELECT area_code FROM geography.areas WHERE boundary='ward19' ORDER BY 1").fetchall()]
    assert old == [f"E050000{n}" for n in range(26, 43)]
    new = [r[0] for r in warehouse.execute("SELECT area_code FROM geography.areas WHERE boundary='ward22' ORDER BY 1").fetchall()]
    assert new == [f"E0501{n}" for n in range(4053, 4072)]


def test_old_wards_follow_the_official_lookup_and_tile_the_borough(warehouse):
    mismatched = warehouse.execute("""SELECT count(*) FROM geography.lsoa11_lookup l
        JOIN raw.lsoa11_ward19_lookup r ON r."LSOA11CD" = l.lsoa11_code WHERE r."WD19CD" <> l.ward19_code""").fetchone()[0]
    assert mismatched == 0
    wards = shapely.from_wkt([r[0] for r in warehouse.execute("SELECT geometry_wkt FROM geography.ward19_boundaries").fetchall()])
    lsoas = shapely.from_wkt([r[0] for r in warehouse.execute("SELECT geometry_wkt FROM geography.lsoa11_boundaries").fetchall()])
    assert sum(w.area for w in wards) == pytest.approx(sum(l.area for l in lsoas), rel=1e-6)


def test_every_lsoa_has_a_current_ward_by_best_fit_inside_the_borough(warehouse):
    rows = warehouse.execute("SELECT lsoa11_code, ward22_code, ward22_share, centroid_x, centroid_y FROM geography.lsoa11_lookup").fetchall()
    assert len(rows) == 110
    assert all(r[1].startswith("E0501") and 0.4 < r[2] <= 1.0 + 1e-9 for r in rows)
    # generalised (20 m) boundaries: 49 of 110 lie >99% in one new ward, and the median share is ~0.99
    assert sum(r[2] > 0.99 for r in rows) >= 45
    assert sorted(r[2] for r in rows)[55] > 0.95
    borough = shapely.from_wkt(warehouse.execute("SELECT geometry_wkt FROM geography.borough_boundary").fetchone()[0])
    inside = sum(borough.buffer(50).contains(shapely.Point(r[3], r[4])) for r in rows)
    assert inside == 110


def test_bridges_keep_weights_summing_to_one_and_report_their_quality(warehouse):
    sums = warehouse.execute("""SELECT bridge, max(abs(s - 1)) FROM (
        SELECT bridge, source_code, sum(weight) AS s FROM geography.bridges GROUP BY 1, 2) GROUP BY 1""").fetchall()
    assert {b for b, _ in sums} >= {"lsoa11->ward19", "lsoa11->ward22", "lsoa21->ward22", "lsoa21->ward22:best_fit",
                                    "lsoa11->lsoa21", "lsoa21->lsoa11", "ward19->ward22", "ward22->lad"}
    assert all(dev < 1e-12 for _, dev in sums)
    methods = dict(warehouse.execute("SELECT DISTINCT bridge, method FROM geography.bridges").fetchall())
    assert methods["lsoa11->ward19"] == "lookup" and methods["lsoa21->ward22:best_fit"] == "best_fit"
    assert methods["lsoa21->ward22"] == "apportionment_population"
    import json
    reports = {b: json.loads(r) for b, r in warehouse.execute("SELECT bridge, report FROM geography.bridge_reports").fetchall()}
    split = reports["lsoa21->ward22"]
    assert split["n_split_sources"] > 0 and split["largest_split"]
    assert reports["lsoa11->ward19"]["n_split_sources"] == 0  # LSOA 2011 nest in the 2019 wards


def test_record_sources_are_placed_with_match_reports(warehouse):
    import json
    reports = {s: json.loads(r) for s, r in warehouse.execute("SELECT source_id, report FROM geography.match_reports").fetchall()}
    assert set(reports) == {"police_uk", "schools", "gp_practices", "food_hygiene"}
    for r in reports.values():
        assert r["total"] == r["matched"] + r["unmatched"] + r["invalid"]
    police = reports["police_uk"]
    assert police["total"] == 4000 and police["matched"] >= 1990  # ~2,002 of the sample are in the borough
    gp = reports["gp_practices"]
    # the bundled epraccur is London-wide (2,397 organisations with a London postcode, Dec 2023);
    # 71 of them have a Barking and Dagenham postcode and are placed in the borough's areas
    assert gp["total"] == 2397 and gp["matched"] == 71 and gp["invalid"] == 0
    placed = warehouse.execute("""SELECT count(*), count(ward22_code), count(DISTINCT ward22_code)
                                  FROM geography.gp_practices_located""").fetchone()
    assert placed[0] == 2397 and placed[1] == 71 and placed[2] >= 15
    agree = warehouse.execute("""SELECT avg((l.lsoa11_code = r."LSOA code")::int) FROM geography.police_uk_located l
                                 JOIN raw.police_uk r ON r."Crime ID" = l.record_key
                                 WHERE l.lsoa11_code IS NOT NULL AND r."Crime ID" IS NOT NULL""").fetchone()[0]
    assert agree >= 0.93
