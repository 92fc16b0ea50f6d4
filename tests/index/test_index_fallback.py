"""The engine's fallback rule: no indicator silently loses its weight to a negative PCA loading."""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_progress.index import Framework, IndexOptions, IndicatorSpec, compute_index, compute_index_with_fallback
from social_progress.index.fallback import with_component_weighting


def framework(weighting="pca", component_weighting=None) -> Framework:
    comps = [("a1", "Safety"), ("a2", "Safety"), ("b1", "Shelter"), ("b2", "Shelter"), ("b3", "Shelter")]
    return Framework([IndicatorSpec(i, i, "Basic", c, "higher_is_better", 0.0, 100.0) for i, c in comps],
                     weighting=weighting, component_weighting=component_weighting)


def values(seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base, other = rng.uniform(10, 90, 200), rng.uniform(10, 90, 200)
    data = {"a1": base + rng.normal(0, 5, 200), "a2": base + rng.normal(0, 5, 200),       # coherent
            "b1": other + rng.normal(0, 5, 200), "b2": other + rng.normal(0, 5, 200),
            "b3": 100 - other + rng.normal(0, 5, 200)}                                       # runs against b1, b2
    return pd.DataFrame([dict(area_code=f"E01{n:06d}", area_level="lsoa11", year=2020, indicator_id=k,
                              value=float(np.clip(v[n], 0, 100))) for k, v in data.items() for n in range(200)])


def weights(result) -> pd.Series:
    return result.weights.set_index("indicator_id")["weight"]


def test_a_component_with_a_negative_loading_falls_back_to_equal_weights():
    messages = []
    fw, result, fallback = compute_index_with_fallback(values(), framework(), IndexOptions(), messages.append)
    assert fallback == {"Shelter": ["b3"]}
    assert fw.weighting_of("Shelter") == "equal" and fw.weighting_of("Safety") == "pca"
    w = weights(result)
    assert w[["b1", "b2", "b3"]].tolist() == [1 / 3, 1 / 3, 1 / 3]
    assert abs(w["a1"] + w["a2"] - 1) < 1e-12 and w["a1"] != 1 / 2  # the coherent component keeps PCA weights
    assert (w > 0).all()
    assert messages == ["Shelter: b3 loads negatively on the first principal component; the component uses equal weights"]
    # the same as asking for equal weights in Shelter up front
    pd.testing.assert_frame_equal(result.scores, compute_index(values(), framework(component_weighting={"Shelter": "equal"}),
                                                               IndexOptions()).scores)


def test_without_negative_loadings_the_first_result_is_returned():
    fw0 = framework(component_weighting={"Shelter": "equal"})
    fw, result, fallback = compute_index_with_fallback(values(), fw0, IndexOptions(), lambda m: None)
    assert fallback == {} and fw is fw0


def test_equal_weighting_never_falls_back():
    fw0 = framework("equal")
    fw, result, fallback = compute_index_with_fallback(values(), fw0, IndexOptions(), print)
    assert fallback == {} and fw is fw0
    assert result.weights["weight"].round(12).isin([0.5, round(1 / 3, 12)]).all()


def test_with_component_weighting_keeps_the_rest_of_the_framework():
    fw = with_component_weighting(framework(component_weighting={"Safety": "equal"}), {"Shelter": "equal"})
    assert fw.component_weighting == {"Safety": "equal", "Shelter": "equal"}
    assert fw.weighting == "pca" and fw.indicator_ids == framework().indicator_ids
