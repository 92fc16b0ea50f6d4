"""The London common framework, described so that two runs can tell whether they share it.

Why: a borough release may compare its borough with the London layer (every borough scored
by the London-wide run) only when both were scored the same way: the same indicators in the
same components, each with the same direction, transform and goalposts (worst, best), and
the same common London weights. The London layer writes this description into its
metadata.json (`framework`); a borough release builds the same description from its own
indicator metadata and catalogue/london_weights.yml and compares them, naming every
difference (an indicator, the field and both values), never a bare "hashes differ".
"""
from __future__ import annotations

import hashlib
import json

import pandas as pd

#: per indicator: what scores it, besides its values
FIELDS = ("dimension", "component", "direction", "transform", "worst", "best")
#: weights are compared to this tolerance: the layer's are estimated to full precision, the
#: committed file's are rounded to 6 decimals and renormalised over the indicators present
WEIGHT_TOLERANCE = 1e-4


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def describe(metadata: pd.DataFrame, weights: dict[str, float]) -> dict:
    """{"indicators": {id: {dimension, component, direction, transform, worst, best, weight}},
    "fingerprint": sha256} of the index indicators of `metadata` (marts.indicator_metadata
    rows with in_index), weighted by `weights` ({indicator_id: weight within its component})."""
    rows = metadata[metadata["in_index"].astype(bool)] if "in_index" in metadata else metadata
    out = {}
    for r in rows.sort_values("indicator_id").itertuples():
        out[str(r.indicator_id)] = {
            "dimension": str(r.dimension), "component": str(r.component), "direction": str(r.direction),
            "transform": None if pd.isna(r.transform) else str(r.transform),
            "worst": _num(r.worst), "best": _num(r.best), "weight": _num(weights.get(str(r.indicator_id)))}
    return {"indicators": out, "fingerprint": fingerprint(out)}


def fingerprint(indicators: dict) -> str:
    text = json.dumps(indicators, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def differences(layer: dict, metadata: pd.DataFrame, common_weights: dict[str, float]) -> list[str]:
    """What differs between the framework a London layer was scored with (`layer`, as written
    by describe) and this deployment's: its indicator metadata (goalposts, direction,
    transform, component) and the common London weights it scores with. Empty when they are
    the same framework.

    An indicator of the layer that this borough leaves out of its own framework (a source that
    does not cover it) is no difference: the comparison uses the layer's scores for every
    borough. One the borough has and the layer lacks is none either (e.g. an extract of this
    borough only, which London cannot weight)."""
    out: list[str] = []
    indicators = (layer or {}).get("indicators") or {}
    meta = metadata.set_index(metadata["indicator_id"].astype(str))
    for ind, want in sorted(indicators.items()):
        if ind not in meta.index:
            out.append(f"indicator {ind}: in the London layer's framework, not among this release's indicators")
            continue
        row = meta.loc[ind]
        for f in FIELDS:
            have = _num(row[f]) if f in ("worst", "best") else (None if pd.isna(row[f]) else str(row[f]))
            if have != want.get(f):
                out.append(f"indicator {ind}: {f} is {have!r} here, {want.get(f)!r} in the London layer")
        w, lw = common_weights.get(ind), want.get("weight")
        if w is None:
            out.append(f"indicator {ind}: weighted {lw} in the London layer, no common London weight here")
        elif lw is None or abs(w - lw) > WEIGHT_TOLERANCE:
            out.append(f"indicator {ind}: common London weight {w:.6f} here, {lw} in the London layer")
    for ind in sorted(set(common_weights) - set(indicators)):
        out.append(f"indicator {ind}: has a common London weight here, not in the London layer's framework")
    return out
