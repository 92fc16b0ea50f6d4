import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixture_warehouse import BOROUGH_DICT, make_warehouse  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def build(tmp_path):
    """build(**optional tables) -> (year, files) for the fixture warehouse and the project's catalogue.

    As in a refresh: the derived marts are computed and written to the warehouse first
    (publish.marts.write_derived_marts), then the release is built from them alone."""
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import write_derived_marts

    def _build(targets_path=None, **optional):
        db = make_warehouse(tmp_path / f"wh-{len(list(tmp_path.iterdir()))}" / "social_progress.duckdb", **optional)
        write_derived_marts(db, BOROUGH_DICT, targets_path)
        return build_release(read_warehouse(db, require_marts=True), borough=BOROUGH_DICT,
                             sources_path=ROOT / "catalogue" / "sources.yml", targets_path=targets_path,
                             code_version="test-version")
    return _build
