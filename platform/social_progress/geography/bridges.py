"""Area-to-area bridges: how much of each source area belongs to each target area.

Why: indicators are published on whatever areas the publisher used (LSOA 2011, LSOA
2021, wards before or after the 2022 review). To report them all on one set of areas
each step needs a bridge, and each bridge must say how good it is:

* `lookup_bridge` - an official lookup where the areas nest (LSOA 2011 -> 2019 wards,
  ward -> borough): every source goes wholly to one target.
* `best_fit_bridge` - each source goes wholly to the target holding most of it (by
  population when population points are given, else by area), as ONS does where areas
  do not nest (LSOA 2021 -> 2022 wards). Simple and keeps "an LSOA is in one ward",
  at the cost of the share reported in `BridgeReport.share_*_assigned`.
* `apportionment_bridge` - a source split between targets is shared out by the share
  of its area or of its population (from population points such as postcode centroids)
  in each: more faithful for counts, and the sum over targets still equals the total.

Every bridge is a DataFrame `source_code, target_code, weight` (plus `area_m2` and
`population` of each piece where known) with weights >= 0 summing to exactly 1 per
source, sorted by source then target. `apply_bridge` moves values across it using the
aggregation rules in `aggregation`.

Slivers: generalised boundaries of different vintages do not line up to the metre, so
an LSOA "overlaps" its neighbour's ward by a few square metres. Pieces under `min_share`
of a source's area (default 0.5%) are dropped before weighting and reported.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .boundaries import BoundaryError
from .match_report import MatchReport

BNG = "EPSG:27700"
BRIDGE_COLUMNS = ["source_code", "target_code", "weight"]


@dataclass
class BridgeReport:
    """Quality of one bridge, for asset metadata and quality gates."""

    name: str = ""
    method: str = ""                       # lookup | best_fit | apportionment_area | apportionment_population
    n_sources: int = 0
    n_targets: int = 0
    share_area_assigned: float | None = None        # of all source area, share landing in its assigned target(s)
    share_population_assigned: float | None = None  # the same for population (when given)
    n_split_sources: int = 0               # sources overlapping more than one target (beyond slivers)
    largest_split: dict[str, Any] = field(default_factory=dict)
    slivers_dropped: int = 0
    sliver_area_share: float = 0.0
    sources_without_target: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(float(v), 6)  # noqa: E731
        return {
            "name": self.name,
            "method": self.method,
            "n_sources": self.n_sources,
            "n_targets": self.n_targets,
            "share_area_assigned": r(self.share_area_assigned),
            "share_population_assigned": r(self.share_population_assigned),
            "n_split_sources": self.n_split_sources,
            "largest_split": self.largest_split,
            "slivers_dropped": self.slivers_dropped,
            "sliver_area_share": r(self.sliver_area_share),
            "sources_without_target": len(self.sources_without_target),
            "examples_without_target": self.sources_without_target[:5],
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- helpers
def _prep(gdf: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    g = gdf[[code, "geometry"]].copy()
    if g.crs is None:
        g = g.set_crs(BNG)
    elif not g.crs.equals(BNG):
        g = g.to_crs(BNG)
    g = g[~(g.geometry.isna() | g.geometry.is_empty)]
    # Infinite coordinates mean a layer projected from a CRS its numbers are not in (BNG
    # metres labelled CRS84): say so here rather than bridge zero-area points.
    lost = ~np.isfinite(g.geometry.bounds.to_numpy(float)).all(axis=1)
    if lost.any():
        raise BoundaryError(f"{code}: {int(lost.sum())} area(s) ({', '.join(g.loc[lost, code].astype(str).head(5))}) "
                            f"have non-finite coordinates in EPSG:27700: their boundary file's coordinates do not "
                            f"fit its declared CRS")
    bad = ~g.geometry.is_valid
    if bad.any():
        g.loc[bad, "geometry"] = g.loc[bad, "geometry"].make_valid()
    g[code] = g[code].astype(str)
    return g.dissolve(code, as_index=False) if g[code].duplicated().any() else g


def _population_points(population: Any) -> gpd.GeoDataFrame | None:
    """Population given as points -> points in 27700 with a `population` column.

    Accepts a GeoDataFrame of points or a DataFrame with easting/northing (EPSG:27700),
    e.g. Code-Point Open; an optional `population` column weights each point (else 1).
    """
    if isinstance(population, pd.DataFrame) and not isinstance(population, gpd.GeoDataFrame) \
            and {"easting", "northing"} <= set(population.columns):
        pts = population.dropna(subset=["easting", "northing"])
        population = gpd.GeoDataFrame(pts.drop(columns=["easting", "northing"]),
                                      geometry=gpd.points_from_xy(pts["easting"], pts["northing"]), crs=BNG)
    if population is None or not isinstance(population, gpd.GeoDataFrame):
        return None
    p = population
    if p.crs is None:
        p = p.set_crs(BNG)
    elif not p.crs.equals(BNG):
        p = p.to_crs(BNG)
    w = p["population"].astype(float) if "population" in p.columns else pd.Series(1.0, index=p.index)
    out = gpd.GeoDataFrame({"population": w.to_numpy()}, geometry=p.geometry.values, crs=BNG)
    return out[out.geometry.notna() & ~out.geometry.is_empty & (out["population"] > 0)]


def overlay_pieces(source_gdf, source_code, target_gdf, target_code, population=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every (source, target) intersection with its area and population.

    Returns (pieces, sources): pieces has source_code, target_code, area_m2, population
    (NaN without population points); sources has source_code, area_m2, population.
    Population points are placed in both layers with the exact locator, so a point on a
    shared boundary is counted once.
    """
    from .points import assign_points  # local: points imports nothing from here

    src = _prep(source_gdf, source_code)
    tgt = _prep(target_gdf, target_code)
    sg, tg = src.geometry.values, tgt.geometry.values
    tree = shapely.STRtree(tg)
    si, ti = tree.query(sg, predicate="intersects")
    inter = shapely.intersection(sg[si], tg[ti])
    pieces = pd.DataFrame({
        "source_code": src[source_code].to_numpy()[si],
        "target_code": tgt[target_code].to_numpy()[ti],
        "area_m2": shapely.area(inter),
    })
    pieces = pieces[pieces["area_m2"] > 0]
    sources = pd.DataFrame({"source_code": src[source_code].to_numpy(), "area_m2": shapely.area(sg)})
    pts = _population_points(population)
    if pts is not None and len(pts):
        placed, _ = assign_points(pts, None, None, BNG,
                                  {"s": (src, source_code), "t": (tgt, target_code)},
                                  fix_swapped=False, infer_crs=False)
        per_piece = placed.dropna(subset=["s_code", "t_code"]).groupby(["s_code", "t_code"])["population"].sum()
        per_source = placed.dropna(subset=["s_code"]).groupby("s_code")["population"].sum()
        pieces["population"] = [per_piece.get((s, t), 0.0) for s, t in zip(pieces["source_code"], pieces["target_code"])]
        sources["population"] = sources["source_code"].map(per_source).fillna(0.0)
    elif isinstance(population, (pd.Series, dict)):
        pop = pd.Series(population, dtype=float)
        sources["population"] = sources["source_code"].map(pop)
        share = pieces["area_m2"] / pieces["source_code"].map(sources.set_index("source_code")["area_m2"])
        pieces["population"] = share * pieces["source_code"].map(pop)
    else:
        pieces["population"] = np.nan
        sources["population"] = np.nan
    pieces = pieces.sort_values(["source_code", "target_code"], ignore_index=True)
    return pieces, sources.sort_values("source_code", ignore_index=True)


