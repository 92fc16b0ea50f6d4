"""Dimension and index scores from component scores someone else computed.

Why: component scores often arrive ready-made (a published SPI, a partner's release, or
anchored scores from anchoring.py) and only the last two steps are wanted: dimension =
mean of its components, index = mean of the dimensions, arithmetic (SPI) or power mean
(EU regional SPI). A missing part gives a missing whole unless ``skip_missing``: then
the mean is over the parts present (equal weights renormalised over them) as long as
the share missing is at most ``max_missing_share`` (components for a dimension,
dimensions for the index).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .aggregate import AGGREGATIONS, mean_of, mean_of_available
from .framework import Framework
from .result import INDEX_NAME


def _dimension_map(dimensions: Mapping[str, str] | Framework) -> dict[str, str]:
    if isinstance(dimensions, Framework):
        return {c: dimensions.dimension_of(c) for c in dimensions.components}
    if not isinstance(dimensions, Mapping) or not dimensions:
        raise ValueError("dimensions must be a non-empty {component: dimension} mapping or a Framework")
    for c, d in dimensions.items():
        if not (isinstance(c, str) and c and isinstance(d, str) and d):
            raise ValueError(f"component {c!r}: dimension must be a non-empty name, got {d!r}")
    return dict(dimensions)


def _check(components: pd.DataFrame, comp_dim: dict[str, str], aggregation: str, keys: list[str]) -> pd.Series:
    """The scores as floats; ValueError naming the component and area for a bad one."""
    frame = components.astype({"component": str, "area_code": str})
    unknown = ~frame["component"].isin(list(comp_dim))
    if unknown.any():
        r = frame[unknown].iloc[0]
        raise ValueError(f"component {r['component']!r} (area {r['area_code']!r}) is not in the dimensions mapping")
    dup = frame.duplicated([*keys, "component"], keep=False)
    if dup.any():
        r = frame[dup].iloc[0]
        raise ValueError(f"component {r['component']!r}: duplicated rows for area {r['area_code']!r} year {r['year']}")
    raw = frame["score"]
    score = pd.to_numeric(raw, errors="coerce").astype(np.float64)
    text = raw.astype(str).str.strip().str.lower()
    bad = (score.isna() & raw.notna() & ~text.isin(["", "nan", "na", "none", "null"])) | np.isinf(score)
    if aggregation == "power_mean":
        bad |= score < 0
    if bad.any():
        r = frame[bad.to_numpy()].iloc[0]
        need = "a finite number >= 0 (power mean)" if aggregation == "power_mean" else "a finite number"
        raise ValueError(f"component {r['component']!r}, area {r['area_code']!r} year {r['year']}: score must be "
                         f"{need}, got {r['score']!r}")
    return score


def _combine(parts: np.ndarray, how: str, power: float, skip: bool, max_share: float) -> tuple[np.ndarray, np.ndarray]:
    """(score, missing share) of each row of ``parts`` (rows, n)."""
    share = np.isnan(parts).mean(axis=1)
    if not skip:
        return mean_of(parts, how, power), share
    return np.where(share <= max_share, mean_of_available(parts, how, power), np.nan), share


def index_from_components(components: pd.DataFrame, dimensions: Mapping[str, str] | Framework,
                          aggregation: str = "arithmetic", power: float = 0.5, skip_missing: bool = False,
                          max_missing_share: float = 0.0) -> pd.DataFrame:
    """Dimension and index scores per area and year from long component scores.

    components: area_code, year, component, score (an ``area_level`` column, if present,
      is kept as a key). Every (area, year) in it is scored; a component of the mapping
      with no row, or a NaN score, is missing.
    dimensions: {component: dimension} (dimension order = first appearance) or a Framework.
    aggregation: 'arithmetic' or 'power_mean' (order ``power``; 0 = geometric mean).
    skip_missing: False = any missing component makes its dimension (and the index)
      missing; True = mean over the parts present when the share missing <= max_missing_share.

    Returns long rows: [area_level,] area_code, year, measure_type ('index' | 'dimension'),
    measure, score, missing_share (components missing under a dimension; dimensions
    missing under the index), index row first, sorted by area and year.
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
    if not (np.isfinite(power) and power >= 0):
        raise ValueError(f"power must be a finite number >= 0 (0 = geometric mean), got {power}")
    if not 0.0 <= max_missing_share <= 1.0:
        raise ValueError(f"max_missing_share must be within [0, 1], got {max_missing_share}")
    if max_missing_share > 0 and not skip_missing:
        raise ValueError("max_missing_share > 0 needs skip_missing=True (otherwise any missing part is missing)")
    if not isinstance(components, pd.DataFrame):
        raise ValueError(f"components must be a pandas DataFrame, got {type(components).__name__}")
    missing = [c for c in ("area_code", "year", "component", "score") if c not in components.columns]
    if missing:
        raise ValueError(f"components is missing column(s) {missing}")
    comp_dim = _dimension_map(dimensions)
    keys = (["area_level"] if "area_level" in components.columns else []) + ["area_code", "year"]
    frame = components.astype({"component": str, "area_code": str})
    frame = frame.assign(score=_check(components, comp_dim, aggregation, keys).to_numpy())
    wide = frame.pivot(index=keys, columns="component", values="score").reindex(columns=list(comp_dim))
    wide = wide.sort_index()
    x = wide.to_numpy(dtype=np.float64)
    dims = list(dict.fromkeys(comp_dim.values()))
    dim_score, dim_share = zip(*[
        _combine(x[:, [i for i, c in enumerate(comp_dim) if comp_dim[c] == d]], aggregation, power, skip_missing,
                 max_missing_share) for d in dims])
    d_arr = np.stack(dim_score, axis=1)
    idx_score, idx_share = _combine(d_arr, aggregation, power, skip_missing, max_missing_share)
    names = [INDEX_NAME, *dims]
    scores = np.column_stack([idx_score, d_arr]).ravel()
    shares = np.column_stack([idx_share, *dim_share]).ravel()
    out = wide.index.to_frame(index=False).loc[np.repeat(np.arange(len(wide)), len(names))].reset_index(drop=True)
    return out.assign(measure_type=np.tile(["index"] + ["dimension"] * len(dims), len(wide)),
                      measure=np.tile(names, len(wide)), score=scores, missing_share=shares)
