"""A real `social-progress refresh` killed with -9 at its worst moments, and two refreshes at once.

Every test runs the installed CLI on one isolated project copy (tests/pipeline/project_copy.py),
in sequence, so each builds on the state the previous one left (as a real warehouse would):

1. killed during `dbt build` (cold refresh): no process of the refresh (dbt included) outlives it,
   and the next refresh, with no manual step, marks the dead run failed, frees what it held and
   publishes the release;
2. killed during the index: the same;
3. killed while the release is being written (its hidden `.tmp-<pid>-...` folder on disk): the
   half-written folder is never visible as a release, `latest` keeps pointing at a complete one,
   and the next refresh removes the folder and publishes a complete release;
4. two refreshes started together (plus one with --no-wait while they run): one does the work,
   the other waits and finds nothing left to do, the --no-wait one is refused with exit code 2;
   no DuckDB lock error anywhere, no Dagster run and no alert for the refused one.

Processes are found through /proc (the refresh runs in a session of its own, so everything it
started carries its session id); Dagster's record is read from the copy's DAGSTER_HOME.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))

from project_copy import BIN, env_for, make_project, run_refresh  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

REFRESH_TIMEOUT_S = 900     # a cold refresh takes 2-3 minutes on 2 cores; generous under load
REACH_TIMEOUT_S = 600       # to reach the stage where a test kills the refresh
GONE_WITHIN_S = 10          # every process of a killed refresh must be gone by then
LOCK_ERRORS = ("IO Error", "Could not set lock", "Conflicting lock")
INDEX_KEY = ["marts", "index_scores"]

OUTPUTS: dict[str, str] = {}  # outputs of earlier tests, for the stage-line check


# ------------------------------------------------------------------------------------ helpers

class Refresh:
    """`social-progress refresh` in a session of its own; stdout and stderr read as they come."""

    def __init__(self, project: Path, *args: str):
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(BIN / "social-progress"), "refresh", *args], env=env_for(project),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                                     start_new_session=True)
        self.pid = self.proc.pid
        self.log_dir = project.parent / "outputs"
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = REACH_TIMEOUT_S) -> str:
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if rx.search(line):
                    return line
            seen = len(self.lines)
            assert self.proc.poll() is None, f"refresh ended ({self.proc.returncode}) before {pattern!r}:\n{self.tail()}"
            assert time.monotonic() < deadline, f"no {pattern!r} within {timeout} s:\n{self.tail()}"
            time.sleep(0.05)

    def wait(self, timeout: float = REFRESH_TIMEOUT_S) -> int:
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"refresh still running after {timeout} s:\n{self.tail()}")
        self._reader.join(30)
        return rc

    def kill(self) -> None:
        """SIGKILL the refresh process only (not its group): what `kill -9 <pid>` does."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(30)

    def cleanup(self) -> None:
        """After a test: nothing of this refresh may keep running (kill what is left); its
        output is kept beside the project (outputs/<pid>.txt) for a failed test's reader."""
        if self.proc.poll() is None:
            self.kill()
        try:
            self.log_dir.mkdir(exist_ok=True)
            (self.log_dir / f"{self.pid}.txt").write_text(self.output + "\n")
        except OSError:
            pass
        for pid in session_processes(self.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.lines[-n:])


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgrp, session) of a process from /proc/<pid>/stat, None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0].decode(), int(fields[1]), int(fields[2]), int(fields[3])


def session_processes(sid: int) -> dict[int, str]:
    """Live processes (zombies excluded) in the session or process group `sid`: pid -> command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = _stat(int(entry))
        if st is None or st[0] in ("Z", "X") or sid not in (st[2], st[3]):
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found[int(entry)] = cmd
    return found


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def dbt_build_processes(sid: int) -> dict[int, str]:
    return {pid: cmd for pid, cmd in session_processes(sid).items()
            if re.search(r"(^|/|\s)dbt(\s|$)", cmd) and " build" in cmd}


def assert_all_gone(refresh: Refresh, also: tuple[int, ...] = ()) -> None:
    """No process of the killed refresh's session (nor the pids `also`) within GONE_WITHIN_S."""
    deadline = time.monotonic() + GONE_WITHIN_S
    while True:
        left = session_processes(refresh.pid)
        left.update({p: "(watched)" for p in also if alive(p) and p not in left})
        if not left:
            return
        if time.monotonic() > deadline:
            refresh.cleanup()
            pytest.fail(f"{GONE_WITHIN_S} s after `kill -9 {refresh.pid}` these processes of the refresh still ran: "
                        + "; ".join(f"{p}: {c[:200]}" for p, c in left.items()))
        time.sleep(0.1)


