"""Benchmark of social_progress.index on an England-sized LSOA panel.

Builds a synthetic panel of 33,755 LSOAs x 60 indicators x 10 years (3 dimensions x 4
components x 5 indicators; a latent factor per component so PCA has structure; about 4%
of values missing at random, plus some indicators missing for whole areas, plus a few
areas with whole components missing) and runs the full method without the Monte Carlo:
input checks and pivot, transforms, scoring, imputation, PCA weights, diagnostics,
aggregation and the published index/dimension/component tables. Pass --full to also
build the 20-million-row indicator table and the long `scores` table (ranks, changes).

Prints `seconds: N` (method wall time, input generation excluded) and `peak_rss_mb: N`
(peak resident memory of the whole process, input included).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from social_progress.index import Framework, IndexOptions, IndicatorSpec, compute_index

N_AREAS, N_YEARS, N_DIMS, N_COMPS, N_IND = 33_755, 10, 3, 4, 5


def make_framework() -> Framework:
    specs = []
    transforms = ["none", "log", "sqrt", "log1p", "none"]
    for d in range(N_DIMS):
        for c in range(N_COMPS):
            for i in range(N_IND):
                tr = transforms[i]
                hib = (i % 2 == 0)
                lo, hi = (0.5, 200.0) if tr == "log" else (0.0, 200.0)
                specs.append(IndicatorSpec(
                    id=f"d{d}c{c}i{i}", name=f"Indicator {d}.{c}.{i}", dimension=f"Dimension {d}",
                    component=f"Component {d}.{c}", direction="higher_is_better" if hib else "lower_is_better",
                    worst=lo if hib else hi, best=hi if hib else lo, transform=tr))
    return Framework(specs, weighting="pca")


def make_values(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_ind = N_DIMS * N_COMPS * N_IND
    shape = (N_AREAS, N_YEARS, n_ind)
    area_level = rng.normal(size=(N_AREAS, 1, N_DIMS * N_COMPS))
    trend = np.linspace(0, 0.3, N_YEARS)[None, :, None]
    latent = np.repeat(area_level + trend, N_IND, axis=2)               # (area, year, indicator)
    loading = rng.uniform(0.5, 1.0, size=n_ind)
    sign = np.where(np.arange(n_ind) % 2 == 0, 1.0, -1.0)
    z = latent * loading * sign + rng.normal(scale=0.6, size=shape)
    x = (100.0 + 30.0 * z).astype(np.float64)
    np.clip(x, 1.0, None, out=x)                                           # keep log/sqrt domains valid
    del z, latent
    x[rng.random(shape) < 0.04] = np.nan                                   # scattered gaps
    gone = rng.random((N_AREAS, n_ind)) < 0.01                              # indicator never observed
    x[np.repeat(gone[:, None, :], N_YEARS, axis=1)] = np.nan
    x[rng.integers(0, N_AREAS, 200), :, :N_IND] = np.nan                   # whole component missing
    n = x.size
    codes = pd.Index([f"E01{a:06d}" for a in range(N_AREAS)], dtype=object)
    ids = pd.Index(make_framework().indicator_ids, dtype=object)
    return pd.DataFrame({
        "area_code": pd.Categorical.from_codes(np.repeat(np.arange(N_AREAS), N_YEARS * n_ind), categories=codes),
        "area_level": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=["lsoa"]),
        "year": np.tile(np.repeat(np.arange(2015, 2015 + N_YEARS, dtype=np.int64), n_ind), N_AREAS),
        "indicator_id": pd.Categorical.from_codes(np.tile(np.arange(n_ind), N_AREAS * N_YEARS), categories=ids),
        "value": x.ravel(),
    })


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also build indicator_scores and scores tables")
    args = ap.parse_args(argv)
    framework = make_framework()
    values = make_values()
    t0 = time.perf_counter()
    res = compute_index(values, framework, IndexOptions(weight_level="lsoa"))
    tables = [res.index_scores, res.dimension_scores, res.component_scores, res.weights, res.diagnostics]
    seconds = time.perf_counter() - t0
    rows = {"index": len(tables[0]), "component": len(tables[2])}
    if args.full:
        t1 = time.perf_counter()
        rows["indicator"] = len(res.indicator_scores)
        rows["scores"] = len(res.scores)
        print(f"full_tables_seconds: {time.perf_counter() - t1:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {rows}")
    print(f"scored_index_share: {np.isfinite(tables[0]['score']).mean():.4f}")
    print(f"seconds: {seconds:.2f}")
    print(f"peak_rss_mb: {peak:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
