"""Property-style checks on random tables, and the size the platform needs."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from disclosure_helpers import LEVEL, exactly_determined
from social_progress.disclosure import (DisclosurePolicy, apply_disclosure_control, groups_from_lookup,
                                        period_groups, recover_by_differencing)

QUARTERS = np.array([0.25, 0.5, 0.75, 1.0])  # exact in binary: apportioned sums stay exactly additive


def random_borough(rng: np.random.Generator, n_wards: int, max_lsoas: int):
    """A borough: lsoa11 in ward19; a ward22 partition and an lsoa21 apportionment of the LSOAs."""
    sizes = rng.integers(1, max_lsoas + 1, size=n_wards)
    ward_of = np.repeat(np.arange(n_wards), sizes)
    n = len(ward_of)
    lsoa11 = [f"L{i:03d}" for i in range(n)]
    ward19 = [f"W{w:02d}" for w in range(n_wards)]
    n22 = int(rng.integers(1, n_wards + 2))
    ward22_of = rng.integers(0, n22, size=n)
    ward22_of[:n22] = np.arange(n22)[: min(n22, n)]
    n21 = n + int(rng.integers(0, 3))
    to21 = rng.integers(0, n21, size=n)
    to21_next = (to21 + 1) % n21
    share = rng.choice(QUARTERS, size=n)
    return dict(lsoa11=lsoa11, ward19=ward19, ward_of=ward_of, ward22_of=ward22_of, n22=n22,
                n21=n21, to21=to21, to21_next=to21_next, share=share)


def counts(rng, n, p_small):
    small = rng.random(n) < p_small
    return np.where(small, rng.integers(0, 5, size=n), rng.integers(5, 60, size=n)).astype(float)


def build_cells(rng, geo, indicators, years, period, personal, p_small=0.35, extra_borough=False):
    frames = []
    for ind in indicators:
        per_year = {}
        for year in years:
            num = counts(rng, len(geo["lsoa11"]), p_small)
            if ind in personal:
                den = num + rng.integers(0, 25, size=len(num))
            else:
                den = np.round(num * rng.uniform(5, 30, size=len(num))) + 50
            per_year[year] = (num, den)
        if period:
            per_year["2019-21"] = tuple(sum(per_year[y][i] for y in years) for i in (0, 1))
        for year, (num, den) in per_year.items():
            parts = [("lsoa11", np.array(geo["lsoa11"]), num, den)]
            w = np.bincount(geo["ward_of"], weights=num), np.bincount(geo["ward_of"], weights=den)
            parts.append(("ward19", np.array(geo["ward19"]), *w))
            w22 = (np.bincount(geo["ward22_of"], weights=num, minlength=geo["n22"]),
                   np.bincount(geo["ward22_of"], weights=den, minlength=geo["n22"]))
            parts.append(("ward22", np.array([f"V{i:02d}" for i in range(geo["n22"])]), *w22))
            n21, s = geo["n21"], geo["share"]
            l21 = tuple(np.bincount(geo["to21"], weights=x * s, minlength=n21)
                        + np.bincount(geo["to21_next"], weights=x * (1 - s), minlength=n21) for x in (num, den))
            parts.append(("lsoa21", np.array([f"M{i:03d}" for i in range(n21)]), *l21))
            extra = float(rng.integers(1, 4)) if extra_borough else 0.0
            parts.append(("lad", np.array(["B0"]), np.array([num.sum() + extra]), np.array([den.sum() + extra])))
            for boundary, codes, nu, de in parts:
                frames.append(pd.DataFrame({
                    "indicator_id": ind, "area_code": codes, "area_level": LEVEL[boundary], "boundary": boundary,
                    "year": [year] * len(codes), "numerator": nu, "denominator": de,
                    "value": np.where(de > 0, 1000.0 * nu / np.where(de > 0, de, 1), np.nan), "quality_flag": None}))
    return pd.concat(frames, ignore_index=True)


def build_groups(geo, period, years):
    lookup = pd.DataFrame({"lsoa11_code": geo["lsoa11"], "ward19_code": [geo["ward19"][w] for w in geo["ward_of"]]})
    extra = {"ward22": [f"V{i:02d}" for i in range(geo["n22"])], "lsoa21": [f"M{i:03d}" for i in range(geo["n21"])]}
    groups = groups_from_lookup(lookup, borough_code="B0", codes_by_boundary=extra)
    if period:
        groups = pd.concat([groups, period_groups({"2019-21": years})], ignore_index=True)
    return groups


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    policy = DisclosurePolicy(threshold=int(rng.choice([3, 5, 5, 5, 10])), suppress_zero=bool(rng.random() < 0.7),
                              rounding_base=5 if rng.random() < 0.25 else None)
    geo = random_borough(rng, n_wards=int(rng.integers(1, 6)), max_lsoas=int(rng.integers(1, 6)))
    years = [2019, 2020, 2021] if rng.random() < 0.4 else [2021]
    period = len(years) == 3 and rng.random() < 0.6
    indicators = ["i1", "i2"][: int(rng.integers(1, 3))]
    personal = {i for i in indicators if rng.random() < 0.4}
    t = build_cells(rng, geo, indicators, years, period, personal, p_small=float(rng.uniform(0.1, 0.6)),
                    extra_borough=rng.random() < 0.15)
    if rng.random() < 0.15:  # a count missing at source
        i = int(rng.integers(0, len(t)))
        t.loc[i, ["numerator", "value"]] = np.nan
    return t, build_groups(geo, period, years), policy, personal


@pytest.mark.parametrize("block", range(4))
def test_random_tables_leak_nothing(block):
    """200 random tables (4 blocks of 50): after control the per-group attacker finds nothing,
    no suppressed cell follows exactly from all the equations together, and no published count
    is small; before secondary suppression, the attacker does find things."""
    leaks_without_secondary = 0
    for seed in range(block * 50, block * 50 + 50):
        t, groups, policy, personal = random_case(seed)
        out, report = apply_disclosure_control(t, groups, policy, personal_denominators=personal)
        thr = policy.threshold
        assert report.unresolved == 0, seed
        cols = ["numerator", "denominator"] if personal and policy.check_denominator else ["numerator"]
        found = recover_by_differencing(out, groups, thr, columns=cols)
        assert found.empty, (seed, found.head().to_dict("records"))
        if t["numerator"].notna().all():  # a count missing at source breaks its equations: not audited
            assert exactly_determined(out, groups) == [], seed
        # published counts are never small (zeros only when allowed)
        pub = out.loc[~out["suppressed"], "numerator"].dropna()
        small = (pub < thr) & ~((pub == 0) & (not policy.suppress_zero))
        assert not small.any(), (seed, pub[small].tolist())
        is_personal = t["indicator_id"].isin(personal)
        if policy.check_denominator:
            pden = out.loc[~out["suppressed"] & is_personal, "denominator"].dropna()
            assert not ((pden < thr) & ~((pden == 0) & (not policy.suppress_zero))).any(), seed
        # primary is exactly the threshold rule
        num, den = t["numerator"], t["denominator"]
        rule = num.notna() & (num < thr) & (policy.suppress_zero | (num != 0))
        rule |= is_personal & den.notna() & (den < thr) & (policy.suppress_zero | (den != 0))
        assert (out["suppression"] == "primary").tolist() == rule.tolist(), seed
        # suppressed cells are blank; missing stays missing; nothing becomes 0
        s = out["suppressed"]
        assert out.loc[s, ["numerator", "value"]].isna().all().all(), seed
        assert out.loc[s & is_personal, "denominator"].isna().all(), seed
        assert out.loc[s & ~is_personal, "denominator"].notna().all(), seed
        missing = t["numerator"].isna()
        assert out.loc[missing, "numerator"].isna().all(), seed
        # a cell with no numerator is hidden only for its personal denominator's sake
        assert not (s & missing & ~is_personal).any(), seed
        assert (rule[missing] <= s[missing]).all(), seed
        assert not ((out["numerator"] == 0) & (t["numerator"] != 0)).any(), seed
        assert (out["suppressed"] == out["suppression"].notna()).all()
        assert set(out.loc[s, "quality_flag"]) <= {"suppressed_small_count", "suppressed_secondary"}
        assert report.primary + report.secondary == int(s.sum())
        if policy.rounding_base is None:
            assert np.allclose(out.loc[~s, "numerator"].dropna(), t.loc[~s, "numerator"].dropna())
        else:
            kept = out.loc[~s, "numerator"].dropna()
            assert (kept % policy.rounding_base == 0).all(), seed
        # the same table with rows in another order gives the same cells
        if seed % 10 == 0:
            shuffled = t.sample(frac=1.0, random_state=seed)
            again, _ = apply_disclosure_control(shuffled, groups, policy, personal_denominators=personal)
            assert again.sort_index()["suppression"].tolist() == out["suppression"].tolist(), seed
        # the attacker is not vacuous: with primary suppression only it usually finds something
        primary_only = t.copy()
        primary_only["suppressed"] = out["suppression"] == "primary"
        primary_only.loc[primary_only["suppressed"], ["numerator", "value"]] = np.nan
        if report.secondary and not recover_by_differencing(primary_only, groups, thr).empty:
            leaks_without_secondary += 1
    assert leaks_without_secondary >= 10


def test_published_files_are_audited(tmp_path):
    """The attacker reads release files: CSV and Parquet, with or without the marker columns."""
    t, groups, policy, personal = random_case(7)
    out, report = apply_disclosure_control(t, groups, DisclosurePolicy(), personal_denominators=personal)
    assert report.suppressed > 0
    out = out.drop(columns=[]).assign(year=out["year"].astype(str))
    out.to_csv(tmp_path / "cells.csv", index=False)
    out.to_parquet(tmp_path / "cells.parquet", index=False)
    groups.to_csv(tmp_path / "groups.csv", index=False)
    g = pd.read_csv(tmp_path / "groups.csv")
    for frame in (pd.read_csv(tmp_path / "cells.csv"), pd.read_parquet(tmp_path / "cells.parquet")):
        assert recover_by_differencing(frame, g).empty
        bare = frame.drop(columns=["suppressed", "suppression", "quality_flag"])  # NaN = suppressed
        if t["numerator"].notna().all():
            assert recover_by_differencing(bare, g).empty
        leaky = frame.copy()
        hidden = leaky.index[leaky["suppression"] == "secondary"]
        leaky.loc[hidden, "numerator"] = t.loc[hidden, "numerator"].to_numpy()
        leaky.loc[hidden, "suppressed"] = False
        assert not recover_by_differencing(leaky, g).empty


def test_platform_size_in_a_few_seconds():
    """30 indicators x 10 years x ~300 areas (lsoa11, ward19, ward22, lsoa21, borough): ~90,000 cells."""
    rng = np.random.default_rng(2024)
    geo = random_borough(rng, n_wards=20, max_lsoas=14)
    years = list(range(2012, 2022))
    indicators = [f"ind{i:02d}" for i in range(30)]
    personal = set(indicators[:10])
    t = build_cells(rng, geo, indicators, years, period=False, personal=personal, p_small=0.15)
    groups = build_groups(geo, period=False, years=years)
    started = time.perf_counter()
    out, report = apply_disclosure_control(t, groups, personal_denominators=personal)
    took = time.perf_counter() - started
    assert len(t) > 80_000 and report.equations > 20 * 300
    assert report.secondary > 0 and report.unresolved == 0
    assert took < 8.0, took
    started = time.perf_counter()
    assert recover_by_differencing(out, groups, columns=["numerator", "denominator"]).empty
    assert time.perf_counter() - started < 8.0
