"""A borough is a configuration value: SPI_BOROUGH, derived names and neighbours, coverage.

The expected neighbours are the boroughs that share a boundary, as on any map of London
(checked by hand against the ONS borough map), not values read from the code.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from social_progress.borough import AreaConfigError, area_config, area_config_version, london_boroughs
from social_progress.catalogue.models import Coverage
from social_progress.dbt_project import dbt_vars
from social_progress.publish.targets import load_targets
from social_progress.quality.codes import code_lists
from social_progress.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
BOROUGHS = ROOT / "data" / "geography" / "london_lad22_gen20.geojson"


@pytest.fixture()
def settings(monkeypatch):
    monkeypatch.delenv("SPI_BOROUGH", raising=False)
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(ROOT))
    return get_settings()


def test_the_33_london_boroughs_with_their_names():
    b = london_boroughs(BOROUGHS)
    assert len(b) == 33
    assert b["E09000002"][0] == "Barking and Dagenham" and b["E09000025"][0] == "Newham"
    assert b["E09000001"][0] == "City of London"


@pytest.mark.parametrize("code, neighbours", [
    ("E09000002", {"E09000016", "E09000025", "E09000026"}),            # Havering, Newham, Redbridge
    ("E09000023", {"E09000006", "E09000011", "E09000028"}),            # Lewisham: Bromley, Greenwich, Southwark
    ("E09000001", {"E09000007", "E09000012", "E09000019", "E09000030", "E09000033"}),  # the City
])
def test_neighbours_are_the_boroughs_sharing_a_boundary(code, neighbours):
    assert set(london_boroughs(BOROUGHS)[code][1]) == neighbours


def test_without_spi_borough_the_file_decides(settings):
    cfg = area_config(settings, env={})
    assert cfg.borough.code == "E09000002" and cfg.comparators == ["E09000016", "E09000026", "E09000025"]


def test_spi_borough_chooses_another_borough_its_name_and_neighbours(settings):
    base = area_config(settings, env={})
    cfg = area_config(settings, env={"SPI_BOROUGH": "e09000025 "})
    assert (cfg.borough.code, cfg.borough.name) == ("E09000025", "Newham")
    assert "E09000002" in cfg.comparators and "E09000016" not in cfg.comparators   # B&D borders Newham; Havering not
    assert cfg.index == base.index                                                  # the years and method stay


def test_an_unknown_borough_is_refused_with_the_list(settings):
    with pytest.raises(AreaConfigError, match=r"SPI_BOROUGH=E09000099 is not a London borough.*E09000025 Newham"):
        area_config(settings, env={"SPI_BOROUGH": "E09000099"})


def test_choosing_another_borough_changes_the_configuration_version(settings, monkeypatch):
    before = area_config_version(settings)
    monkeypatch.setenv("SPI_BOROUGH", "E09000025")
    assert area_config_version(settings) != before
    monkeypatch.setenv("SPI_BOROUGH", "E09000002")          # the file's own borough: the same configuration
    assert area_config_version(settings) == before


def test_another_borough_publishes_under_its_own_folder(monkeypatch):
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(ROOT))
    monkeypatch.delenv("SPI_RELEASES_DIR", raising=False)
    monkeypatch.setenv("SPI_BOROUGH", "E09000025")
    assert get_settings().releases_dir == ROOT / "releases" / "E09000025"
    monkeypatch.setenv("SPI_BOROUGH", "../../etc")          # never a path: a bad value names no folder
    assert get_settings().releases_dir == ROOT / "releases"


def test_a_feed_of_one_borough_is_checked_against_that_boroughs_areas(settings):
    mine = code_lists(settings)
    newham = code_lists(settings, boroughs=["E09000025"])
    assert mine["borough_code"] == ["E09000002"] and newham["borough_code"] == ["E09000025"]
    assert len(mine["lsoa11_borough"]) == 110 and not set(mine["lsoa11_borough"]) & set(newham["lsoa11_borough"])
    assert len(mine["ward19_borough"]) == 17


def test_coverage_and_the_vars_that_take_its_indicators_out(settings, monkeypatch, tmp_path):
    cov = Coverage(boroughs=["E09000002"])
    assert cov.covers("E09000002") and not cov.covers("E09000025")
    assert "uncovered_sources" not in dbt_vars(settings)        # the default borough: every source covers it
    monkeypatch.setenv("SPI_BOROUGH", "E09000025")
    assert _public(dbt_vars(settings)["uncovered_sources"]) == ["fixmystreet"]
    # the council's own systems (SYNTHETIC stand-ins of Barking and Dagenham's) cover no other borough
    council = [s for s in dbt_vars(settings)["uncovered_sources"] if s.startswith("council_")]
    assert len(council) == 16


def _public(sources: list[str]) -> list[str]:
    return [s for s in sources if not s.startswith("council_")]


def test_targets_count_only_for_their_own_borough(tmp_path):
    path = tmp_path / "targets.yml"
    shutil.copy(ROOT / "catalogue" / "targets.yml", path)
    mine = load_targets(path, borough="E09000002")
    assert len(mine) >= 1
    assert load_targets(path, borough="E09000025") == []
    assert load_targets(path) == mine                            # no borough given: the file as it is


def test_a_london_feed_with_holes_names_the_boroughs_it_lacks():
    cov = Coverage(except_boroughs=["E09000001"])
    assert cov.covers("E09000002") and not cov.covers("E09000001")
    assert cov.covered(["E09000001", "E09000002", "E09000003"]) == ["E09000002", "E09000003"]
    with pytest.raises(ValueError, match="either boroughs"):
        Coverage(boroughs=["E09000002"], except_boroughs=["E09000001"])
    with pytest.raises(ValueError, match="either boroughs"):
        Coverage()


def test_the_city_of_london_leaves_the_crime_indicators(settings, monkeypatch):
    """The Met's files have no City of London rows (checked in the bundled files)."""
    crime = sorted((ROOT / "data" / "indicators" / "crime").glob("*.csv"))
    assert crime and not any("E09000001" in f.read_text() for f in crime)
    # nor do the ward profiles carry any ward the City's LSOAs nest in (2019 wards)
    import pandas as pd
    look = pd.read_csv(ROOT / "data" / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", dtype=str)
    profiles = pd.read_csv(ROOT / "data" / "indicators" / "ward_profiles" / "ward-profiles-excel-version.csv",
                           encoding="cp1252", dtype=str)
    assert not set(look.loc[look["LAD19CD"] == "E09000001", "WD19CD"]) & set(profiles["New code"])
    monkeypatch.setenv("SPI_BOROUGH", "E09000001")
    assert _public(dbt_vars(settings)["uncovered_sources"]) == ["crime", "ward_profiles", "fixmystreet"]
    monkeypatch.setenv("SPI_BOROUGH", "E09000025")
    assert _public(dbt_vars(settings)["uncovered_sources"]) == ["fixmystreet"]


def test_london_is_a_deployment_of_every_borough(settings, monkeypatch):
    """SPI_BOROUGH=E12000007: every borough's areas, no comparators; a source with holes is
    passed as the boroughs it lacks (their rows flagged not_covered), a one-borough extract
    leaves London's framework."""
    monkeypatch.setenv("SPI_BOROUGH", "E12000007")
    cfg = area_config(settings)
    assert cfg.is_london and cfg.borough.name == "London" and cfg.comparators == []
    import geopandas as gpd
    lads = gpd.read_file(ROOT / "data" / "geography" / "london_lad22_gen20.geojson")
    assert cfg.boroughs == sorted(lads["LAD22CD"]) and len(cfg.boroughs) == 33
    v = dbt_vars(settings)
    assert v["boroughs"] == cfg.boroughs and _public(v["uncovered_sources"]) == ["fixmystreet"]
    assert v["not_covered"]["crime"] == ["E09000001"]
    assert "E09000025" not in v["not_covered"]["ward_profiles"] and "E09000001" in v["not_covered"]["ward_profiles"]
    assert get_settings().releases_dir.name == "E12000007"
