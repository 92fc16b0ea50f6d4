"""An identical re-run publishes nothing, so it succeeds with a read-only releases folder.

Issue (hostile input and untrusted configuration): `latest` was re-created on every
publish, so even an unchanged refresh failed when releases/ could not be written. A publish
that does have something new to write fails with an error naming the folder instead of a
traceback, and the releases already there stay as they were.

Root ignores file permissions, so the writes are detected two ways: a spy on every call
that could write (always), and a real read-only folder, written to by a forked child that
runs as `nobody` when the tests run as root.
"""
import builtins
import errno
import io
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from social_progress.publish.release import Published, fingerprint, folder_fingerprint, publish

FILES = {"scores.csv": b"area_code,score\nE05000001,55.5\n", "metadata.json": b'{"year": 2021}\n',
         "audit/README.md": b"# audit\n"}
OTHER = {**FILES, "scores.csv": b"area_code,score\nE05000001,56.0\n"}
NOBODY = 65534


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root` (the folder itself included, links not followed) with its
    type, permissions, size, inode and modification time: any write shows up here."""
    out = {}
    for folder, dirs, names in os.walk(root):
        for p in [Path(folder), *(Path(folder) / n for n in dirs + names)]:
            st = p.lstat()
            key = p.relative_to(root).as_posix()
            out[key] = (st.st_mode, st.st_size, st.st_ino, st.st_mtime_ns,
                        os.readlink(p) if p.is_symlink() else None)
    return out


def spy_on_writes(monkeypatch) -> list[str]:
    """Make every call that could write to disk fail as a read-only folder would (EACCES),
    and record it."""
    calls: list[str] = []

    def refuse(name):
        def spy(*args, **kwargs):
            calls.append(f"{name}{args[:2]}")
            raise PermissionError(errno.EACCES, "Permission denied (test: read-only)", str(args[0]) if args else None)
        return spy

    for mod, names in ((os, ["mkdir", "makedirs", "symlink", "replace", "rename", "unlink", "remove", "rmdir",
                             "chmod", "utime", "truncate"]),
                       (shutil, ["rmtree", "move", "copy", "copy2", "copytree"]),
                       (tempfile, ["mkdtemp", "mkstemp", "NamedTemporaryFile", "TemporaryDirectory"])):
        for name in names:
            monkeypatch.setattr(mod, name, refuse(f"{mod.__name__}.{name}"))

    def guarded_open(real):
        def spy(file, mode="r", *args, **kwargs):
            if any(c in mode for c in "wax+"):
                calls.append(f"open({file!r}, {mode!r})")
                raise PermissionError(errno.EACCES, "Permission denied (test: read-only)", str(file))
            return real(file, mode, *args, **kwargs)
        return spy

    monkeypatch.setattr(builtins, "open", guarded_open(builtins.open))
    monkeypatch.setattr(io, "open", guarded_open(io.open))   # Path.open / write_bytes
    return calls


def test_an_identical_republish_writes_nothing(tmp_path, monkeypatch):
    releases = tmp_path / "releases"
    first = publish(releases, 2021, FILES)
    assert first.status == "published"
    before = snapshot(releases)

    with monkeypatch.context() as m:
        calls = spy_on_writes(m)
        again = publish(releases, 2021, dict(FILES))

    assert calls == []
    assert again == Published(releases / "2021", "unchanged", fingerprint(FILES))
    assert snapshot(releases) == before


def test_an_identical_release_still_becomes_latest_when_latest_points_elsewhere(tmp_path):
    """The one identical case that writes: `latest` is moved back to the matching release."""
    releases = tmp_path / "releases"
    publish(releases, 2021, FILES)
    assert publish(releases, 2021, OTHER).path == releases / "2021-r2"
    assert os.readlink(releases / "latest") == "2021-r2"
    back = publish(releases, 2021, FILES)
    assert (back.status, back.path) == ("unchanged", releases / "2021")
    assert os.readlink(releases / "latest") == "2021"
    assert [p.name for p in releases.iterdir() if p.name.startswith(".")] == []


def test_a_new_release_into_an_unwritable_folder_fails_clearly_and_leaves_the_old_one(tmp_path, monkeypatch):
    releases = tmp_path / "releases"
    publish(releases, 2021, FILES)
    before = snapshot(releases)

    with monkeypatch.context() as m:
        spy_on_writes(m)
        with pytest.raises(PermissionError) as raised:
            publish(releases, 2021, OTHER)

    assert type(raised.value).__name__ == "ReleaseFolderNotWritable"
    assert f"cannot write the 2021 release into the releases folder {releases}:" in str(raised.value)
    assert snapshot(releases) == before
    assert folder_fingerprint(releases / "2021") == fingerprint(FILES)


# ----------------------------------------------------------------- a real read-only folder

def _chmod_tree(root: Path, remove: int = 0, add: int = 0) -> None:
    for folder, dirs, names in os.walk(root):
        for p in [Path(folder), *(Path(folder) / n for n in dirs + names)]:
            if not p.is_symlink():
                os.chmod(p, (p.stat().st_mode & ~remove) | add)


def _as_reader(job) -> dict:
    """job() in a forked child running as this user, or as `nobody` when this is root (root
    ignores permissions). Forked rather than a new interpreter: the interpreter may live
    where `nobody` cannot read it, and the child needs only what is already imported."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: never returns into pytest
        status = 1
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            result = job()
            os.write(write, json.dumps(result).encode())
            status = 0
        except BaseException as exc:   # report anything, the parent asserts
            os.write(write, json.dumps({"child_error": f"{type(exc).__name__}: {exc}"}).encode())
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.fixture
def shared_dir(tmp_path):
    """A folder `nobody` can reach: pytest's tmp folders are private to root, so as root one
    under the system temp folder, opened to everyone and removed afterwards."""
    if os.geteuid() != 0:
        yield tmp_path
        return
    base = Path(tempfile.mkdtemp(prefix="spi-readonly-"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        _chmod_tree(base, add=stat.S_IWUSR)
        shutil.rmtree(base, ignore_errors=True)


def test_a_read_only_releases_folder_for_real(shared_dir):
    releases = shared_dir / "releases"
    publish(releases, 2021, FILES)
    _chmod_tree(releases, remove=stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)     # chmod -R a-w
    try:
        before = snapshot(releases)

        def job():
            out = {"uid": os.geteuid()}
            r = publish(releases, 2021, dict(FILES))
            out["same"] = [r.status, str(r.path)]
            try:
                r = publish(releases, 2021, OTHER)
                out["other"] = ["no error", r.status, str(r.path)]
            except Exception as exc:
                out["other"] = [type(exc).__name__, str(exc)]
            return out

        out = _as_reader(job)

        assert "child_error" not in out, out
        assert out["uid"] != 0
        assert out["same"] == ["unchanged", str(releases / "2021")]
        kind, message = out["other"]
        assert kind == "ReleaseFolderNotWritable", out["other"]
        assert f"into the releases folder {releases}:" in message
        assert snapshot(releases) == before
        assert folder_fingerprint(releases / "2021") == fingerprint(FILES)
        assert os.readlink(releases / "latest") == "2021"
    finally:
        _chmod_tree(releases, add=stat.S_IWUSR)