def instance_for(project: Path):
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(project / "dagster_home"))


def run_of_pid(project: Path, pid: int):
    from dagster import RunsFilter

    with instance_for(project) as instance:
        runs = instance.get_runs(RunsFilter(tags={"social_progress/pid": str(pid)}), limit=1)  # newest first
        assert runs, f"no Dagster run of refresh pid {pid}"
        return runs[0]


def run_status(project: Path, run_id: str) -> str:
    with instance_for(project) as instance:
        return instance.get_run_by_id(run_id).status.value


def step_events(project: Path, run_id: str) -> tuple[set[str], set[str]]:
    from dagster import DagsterEventType

    with instance_for(project) as instance:
        started, succeeded = set(), set()
        for rec in instance.all_logs(run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}):
            (started if rec.dagster_event.event_type == DagsterEventType.STEP_START else succeeded).add(rec.step_key)
        return started, succeeded


def all_run_ids(project: Path) -> set[str]:
    with instance_for(project) as instance:
        return {r.run_id for r in instance.get_runs()}


def temp_entries(releases: Path) -> list[str]:
    if not releases.exists():
        return []
    return sorted(e.name for e in releases.iterdir() if e.name.startswith((".tmp-", ".latest-")))


def assert_complete_release(releases: Path) -> Path:
    """`latest` points at a complete release: metadata.json lists files that all exist with
    their size and sha256, and every Data Docs page it links to exists."""
    latest = releases / "latest"
    assert latest.is_symlink(), f"no releases/latest in {sorted(os.listdir(releases))}"
    target = latest.resolve()
    assert target.is_dir() and target.parent == releases.resolve() and not target.name.startswith("."), target
    meta = json.loads((target / "metadata.json").read_text())
    files = meta["files"]
    assert len(files) > 10, f"metadata.json lists only {sorted(files)}"
    for name, info in files.items():
        data = (target / name).read_bytes()  # FileNotFoundError names a missing file
        assert len(data) == info["bytes"], f"{target.name}/{name}: {len(data)} bytes, metadata says {info['bytes']}"
        assert hashlib.sha256(data).hexdigest() == info["sha256"], f"{target.name}/{name}: sha256 differs"
    for page in (meta.get("data_docs") or {}).values():
        assert (target / page).is_file(), f"{target.name}/{page} (linked from metadata.json) is missing"
    return target


def assert_no_lock_errors(*outputs: str) -> None:
    for out in outputs:
        for bad in LOCK_ERRORS:
            assert bad not in out, f"{bad!r} in a refresh's output:\n{out[-4000:]}"


def recover(project: Path, killed: Refresh, expect: tuple[str, ...] = ("published",)) -> Refresh:
    """The next refresh, as an operator would start it after the kill (no manual step): it must
    say the killed run had died, finish with 0 and publish (or find the release unchanged)."""
    killed_run = run_of_pid(project, killed.pid)
    assert killed_run.status.value in ("STARTING", "STARTED"), killed_run.status  # Dagster cannot know yet
    nxt = Refresh(project)
    try:
        rc = nxt.wait()
    finally:
        nxt.cleanup()
    out = nxt.output
    assert rc == 0, f"the refresh after the kill failed ({rc}):\n{nxt.tail(80)}"
    assert re.search(rf"note: run {killed_run.run_id[:8]} had died", out), \
        f"the next refresh did not report the killed run {killed_run.run_id[:8]} as dead:\n{nxt.tail(80)}"
    statuses = "|".join(expect)
    assert re.search(rf"^Release ({statuses}): ", out, re.M), f"no 'Release {statuses}' line:\n{nxt.tail(80)}"
    assert_no_lock_errors(out)
    status = run_status(project, killed_run.run_id)
    assert status == "FAILURE", f"killed run {killed_run.run_id} is {status} in Dagster"
    assert run_of_pid(project, nxt.pid).status.value == "SUCCESS"
    return nxt


