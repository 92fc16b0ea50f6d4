"""The geography schema's tables, from the layers and what the engine built on them.

Why here and not in the orchestration layer: which areas a level reports, how bridges
are stacked into one table and which columns of a placed record are kept are decisions
about the geography, tested with it. The Dagster assets only read, call and write.
"""
from __future__ import annotations

import json
from typing import Mapping

import pandas as pd

from .bridges import BridgeReport
from .vintages import LEVELS

#: layer -> (area_level, name column); the code column is f"{layer}_code"
AREA_LEVELS = {"lsoa11": ("lsoa", "lsoa11_name"), "lsoa21": ("lsoa", "lsoa21_name"), "ward19": ("ward", "ward19_name"),
               "ward22": ("ward", "ward22_name"), "lad": ("borough", "lad_name")}
AREA_COLUMNS = ["area_code", "area_name", "area_level", "boundary", "lad_code"]
BRIDGE_COLUMNS = ["bridge", "source_level", "target_level", "method", "source_code", "target_code", "weight"]
#: the placement columns kept after the layer codes, when present
LOCATED_EXTRA = ("x_27700", "y_27700", "geo_status", "geo_fix", "outside_borough")


def areas_table(layers: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every reporting area: area_code, area_name, area_level (lsoa / ward / borough), boundary
    (the layer: lsoa11, lsoa21, ward19, ward22, lad) and lad_code, sorted by boundary and code.

    layers: the five layers as from `boundaries.standard_layers` (each with
    f"{layer}_code", its name column and lad_code; the borough layer is "lad").
    """
    missing = [name for name in AREA_LEVELS if name not in layers]
    if missing:
        raise KeyError(f"areas_table needs the layers {list(AREA_LEVELS)}; missing {missing}")
    frames = [pd.DataFrame({"area_code": layers[b][f"{b}_code"], "area_name": layers[b][name], "area_level": level,
                            "boundary": b, "lad_code": layers[b]["lad_code"]})
              for b, (level, name) in AREA_LEVELS.items()]
    return pd.concat(frames, ignore_index=True).sort_values(["boundary", "area_code"], ignore_index=True)


def bridges_table(built: Mapping[str, tuple[pd.DataFrame, BridgeReport]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bridges, bridge_reports) from `vintages.build_bridges`.

    bridges: bridge, source_level, target_level, method, source_code, target_code, weight,
    sorted by bridge, source and target code. bridge_reports: bridge, report (the
    BridgeReport as sorted-key JSON), in the order of `built`.
    """
    frames, reports = [], {}
    for name, (frame, report) in built.items():
        source, target = name.split(":")[0].split("->")
        frames.append(frame[["source_code", "target_code", "weight"]].assign(
            bridge=name, source_level=source, target_level=target, method=report.method))
        reports[name] = report.to_dict()
    table = pd.concat(frames, ignore_index=True)[BRIDGE_COLUMNS]
    table = table.sort_values(["bridge", "source_code", "target_code"], ignore_index=True)
    return table, pd.DataFrame({"bridge": list(reports), "report": [json.dumps(r, sort_keys=True) for r in reports.values()]})


def located_table(placed: pd.DataFrame, key: str) -> pd.DataFrame:
    """The columns of placed records the warehouse keeps: record_key (from `key`), the code on
    each standard layer (lsoa11_code ... lad_code, in the order `placed` has them), then
    x_27700, y_27700, geo_status, geo_fix, outside_borough where present."""
    codes = [c for c in placed.columns if c.endswith("_code") and c.split("_")[0] in LEVELS] + \
            [c for c in LOCATED_EXTRA if c in placed.columns]
    return placed[[key, *dict.fromkeys(codes)]].rename(columns={key: "record_key"})


__all__ = ["areas_table", "bridges_table", "located_table", "AREA_COLUMNS", "BRIDGE_COLUMNS"]
