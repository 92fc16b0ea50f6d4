"""Rebuild a release from an existing warehouse with the current publish and explorer code,
into a folder of your choice, to iterate on the explorer without a refresh.

    .venv/bin/python scripts/dev_release.py /tmp/my-release
    SPI_EXPLORER_RELEASE=/tmp/my-release/latest .venv/bin/python -m pytest tests/explorer -p no:xdist

The warehouse is opened read only (warehouse/social_progress.duckdb by default; set
SPI_WAREHOUSE_DIR for another). Not used by the refresh or the tests.
"""
from __future__ import annotations

import sys
from pathlib import Path

from social_progress.publish.assemble import build_from_settings, run_data_docs
from social_progress.publish.release import publish
from social_progress.settings import get_settings


def main(out: str) -> None:
    settings = get_settings()
    links, docs = run_data_docs(settings)
    # derived marts newer than the warehouse (added since its refresh) are computed here with
    # the current code, as read_warehouse does for an older warehouse
    year, files = build_from_settings(settings, data_docs=links, require_marts=False)
    result = publish(Path(out), year, files, run_records=docs)
    print(f"release {year}: {result.path} (latest: {Path(out) / 'latest'})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
