"""Catalogue paths stay in the data folders: absolute paths, `..`, globs out of the project
and links in data/ pointing elsewhere are refused at load (naming entry and field), and a
file swapped for such a link after the load is refused at ingest, with nothing landed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_catalogue_loader import entry, error_for, write

from social_progress.catalogue import load_catalogue
from social_progress.ingest import IngestError, ingest_source, pipeline
from social_progress.settings import PROJECT_ROOT, get_settings

SECRET = "LSOA11CD,password\nE01000001,hunter2\n"   # readable as the entry declares: only the rule stops it


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project at tmp/project with data/crime.csv, and tmp/outside/secret.csv beside it."""
    for var in ("SPI_DATA_ALLOW", "SPI_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "crime.csv").write_text("LSOA11CD\nE01000001\n")
    (project / "catalogue").mkdir()
    (project / "council_systems").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.csv").write_text(SECRET)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hosts").write_text("ip,name\n127.0.0.1,localhost\n")
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(project))
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return project


def test_absolute_path_is_refused_naming_entry_and_field(root):
    message = error_for(root, entry(reader__path="/etc/hosts"))
    assert message.startswith("catalogue/sources.yml: source 'crime' field 'reader.path': '/etc/hosts' is an absolute path")
    assert "data/, council_systems/ or a folder listed in SPI_DATA_ALLOW" in message


def test_path_out_of_the_project_is_refused(root):
    (root / "data" / "sub").mkdir()
    for path in ("../outside/secret.csv", "data/../../outside/secret.csv", "data/sub/../../../outside/secret.csv"):
        assert f"field 'reader.path': {path!r} leads out of the project folder" in error_for(root, entry(reader__path=path))


@pytest.mark.parametrize("pattern, why", [("data/../../etc/host*", "leads out of the project folder"),
                                          ("/etc/host*", "is an absolute path")])
def test_glob_out_of_the_project_is_refused(root, pattern, why):
    assert f"source 'crime' field 'reader.path': {pattern!r} {why}" in error_for(root, entry(reader__path=pattern))


def test_fallback_is_confined_too(root):
    reader = {"kind": "http", "url": "https://example.org/x.csv", "format": "csv", "fallback": "../outside/secret.csv"}
    assert "source 'crime' field 'reader.fallback': '../outside/secret.csv' leads out of the project folder" in \
        error_for(root, entry(reader=reader))


def test_link_in_data_pointing_out_is_refused(root):
    os.symlink("/etc/passwd", root / "data" / "x.csv")
    message = error_for(root, entry(reader__path="data/x.csv"))
    assert "source 'crime' field 'reader.path': 'data/x.csv' links to '/etc/passwd', outside the data folders" in message


def test_glob_matching_a_link_pointing_out_is_refused(root):
    os.symlink(root.parent / "outside" / "secret.csv", root / "data" / "crime-2.csv")
    message = error_for(root, entry(reader__path="data/crime*.csv"))
    assert f"field 'reader.path': 'data/crime-2.csv' links to '{root.parent / 'outside' / 'secret.csv'}'" in message


def test_linked_folder_pointing_out_is_refused(root):
    os.symlink(root.parent / "outside", root / "data" / "shared")
    assert "'data/shared/secret.csv' links to" in error_for(root, entry(reader__path="data/shared/secret.csv"))


def test_shapefile_companion_linking_out_is_refused(root):
    for ext in (".shp", ".shx"):
        (root / "data" / f"wards{ext}").write_bytes(b"x")
    os.symlink(root.parent / "outside" / "secret.csv", root / "data" / "wards.dbf")
    message = error_for(root, entry(reader__path="data/wards.shp", reader__format="shapefile"))
    assert "field 'reader.path': 'data/wards.dbf' links to" in message


