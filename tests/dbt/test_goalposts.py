"""`social-progress goalposts`: the suggested worst/best of an indicator, read read-only
from a refreshed warehouse, reproduce the documented London percentiles, and --write puts
them into the indicator's YAML and nothing else."""
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from project_copy import copy_project, shared_good_refresh
from social_progress.settings import Settings
from social_progress.indicators.goalposts import (GoalpostError, dump_indicator_yaml, goalposts_command,
                                                  indicator_yaml_path, suggest_goalposts, write_goalposts)

BIN = Path(sys.executable).parent
VARS = {"borough_code": "E09000002", "comparators": ["E09000016", "E09000026", "E09000025"],
        "first_year": 2011, "last_year": 2021}
PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def test_every_indicator_yaml_is_in_the_written_shape():
    """write_goalposts regenerates a YAML file with pyyaml: the shipped files are already in
    that shape, so writing goalposts changes only the goalpost lines."""
    files = sorted((PROJECT / "models" / "indicators").glob("*/*.yml"))
    assert len(files) == 112   # 72 on open data, 40 on the SYNTHETIC council systems
    for f in files:
        doc = yaml.safe_load(f.read_text())
        assert [m["name"] for m in doc["models"]] == [f.stem], f
        assert dump_indicator_yaml(doc) == f.read_text(), f
        assert f.with_suffix(".sql").exists(), f


def test_write_goalposts_changes_only_the_goalposts(tmp_path):
    src = PROJECT / "models" / "indicators" / "shelter" / "homelessness_rate.yml"
    target = tmp_path / "homelessness_rate.yml"
    target.write_text("# kept\n" + src.read_text())
    write_goalposts(target, "homelessness_rate", {"worst": 6.1, "best": 1.12, "worst_best_basis": "test basis"})
    before, after = src.read_text().splitlines(), target.read_text().splitlines()
    assert after[0] == "# kept"
    changed = [(a, b) for a, b in zip(before, after[1:]) if a != b]
    assert len(after) == len(before) + 1
    assert [b.strip() for _, b in changed] == ["worst: 6.1", "best: 1.12", "worst_best_basis: test basis"]
    with pytest.raises(GoalpostError):
        write_goalposts(target, "no_such_indicator", {"worst": 1, "best": 0, "worst_best_basis": "x"})


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    return copy_project(shared_good_refresh(tmp_path_factory), tmp_path_factory.mktemp("goalposts") / "project")


@pytest.mark.slow
def test_suggestion_reproduces_the_documented_percentiles(refreshed):
    db = refreshed / "warehouse" / "social_progress.duckdb"
    before = db.stat().st_mtime_ns
    s = suggest_goalposts("homelessness_rate", refreshed / "dbt_project", db, str(BIN / "dbt"), VARS, year=2015)
    # the YAML's goalposts were read off the same percentiles (IoD 2019, whose data describe 2015)
    assert (s["worst"], s["best"], s["n_areas"], s["boundary"]) == (11.1, 0.713, 4835, "lsoa11")
    assert s["worst"] == s["current_worst"] and s["best"] == s["current_best"]
    assert s["worst_best_basis"].startswith("London LSOA 1st and 99th percentiles (worst = 99th), 2015, "
                                            "4835 London LSOA11s; raw scale")
    # latest source year by default (IoD 2025, on LSOA 2021, whose data describe 2021)
    latest = suggest_goalposts("homelessness_rate", refreshed / "dbt_project", db, str(BIN / "dbt"), VARS)
    assert (latest["year"], latest["boundary"]) == (2021, "lsoa21") and latest["worst"] > latest["best"]
    # higher is better: worst is the low end
    turnout = suggest_goalposts("mayoral_turnout", refreshed / "dbt_project", db, str(BIN / "dbt"), VARS)
    assert turnout["worst"] < turnout["best"] and turnout["worst_best_basis"].startswith("Borough LSOA")
    # read only: the warehouse is untouched, and the project's manifest is not the goalpost one
    assert db.stat().st_mtime_ns == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM indicators.homelessness_rate WHERE area_level LIKE 'london_%'"
                           ).fetchone()[0] == 0


@pytest.mark.slow
def test_command_prints_and_writes(refreshed, capsys):
    settings = Settings(project_root=refreshed, data_dir=refreshed / "data", catalogue_dir=refreshed / "catalogue",
                        warehouse_dir=refreshed / "warehouse", releases_dir=refreshed / "releases",
                        dbt_project_dir=refreshed / "dbt_project")
    yml = indicator_yaml_path(settings.dbt_project_dir, "no_central_heating")
    text = yml.read_text()
    assert goalposts_command("no_central_heating", write=False, settings=settings) == 0
    out = capsys.readouterr().out
    assert "suggested" in out and "not written" in out and yml.read_text() == text
    assert goalposts_command("no_central_heating", write=True, settings=settings) == 0
    meta = yaml.safe_load(yml.read_text())["models"][0]["config"]["meta"]["indicator"]
    assert meta["worst_best_basis"].endswith("suggested by social-progress goalposts")
    assert meta["worst"] > meta["best"]     # lower is better
    assert goalposts_command("no_such_indicator", write=False, settings=settings) == 1
