"""Shared by every test folder: the SYNTHETIC council systems exist before any test loads
the real catalogue (its council sources read them), built once under a lock and reused
(`social_progress.council_systems`: rebuilt only when the generator's code changes)."""
import pytest


@pytest.fixture(scope="session", autouse=True)
def council_systems():
    from social_progress.council_systems import ensure_council_systems
    from social_progress.settings import PROJECT_ROOT, Settings

    settings = Settings(project_root=PROJECT_ROOT, data_dir=PROJECT_ROOT / "data", catalogue_dir=PROJECT_ROOT / "catalogue",
                        warehouse_dir=PROJECT_ROOT / "warehouse", releases_dir=PROJECT_ROOT / "releases",
                        dbt_project_dir=PROJECT_ROOT / "dbt_project")
    return ensure_council_systems(settings, say=lambda m: None)