def ensure_released(project: Path) -> None:
    """A complete refresh of the copy (when a test runs alone, without the ones before it)."""
    if not (project / "releases" / "latest").exists():
        proc = run_refresh(project)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def bump_first_target(project: Path) -> None:
    """Change the first target value in catalogue/targets.yml (an analyst's edit): the release
    marts and the release become stale, and the next release differs (a new revision)."""
    path = project / "catalogue" / "targets.yml"
    text = path.read_text()
    m = re.search(r"^(\s+target: )([0-9.]+)$", text, re.M)
    assert m, "no target value in targets.yml"
    path.write_text(text[:m.start(2)] + f"{float(m.group(2)) + 1.0:.1f}" + text[m.end(2):])


# ------------------------------------------------------------------------------------ fixture

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("refresh_faults") / "project")


# ------------------------------------------------------------------------------------ tests

def test_kill_during_dbt_build(project):
    """Cold refresh killed with -9 while `dbt build` writes the warehouse."""
    releases = project / "releases"
    refresh = Refresh(project)
    try:
        deadline = time.monotonic() + REACH_TIMEOUT_S
        while not (dbt := dbt_build_processes(refresh.pid)):
            assert refresh.proc.poll() is None, f"refresh ended before dbt ran:\n{refresh.tail()}"
            assert time.monotonic() < deadline, f"no `dbt build` within {REACH_TIMEOUT_S} s:\n{refresh.tail()}"
            time.sleep(0.2)
        time.sleep(6)  # dbt is now building models (a full build takes ~30 s)
        assert all(alive(p) for p in dbt), "dbt finished too soon to be killed during its build"
        refresh.kill()
        assert_all_gone(refresh, also=tuple(dbt))
    finally:
        refresh.cleanup()
    OUTPUTS["killed_dbt"] = refresh.output
    killed = run_of_pid(project, refresh.pid)
    started, succeeded = step_events(project, killed.run_id)
    assert "dbt_models" in started and "dbt_models" not in succeeded, (sorted(started), sorted(succeeded))
    assert not (releases / "latest").exists(), "a killed cold refresh published something"

    nxt = recover(project, refresh, expect=("published",))
    OUTPUTS["after_dbt_kill"] = nxt.output
    # dbt's console output goes to a log file while it runs; the CLI's stage lines still show
    assert re.search(r"^\[\d+/\d+\] dbt models and tests \(elapsed", nxt.output, re.M), nxt.output[-3000:]
    assert temp_entries(releases) == []
    assert_complete_release(releases)


def test_kill_during_index(project):
    """A refresh killed with -9 while the index is being computed and written."""
    from dagster import AssetKey

    ensure_released(project)
    releases = project / "releases"
    before = assert_complete_release(releases)
    # Make the index (and only what follows it) due again, as after an index whose
    # materialization is gone: the refresh plans it as "never built".
    with instance_for(project) as instance:
        instance.wipe_assets([AssetKey(INDEX_KEY)])
    refresh = Refresh(project)
    try:
        refresh.wait_for_line(r"^\[\d+/\d+\] index \(elapsed")
        refresh.kill()
        assert_all_gone(refresh)
    finally:
        refresh.cleanup()
    killed = run_of_pid(project, refresh.pid)
    started, succeeded = step_events(project, killed.run_id)
    assert "index" in started and "index" not in succeeded, \
        f"not killed during the index: started {sorted(started)}, succeeded {sorted(succeeded)}"
    assert (releases / "latest").resolve() == before, "latest moved during a killed refresh"

    # the data are as before, so the rebuilt index gives the same release
    recover(project, refresh, expect=("published", "unchanged"))
    assert temp_entries(releases) == []
    assert assert_complete_release(releases) == before


