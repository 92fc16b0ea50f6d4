"""Geography reference assets built from the landed boundary files of the borough."""
import duckdb
import pytest
import shapely
from dagster import materialize

from social_progress.assets.geography import geography_assets
from social_progress.assets.ingest import build_ingest_assets
from social_progress.catalogue import load_catalogue
from social_progress.settings import get_settings

BOUNDARY_SOURCES = {"lsoa11_boundaries", "lsoa21_boundaries", "ward22_boundaries", "borough_boundaries", "lsoa11_ward19_lookup"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = tmp_path_factory.mktemp("geo_wh")
    mp = pytest.MonkeyPatch()
    mp.setenv("SPI_WAREHOUSE_DIR", str(wh))
    catalogue = load_catalogue(get_settings().sources_path)
    ingest = [a for a in build_ingest_assets(catalogue) if a.key.path[-1] in BOUNDARY_SOURCES]
    result = materialize([*ingest, *geography_assets])
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
