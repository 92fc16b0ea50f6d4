"""Borough Manifesto targets: where each target indicator is, its trend, and whether it is on track.

`catalogue/targets.yml` lists targets as {indicator, target, target_year, source?, note?}.
For each, the borough's series of the indicator (one value per data year, up to the release
year) gives the current value; the trend is the least-squares slope over the last
`TREND_POINTS` data years; the projection extends it to the target year. A target is
**on track** when it is already met or the projection meets it, **off track** otherwise;
**no data** when the release has no value for the indicator.
With a single data year there is no trend: the status then says whether the target is met.
Targets belong to one borough (the file's `borough:` code): another borough's release has none.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TREND_POINTS = 5
TARGET_COLUMNS = ["indicator_id", "name", "unit", "direction", "target", "target_year", "baseline_year", "baseline_value",
                  "current_year", "current_value", "trend_per_year", "trend", "projected_value", "status", "note", "source"]


class TargetsError(ValueError):
    pass


def targets_borough(path: Path) -> str | None:
    """The borough whose targets the file holds (its `borough:` code), None when it names none."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return str(doc.get("borough")).strip() if isinstance(doc, dict) and doc.get("borough") else None


def load_targets(path: Path, known: set[str] | None = None, borough: str | None = None) -> list[dict]:
    """The targets in `path`; none when the file's `borough:` is not `borough` (a borough's
    Manifesto targets are never reported for another borough)."""
    path = Path(path)
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if borough is not None and isinstance(doc, dict) and doc.get("borough") and str(doc["borough"]).strip() != borough:
        return []
    entries = doc.get("targets", []) if isinstance(doc, dict) else doc
    out = []
    for i, e in enumerate(entries or [], start=1):
        if not isinstance(e, dict):
            raise TargetsError(f"{path.name}: target {i}: expected a mapping")
        missing = [k for k in ("indicator", "target", "target_year") if k not in e]
        if missing:
            raise TargetsError(f"{path.name}: target {i} ({e.get('indicator', '?')}): missing {', '.join(missing)}")
        if known is not None and e["indicator"] not in known:
            raise TargetsError(f"{path.name}: target {i}: unknown indicator {e['indicator']!r}")
        try:
            target, year = float(e["target"]), int(e["target_year"])
        except (TypeError, ValueError) as exc:
            raise TargetsError(f"{path.name}: target {i} ({e['indicator']}): target must be a number and "
                               f"target_year a year") from exc
        out.append({"indicator": e["indicator"], "target": target, "target_year": year,
                    "source": e.get("source", ""), "note": e.get("note", "")})
    return out


def _meets(value: float, target: float, direction: str) -> bool:
    return value <= target if direction.startswith("lower") else value >= target


def target_status(targets: list[dict], series: pd.DataFrame, metadata: pd.DataFrame, release_year: int) -> pd.DataFrame:
    """`series`: the borough's indicator_values (indicator_id, year, value)."""
    meta = metadata.set_index("indicator_id")
    rows = []
    for t in targets:
        ind = t["indicator"]
        m = meta.loc[ind] if ind in meta.index else None
        direction = (m["direction"] if m is not None else "higher_is_better") or "higher_is_better"
        s = series[(series["indicator_id"] == ind) & (series["year"] <= release_year)].dropna(subset=["value"])
        s = s.sort_values("year")
        row = {"indicator_id": ind, "name": m["name"] if m is not None else ind, "unit": m["unit"] if m is not None else "",
               "direction": direction, "target": t["target"], "target_year": t["target_year"], "source": t["source"],
               "note": t["note"], "baseline_year": None, "baseline_value": None, "current_year": None,
               "current_value": None, "trend_per_year": None, "trend": "no data", "projected_value": None,
               "status": "no data"}
        if len(s):
            row.update(baseline_year=int(s["year"].iloc[0]), baseline_value=float(s["value"].iloc[0]),
                       current_year=int(s["year"].iloc[-1]), current_value=float(s["value"].iloc[-1]))
            recent = s.tail(TREND_POINTS)
            met = _meets(row["current_value"], t["target"], direction)
            if len(recent) >= 2:
                slope = float(np.polyfit(recent["year"].astype(float), recent["value"].astype(float), 1)[0])
                projected = row["current_value"] + slope * (t["target_year"] - row["current_year"])
                good = -slope if direction.startswith("lower") else slope
                scale = max(abs(row["current_value"]), 1e-9)
                row.update(trend_per_year=slope, projected_value=projected,
                           trend="improving" if good > 0.005 * scale else "worsening" if good < -0.005 * scale else "flat")
                row["status"] = "on track" if met or _meets(projected, t["target"], direction) else "off track"
            else:
                row["trend"] = "no trend (one data year)"
                row["status"] = "on track" if met else "off track"
        rows.append(row)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)
