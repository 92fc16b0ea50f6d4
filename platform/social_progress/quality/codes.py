"""Valid GSS codes for each geography vintage, for London and for the deployment's borough.

Why from the bundled reference files rather than the warehouse: a source check runs right
after its own ingest, possibly before the geography assets of the same run; the
reference files (ONS lookups and boundaries, named in the catalogue) are always there.

Code lists (suite parameters, `{$PARAMETER: <name>}` in a suite):
  lsoa11_london, lsoa11_borough   LSOA 2011 (ONS LSOA11 -> ward 2019 -> LAD 2019 lookup)
  ward19_borough                  the 2019 (pre-2022) wards of the borough
  lsoa21_borough                  LSOA 2021 of the borough (LSOA 2021 boundaries)
  ward22_borough                  the wards in force since May 2022
  lad_london                      the 33 London local authorities
  borough_code                    [the borough's own code]

A feed that covers named boroughs only (catalogue `coverage.boroughs`, e.g. one council's
FixMyStreet extract) is checked against the codes of those boroughs, whichever borough is
deployed: its rows are right when they are its boroughs' areas.
"""
from __future__ import annotations

import glob
from functools import lru_cache
from pathlib import Path

import pandas as pd

from social_progress.borough import area_config
from social_progress.catalogue import load_catalogue
from social_progress.settings import Settings

REFERENCE_SOURCES = {"lookup": "lsoa11_ward19_lookup", "lsoa21": "lsoa21_boundaries", "ward22": "ward22_boundaries",
                     "lad": "borough_boundaries"}


def cached_catalogue(settings: Settings):
    """The catalogue, parsed once while sources.yml is unchanged (a check runs per source)."""
    path = Path(settings.sources_path)
    return _catalogue(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _catalogue(path: str, _mtime: int):
    return load_catalogue(path)


def code_lists(settings: Settings, boroughs: list[str] | None = None) -> dict[str, list[str]]:
    """The code lists for the deployed borough, or for `boroughs` (a feed's declared coverage)."""
    chosen = tuple(sorted(boroughs or area_config(settings).boroughs))
    catalogue = cached_catalogue(settings)
    files: dict[str, tuple] = {}
    for name, source_id in REFERENCE_SOURCES.items():
        try:
            pattern = catalogue.get(source_id).reader.path
        except (KeyError, AttributeError):
            files[name] = ()
            continue
        paths = sorted(glob.glob(str(settings.project_root / pattern)))
        files[name] = tuple((p, Path(p).stat().st_mtime_ns) for p in paths)
    return _lists(chosen, tuple(sorted(files.items())))


@lru_cache(maxsize=8)
def _lists(boroughs: tuple[str, ...], files: tuple) -> dict[str, list[str]]:
    files = dict(files)
    chosen = list(boroughs)
    out: dict[str, list[str]] = {"borough_code": chosen}
    look = _read(files.get("lookup", ()), ["LSOA11CD", "WD19CD", "LAD19CD"])
    if look is not None:
        out["lsoa11_london"] = sorted(look["LSOA11CD"].dropna().unique())
        mine = look[look["LAD19CD"].isin(chosen)]
        out["lsoa11_borough"] = sorted(mine["LSOA11CD"].unique())
        out["ward19_borough"] = sorted(mine["WD19CD"].unique())
    l21 = _read(files.get("lsoa21", ()), ["LSOA21CD", "LAD22CD"])
    if l21 is not None:
        out["lsoa21_borough"] = sorted(l21.loc[l21["LAD22CD"].isin(chosen), "LSOA21CD"].unique())
    w22 = _read(files.get("ward22", ()), ["WD25CD", "LAD25CD"])
    if w22 is not None:
        out["ward22_borough"] = sorted(w22.loc[w22["LAD25CD"].isin(chosen), "WD25CD"].unique())
    lad = _read(files.get("lad", ()), ["LAD22CD"])
    if lad is not None:
        out["lad_london"] = sorted(lad["LAD22CD"].dropna().unique())
    return out


def _read(files: tuple, columns: list[str]) -> pd.DataFrame | None:
    frames = []
    for path, _ in files:
        try:
            if path.endswith(".csv"):
                frames.append(pd.read_csv(path, usecols=columns, dtype=str))
            else:
                import pyogrio

                frames.append(pyogrio.read_dataframe(path, columns=columns, read_geometry=False))
        except Exception:  # a broken reference file is reported by its own source check
            continue
    return pd.concat(frames, ignore_index=True) if frames else None
