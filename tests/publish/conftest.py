import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fixture_warehouse import make_warehouse  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def build(tmp_path):
    """build(**optional tables) -> (year, files) for the fixture warehouse and the project's catalogue."""
    from social_progress.publish.build import build_release, read_warehouse

    def _build(targets_path=None, **optional):
        db = make_warehouse(tmp_path / f"wh-{len(list(tmp_path.iterdir()))}" / "social_progress.duckdb", **optional)
        return build_release(read_warehouse(db), borough={"code": "E09000002", "name": "Barking and Dagenham"},
                             sources_path=ROOT / "catalogue" / "sources.yml", targets_path=targets_path,
                             code_version="test-version")
    return _build
