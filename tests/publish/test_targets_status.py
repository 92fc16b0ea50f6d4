"""Borough Manifesto targets: current value, trend, on/off track; the project's file is valid."""
from pathlib import Path

import pandas as pd
import pytest

from social_progress.publish.targets import TargetsError, load_targets, target_status

ROOT = Path(__file__).resolve().parents[2]
META = pd.DataFrame({"indicator_id": ["crime", "green"], "name": ["Crime", "Green"], "unit": ["per 1,000", "share"],
                     "direction": ["lower_is_better", "higher_is_better"]})


def series(ind, pairs):
    return pd.DataFrame([(ind, y, v) for y, v in pairs], columns=["indicator_id", "year", "value"])


def test_falling_crime_reaches_its_target_in_time():
    s = series("crime", [(2017, 30), (2018, 28), (2019, 26), (2020, 24), (2021, 22)])
    out = target_status([{"indicator": "crime", "target": 10, "target_year": 2030, "source": "", "note": ""}], s, META, 2021).iloc[0]
    assert out["current_value"] == 22 and out["current_year"] == 2021
    assert out["trend_per_year"] == pytest.approx(-2) and out["trend"] == "improving"
    assert out["projected_value"] == pytest.approx(4) and out["status"] == "on track"


def test_too_slow_or_worsening_is_off_track_and_values_after_the_release_are_ignored():
    s = series("crime", [(2019, 26), (2020, 25.5), (2021, 25), (2022, 1)])
    out = target_status([{"indicator": "crime", "target": 10, "target_year": 2025, "source": "", "note": ""}], s, META, 2021).iloc[0]
    assert out["current_year"] == 2021 and out["status"] == "off track"


def test_one_data_year_has_no_trend_and_status_says_whether_it_is_met():
    s = series("green", [(2019, 0.4)])
    out = target_status([{"indicator": "green", "target": 0.3, "target_year": 2030, "source": "", "note": ""},
                         {"indicator": "green", "target": 0.5, "target_year": 2030, "source": "", "note": ""}], s, META, 2021)
    assert out["trend"].tolist() == ["no trend (one data year)"] * 2
    assert out["status"].tolist() == ["on track", "off track"]


def test_bad_targets_file_names_the_entry(tmp_path):
    p = tmp_path / "targets.yml"
    p.write_text("targets:\n  - indicator: crime\n    target: 10\n")
    with pytest.raises(TargetsError, match="target 1 .crime.: missing target_year"):
        load_targets(p)
    p.write_text("targets:\n  - {indicator: nope, target: 1, target_year: 2030}\n")
    with pytest.raises(TargetsError, match="unknown indicator 'nope'"):
        load_targets(p, {"crime"})


def test_project_targets_name_real_indicator_models():
    models = {p.stem for p in (ROOT / "dbt_project" / "models" / "indicators").rglob("*.sql")}
    targets = load_targets(ROOT / "catalogue" / "targets.yml", models)
    assert len(targets) >= 5


def test_release_targets_table(build, tmp_path):
    import io
    p = tmp_path / "targets.yml"
    p.write_text("targets:\n  - {indicator: crime_rate, target: 50, target_year: 2030}\n"
                 "  - {indicator: green_share, target: 0.5, target_year: 2030}\n")
    _, files = build(targets_path=p)
    t = pd.read_csv(io.BytesIO(files["targets.csv"])).set_index("indicator_id")
    assert t.loc["crime_rate", "status"] == "on track" and t.loc["crime_rate", "current_year"] == 2021
    assert t.loc["green_share", "status"] == "off track"
    assert b"crime_rate" in files["explorer/data.js"]


def test_a_target_for_an_indicator_the_release_lacks_reads_no_data():
    out = target_status([{"indicator": "gone", "target": 1, "target_year": 2030, "source": "", "note": ""}],
                        series("crime", [(2021, 1)]), META, 2021).iloc[0]
    assert out["status"] == "no data" and out["trend"] == "no data"
