"""London's score and the borough's rank among London's boroughs, from a published London
layer (publish.london_comparison), on the hand-made layer of london_layer_fixture: the rank
with a tie at one decimal place, London's own score, the release's table and first-view data,
a layer on another framework refused with the reason, and no layer said plainly."""
import io
import json
from types import SimpleNamespace

import pandas as pd
import pytest

import london_layer_fixture as lf
from fixture_warehouse import BOROUGH, make_warehouse

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}
INDEX = "Social Progress Index"


def script(data: bytes, prefix: str = "window.SPI_DATA = ") -> dict:
    text = data.decode("utf-8")
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


def project(tmp_path):
    """A project folder: settings and area configuration as a deployment scoring with the
    common London weights (catalogue/london_weights.yml)."""
    lf.write_common_weights(tmp_path / "catalogue")
    settings = SimpleNamespace(project_root=tmp_path, catalogue_dir=tmp_path / "catalogue",
                               sources_path=ROOT / "catalogue" / "sources.yml")
    cfg = SimpleNamespace(index=SimpleNamespace(weighting="london"), borough=SimpleNamespace(code=BOROUGH[0]))
    return settings, cfg


def release(tmp_path, settings, cfg):
    """(files, comparison) of the fixture warehouse's release with the comparison for_release finds."""
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.london_comparison import for_release
    from social_progress.publish.marts import write_derived_marts

    db = make_warehouse(tmp_path / "wh" / "social_progress.duckdb")
    write_derived_marts(db, BOROUGH_DICT, None)
    wh = read_warehouse(db, require_marts=True)
    lc = for_release(settings, cfg, wh)
    _, files = build_release(wh, borough=BOROUGH_DICT, sources_path=ROOT / "catalogue" / "sources.yml",
                             targets_path=None, code_version="test", london=lc)
    return files, lc


def test_rank_among_boroughs_marks_ties_at_one_decimal_place():
    from social_progress.publish.london_comparison import rank_among, rank_text

    scores = pd.Series({"A": 70.0, "B": 55.04, "C": 54.96, "D": 12.0, "E": None})
    assert rank_among(scores, "B") == (2, True, 4) and rank_text(2, True, 4) == "=2nd of 4"
    assert rank_among(scores, "C") == (2, True, 4)                 # 55.0 both, as the explorer shows them
    assert rank_among(scores, "A") == (1, False, 4) and rank_text(1, False, 4) == "1st of 4"
    assert rank_among(scores, "D") == (4, False, 4)
    assert rank_among(scores, "E") is None                         # no score: no rank, and not counted
    assert [rank_text(n, False, 33) for n in (3, 11, 12, 13, 21, 22, 23, 33)] == [
        "3rd of 33", "11th of 33", "12th of 33", "13th of 33", "21st of 33", "22nd of 33", "23rd of 33", "33rd of 33"]


def test_the_release_carries_londons_score_and_the_boroughs_rank_from_the_layer(tmp_path):
    settings, cfg = project(tmp_path)
    layer_dir = lf.write_layer(tmp_path / "releases" / "E12000007")   # where `social-progress london` publishes it
    files, lc = release(tmp_path, settings, cfg)
    assert lc.section["available"], lc.section

    # the Parquet holds the text as it is; the CSV guards a leading = against spreadsheet formulas
    table = pd.read_parquet(io.BytesIO(files["london_comparison.parquet"]))
    assert pd.read_csv(io.BytesIO(files["london_comparison.csv"]))["rank_text"].tolist() == [
        "'" + t if t.startswith("=") else t for t in table["rank_text"]]
    by = table.set_index(["year", "measure"])
    assert len(table) == 2 * len(lf.YEARS)
    assert by.loc[(2021, INDEX), "rank_text"] == "=5th of 33" and bool(by.loc[(2021, INDEX), "tied"])
    assert by.loc[(2019, INDEX), "rank_text"] == "11th of 33" and not bool(by.loc[(2019, INDEX), "tied"])
    assert by.loc[(2020, INDEX), "rank_text"] == "3rd of 33"
    for y in lf.YEARS:
        assert by.loc[(y, INDEX), "london_score"] == lf.LONDON[y][0]
        assert by.loc[(y, "Basic Human Needs"), "london_score"] == lf.LONDON[y][1]
        # the layer's borough score and this release's own agree (the fixture's layer holds them)
        assert by.loc[(y, INDEX), "borough_score"] == pytest.approx(lf.OWN[y], abs=1e-4)
        assert by.loc[(y, INDEX), "release_common_score"] == pytest.approx(lf.OWN[y], abs=1e-4)

    # which layer and framework: in metadata.json and in the explorer's first-view data
    meta = json.loads(files["metadata.json"])
    section = meta["sections"]["london_comparison"]
    assert section["layer"] == f"E12000007/{layer_dir.name}" and len(section["layer_published"]) == 10
    assert section["framework"]["fingerprint"] == lf.framework()["fingerprint"]
    assert "London" in section["framework"]["name"] and "london_comparison.csv" in meta["files"]
    data = script(files["explorer/data.js"])
    first = data["sections"]["london_comparison"]["years"]["2021"][INDEX]
    assert first == {"london": 61.2, "borough": pytest.approx(43.3929, abs=1e-4), "rank": 5, "tied": True, "of": 33,
                     "text": "=5th of 33"}
    # every column of the new table is described
    dictionary = pd.read_csv(io.BytesIO(files["data_dictionary.csv"]))
    described = dictionary[dictionary["file"] == "london_comparison.csv"]
    assert set(described["column"].dropna()) - {""} == set(table.columns)
    assert described["description"].notna().all()