def _drop_slivers(pieces: pd.DataFrame, sources: pd.DataFrame, min_share: float, rep: BridgeReport) -> pd.DataFrame:
    area = pieces["source_code"].map(sources.set_index("source_code")["area_m2"])
    share = pieces["area_m2"] / area
    biggest = pieces.groupby("source_code")["area_m2"].transform("max") == pieces["area_m2"]
    sliver = (share < min_share) & ~biggest
    has_pop = pieces["population"].notna() & (pieces["population"] > 0)
    sliver &= ~(has_pop & (pieces["population"] / pieces.groupby("source_code")["population"].transform("sum") >= min_share))
    rep.slivers_dropped = int(sliver.sum())
    rep.sliver_area_share = float(pieces.loc[sliver, "area_m2"].sum() / sources["area_m2"].sum()) if len(sources) else 0.0
    return pieces[~sliver].copy()


def exact_unit_weights(df: pd.DataFrame, col: str = "weight") -> pd.DataFrame:
    """Normalise weights per source so they sum to exactly 1.0 in floating point.

    Why: "totals are kept exactly" must survive a later groupby-sum. The largest piece
    takes 1.0 minus the others, then is nudged until the sum, as pandas computes it,
    is exactly 1.0. Sources whose weights are all zero are shared equally.
    """
    df = df.sort_values(["source_code", "target_code"], ignore_index=True)
    g = df.groupby("source_code", sort=False)[col]
    tot = g.transform("sum").to_numpy(float)
    n = g.transform("size").to_numpy(float)
    w = df[col].to_numpy(float)
    df[col] = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), 1.0 / n)
    top = df.groupby("source_code", sort=False)[col].idxmax().to_numpy()
    others = df[col].copy()
    others.iloc[top] = 0.0
    rest = others.groupby(df["source_code"], sort=False).agg(math.fsum)
    df.iloc[top, df.columns.get_loc(col)] = 1.0 - rest.to_numpy()
    for _ in range(4):
        s = df.groupby("source_code", sort=False)[col].sum()
        off = s.to_numpy() != 1.0
        if not off.any():
            break
        df.iloc[top[off], df.columns.get_loc(col)] += 1.0 - s.to_numpy()[off]
    return df


