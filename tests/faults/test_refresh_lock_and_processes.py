"""One refresh at a time; children that die with their parent; steps with a time limit.

All with real processes: a holder killed with -9, a parent killed with -9 while its child
`sleep 60` runs (directly, and through the dbt wrapper script).
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from social_progress.locks import RefreshBusy, current_holder, refresh_lock, refresh_lock_path
from social_progress.processes import StepTimeout, step_deadline, write_dbt_wrapper
from social_progress.warehouse import pid_alive

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
ENV = {**os.environ, "PYTHONPATH": str(PLATFORM) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text().strip()):
        assert proc.poll() is None, f"process ended early: {proc.returncode}"
        assert time.monotonic() < deadline, f"{path} never written"
        time.sleep(0.02)
    return path.read_text().strip()


def _refresh_holder(db: Path, ready: Path, seconds: float = 60) -> subprocess.Popen:
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from social_progress.locks import refresh_lock
        with refresh_lock(Path({str(db)!r})):
            Path({str(ready)!r}).write_text("in")
            time.sleep({seconds})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=ENV)
    _wait_for(ready, proc)
    return proc


# ----------------------------------------------------------------------------- refresh lock

def test_second_refresh_refuses_with_who_and_what_to_do(tmp_path):
    db = tmp_path / "social_progress.duckdb"
    proc = _refresh_holder(db, tmp_path / "ready")
    try:
        started = time.monotonic()
        with pytest.raises(RefreshBusy) as err:
            with refresh_lock(db, wait=None):
                pytest.fail("ran while another refresh held the lock")
        assert time.monotonic() - started < 1
        msg = str(err.value)
        assert f"pid {proc.pid}" in msg and "started 20" in msg and "--wait" in msg and "no owner was alerted" in msg
        assert err.value.holder.pid == proc.pid
        assert current_holder(db).pid == proc.pid
        with pytest.raises(RefreshBusy, match="waited 1s"):
            with refresh_lock(db, wait=0.6):
                pass
    finally:
        proc.kill()
        proc.wait()


def test_second_refresh_waits_then_runs(tmp_path):
    db = tmp_path / "social_progress.duckdb"
    proc = _refresh_holder(db, tmp_path / "ready", seconds=1.0)
    started = time.monotonic()
    with refresh_lock(db, wait=30) as me:
        assert time.monotonic() - started > 0.3
        assert me.pid == os.getpid() and current_holder(db).pid == os.getpid()
    proc.wait(10)
    assert current_holder(db) is None


def test_killed_refresh_frees_the_lock(tmp_path):
    db = tmp_path / "social_progress.duckdb"
    proc = _refresh_holder(db, tmp_path / "ready")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert current_holder(db) is None  # stale text in the file does not count
    with refresh_lock(db, wait=None):
        pass
    assert refresh_lock_path(db).name == "social_progress.duckdb.refresh.lock"


# ----------------------------------------------------------------------------- death signal

def _parent_with_child(child_cmd: str, pidfile: Path) -> subprocess.Popen:
    """A parent (new session) that starts `child_cmd`, writes the child's pid, then waits."""
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        from pathlib import Path
        from social_progress.processes import child_dies_with_parent, dies_with_this_process
        {child_cmd}
        Path({str(pidfile)!r}).write_text(str(child.pid))
        child.wait()
    """)
    return subprocess.Popen([sys.executable, "-c", code], env=ENV, start_new_session=True)


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("preexec", ["child_dies_with_parent", "dies_with_this_process()"])
def test_child_dies_with_a_killed_parent(tmp_path, preexec):
    pidfile = tmp_path / "child.pid"
    parent = _parent_with_child(f"child = subprocess.Popen(['sleep', '60'], preexec_fn={preexec})", pidfile)
    child = int(_wait_for(pidfile, parent))
    assert pid_alive(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    try:
        assert _gone_within(child, 5), "the child outlived its killed parent"
    finally:
        if pid_alive(child):
            os.kill(child, signal.SIGKILL)


def test_without_it_the_child_survives(tmp_path):
    """The control: the fault of issue #10 is real without the death signal."""
    pidfile = tmp_path / "child.pid"
    parent = _parent_with_child("child = subprocess.Popen(['sleep', '60'])", pidfile)
    child = int(_wait_for(pidfile, parent))
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    try:
        assert not _gone_within(child, 1.5)
    finally:
        os.kill(child, signal.SIGKILL)


def test_dbt_wrapper_script_runs_dbt_and_dies_with_the_parent(tmp_path):
    fake_dbt = tmp_path / "real-dbt"
    fake_dbt.write_text("#!/bin/sh\necho \"fake dbt $*\"\nexec sleep 60\n")
    fake_dbt.chmod(0o755)
    wrapper = write_dbt_wrapper(tmp_path / "bin", str(fake_dbt))
    assert wrapper.name == "dbt" and os.access(wrapper, os.X_OK)
    pidfile = tmp_path / "child.pid"
    parent = _parent_with_child(
        f"child = subprocess.Popen([{str(wrapper)!r}, 'build', '--select', 'a b'], stdout=open({str(tmp_path / 'out')!r}, 'w'))",
        pidfile)
    child = int(_wait_for(pidfile, parent))
    _wait_for(tmp_path / "out", parent)
    assert (tmp_path / "out").read_text().strip() == "fake dbt build --select a b"  # arguments passed intact
    assert Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0] == b"sleep"  # exec'd: same pid, no extra process
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    try:
        assert _gone_within(child, 5), "dbt outlived its killed parent"
    finally:
        if pid_alive(child):
            os.kill(child, signal.SIGKILL)


def test_exec_wrapper_exit_status_and_missing_command(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "social_progress.processes", "exec", "--", "sh", "-c", "exit 3"], env=ENV)
    assert ok.returncode == 3
    missing = subprocess.run([sys.executable, "-m", "social_progress.processes", "exec", "--", str(tmp_path / "nope")],
                             env=ENV, capture_output=True, text=True)
    assert missing.returncode == 127 and "cannot run" in missing.stderr


# ----------------------------------------------------------------------------- step deadline

def test_step_deadline_stops_a_blocking_wait_on_the_main_thread():
    child = subprocess.Popen(["sleep", "60"])
    started = time.monotonic()
    with pytest.raises(StepTimeout, match=r"dbt build ran for more than its limit of 0.5 s"):
        with step_deadline(0.5, "dbt build", on_timeout=child.kill):
            child.wait()
    assert time.monotonic() - started < 5
    assert child.wait(5) == -signal.SIGKILL  # on_timeout stopped the subprocess


def test_step_deadline_quiet_when_in_time_and_restores_outer():
    with step_deadline(5, "outer"):
        with step_deadline(1, "inner"):
            time.sleep(0.05)
        with pytest.raises(StepTimeout, match="outer"):
            time.sleep(10)
    time.sleep(0.2)  # no stray alarm afterwards
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_step_deadline_in_another_thread():
    out = {}

    def work():
        try:
            with step_deadline(0.3, "index"):
                while True:
                    time.sleep(0.01)
        except StepTimeout as exc:
            out["err"] = str(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join(10)
    assert not t.is_alive() and "index ran for more than its limit" in out["err"]
