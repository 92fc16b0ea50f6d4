"""A run killed with -9 while it holds the `warehouse_writer` slot no longer blocks later runs.

For real: a Dagster instance in a temporary DAGSTER_HOME with the project's dagster.yaml
(pool limit 1); a subprocess runs a job whose op uses the pool and sleeps; it is killed
with -9 while the op holds the slot; a new step is blocked; `free_dead_runs` marks the
run failed and frees the slot; a new run of the same job completes.
"""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("dagster")
from dagster import DagsterInstance, DagsterRunStatus  # noqa: E402
from dagster._utils.concurrency import ConcurrencySlotStatus  # noqa: E402

from social_progress.defs.run_guard import PID_TAG, free_dead_runs, run_tags  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
POOL = "warehouse_writer"

JOB = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from dagster import DagsterInstance, job, op
    from social_progress.defs.run_guard import run_tags

    @op(pool="warehouse_writer")
    def hold_the_warehouse(context):
        Path(os.environ["READY"]).write_text(context.run_id)
        time.sleep(float(os.environ["HOLD_S"]))

    @job
    def writer_job():
        hold_the_warehouse()

    if __name__ == "__main__":
        tags = run_tags() if os.environ.get("TAG") == "1" else {}
        result = writer_job.execute_in_process(instance=DagsterInstance.get(), tags=tags)
        print("success" if result.success else "failed")
""")


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")  # concurrency: pools: default_limit: 1
    (tmp_path / "writer_job.py").write_text(JOB)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def _run_job(tmp_path, home, hold_s: float, tag: bool, ready: Path) -> subprocess.Popen:
    env = {**os.environ, "DAGSTER_HOME": str(home), "READY": str(ready), "HOLD_S": str(hold_s),
           "TAG": "1" if tag else "0",
           "PYTHONPATH": str(ROOT / "platform") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, str(tmp_path / "writer_job.py")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text()):
        if proc.poll() is not None:
            pytest.fail(f"job process ended early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        assert time.monotonic() < deadline, "the op never started"
        time.sleep(0.1)
    return path.read_text()


@pytest.mark.parametrize("tag", [True, False], ids=["tagged_pid", "dagster_recorded_pid"])
def test_killed_run_frees_its_pool_slot(tmp_path, home, tag):
    proc = _run_job(tmp_path, home, 600, tag, tmp_path / "ready")
    run_id = _wait_for(tmp_path / "ready", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    instance = DagsterInstance.get()
    storage = instance.event_log_storage
    run = instance.get_run_by_id(run_id)
    assert run.status == DagsterRunStatus.STARTED  # the dead run still looks alive
    assert (PID_TAG in run.tags) is tag
    assert run_id in storage.get_concurrency_info(POOL).active_run_ids  # and holds the only slot

    # a new step is blocked by the dead run (what every later refresh saw, forever)
    claim = storage.claim_concurrency_slot(POOL, "probe-run", "probe_step")
    assert claim.slot_status == ConcurrencySlotStatus.BLOCKED
    storage.free_concurrency_slots_for_run("probe-run")

    messages = []
    assert free_dead_runs(instance, log_fn=messages.append) == [run_id]
    run = instance.get_run_by_id(run_id)
    assert run.status == DagsterRunStatus.FAILURE
    assert f"process {proc.pid} ended without finishing (killed?)" in messages[0]
    failure = [e for e in instance.all_logs(run_id) if e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_FAILURE"]
    assert failure and "ended without finishing (killed?)" in failure[-1].dagster_event.message
    assert not storage.get_concurrency_info(POOL).active_run_ids

    # a new run of the same job now gets the slot and completes
    proc2 = _run_job(tmp_path, home, 0.1, True, tmp_path / "ready2")
    out, err = proc2.communicate(timeout=120)
    assert proc2.returncode == 0 and out.strip().endswith("success"), err[-2000:]
    assert free_dead_runs(instance) == []  # nothing left to free; the finished run is not touched


def test_live_runs_and_other_hosts_are_left_alone(tmp_path, home):
    proc = _run_job(tmp_path, home, 600, True, tmp_path / "ready")
    try:
        run_id = _wait_for(tmp_path / "ready", proc)
        instance = DagsterInstance.get()
        assert free_dead_runs(instance) == []  # alive: untouched
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED
    finally:
        proc.kill()
        proc.wait()
    instance = DagsterInstance.get()
    instance.add_run_tags(run_id, {"social_progress/host": "some-other-host"})
    assert free_dead_runs(instance) == []
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED


def test_run_tags_are_this_process():
    tags = run_tags()
    assert tags[PID_TAG] == str(os.getpid()) and tags["social_progress/host"]
