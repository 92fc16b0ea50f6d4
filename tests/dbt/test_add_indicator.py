"""The analyst workflow end to end: add one indicator model and its YAML to a copy of the
project, run the real refresh, and see the indicator in the release, in its component and
in the comparator mart; then feed bad source rows and see them flagged in SQL."""
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from project_copy import make_project, run_refresh

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("add_indicator")]   # its own project: runs beside the shared refresh

BIN = Path(sys.executable).parent
NEW = "shop_road_distance"
COMPONENT = "Access to Information and Communications"
FOLDER = "access_to_information_and_communications"

# What an analyst writes: one SQL model...
NEW_SQL = """-- IoD 2019 mean road distance (km) to a general store or supermarket, resident-weighted.
with base as (
    {{ resident_weighted('stg_imd2019_indicators', 'road_distance_to_general_store_or_supermarket_indicator_km') }}
)
{{ to_all_levels('base') }}
"""

# ...and its YAML beside it: what the indicator means, and the shared tests by name.
NEW_YML = """version: 2
models:
- name: shop_road_distance
  description: IoD 2019 mean road distance (km) to a general store or supermarket, resident-weighted.
  config:
    meta:
      indicator:
        name: Road distance to a shop
        dimension: Foundations of Wellbeing
        component: Access to Information and Communications
        direction: lower_is_better
        unit: km
        value_range: [0, 50]
        transform: none
        worst: 1.1
        best: 0.11
        aggregation: mean_population_weighted
        base_boundary: lsoa11
        sources: [imd2019_indicators, population]
        personal_data: false
        in_index: true
        comparators: true
        rationale: A shop nearby is also where residents post, pay and top up.
        worst_best_basis: London LSOA 1st and 99th percentiles, 2019.
  data_tests:
  - indicator_contract:
      description: '{{ doc(''indicator_contract'') }}'
  - no_excluded_rows:
      description: '{{ doc(''no_excluded_rows'') }}'
"""

VARS = json.dumps({"borough_code": "E09000002", "first_year": 2011, "last_year": 2021})


