"""Framework definition: validation errors name the indicator and the field."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from social_progress.index import Framework, FrameworkError, IndicatorSpec

from index_helpers import small_specs


def test_from_records_dicts_and_dataframe(specs):
    recs = [dataclasses.asdict(s) for s in specs]
    a = Framework.from_records(recs)
    b = Framework.from_records(pd.DataFrame(recs))
    assert a.indicator_ids == b.indicator_ids == [s.id for s in specs]
    assert a.dimensions == ["Dim 0", "Dim 1"]
    assert a.components == ["Comp 00", "Comp 01", "Comp 10", "Comp 11"]
    assert a.components_of("Dim 1") == ["Comp 10", "Comp 11"]


def test_names_come_from_specs_not_hard_coded():
    specs = [dataclasses.replace(s, dimension="Anything " + s.dimension, component="X " + s.component)
             for s in small_specs()]
    fw = Framework(specs)
    assert fw.dimensions[0].startswith("Anything")


@pytest.mark.parametrize("change, match", [
    (dict(worst=100.0, best=100.0), "worst equals best"),
    (dict(direction="up"), "field 'direction'"),
    (dict(transform="cube"), "field 'transform'"),
    (dict(transform="cap"), "field 'transform_param' is missing"),
    (dict(worst="abc"), "field 'worst' must be a number"),
    (dict(best=float("inf")), "field 'best' must be finite"),
    (dict(direction="higher_is_better"), "contradicts goalposts"),
    (dict(transform="log", worst=0.0), "outside the domain of transform 'log'"),
    (dict(weight=-1.0), "field 'weight' must be >= 0"),
])
def test_bad_spec_names_indicator_and_field(change, match):
    specs = small_specs()
    specs[4] = dataclasses.replace(specs[4], **change)
    with pytest.raises(FrameworkError, match=match) as exc:
        Framework(specs)
    assert repr(specs[4].id) in str(exc.value)


def test_worst_equal_best_after_transform():
    """Different raw goalposts that coincide on the transformed scale are rejected too."""
    specs = small_specs()
    specs[0] = dataclasses.replace(specs[0], transform="cap", transform_param=50.0, worst=60.0, best=80.0)
    with pytest.raises(FrameworkError, match="'d0c0i0'.*worst equals best"):
        Framework(specs)


def test_duplicate_id_and_component_in_two_dimensions():
    specs = small_specs()
    with pytest.raises(FrameworkError, match="duplicated id"):
        Framework(specs + [specs[0]])
    moved = dataclasses.replace(specs[0], dimension="Dim 1")
    with pytest.raises(FrameworkError, match="component 'Comp 00' is already in dimension"):
        Framework([moved] + specs[1:])


def test_record_missing_required_field():
    recs = [dataclasses.asdict(s) for s in small_specs()]
    del recs[2]["worst"]
    with pytest.raises(FrameworkError, match="'d0c0i2': field 'worst' is missing"):
        Framework.from_records(recs)


def test_fixed_weighting_needs_weights():
    with pytest.raises(FrameworkError, match="'d0c0i0'.*'weight' is missing"):
        Framework(small_specs(), weighting="fixed")
    fw = Framework(small_specs(), component_weighting={"Comp 00": "equal"})
    assert fw.weighting_of("Comp 00") == "equal" and fw.weighting_of("Comp 01") == "pca"
    with pytest.raises(FrameworkError, match="unknown component 'Nope'"):
        Framework(small_specs(), component_weighting={"Nope": "equal"})


def test_goalposts_raw_units_by_default():
    """Goalposts are in raw units and go through f, like the published spec's sqrt indicators."""
    s = IndicatorSpec("x", "x", "D", "C", "lower_is_better", worst=10000.0, best=0.0, transform="sqrt")
    fw = Framework([s])
    fw_worst, fw_best = fw.goalposts()
    assert fw_worst[0] == pytest.approx(100.0) and fw_best[0] == 0.0
    fw_t = Framework([dataclasses.replace(s, worst=100.0)], goalpost_scale="transformed")
    assert fw_t.goalposts()[0][0] == 100.0
