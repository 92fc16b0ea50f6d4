"""Indicators on every boundary vintage: LSOA 2011 <-> 2021, old and new wards for every year."""
from __future__ import annotations

import pandas as pd

from social_progress.geography.vintages import LEVELS, report_on_all_levels

BD = "E09000002"
OLD_WARDS = {f"E0500{n:04d}" for n in range(26, 43)}
NEW_WARDS = {f"E050{n}" for n in range(14053, 14072)}


def test_lsoa11_indicator_on_every_level_keeps_totals(pop2019, bridges, layers):
    v = pop2019[pop2019["lad"].isin(layers["lad"]["lad_code"])]
    out, reports = report_on_all_levels(v, "lsoa11", "count", bridges, layers)
    assert set(out["geography"]) == set(LEVELS)
    totals = out.groupby("geography")["value"].sum()
    assert (totals == v["value"].sum()).all(), totals
    bd = out[out["code"].isin(OLD_WARDS | NEW_WARDS)]
    assert set(bd.loc[bd.geography == "ward19", "code"]) == OLD_WARDS      # 17 old wards
    assert set(bd.loc[bd.geography == "ward22", "code"]) == NEW_WARDS      # 19 current wards, backdated
    assert sum(len(r.examples) for r in reports.values()) == 0
    assert out.equals(out.sort_values(["geography", "code"], ignore_index=True))


def test_lsoa21_census_backwards_to_lsoa11_and_old_wards(bridges, data_dir, layers):
    census = pd.read_csv(data_dir / "indicators" / "census" / "census21_pop_lsoa21_age6.csv")
    pop = census.groupby("lsoa21_code", as_index=False)["usual_residents"].sum()
    pop = pop[pop["lsoa21_code"].isin(layers["lsoa21"]["lsoa21_code"])]
    out, reports = report_on_all_levels(pop, "lsoa21", "count", bridges, layers,
                                        code_col="lsoa21_code", value_col="usual_residents")
    totals = out.groupby("geography")["usual_residents"].sum()
    assert (totals == pop["usual_residents"].sum()).all()
    bd_total = pop[pop["lsoa21_code"].isin(layers["lsoa21"].query("lad_code == @BD")["lsoa21_code"])]["usual_residents"].sum()
    lad = out[(out.geography == "lad") & (out.code == BD)]["usual_residents"].iloc[0]
    assert lad == bd_total
    assert len(out[(out.geography == "lsoa11") & out.code.str.startswith("E01")]) == 585


def test_round_trip_lsoa11_to_lsoa21_and_back_changes_little(pop2019, bridges, layers):
    v = pop2019[pop2019["lad"] == BD]
    fwd, _ = report_on_all_levels(v, "lsoa11", "count", bridges, layers, targets=("lsoa21",))
    back, _ = report_on_all_levels(fwd[["code", "value"]], "lsoa21", "count", bridges, layers, targets=("lsoa11",))
    merged = v.set_index("code")["value"].to_frame("orig").join(back.set_index("code")["value"])
    assert merged["value"].sum() == merged["orig"].sum()
    unchanged = (merged["value"] == merged["orig"]).mean()
    assert unchanged > 0.8  # most LSOAs did not change in 2021


def test_rate_on_new_wards_for_a_past_year(pop2019, bridges):
    bd = pop2019[pop2019["lad"] == BD].assign(numerator=lambda d: (d["value"] // 100), denominator=lambda d: d["value"])
    out, rep = report_on_all_levels(bd, "lsoa11", "rate", bridges, targets=("ward19", "ward22", "lad"), multiplier=1000)
    lad = out[out.geography == "lad"].iloc[0]
    assert lad["numerator"] == bd["numerator"].sum() and lad["denominator"] == bd["denominator"].sum()
    w22 = out[out.geography == "ward22"]
    assert w22["numerator"].sum() == bd["numerator"].sum()
    assert w22["value"].between(5, 15).all()
