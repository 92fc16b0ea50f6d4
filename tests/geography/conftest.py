"""Shared fixtures: the bundled real boundaries, indexed once per test session.

The bundle is London-wide; these tests work on a study area of Barking and Dagenham and
its three neighbours (Havering, Redbridge, Newham): enough for points near borough edges
and for every bridge, and quick to index. Counts asserted in the tests are of this area
(e.g. 585 LSOA 2011, 617 LSOA 2021, 85 wards of 2022).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from social_progress.geography.boundaries import standard_layers
from social_progress.geography.points import build_indexes
from social_progress.geography.vintages import build_bridges, population_points_from_codepoint

DATA = Path(__file__).resolve().parents[2] / "data"
BD = "E09000002"
AREA = [BD, "E09000016", "E09000026", "E09000025"]  # B&D, Havering, Redbridge, Newham


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def layers():
    return standard_layers(DATA, boroughs=AREA)


@pytest.fixture(scope="session")
def indexes(layers):
    return build_indexes(layers)


@pytest.fixture(scope="session")
def codepoint() -> pd.DataFrame:
    cp = pd.concat([pd.read_csv(f) for f in sorted((DATA / "records" / "codepoint_2025_4").glob("E09*.csv"))],
                   ignore_index=True)
    return cp[cp["lad_code"].isin(AREA)].reset_index(drop=True)


@pytest.fixture(scope="session")
def ward19_lookup() -> pd.DataFrame:
    return pd.read_csv(DATA / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", dtype=str)


@pytest.fixture(scope="session")
def population_points(codepoint):
    return population_points_from_codepoint(codepoint)


@pytest.fixture(scope="session")
def bridges(layers, ward19_lookup, population_points):
    return build_bridges(layers, ward19_lookup, population_points)


@pytest.fixture(scope="session")
def pop2019() -> pd.DataFrame:
    """Mid-2019 LSOA 2011 population as (code, value, lad)."""
    p = pd.read_csv(DATA / "indicators" / "population" / "london-mid2019-pop.csv")
    return p.rename(columns={"LSOA11CD": "code", "Persons_All-Ages": "value", "LAD11CD": "lad"})[["code", "value", "lad"]]
