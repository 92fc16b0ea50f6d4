"""Fixtures for the index engine tests."""

from __future__ import annotations

import pandas as pd
import pytest

from index_helpers import small_specs, small_values
from social_progress.index import Framework, IndicatorSpec


@pytest.fixture
def specs() -> list[IndicatorSpec]:
    return small_specs()


@pytest.fixture
def framework(specs) -> Framework:
    return Framework(specs)


@pytest.fixture
def values(specs) -> pd.DataFrame:
    return small_values(specs=specs)
