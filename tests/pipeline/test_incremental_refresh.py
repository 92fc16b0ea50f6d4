"""A refresh costs what changed: nothing when nothing changed, one source's share when one
source changed, and the release it then publishes is byte-identical to a cold refresh's."""
import os
from pathlib import Path

import pytest

from project_copy import (copy_project, dagster_runs, make_project, materialized_in_run, run_refresh,
                          run_refresh_args)
from social_progress.publish.release import folder_fingerprint

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("end_to_end")]
GAS = "data/indicators/energy/london-2010-2020-gas.csv"


def _inputs() -> int:
    """The number of catalogue sources: each is an observed input."""
    import yaml

    from project_copy import ROOT
    return len(yaml.safe_load((ROOT / "catalogue" / "sources.yml").read_text())["sources"])


def _bump_one_gas_value(project: Path) -> None:
    """One LSOA's 2010 gas consumption one kWh higher: a small, real-looking revision."""
    target = project / GAS
    lines = Path(os.path.realpath(target)).read_text().split("\n")
    fields = lines[1].split(",")
    fields[7] = str(float(fields[7]) + 1)
    lines[1] = ",".join(fields)
    target.unlink()
    target.write_text("\n".join(lines))


def _files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*"))
            if p.is_file() and not p.relative_to(release).as_posix().startswith("quality/data_docs/")}


def test_nothing_changed_runs_nothing(refreshed, tmp_path):
    project = copy_project(refreshed[0], tmp_path / "project")
    runs_before = dagster_runs(project)
    before = folder_fingerprint(project / "releases" / "2021")
    proc = run_refresh(project)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"Checked {_inputs()} inputs (0 changed)" in proc.stdout
    assert "Release unchanged" in proc.stdout and "nothing was run" in proc.stdout
    assert "None" not in proc.stdout + proc.stderr
    assert len(dagster_runs(project)) == len(runs_before)  # no run at all: no dbt, no check, no index
    assert folder_fingerprint(project / "releases" / "2021") == before
    assert sorted(p.name for p in (project / "releases").iterdir()) == ["2021", "latest"]


def test_one_changed_source_reruns_only_it_and_the_release_equals_a_cold_refresh(refreshed, tmp_path):
    partial = copy_project(refreshed[0], tmp_path / "partial")
    _bump_one_gas_value(partial)
    proc = run_refresh(partial)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"Checked {_inputs()} inputs (1 changed)" in proc.stdout and "because of raw/energy_gas" in proc.stdout
    assert f"Release published: {partial / 'releases' / '2021-r2'}" in proc.stdout
    run = dagster_runs(partial)[0]
    built = materialized_in_run(partial, run["run_id"])
    raw = [k for k in built if k.startswith("raw/")]
    assert raw == ["raw/energy_gas"]
    assert not any(k.startswith("geography/") for k in built)
    assert "staging/stg_energy_gas" in built and "indicators/domestic_gas_per_meter" in built
    assert "staging/stg_crime" not in built and "indicators/violence_rate" not in built
    assert {"marts/index_scores", "release/yearly_release"} <= set(built)

    cold = make_project(tmp_path / "cold")
    _bump_one_gas_value(cold)
    proc = run_refresh(cold)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    a, b = _files(partial / "releases" / "2021-r2"), _files(cold / "releases" / "2021")
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []
    # and the change is real: the partial release differs from the one before it
    old = _files(partial / "releases" / "2021")
    assert sorted(old) == sorted(a) and any(old[name] != a[name] for name in a)


def test_draft_goes_to_drafts_and_never_moves_latest(refreshed, tmp_path):
    project = copy_project(refreshed[0], tmp_path / "project")
    latest = (project / "releases" / "latest").resolve()
    proc = run_refresh_args(project, "--draft")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"Draft release published: {project / 'releases' / '_drafts' / '2021'}" in proc.stdout
    assert (project / "releases" / "latest").resolve() == latest
    assert (project / "releases" / "_drafts" / "2021" / "metadata.json").is_file()
    # the draft is the same release as the published one (same inputs and code)
    assert _files(project / "releases" / "_drafts" / "2021") == _files(project / "releases" / "2021")
    # after a draft the next refresh republishes (the draft did not count as the release): unchanged
    proc = run_refresh(project)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"Release unchanged: {project / 'releases' / '2021'}" in proc.stdout
    assert "the last release was a draft" not in proc.stdout
