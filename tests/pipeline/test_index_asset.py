"""The index asset's rule on top of the engine: no indicator silently loses its weight."""
import numpy as np
import pandas as pd

from social_progress.assets.index import run_engine
from social_progress.index import IndexOptions


def metadata():
    rows = [("a1", "Safety", "x"), ("a2", "Safety", "x"), ("b1", "Shelter", "x"), ("b2", "Shelter", "x"), ("b3", "Shelter", "x")]
    return pd.DataFrame([dict(indicator_id=i, name=i, dimension="Basic", component=c, direction="higher_is_better",
                              worst=0.0, best=100.0, transform="none", in_index=True) for i, c, _ in rows])


def values(seed=0):
    rng = np.random.default_rng(seed)
    base = rng.uniform(10, 90, 200)
    other = rng.uniform(10, 90, 200)
    data = {"a1": base + rng.normal(0, 5, 200), "a2": base + rng.normal(0, 5, 200),       # coherent
            "b1": other + rng.normal(0, 5, 200), "b2": other + rng.normal(0, 5, 200),
            "b3": 100 - other + rng.normal(0, 5, 200)}                                       # runs against b1, b2
    rows = [dict(area_code=f"E01{n:06d}", area_level="lsoa11", year=2020, indicator_id=k, value=float(np.clip(v[n], 0, 100)))
            for k, v in data.items() for n in range(200)]
    return pd.DataFrame(rows)


def test_component_with_a_negative_loading_falls_back_to_equal_weights():
    messages = []
    framework, result, fallback = run_engine(values(), metadata(), "pca", IndexOptions(weight_level="lsoa11"), messages.append)
    assert fallback == {"Shelter": ["b3"]}
    w = result.weights.assign(component=lambda d: d["component"].astype(str)).set_index("indicator_id")["weight"]
    assert w[["b1", "b2", "b3"]].tolist() == [1 / 3, 1 / 3, 1 / 3]
    assert abs(w["a1"] + w["a2"] - 1) < 1e-12 and w["a1"] != 1 / 2  # the coherent component keeps PCA weights
    assert (w > 0).all()
    assert any("b3 loads negatively" in m for m in messages)


def test_equal_weighting_never_falls_back():
    _, result, fallback = run_engine(values(), metadata(), "equal", IndexOptions(weight_level="lsoa11"), print)
    assert fallback == {}
    assert result.weights["weight"].round(12).isin([0.5, round(1 / 3, 12)]).all()
