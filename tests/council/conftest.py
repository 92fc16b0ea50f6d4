import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))

from project_copy import shared_good_refresh  # noqa: E402


@pytest.fixture(scope="session")
def refreshed_project(tmp_path_factory) -> Path:
    """The session's shared real refresh (bundled data plus the SYNTHETIC council systems)."""
    return shared_good_refresh(tmp_path_factory)
