"""London's own indicator values in the London layer (publish.london_layer.london_values):
the boroughs' numerators and denominators summed over London and the value recomputed from
the sums, never the mean of the boroughs' values; a borough without a value is left out of
the sums and named by the count."""
import duckdb
import pandas as pd
import pytest


def _warehouse(path):
    rows = [
        # a rate per 1,000: 10 crimes in 1,000 residents, 90 in 3,000 (the mean of 10 and 30 would be 20)
        ("crime_rate", "E09000002", 2021, 10.0, 1000.0, 10.0),
        ("crime_rate", "E09000003", 2021, 90.0, 3000.0, 30.0),
        ("crime_rate", "E09000001", 2021, None, None, None),        # not covered: no value, not summed
        # a resident-weighted mean comes in as value x residents over residents
        ("green_share", "E09000002", 2021, 0.2 * 1000, 1000.0, 0.2),
        ("green_share", "E09000003", 2021, 0.6 * 3000, 3000.0, 0.6),
        ("green_share", "E09000001", 2021, 0.5 * 10, 10.0, 0.5),
    ]
    v = pd.DataFrame(rows, columns=["indicator_id", "area_code", "year", "numerator", "denominator", "value"]).assign(
        area_level="borough", boundary="lad", unit="u", period="2021", quality_flag=None)
    meta = pd.DataFrame({"indicator_id": ["crime_rate", "green_share"], "multiplier": [1000, 1],
                         "aggregation": ["rate", "mean_population_weighted"], "in_index": [True, True]})
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.register("v", v)
        con.execute("CREATE TABLE marts.indicator_values AS SELECT * FROM v")
    return path, meta


def test_londons_values_are_recomputed_from_the_summed_counts(tmp_path):
    from social_progress.publish.london_layer import london_values

    db, meta = _warehouse(tmp_path / "london.duckdb")
    values, fewer = london_values(db, meta)
    got = values.set_index("indicator_id")
    assert set(got["area_code"]) == {"E12000007"} and set(got["boundary"]) == {"region"}
    assert got.loc["crime_rate", "value"] == pytest.approx(1000 * 100 / 4000)           # 25 per 1,000, not 20
    assert got.loc["crime_rate", "numerator"] == 100 and got.loc["crime_rate", "denominator"] == 4000
    assert got.loc["green_share", "value"] == pytest.approx((200 + 1800 + 5) / 4010)     # resident-weighted
    assert fewer == {"crime_rate": 2}                                                    # of the 3 boroughs