@pytest.fixture(scope="session")   # not module: xdist interleaves other modules' tests, which would rebuild it
def project(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("add_indicator") / "project")
    folder = project / "dbt_project" / "models" / "indicators" / FOLDER
    (folder / f"{NEW}.sql").write_text(NEW_SQL)
    (folder / f"{NEW}.yml").write_text(NEW_YML)
    proc = run_refresh(project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return project


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPI_DUCKDB_PATH": str(project / "warehouse" / "social_progress.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run([str(BIN / "dbt"), *args, "--profiles-dir", ".", "--vars", VARS],
                          cwd=project / "dbt_project", env=env, capture_output=True, text=True, timeout=600)


def test_new_indicator_is_scored_for_every_area_and_year(project):
    scores = pd.read_csv(project / "releases" / "2021" / "scores.csv", dtype={"area_code": str})
    new = scores[(scores["measure_type"] == "indicator") & (scores["measure"] == NEW)]
    counts = new.groupby(["boundary", "year"])["area_code"].nunique().unstack()
    assert counts.to_dict(orient="index") == {b: {y: n for y in range(2015, 2022)} for b, n in
                                              {"lad": 1, "lsoa11": 110, "lsoa21": 115, "ward19": 17, "ward22": 19}.items()}
    assert new["score"].notna().all() and new["score"].between(0, 100).all()
    # IoD 2019's data describe 2015 (most of them 2015/16): the value carries to 2020
    # (five years, the gap between editions) and 2021 holds it, flagged as imputed
    carried, held = new[new["year"] <= 2020], new[new["year"] == 2021]
    assert (carried["data_year"] == 2015).all() and (carried["imputed_share"] == 0).all()
    assert held["data_year"].isna().all() and (held["imputed_share"] == 1).all()


def test_new_indicator_counts_in_its_component(project):
    with duckdb.connect(str(project / "warehouse" / "social_progress.duckdb"), read_only=True) as con:
        weights = dict(con.execute("SELECT indicator_id, weight FROM marts.index_weights WHERE component = ?",
                                   [COMPONENT]).fetchall())
        meta = con.execute("SELECT component, in_index, model_path FROM marts.indicator_metadata WHERE indicator_id = ?",
                           [NEW]).fetchone()
    # post office, PTAI, the two SYNTHETIC library indicators in the index + the new one
    assert NEW in weights and weights[NEW] > 0 and len(weights) == 5
    assert meta == (COMPONENT, True, f"models/indicators/{FOLDER}/{NEW}.sql")
    # the borough's component score is the weighted sum of its indicators' scores, the new one included
    scores = pd.read_csv(project / "releases" / "2021" / "scores.csv", dtype={"area_code": str})
    borough = scores[(scores["boundary"] == "lad") & (scores["year"] == 2021)].set_index("measure")["score"]
    assert borough[COMPONENT] == pytest.approx(sum(w * borough[i] for i, w in weights.items()), abs=1e-3)  # scores.csv has 4 decimals
    assert abs(weights[NEW] * borough[NEW]) > 0.01


def test_new_indicator_has_comparators(project):
    with duckdb.connect(str(project / "warehouse" / "social_progress.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT comparator_code, comparator_name, value FROM marts.indicator_comparators "
                           "WHERE indicator_id = ? AND year = 2015 AND comparator_type <> 'london_borough' "
                           "ORDER BY 1", [NEW]).fetchall()
        ranked = {r[0] for r in con.execute("SELECT comparator_code FROM marts.indicator_comparators WHERE "
                                            "indicator_id = ? AND year = 2015 AND comparator_type = 'london_borough' "
                                            "AND value > 0", [NEW]).fetchall()}
        levels = {r[0] for r in con.execute("SELECT DISTINCT area_level FROM marts.indicator_values").fetchall()}
    assert [(c, n) for c, n, _ in rows] == [("E09000016", "Havering"), ("E09000025", "Newham"),
                                            ("E09000026", "Redbridge"), ("E12000007", "London")]
    assert all(0 < v < 3 for _, _, v in rows)
    # IoD 2019 covers all of London: the other 29 boroughs are there too, to rank the borough
    # among the 33 (its london_rank targets); the borough itself is not a comparator
    assert len(ranked) == 29 and "E09000002" not in ranked and all(c.startswith("E09") for c in ranked)
    # comparator rows stay out of the values the index reads
    assert levels == {"lsoa", "ward", "borough"}


def test_bad_source_rows_are_flagged_not_summed(project):
    """Rows a source should never have, fed to the real crime table: a duplicated area-year
    and an LSOA 2021 code in an LSOA 2011 file. The staging test stops the build; run
    anyway, the indicator lists them with their reason, does not count the duplicate twice,
    and its no_excluded_rows test warns.
    (Conflicting duplicates, rows without a year and zero denominators are fed to the
    models by the unit tests in models/indicators/_indicator_unit_tests.yml, run last.)"""
    db = project / "warehouse" / "social_progress.duckdb"
    con = duckdb.connect(str(db))  # every other connection of this module is closed (one config per file)
    query = "SELECT value FROM indicators.violence_rate WHERE area_code IN ('E09000002', 'E01000006') AND year = 2019 ORDER BY area_code"
    before = con.execute(query).fetchall()
    violence = con.execute("SELECT * FROM raw.crime WHERE _source_file LIKE '%major-violence%' AND \"LSOA11CD\" = 'E01000006'").fetchdf()
    wrong = violence.copy()
    wrong["LSOA11CD"] = "E01033999"   # an LSOA 2021 code in the LSOA 2011 file
    con.register("bad", pd.concat([violence, wrong]))   # E01000006 twice, and the wrong code
    con.execute("INSERT INTO raw.crime SELECT * FROM bad")
    con.close()

    # caught by dbt tests: the staging key test fails the build and nothing downstream runs...
    proc = dbt(project, "build", "--select", "stg_crime", "violence_rate")
    assert proc.returncode == 1 and "FAIL 11 unique_key_stg_crime" in proc.stdout, proc.stdout[-3000:]
    assert "SKIP relation indicators.violence_rate" in proc.stdout
    # ...and if the model is run anyway, its SQL sets the bad rows aside with their reason
    proc = dbt(project, "run", "--select", "violence_rate")
    assert proc.returncode == 0, proc.stdout[-3000:]
    proc = dbt(project, "test", "--select", "violence_rate")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "WARN 22 no_excluded_rows_violence_rate" in proc.stdout

    with duckdb.connect(str(db), read_only=True) as con:
        flagged = set(con.execute('SELECT area_code, quality_flag FROM indicators."violence_rate__exclusions" '
                                  "WHERE area_level = 'excluded' AND year = 2019").fetchall())
        after = con.execute(query).fetchall()
    assert flagged == {("E01000006", "duplicate_area_year"), ("E01033999", "wrong_vintage_code")}
    assert after == before   # the copy is not summed twice, the stray code not added
    # and the unit tests of bad input (models/indicators/_indicator_unit_tests.yml) pass
    unit = dbt(project, "test", "--select", "test_type:unit")
    assert unit.returncode == 0, unit.stdout[-3000:]
    assert "PASS street_problem_reports::street_problem_reports_keeps_rows_without_a_year_visible" in unit.stdout
    assert "PASS violence_rate::violence_rate_flags_bad_input" in unit.stdout
    assert "PASS household_overcrowding::household_overcrowding_apportions_lsoa21_rows" in unit.stdout
