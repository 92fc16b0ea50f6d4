"""Publisher and steward are different people: every source names a steward ROLE, the
deployment (catalogue/areas.yml `stewards:`) says who holds it, and no address is in code.

The expected people are read from the deployment file the way an operator would read it
(YAML), not from the code under test.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from social_progress.borough import AreaConfigError, area_config
from social_progress.catalogue import StewardError, check_stewards, load_catalogue, steward_for
from social_progress.definitions import build_definitions   # (imported with the project's own deployment)
from social_progress.settings import PROJECT_ROOT, get_settings

AREAS = PROJECT_ROOT / "catalogue" / "areas.yml"
SOURCES = PROJECT_ROOT / "catalogue" / "sources.yml"
# an address: local part, @, a dotted domain ending in letters (not `pkg@1.2.3`, not `user@localhost`)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")


@pytest.fixture()
def settings(monkeypatch):
    monkeypatch.delenv("SPI_BOROUGH", raising=False)
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(PROJECT_ROOT))
    monkeypatch.delenv("SPI_CATALOGUE_DIR", raising=False)
    return get_settings()


@pytest.fixture()
def deployment(tmp_path, monkeypatch):
    """A copy of the catalogue folder whose areas.yml a test can edit."""
    folder = tmp_path / "catalogue"
    shutil.copytree(PROJECT_ROOT / "catalogue", folder)
    monkeypatch.delenv("SPI_BOROUGH", raising=False)
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(PROJECT_ROOT))
    monkeypatch.setenv("SPI_CATALOGUE_DIR", str(folder))
    # nothing here may touch the project's own warehouse or releases
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SPI_RELEASES_DIR", str(tmp_path / "releases"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return folder


def _edit_areas(folder: Path, change) -> None:
    doc = yaml.safe_load((folder / "areas.yml").read_text())
    change(doc)
    (folder / "areas.yml").write_text(yaml.safe_dump(doc, sort_keys=False))


def test_every_real_source_resolves_to_a_council_steward_who_is_not_its_publisher(settings):
    deployed = yaml.safe_load(AREAS.read_text())["stewards"]
    entries = {e["id"]: e for e in yaml.safe_load(SOURCES.read_text())["sources"]}
    catalogue = load_catalogue(SOURCES, PROJECT_ROOT)
    check_stewards(catalogue, settings)
    assert len(catalogue.sources) == 50
    for source in catalogue.sources:
        role = entries[source.id]["steward"]
        person = steward_for(source, settings)
        assert (person.name, person.email) == (deployed[role]["name"], deployed[role]["email"]), source.id
        assert person.email.lower() != str(entries[source.id]["publisher"].get("contact", "")).lower(), source.id
        # the synthetic deployment's people are placeholders, on the example domain
        assert person.email.endswith("@lbbd.example.gov.uk") and "(placeholder)" in person.name, source.id
    # the feeds the council does not publish are fetched by its own officers, never alerted at the publisher
    fsa = catalogue.get("food_hygiene")
    assert fsa.publisher.contact == "opendata@food.gov.uk"
    assert steward_for(fsa, settings).email == deployed["public_data"]["email"]
    assert steward_for(catalogue.get("council_housing_repairs"), settings).email == deployed["housing"]["email"]
    assert steward_for(catalogue.get("postcodes"), settings).email == deployed["gis"]["email"]


def test_a_role_the_deployment_does_not_fill_is_named_with_its_source(deployment):
    _edit_areas(deployment, lambda doc: doc["stewards"].pop("housing"))
    settings = get_settings()
    catalogue = load_catalogue(settings.sources_path, PROJECT_ROOT)
    with pytest.raises(StewardError) as err:
        steward_for(catalogue.get("council_housing_repairs"), settings)
    assert "source 'council_housing_repairs' field 'steward': role 'housing' has no person in" in str(err.value)
    # loading the catalogue with the deployment reports every source of that role at once
    with pytest.raises(StewardError) as err:
        check_stewards(catalogue, settings)
    housing = [s.id for s in catalogue.sources if s.steward == "housing"]
    assert len(housing) == 5 and len(str(err.value).splitlines()) == len(housing)
    assert all(f"source {sid!r} field 'steward': role 'housing'" in str(err.value) for sid in housing)


def test_the_definitions_refuse_a_deployment_missing_a_role(deployment):
    _edit_areas(deployment, lambda doc: doc["stewards"].pop("gis"))
    with pytest.raises(StewardError, match="source 'postcodes' field 'steward': role 'gis' has no person"):
        build_definitions(get_settings())


def test_prepare_and_refresh_refuse_a_role_nobody_holds_before_any_dbt_or_dagster_work(deployment, capsys):
    from social_progress import cli

    _edit_areas(deployment, lambda doc: doc["stewards"].pop("care"))
    assert cli.main(["prepare"]) == 2
    err = capsys.readouterr().err
    assert "Catalogue refused:" in err
    assert "source 'council_children_social_care' field 'steward': role 'care' has no person" in err
    assert "source 'council_adult_social_care' field 'steward': role 'care' has no person" in err
    assert cli.main(["refresh", "--no-wait"]) == 2
    err = capsys.readouterr().err
    assert "Refresh refused: the catalogue cannot be used with this deployment" in err and "role 'care'" in err


def test_a_deployment_that_gives_a_role_to_the_publisher_is_refused(deployment):
    fsa_inbox = {"name": "FSA Open Data team", "email": "opendata@food.gov.uk"}
    _edit_areas(deployment, lambda doc: doc["stewards"].update(public_data=fsa_inbox))
    with pytest.raises(StewardError) as err:
        check_stewards(load_catalogue(get_settings().sources_path, PROJECT_ROOT), get_settings())
    assert ("source 'food_hygiene' field 'steward': role 'public_data' is held by opendata@food.gov.uk, the "
            "publisher's own contact (Food Standards Agency)") in str(err.value)


def test_a_steward_needs_an_email_address_and_a_role_key(deployment):
    _edit_areas(deployment, lambda doc: doc["stewards"].update(housing={"name": "Housing", "email": "housing team"}))
    with pytest.raises(AreaConfigError, match=r"field 'stewards.housing.email'.*'housing team' is not an email address"):
        area_config(get_settings())
    _edit_areas(deployment, lambda doc: doc["stewards"].update(
        {"housing": {"name": "Housing", "email": "housing@borough.example.gov.uk"},
         "Housing Team": {"name": "Housing", "email": "housing@borough.example.gov.uk"}}))
    with pytest.raises(AreaConfigError, match=r"'Housing Team'\] are not keys"):
        area_config(get_settings())


def test_no_python_file_of_the_platform_holds_an_email_address():
    found = []
    for path in sorted((PROJECT_ROOT / "platform").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(PROJECT_ROOT)}:{n}: {m}" for m in EMAIL.findall(line)]
    assert found == []
    assert EMAIL.findall("owners=['insight@lbbd.example.gov.uk']")   # the pattern does find one
