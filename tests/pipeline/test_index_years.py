"""An index year takes each indicator's latest value on or before it, within a bound."""
import pandas as pd

from social_progress.index_years import carry_forward, supported_years


def values(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "area_level", "boundary", "area_code", "year", "value"])


def test_latest_value_on_or_before_the_year_is_carried_within_the_bound():
    v = values([("no2", "borough", "lad", "E09000002", 2013, 31.9), ("no2", "borough", "lad", "E09000002", 2016, 32.5),
                ("no2", "borough", "lad", "E09000002", 2019, 25.3)])
    out = carry_forward(v, list(range(2012, 2025)), max_age=4).set_index("index_year")
    assert 2012 not in out.index                      # nothing published before 2013
    assert out.loc[2015, "value"] == 31.9 and out.loc[2015, "data_year"] == 2013
    assert out.loc[2016, "value"] == 32.5
    assert out.loc[2023, "data_year"] == 2019
    assert 2024 not in out.index                      # 2019 is five years old by then


def test_missing_values_are_not_carried_as_data():
    v = values([("x", "lsoa", "lsoa11", "E01000006", 2018, 1.0), ("x", "lsoa", "lsoa11", "E01000006", 2019, None)])
    out = carry_forward(v, [2019], max_age=4)
    assert out["data_year"].tolist() == [2018]


def test_a_year_is_supported_only_when_every_indicator_has_data():
    v = values([("a", "borough", "lad", "E09000002", 2015, 1.0), ("b", "borough", "lad", "E09000002", 2019, 2.0)])
    carried = carry_forward(v, list(range(2014, 2022)), max_age=4)
    assert supported_years(carried, ["a", "b"], list(range(2014, 2022))) == [2019]


def test_a_year_with_most_indicators_is_supported_and_the_rest_left_to_imputation():
    v = values([("a", "borough", "lad", "E09000002", 2016, 1.0), ("b", "borough", "lad", "E09000002", 2016, 1.0),
                ("c", "borough", "lad", "E09000002", 2016, 1.0), ("d", "borough", "lad", "E09000002", 2019, 2.0)])
    carried = carry_forward(v, list(range(2015, 2021)), max_age=4)
    years = list(range(2015, 2021))
    assert supported_years(carried, ["a", "b", "c", "d"], years, min_coverage=0.75) == [2016, 2017, 2018, 2019, 2020]
    assert supported_years(carried, ["a", "b", "c", "d"], years, min_coverage=1.0) == [2019, 2020]


def test_an_indicator_with_its_own_limit_is_carried_that_long():
    # a Census 2011 measure stands until the next Census (its YAML: max_carry_forward_years:
    # 10); an IoD measure of the same year lapses after the index's own limit (here 4)
    v = values([("census", "lsoa", "lsoa11", "E01000006", 2011, 0.2), ("iod", "lsoa", "lsoa11", "E01000006", 2011, 3.0)])
    out = carry_forward(v, list(range(2011, 2023)), max_age=4, max_age_of={"census": 10})
    years = out.groupby("indicator_id")["index_year"].agg(["min", "max"])
    assert years.loc["census"].tolist() == [2011, 2021] and years.loc["iod"].tolist() == [2011, 2015]
    assert out.loc[out["indicator_id"] == "census", "value"].eq(0.2).all()