def test_a_layer_on_another_framework_is_refused_with_the_reason(tmp_path):
    settings, cfg = project(tmp_path)
    lf.write_layer(tmp_path / "releases" / "E12000007", fw=lf.framework(crime_rate={"worst": 150.0}))
    files, lc = release(tmp_path, settings, cfg)
    section = json.loads(files["metadata.json"])["sections"]["london_comparison"]
    assert section["available"] is False and "london_comparison.csv" not in files
    assert "not on this release's common framework" in section["note"]
    assert section["differences"] == ["indicator crime_rate: worst is 120.0 here, 150.0 in the London layer"]
    assert "make london" in section["note"]
    assert script(files["explorer/data.js"])["sections"]["london_comparison"]["available"] is False


def test_other_common_weights_are_refused_too(tmp_path):
    settings, cfg = project(tmp_path)
    fw = lf.framework()
    fw["indicators"]["green_share"]["weight"] = 0.5
    lf.write_layer(tmp_path / "releases" / "E12000007", fw=fw)
    _, lc = release(tmp_path, settings, cfg)
    assert lc.section["available"] is False
    assert lc.section["differences"] == ["indicator green_share: common London weight 1.000000 here, 0.5 in the London layer"]


def test_a_layer_that_does_not_say_its_framework_is_not_compared(tmp_path):
    settings, cfg = project(tmp_path)
    lf.write_layer(tmp_path / "releases" / "E12000007", with_framework=False)
    files, lc = release(tmp_path, settings, cfg)
    assert lc.section["available"] is False and "london_comparison.csv" not in files
    assert "does not say which framework" in lc.section["note"] and "make london" in lc.section["note"]


def test_without_a_layer_the_release_says_so_and_how_to_get_one(tmp_path):
    settings, cfg = project(tmp_path)
    files, lc = release(tmp_path, settings, cfg)
    section = json.loads(files["metadata.json"])["sections"]["london_comparison"]
    assert section == {"available": False, "note": lc.section["note"]}
    assert section["note"].startswith("no London layer has been published") and "make london" in section["note"]
    assert "london_comparison.csv" not in files


def test_a_layer_without_londons_own_score_ranks_but_invents_no_london_value(tmp_path, monkeypatch):
    """SPI_LONDON_LAYER_DIR points at a layer elsewhere; one without london.csv (older code)
    still ranks the borough, and London's value stays missing, never a mean of the boroughs."""
    settings, cfg = project(tmp_path)
    elsewhere = tmp_path / "shared" / "london"
    lf.write_layer(elsewhere, with_london=False)
    monkeypatch.setenv("SPI_LONDON_LAYER_DIR", str(elsewhere))
    files, lc = release(tmp_path, settings, cfg)
    table = pd.read_parquet(io.BytesIO(files["london_comparison.parquet"]))
    assert table["london_score"].isna().all()
    assert table.set_index(["year", "measure"]).loc[(2021, INDEX), "rank_text"] == "=5th of 33"
    assert "not in this London layer" in lc.section["london_value"]
    assert script(files["explorer/data.js"])["sections"]["london_comparison"]["years"]["2021"][INDEX]["london"] is None


def test_a_new_layer_makes_the_release_asset_stale(tmp_path, monkeypatch):
    """The publish asset's code version holds the layer's fingerprint: publishing a layer (or
    another one) makes the release stale, so the next refresh re-publishes it."""
    from social_progress.defs.publish import RELEASE_KEY, build_release_asset
    from social_progress.settings import get_settings

    monkeypatch.setenv("SPI_LONDON_LAYER_DIR", str(tmp_path / "layer"))

    def version():
        return build_release_asset(get_settings(), "team:insight", []).code_versions_by_key[RELEASE_KEY]
    none = version()
    lf.write_layer(tmp_path / "layer")
    first = version()
    assert version() == first                                    # the same layer: the same version
    lf.write_layer(tmp_path / "layer", fw=lf.framework(crime_rate={"best": 5.0}))
    assert len({none, first, version()}) == 3
