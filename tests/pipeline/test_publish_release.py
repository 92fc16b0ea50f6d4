"""Releases are written atomically, never overwritten, and identical re-runs are recognised."""
import os

import pytest

from social_progress.publish import release as release_mod
from social_progress.publish.release import folder_fingerprint, publish


def files(n: int = 1) -> dict[str, bytes]:
    return {"scores.csv": f"area_code,score\nE05014053,{50 + n}\n".encode(), "metadata.json": b'{"year": 2021}\n'}


def test_first_release_is_published_with_latest_pointer(tmp_path):
    out = publish(tmp_path, 2021, files())
    assert out.status == "published" and out.path == tmp_path / "2021"
    assert (tmp_path / "2021" / "scores.csv").read_bytes() == files()["scores.csv"]
    assert os.readlink(tmp_path / "latest") == "2021"


def test_identical_release_is_not_written_again(tmp_path):
    first = publish(tmp_path, 2021, files())
    mtime = (first.path / "scores.csv").stat().st_mtime_ns
    again = publish(tmp_path, 2021, files())
    assert again.status == "unchanged" and again.path == first.path
    assert (first.path / "scores.csv").stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021", "latest"]


def test_different_release_for_the_same_year_becomes_a_revision(tmp_path):
    publish(tmp_path, 2021, files(1))
    before = folder_fingerprint(tmp_path / "2021")
    second = publish(tmp_path, 2021, files(2))
    assert second.path.name == "2021-r2" and second.status == "published"
    assert folder_fingerprint(tmp_path / "2021") == before  # the first release is untouched
    assert os.readlink(tmp_path / "latest") == "2021-r2"
    assert publish(tmp_path, 2021, files(1)).path.name == "2021"  # an earlier identical one is found


def test_failure_while_writing_leaves_no_release_and_no_temporary_folder(tmp_path, monkeypatch):
    publish(tmp_path, 2020, files())
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(release_mod.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        publish(tmp_path, 2021, files())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2020", "latest"]
    assert os.readlink(tmp_path / "latest") == "2020"


def test_data_docs_travel_with_the_release_but_do_not_make_it_a_new_one(tmp_path):
    docs_a = {"quality/data_docs/index_scores_expectations/index.html": b"<html>run A</html>"}
    docs_b = {"quality/data_docs/index_scores_expectations/index.html": b"<html>run B</html>"}
    first = publish(tmp_path, 2021, files(), run_records=docs_a)
    again = publish(tmp_path, 2021, files(), run_records=docs_b)
    assert again.status == "unchanged" and again.path == first.path
    assert (first.path / "quality/data_docs/index_scores_expectations/index.html").read_bytes() == b"<html>run A</html>"
    with pytest.raises(ValueError, match="run records"):
        publish(tmp_path, 2022, files(), run_records={"scores.csv": b"x"})
