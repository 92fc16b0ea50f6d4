import subprocess

import pytest

from project_copy import shared_good_refresh


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory):
    """The session's shared real yearly refresh on the bundled data (read only)."""
    project = shared_good_refresh(tmp_path_factory)
    stdout = (project.parent / "stdout.txt").read_text()
    return project, subprocess.CompletedProcess(args=["social-progress", "refresh"], returncode=0, stdout=stdout, stderr="")