def _finish(bridge: pd.DataFrame, pieces: pd.DataFrame, sources: pd.DataFrame, rep: BridgeReport) -> pd.DataFrame:
    """Fill the report's shares and split figures from the pieces the bridge kept."""
    rep.n_sources = int(bridge["source_code"].nunique())
    rep.n_targets = int(bridge["target_code"].nunique())
    m = pieces.merge(bridge[["source_code", "target_code", "weight"]], on=["source_code", "target_code"], how="left")
    # "assigned" = the part of each source lying in the target(s) the bridge sends it to
    w_sent = m["weight"].fillna(0.0) > 0
    tot_area = sources["area_m2"].sum()
    rep.share_area_assigned = float(m.loc[w_sent, "area_m2"].sum() / tot_area) if tot_area > 0 else None
    tot_pop = sources["population"].sum() if sources["population"].notna().any() else np.nan
    if np.isfinite(tot_pop) and tot_pop > 0:
        rep.share_population_assigned = float(m.loc[w_sent, "population"].sum() / tot_pop)
    # splits: sources with more than one target (after slivers)
    kept = m[m["area_m2"] > 0]
    counts = kept.groupby("source_code")["target_code"].nunique()
    rep.n_split_sources = int((counts > 1).sum())
    if rep.n_split_sources:
        share = kept["area_m2"] / kept["source_code"].map(sources.set_index("source_code")["area_m2"])
        main = share.groupby(kept["source_code"]).max()
        main = main[counts > 1].sort_index()
        s = main.idxmin()
        row = kept.loc[share[kept["source_code"] == s].idxmax()]
        rep.largest_split = {"source_code": s, "main_target": row["target_code"],
                             "main_share": round(float(main[s]), 6), "n_targets": int(counts[s])}
    missing = sorted(set(sources["source_code"]) - set(bridge["source_code"]))
    rep.sources_without_target = missing
    if missing:
        rep.notes.append(f"{len(missing)} source area(s) overlap no target area")
    return bridge.sort_values(["source_code", "target_code"], ignore_index=True)


# --------------------------------------------------------------------------- bridges
def lookup_bridge(
    lookup_df: pd.DataFrame,
    source_col: str = "LSOA11CD",
    target_col: str = "WD19CD",
    *,
    name: str = "",
    source_gdf: gpd.GeoDataFrame | None = None,
    source_code: str | None = None,
    population: Any = None,
) -> tuple[pd.DataFrame, BridgeReport]:
    """An official nesting lookup as a bridge (weight 1 per source).

    A source listed against several targets (which a nesting lookup should never do)
    is split equally and reported. With `source_gdf`, the report gives area shares
    (all assigned, as the areas nest); with a population Series it gives population.
    """
    rep = BridgeReport(name=name or f"{source_col}->{target_col}", method="lookup")
    lk = lookup_df[[source_col, target_col]].dropna().astype(str).drop_duplicates()
    lk.columns = ["source_code", "target_code"]
    lk["weight"] = 1.0
    multi = lk["source_code"].duplicated(keep=False)
    if multi.any():
        rep.notes.append(f"{lk.loc[multi, 'source_code'].nunique()} source code(s) listed against several targets; split equally")
    bridge = exact_unit_weights(lk)
    rep.n_sources = int(bridge["source_code"].nunique())
    rep.n_targets = int(bridge["target_code"].nunique())
    rep.n_split_sources = int(multi.any() and lk.loc[multi, "source_code"].nunique())
    if source_gdf is not None:
        code = source_code or source_col
        area = _prep(source_gdf, code).set_index(code).geometry.area
        inside = area.index.isin(bridge["source_code"])
        rep.share_area_assigned = float(area[inside].sum() / area.sum()) if area.sum() > 0 else None
        rep.sources_without_target = sorted(area.index[~inside])
        bridge["area_m2"] = bridge["source_code"].map(area) * bridge["weight"]
    if isinstance(population, (pd.Series, dict)):
        pop = pd.Series(population, dtype=float)
        known = pop[pop.index.isin(bridge["source_code"])]
        rep.share_population_assigned = float(known.sum() / pop.sum()) if pop.sum() > 0 else None
        bridge["population"] = bridge["source_code"].map(pop) * bridge["weight"]
    return bridge, rep