def test_relative_data_paths_and_links_into_allowed_folders_load(root):
    (root / "council_systems" / "y.csv").write_text("LSOA11CD\nE01000002\n")
    os.symlink(root / "council_systems" / "y.csv", root / "data" / "linked.csv")
    bundled = next((PROJECT_ROOT / "data").rglob("*.csv"))      # a copy's data linked to the bundled data
    os.symlink(bundled, root / "data" / "bundled.csv")
    (root / "data" / "crime").mkdir()
    (root / "data" / "crime" / "a.csv").write_text("LSOA11CD\nE01000003\n")
    entries = [entry(id="plain"), entry(id="linked", reader__path="data/linked.csv"),
               entry(id="bundled", reader__path="data/bundled.csv"),
               entry(id="globbed", reader__path="data/crime/*.csv"),
               entry(id="dotted", reader__path="data/crime/../crime.csv"),
               entry(id="council", reader__path="council_systems/y.csv")]
    catalogue = load_catalogue(write(root, *entries), root=root)
    assert [s.id for s in catalogue.sources] == ["plain", "linked", "bundled", "globbed", "dotted", "council"]


def test_folder_listed_in_spi_data_allow_is_accepted(root, monkeypatch):
    shared = root.parent / "outside"
    os.symlink(shared / "secret.csv", root / "data" / "shared.csv")
    assert "'data/shared.csv' links to" in error_for(root, entry(reader__path="data/shared.csv"))
    monkeypatch.setenv("SPI_DATA_ALLOW", os.pathsep.join(["/nonexistent", str(shared)]))
    catalogue = load_catalogue(write(root, entry(reader__path="data/shared.csv")), root=root)
    assert catalogue.get("crime").reader.path == "data/shared.csv"
    result = ingest_source(catalogue.get("crime"), get_settings())
    assert result.status == "ingested" and result.rows == 1


# ------------------------------------------------------------------------------ at ingest

def _landed(root: Path) -> list[Path]:
    landing = get_settings().landing_dir
    return [p for p in landing.rglob("*") if p.is_file()] if landing.exists() else []


def test_file_swapped_for_a_link_after_load_is_refused_at_ingest(root):
    source = load_catalogue(write(root, entry()), root=root).get("crime")
    (root / "data" / "crime.csv").unlink()
    os.symlink(root.parent / "outside" / "secret.csv", root / "data" / "crime.csv")

    with pytest.raises(IngestError, match=r"source 'crime' \(data/crime.csv\): 'data/crime.csv' links to .*outside "
                                          r"the data folders"):
        ingest_source(source, get_settings())
    assert _landed(root) == []
    assert not get_settings().duckdb_path.exists()


def test_file_swapped_while_ingest_waits_for_the_warehouse_is_refused(root, monkeypatch):
    """Found and hashed in the data folder, then swapped for a link before it is read."""
    source = load_catalogue(write(root, entry()), root=root).get("crime")
    real_last_ingest = pipeline.warehouse.last_ingest

    def swap_then_answer(*args, **kwargs):
        (root / "data" / "crime.csv").unlink()
        os.symlink(root.parent / "outside" / "secret.csv", root / "data" / "crime.csv")
        return real_last_ingest(*args, **kwargs)

    monkeypatch.setattr(pipeline.warehouse, "last_ingest", swap_then_answer)
    with pytest.raises(IngestError, match=r"'data/crime.csv' links to .*outside the data folders"):
        ingest_source(source, get_settings())
    assert _landed(root) == []


@pytest.mark.parametrize("path", ["/etc/hosts", "../outside/secret.csv", "data/../../etc/host*", "/etc/host*"])
def test_ingest_refuses_paths_out_of_the_project_without_a_loaded_catalogue(root, path):
    from social_progress.catalogue import Source

    source = Source.model_validate(entry(reader__path=path, required_columns=[]))
    with pytest.raises(IngestError, match=r"is an absolute path|leads out of the project folder"):
        ingest_source(source, get_settings())
    assert _landed(root) == []
