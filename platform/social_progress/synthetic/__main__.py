"""`python -m social_progress.synthetic <out_dir>`: build the synthetic council systems."""
from __future__ import annotations

import argparse

from . import DEFAULT_SEED, build_council_systems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m social_progress.synthetic",
                                 description="Generate SYNTHETIC council record systems for Barking and Dagenham.")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--first-year", type=int, default=2015)
    ap.add_argument("--last-year", type=int, default=2023)
    ap.add_argument("--housing-url", default=None, help="SQLAlchemy URL (default: SQLite in out_dir)")
    ap.add_argument("--revenues-url", default=None, help="SQLAlchemy URL (default: SQLite in out_dir)")
    a = ap.parse_args(argv)
    summary = build_council_systems(a.out_dir, seed=a.seed, first_year=a.first_year, last_year=a.last_year,
                                    housing_url=a.housing_url, revenues_url=a.revenues_url)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
