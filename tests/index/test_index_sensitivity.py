"""Monte Carlo sensitivity of the ranks, and the benchmark script on a small panel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


from social_progress.index import IndexOptions, compute_index, sensitivity_analysis


def test_sensitivity_shape_and_determinism(framework, values):
    a = sensitivity_analysis(values, framework, IndexOptions(), n_runs=40, seed=7)
    b = sensitivity_analysis(values.sample(frac=1.0, random_state=1), framework, IndexOptions(), n_runs=40, seed=7)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns) == ["area_code", "area_level", "year", "rank", "median_rank", "rank_p05", "rank_p95",
                               "interval_width", "wide_interval"]
    assert len(a) == values.groupby(["area_code", "year"]).ngroups
    assert (a.rank_p05 <= a.median_rank).all() and (a.median_rank <= a.rank_p95).all()
    assert a.rank_p05.min() >= 1 and a.rank_p95.max() <= 60
    np.testing.assert_allclose(a.interval_width, a.rank_p95 - a.rank_p05)
    assert (a.wide_interval == (a.interval_width > 0.10 * 60)).all()
    base = compute_index(values, framework).scores
    base = base[base.measure_type == "index"]["rank"].to_numpy()
    np.testing.assert_array_equal(a["rank"].to_numpy(), base)
    c = sensitivity_analysis(values, framework, IndexOptions(), n_runs=40, seed=8)
    assert not c["median_rank"].equals(a["median_rank"])


def test_sensitivity_flags_fragile_areas(framework, values):
    """Noise-level differences between areas make ranks fragile; big ones do not."""
    res = sensitivity_analysis(values, framework, IndexOptions(), n_runs=60, seed=0, weight_noise=0.5)
    assert res["wide_interval"].any()
    # the best area by a distance keeps a narrow interval
    top = res.sort_values("rank").groupby("year").head(1)
    assert (top["interval_width"] <= 6).all()


def test_sensitivity_no_noise_is_stable(framework, values):
    """With no weight noise, only imputation/aggregation choices move ranks; complete data
    makes imputation moot, so intervals are at most the arithmetic vs power-mean swap."""
    res = sensitivity_analysis(values, framework, IndexOptions(), n_runs=20, seed=0, weight_noise=0.0)
    assert res["interval_width"].median() <= 2


def test_bench_script_runs(monkeypatch, capsys):
    path = Path(__file__).resolve().parents[2] / "bench" / "index.py"
    spec = importlib.util.spec_from_file_location("bench_index", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "N_AREAS", 500)
    monkeypatch.setattr(mod, "N_YEARS", 3)
    assert mod.main(["--full"]) == 0
    out = capsys.readouterr().out
    assert "seconds: " in out and "peak_rss_mb: " in out

