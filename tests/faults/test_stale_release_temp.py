"""A publish killed half-way leaves a hidden temporary folder; the next publish removes it.

Issue #10: a killed publish left a 23 MB `.tmp-...` folder in releases/ for ever.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from social_progress.publish.release import folder_fingerprint, fingerprint, publish, remove_stale_temp

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
FILES = {"scores.csv": b"area_code,score\nE05000001,55.5\n", "metadata.json": b'{"year": 2021}\n'}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_publish_removes_a_dead_writers_temp_folder(tmp_path):
    releases = tmp_path / "releases"
    stale = releases / f".tmp-{_dead_pid()}-2021-k3j2h1g0"
    (stale / "geo").mkdir(parents=True)
    (stale / "geo" / "scores.geojson").write_bytes(b"x" * 1_000_000)
    stale_link = releases / f".latest-{_dead_pid()}"
    os.symlink("2020", stale_link)
    legacy = releases / ".tmp-2021-abcd1234"  # the old naming, from before pids were in the name
    legacy.mkdir()
    old = time.time() - 7200
    os.utime(legacy, (old, old))
    live = releases / f".tmp-{os.getpid()}-2021-inprogress"  # a publish still running: not touched
    live.mkdir()

    result = publish(releases, 2021, FILES)

    assert not stale.exists() and not os.path.lexists(stale_link) and not legacy.exists()
    assert live.exists()
    assert result.status == "published" and result.path == releases / "2021"
    assert folder_fingerprint(releases / "2021") == fingerprint(FILES)
    assert (releases / "2021" / "scores.csv").read_bytes() == FILES["scores.csv"]
    assert os.readlink(releases / "latest") == "2021"
    hidden = sorted(p.name for p in releases.iterdir() if p.name.startswith("."))
    assert hidden == [live.name]
    assert publish(releases, 2021, FILES).status == "unchanged"


def test_a_killed_publish_leaves_a_temp_folder_that_the_next_one_removes(tmp_path):
    """For real: a publish killed with -9 while it writes (a file write that blocks)."""
    releases = tmp_path / "releases"
    fifo_dir = tmp_path / "fifo"
    fifo_dir.mkdir()
    code = textwrap.dedent(f"""
        import builtins, os, sys, time
        sys.path.insert(0, {str(PLATFORM)!r})
        from pathlib import Path
        from social_progress.publish import release
        real_open = builtins.open
        def slow_open(path, *a, **k):
            fh = real_open(path, *a, **k)
            if str(path).endswith("b.bin"):
                Path({str(tmp_path / "writing")!r}).write_text(str(Path(path).parent))
                time.sleep(60)   # killed here, mid-publish
            return fh
        release.open = slow_open
        release.publish(Path({str(releases)!r}), 2021, {{"a.bin": b"a" * 100000, "b.bin": b"b"}})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not (tmp_path / "writing").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [p for p in releases.iterdir() if p.name.startswith(".tmp-")]
    assert len(left) == 1 and left[0].name.startswith(f".tmp-{proc.pid}-2021-")
    assert not (releases / "2021").exists()  # nothing half-written is visible

    result = publish(releases, 2021, FILES)
    assert result.status == "published"
    assert not left[0].exists()
    assert [p.name for p in releases.iterdir() if p.name.startswith(".")] == []


def test_remove_stale_temp_ignores_everything_else(tmp_path):
    releases = tmp_path
    for name in ("2021", "2021-r2", ".hidden-notes", ".tmp-notes"):
        (releases / name).mkdir()
    recent_legacy = releases / ".tmp-2021-zzzz9999"
    recent_legacy.mkdir()  # legacy name but recent: may be a publish of an older version still running
    assert remove_stale_temp(releases) == []
    assert sorted(p.name for p in releases.iterdir()) == sorted(
        ["2021", "2021-r2", ".hidden-notes", ".tmp-notes", recent_legacy.name])
