"""Wards of similar income deprivation, and each ward's relative strengths and weaknesses.

Why: the SPI scorecards judge a ward against its peers, not against the whole borough: a
poor ward doing better than other poor wards on safety has a relative strength there. Peers
are the `N_PEERS` wards whose share of residents in income deprivation (IoD 2019 income
domain numerator over the 2019 population, summed over the ward's LSOAs) is nearest.
A context indicator named `income_deprivation*` that is not in the index, if the indicator
marts ever carry one, is used instead.

A measure is a relative strength when the ward's score is above the peers' mean by more
than the larger of 5 points and the peers' standard deviation, a weakness when below by as
much, otherwise neutral.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

N_PEERS = 5
MIN_GAP = 5.0
WARD_BOUNDARIES = ("ward19", "ward22")


def ward_income_deprivation(lsoa_income: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """boundary, area_code, income_deprived, population, income_deprivation (share) for both ward sets.

    `lsoa_income`: lsoa11_code, income_deprived (count), population; `lookup`: lsoa11_code,
    ward19_code, ward22_code (best fit)."""
    m = lsoa_income.merge(lookup[["lsoa11_code", "ward19_code", "ward22_code"]], on="lsoa11_code")
    out = []
    for b in WARD_BOUNDARIES:
        g = m.groupby(f"{b}_code")[["income_deprived", "population"]].sum().reset_index()
        g = g.rename(columns={f"{b}_code": "area_code"}).assign(boundary=b)
        out.append(g)
    df = pd.concat(out, ignore_index=True)
    df["income_deprivation"] = df["income_deprived"] / df["population"]
    return df[["boundary", "area_code", "income_deprived", "population", "income_deprivation"]]


def similar_wards(income: pd.DataFrame, names: dict, n: int = N_PEERS) -> pd.DataFrame:
    """One row per ward and peer (nearest first): boundary, area_code, peer_code, peer_rank, gap."""
    rows = []
    for b, g in income.groupby("boundary"):
        g = g.sort_values("area_code")
        for r in g.itertuples():
            others = g[g["area_code"] != r.area_code].copy()
            others["gap"] = (others["income_deprivation"] - r.income_deprivation).abs()
            others = others.sort_values(["gap", "area_code"], kind="mergesort").head(n)
            for k, o in enumerate(others.itertuples(), start=1):
                rows.append((b, r.area_code, names.get((b, r.area_code)), r.income_deprivation, k, o.area_code,
                             names.get((b, o.area_code)), o.income_deprivation, o.gap))
    return pd.DataFrame(rows, columns=["boundary", "area_code", "area_name", "income_deprivation", "peer_rank",
                                       "peer_code", "peer_name", "peer_income_deprivation", "gap"])


def strengths_weaknesses(scores: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """For each ward, year and indicator or component: score against the peers' mean and a label."""
    s = scores[scores["boundary"].isin(WARD_BOUNDARIES) & scores["measure_type"].isin(["indicator", "component"])]
    s = s[["boundary", "area_code", "year", "measure_type", "measure", "score"]]
    p = peers[["boundary", "area_code", "peer_code"]].merge(
        s.rename(columns={"area_code": "peer_code", "score": "peer_score"}), on=["boundary", "peer_code"])
    stats = p.groupby(["boundary", "area_code", "year", "measure_type", "measure"])["peer_score"].agg(
        peer_mean="mean", peer_sd=lambda x: float(np.std(x, ddof=1)) if len(x) > 1 else 0.0, n_peers="count").reset_index()
    out = s.merge(stats, on=["boundary", "area_code", "year", "measure_type", "measure"])
    out["difference"] = out["score"] - out["peer_mean"]
    out["threshold"] = np.maximum(out["peer_sd"].fillna(0.0), MIN_GAP)
    out["assessment"] = np.where(out["difference"] > out["threshold"], "relative strength",
                                 np.where(out["difference"] < -out["threshold"], "relative weakness", "neutral"))
    return out[["boundary", "area_code", "year", "measure_type", "measure", "score", "peer_mean", "peer_sd", "n_peers",
                "difference", "threshold", "assessment"]]
