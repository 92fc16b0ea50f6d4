"""Helpers for the index engine tests: a small synthetic framework and panel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from social_progress.index import IndicatorSpec


def small_specs(n_dims: int = 2, n_comps: int = 2, n_ind: int = 3) -> list[IndicatorSpec]:
    specs = []
    for d in range(n_dims):
        for c in range(n_comps):
            for i in range(n_ind):
                hib = i % 2 == 0
                specs.append(IndicatorSpec(
                    id=f"d{d}c{c}i{i}", name=f"Indicator {d}{c}{i}", dimension=f"Dim {d}",
                    component=f"Comp {d}{c}", direction="higher_is_better" if hib else "lower_is_better",
                    worst=0.0 if hib else 200.0, best=200.0 if hib else 0.0))
    return specs


def small_values(n_areas: int = 60, years=(2019, 2020, 2021, 2022), specs=None, seed: int = 1,
                 level: str = "lsoa", prefix: str = "A") -> pd.DataFrame:
    """Long values with a latent factor per component (so PCA has something to find)."""
    specs = specs or small_specs()
    rng = np.random.default_rng(seed)
    comps = list(dict.fromkeys(s.component for s in specs))
    latent = rng.normal(size=(n_areas, len(comps)))
    rows = []
    for a in range(n_areas):
        for t, y in enumerate(years):
            for j, s in enumerate(specs):
                z = latent[a, comps.index(s.component)] * (1 + 0.1 * (j % 3)) + 0.05 * t + rng.normal(scale=0.5)
                if s.direction == "lower_is_better":
                    z = -z
                rows.append((f"{prefix}{a:03d}", level, y, s.id, float(np.clip(100 + 30 * z, 1, 199))))
    return pd.DataFrame(rows, columns=["area_code", "area_level", "year", "indicator_id", "value"])