def best_fit_bridge(
    source_gdf: gpd.GeoDataFrame,
    source_code: str,
    target_gdf: gpd.GeoDataFrame,
    target_code: str,
    population: Any = None,
    *,
    name: str = "",
    min_share: float = 0.005,
) -> tuple[pd.DataFrame, BridgeReport]:
    """Each source wholly to the target holding the largest share of its population
    (population points given) or else of its area; ties go to the lowest target code.

    population: a GeoDataFrame of points (optional `population` column, else 1 each,
    e.g. postcode centroids) or a Series of population by source code (used for the
    report, spread evenly over each source's area).
    """
    rep = BridgeReport(name=name or f"{source_code}->{target_code}", method="best_fit")
    pieces, sources = overlay_pieces(source_gdf, source_code, target_gdf, target_code, population)
    pieces = _drop_slivers(pieces, sources, min_share, rep)
    by_pop = _population_points(population) is not None
    key = pieces.copy()
    key["score"] = key["area_m2"]
    if by_pop:
        popsum = key.groupby("source_code")["population"].transform("sum")
        key["score"] = np.where(popsum > 0, key["population"], key["area_m2"])
        rep.notes.append("best fit by population points (area where a source has none)")
    key = key.sort_values(["source_code", "score", "target_code"], ascending=[True, False, True])
    best = key.drop_duplicates("source_code")[["source_code", "target_code"]].copy()
    best["weight"] = 1.0
    best = best.merge(pieces[["source_code", "target_code", "area_m2", "population"]], on=["source_code", "target_code"])
    # the report measures what a best fit loses: everything outside the chosen target
    bridge = _finish(best, pieces, sources, rep)
    bridge["area_m2"] = bridge["source_code"].map(sources.set_index("source_code")["area_m2"])
    bridge["population"] = bridge["source_code"].map(sources.set_index("source_code")["population"])
    return bridge, rep


def apportionment_bridge(
    source_gdf: gpd.GeoDataFrame,
    source_code: str,
    target_gdf: gpd.GeoDataFrame,
    target_code: str,
    weights: str = "area",
    population: Any = None,
    *,
    name: str = "",
    min_share: float = 0.005,
) -> tuple[pd.DataFrame, BridgeReport]:
    """Share each source between the targets it overlaps, by area or by population.

    weights='area': weight = piece area / source area (after dropping slivers).
    weights='population': weight = population points in the piece / in the source;
    sources with no population point fall back to area (counted in the notes).
    Weights per source sum to exactly 1.0, so apportioned counts keep their totals.
    """
    if weights not in ("area", "population"):
        raise ValueError("weights must be 'area' or 'population'")
    rep = BridgeReport(name=name or f"{source_code}->{target_code}", method=f"apportionment_{weights}")
    pieces, sources = overlay_pieces(source_gdf, source_code, target_gdf, target_code, population)
    pieces = _drop_slivers(pieces, sources, min_share, rep)
    b = pieces.copy()
    b["weight"] = b["area_m2"]
    if weights == "population":
        if _population_points(population) is None:
            raise ValueError("weights='population' needs population points (a GeoDataFrame), e.g. postcode centroids")
        popsum = b.groupby("source_code")["population"].transform("sum")
        nopop = popsum <= 0
        b["weight"] = np.where(nopop, b["area_m2"], b["population"])
        if nopop.any():
            rep.notes.append(f"{b.loc[nopop, 'source_code'].nunique()} source(s) with no population point: weighted by area")
    b = exact_unit_weights(b)
    b = b[b["weight"] > 0]
    b = exact_unit_weights(b)
    bridge = _finish(b[["source_code", "target_code", "weight", "area_m2", "population"]], pieces, sources, rep)
    return bridge, rep


def apply_bridge(values_df: pd.DataFrame, bridge_df: pd.DataFrame, rule: str, **kwargs) -> tuple[pd.DataFrame, MatchReport]:
    """Move values from source areas to target areas across a bridge, by an aggregation rule.

    Thin wrapper over `aggregation.aggregate` (see there for the rules and arguments):
    counts keep their totals exactly, rates are recomputed from moved numerators and
    denominators, means are re-weighted. Unknown source codes are reported, not lost
    silently.
    """
    from .aggregation import aggregate

    kwargs.setdefault("step", "apply_bridge")
    return aggregate(values_df, bridge_df, rule, **kwargs)
