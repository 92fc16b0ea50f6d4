import pytest

from project_copy import make_project, run_refresh


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory):
    """One real yearly refresh on the bundled data, shared by the end-to-end tests."""
    project = make_project(tmp_path_factory.mktemp("refresh") / "project")
    proc = run_refresh(project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return project, proc
