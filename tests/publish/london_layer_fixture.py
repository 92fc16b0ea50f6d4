"""A small, hand-made London layer (tests only), published the way the London-wide run
publishes its layer (publish.release.publish: a year folder and `latest`).

33 boroughs scored for the fixture warehouse's years (fixture_warehouse.YEARS) on its two
indicators. Barking and Dagenham's scores are the fixture warehouse's own (so they agree with
its release); the others are set by hand around them:

- 2021 index: four boroughs score more than Barking and Dagenham's 43.4 and one scores 43.41,
  which shows as 43.4 too: a tie, so the borough is "=5th of 33";
- 2019 index: ten boroughs score more, none the same: "11th of 33";
- London's own score (london.csv) is 61.2 in 2021 (index) and 58.7 (Basic Human Needs).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from fixture_warehouse import BOROUGH, META, YEARS

BOROUGHS = [f"E09{n:06d}" for n in range(1, 34)]
# the fixture warehouse's own borough scores (its marts.index_scores, lad rows)
OWN = {2019: 30.496032, 2020: 30.793651, 2021: 43.392857}
ABOVE = {2019: [70.0, 68.5, 66.1, 64.0, 60.2, 58.8, 55.5, 52.0, 48.3, 45.0], 2020: [40.0, 35.5],
         2021: [70.1, 66.0, 60.5, 50.2]}
TIED = {2021: 43.41}
LONDON = {2019: (57.0, 55.1), 2020: (59.4, 57.3), 2021: (61.2, 58.7)}   # (index, Basic Human Needs)
WEIGHTS = {"crime_rate": 1.0, "green_share": 1.0}     # each alone in its component


def borough_scores(year: int) -> dict[str, float]:
    """Every borough's index score in `year`: the fixture borough's own, those set above it,
    a tie where there is one, and the rest below (from 20.0 upwards in steps of 0.3)."""
    others = [c for c in BOROUGHS if c != BOROUGH[0]]
    fixed = ABOVE[year] + ([TIED[year]] if year in TIED else [])
    below = [round(20.0 + 0.3 * i, 4) for i in range(len(others) - len(fixed))]
    return {BOROUGH[0]: OWN[year], **dict(zip(others, fixed + below))}


def boroughs_csv() -> pd.DataFrame:
    rows = []
    for y in YEARS:
        for code, score in borough_scores(y).items():
            for mtype, measure in (("index", "Social Progress Index"), ("dimension", "Basic Human Needs")):
                rows.append({"area_code": code, "area_name": f"Borough {code[-2:]}", "year": y, "measure_type": mtype,
                             "measure": measure, "score": score, "rank": None, "imputed_share": 0.0})
    return pd.DataFrame(rows)


def london_csv() -> pd.DataFrame:
    return pd.DataFrame([{"area_code": "E12000007", "area_name": "London", "year": y, "measure_type": t, "measure": m,
                          "score": LONDON[y][i], "imputed_share": 0.0}
                         for y in YEARS for i, (t, m) in enumerate((("index", "Social Progress Index"),
                                                                     ("dimension", "Basic Human Needs")))])


def framework(**changes) -> dict:
    """The layer's framework as the London layer writer describes it (common_framework.describe)
    of the fixture's indicators; `changes` = {indicator: {field: value}} alters the metadata first."""
    from social_progress.publish.common_framework import describe

    meta = META.copy()
    for ind, fields in changes.items():
        for f, v in fields.items():
            meta.loc[meta["indicator_id"] == ind, f] = v
    return describe(meta, WEIGHTS)


def write_layer(releases: Path, *, fw: dict | None = None, with_framework: bool = True, with_london: bool = True) -> Path:
    """Publish the layer into `releases` (e.g. <project>/releases/E12000007); returns its folder."""
    from social_progress.publish.release import dumps_json, publish
    from social_progress.publish.tables import csv_bytes

    files = {"boroughs.csv": csv_bytes(boroughs_csv())}
    if with_london:
        files["london.csv"] = csv_bytes(london_csv())
    meta = {"layer": "London", "code": "E12000007", "years": YEARS, "weights": {"areas": "test"},
            "files": sorted(files)}
    if with_framework:
        meta["framework"] = fw or framework()
    if with_london:
        meta["london_score"] = {"available": True, "file": "london.csv", "note": "London scored as one area (test)"}
    files["metadata.json"] = dumps_json(meta)
    return publish(releases, max(YEARS), files).path


def write_common_weights(catalogue: Path) -> Path:
    """catalogue/london_weights.yml giving the fixture's indicators the layer's weights."""
    catalogue.mkdir(parents=True, exist_ok=True)
    doc = {"basis": {"areas": "test"}, "components": {
        "Personal Safety": {"method": "pca", "weights": {"crime_rate": WEIGHTS["crime_rate"]}},
        "Environmental Quality": {"method": "pca", "weights": {"green_share": WEIGHTS["green_share"]}}}}
    path = catalogue / "london_weights.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path