def test_kill_while_the_release_is_written(project):
    """A refresh killed with -9 while its release files are in the hidden temp folder."""
    ensure_released(project)
    releases = project / "releases"
    before = assert_complete_release(releases)
    bump_first_target(project)  # a new release is due: release marts + publish
    refresh = Refresh(project)
    temp = None
    try:
        refresh.wait_for_line(r"^\[\d+/\d+\] publish \(elapsed")
        deadline = time.monotonic() + REACH_TIMEOUT_S
        prefix = f".tmp-{refresh.pid}-"
        while temp is None:
            temp = next((n for n in os.listdir(releases) if n.startswith(prefix)), None)
            if temp is None:
                assert refresh.proc.poll() is None, f"publish ended before its temp folder was seen:\n{refresh.tail()}"
                assert time.monotonic() < deadline
                time.sleep(0.002)
        refresh.kill()
        assert_all_gone(refresh)
    finally:
        refresh.cleanup()
    killed = run_of_pid(project, refresh.pid)
    started, succeeded = step_events(project, killed.run_id)
    assert "release__yearly_release" in started and "release__yearly_release" not in succeeded
    # right after the kill: the half-written folder may be there, hidden; latest unchanged
    leftovers = temp_entries(releases)
    assert temp in leftovers, f"killed after the rename: {leftovers}"  # killed half-way through writing it
    assert all(n.startswith((f".tmp-{refresh.pid}-", f".latest-{refresh.pid}")) for n in leftovers), leftovers
    assert (releases / "latest").resolve() == before, "latest moved to a half-written release"
    assert_complete_release(releases)
    visible = sorted(n for n in os.listdir(releases) if not n.startswith(".") and n != "latest")

    nxt = recover(project, refresh, expect=("published",))
    assert temp_entries(releases) == [], "the next refresh left the killed publish's temp folder"
    new = assert_complete_release(releases)
    assert new != before and new.name not in visible
    assert re.search(rf"^Release published: {re.escape(str(new))}$", nxt.output, re.M), nxt.tail()
    assert_complete_release(releases)
    assert before.is_dir() and (before / "metadata.json").is_file()  # the earlier release is untouched


def test_two_refreshes_started_together(project):
    """Two refreshes at once (both parse the dbt manifest, both go for the lock), and a third
    with --no-wait while one runs: one works, one waits and finds nothing to do, one is refused."""
    from social_progress.locks import current_holder

    import duckdb

    ensure_released(project)
    releases = project / "releases"
    bump_first_target(project)  # there is work to do, so the first one holds the lock a while
    (project / "dbt_project" / "target" / "manifest.json").unlink()  # both prepare the manifest at once
    runs_before = all_run_ids(project)
    db = project / "warehouse" / "social_progress.duckdb"

    both = [Refresh(project, "--wait", "900"), Refresh(project, "--wait", "900")]
    refused = None
    try:
        deadline = time.monotonic() + REACH_TIMEOUT_S
        while (holder := current_holder(db)) is None or holder.pid not in (both[0].pid, both[1].pid):
            assert all(r.proc.poll() is None for r in both), \
                "a refresh ended before either held the lock:\n" + "\n---\n".join(r.tail() for r in both)
            assert time.monotonic() < deadline, "neither refresh took the refresh lock"
            time.sleep(0.1)
        refused = Refresh(project, "--no-wait")
        refused_rc = refused.wait(300)
        rcs = [r.wait() for r in both]
    finally:
        for r in both + ([refused] if refused else []):
            r.cleanup()
    outs = [r.output for r in both]
    assert rcs == [0, 0], "\n---\n".join(r.tail(80) for r in both)
    published = [o for o in outs if re.search(r"^Release published: ", o, re.M)]
    unchanged = [o for o in outs if re.search(r"^Release unchanged: ", o, re.M)]
    assert len(published) == 1 and len(unchanged) == 1, "\n---\n".join(outs)
    assert "nothing was run" in unchanged[0]

    assert refused_rc == 2, refused.output
    assert "Refresh refused: " in refused.output and "no owner was alerted" in refused.output, refused.output
    assert f"pid {holder.pid}" in refused.output, refused.output  # it names the refresh that holds the lock
    assert "Traceback" not in refused.output, refused.output
    assert_no_lock_errors(refused.output, *outs)

    # exactly one Dagster run was made (the one that did the work); none for the waiter or the refused
    new_runs = all_run_ids(project) - runs_before
    assert len(new_runs) == 1, new_runs
    worker = both[0] if outs[0] is published[0] else both[1]
    assert run_of_pid(project, worker.pid).run_id in new_runs
    # and no alert was recorded for anything but real runs
    con = duckdb.connect(str(db), read_only=True)
    try:
        alerted = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM quality.alert_deliveries").fetchall()}
    except duckdb.CatalogException:
        alerted = set()
    finally:
        con.close()
    assert alerted <= all_run_ids(project), alerted - all_run_ids(project)
    assert temp_entries(releases) == []
    assert_complete_release(releases)
