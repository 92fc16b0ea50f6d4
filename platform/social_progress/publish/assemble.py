"""Assemble a release from the warehouse and catalogue the settings point at.

Why apart from `build`: the publish asset, `social-progress preview` and the tests all
build a release the same way (borough, sources, targets, code version, Data Docs), and the
asset itself should only call this and write the files.
"""
from __future__ import annotations

from pathlib import Path

from social_progress.borough import area_config
from social_progress.publish.build import build_release, read_warehouse
from social_progress.publish.code_version import code_version
from social_progress.settings import Settings


def targets_path(settings: Settings) -> Path:
    return settings.catalogue_dir / "targets.yml"


def build_from_settings(settings: Settings, data_docs: dict[str, str] | None = None,
                        require_marts: bool = True) -> tuple[int, dict[str, bytes]]:
    """The release files (year, {name: bytes}) for the warehouse and catalogue `settings` point at."""
    from social_progress.publish.london_comparison import for_release

    cfg = area_config(settings)
    wh = read_warehouse(settings.duckdb_path, require_marts=require_marts)
    return build_release(wh, borough=cfg.borough.model_dump(), sources_path=settings.sources_path,
                         targets_path=targets_path(settings), code_version=code_version(settings.project_root),
                         data_docs=data_docs, london=for_release(settings, cfg, wh))


def run_data_docs(settings: Settings, run_id: str | None = None) -> tuple[dict[str, str], dict[str, bytes]]:
    """The latest GX Data Docs of every check: links for the release metadata (check -> path
    inside the release, no run id in it) and the files to carry under quality/data_docs/<check>/.

    A partial refresh re-runs only some checks; the others' latest Data Docs (from an
    earlier run) still describe the data the release is built from, so they are carried too.
    `run_id` is accepted for callers that want only one run's docs.

    The pages load their styles and scripts from one shared quality/data_docs/static/ folder,
    written here as real files (in the warehouse each site's static/ is a link to its run's
    shared folder, which copying the site's files alone would leave out); pages built by
    older code, which loaded them from CDNs, are made to read it too."""
    from social_progress.quality import docs_offline
    from social_progress.warehouse import read_table

    where = "WHERE data_docs IS NOT NULL" + (" AND run_id = ?" if run_id else "")
    try:
        rows = read_table(settings.duckdb_path,
                          f"SELECT check_name, data_docs FROM quality.check_results {where} "
                          "QUALIFY row_number() OVER (PARTITION BY check_name ORDER BY evaluated_at DESC) = 1 "
                          "ORDER BY check_name", [run_id] if run_id else [])
    except Exception:  # no quality schema yet: a release without Data Docs says so by an empty mapping
        return {}, {}
    links, records = {}, {}
    for check, index in rows.itertuples(index=False):
        site = (settings.warehouse_dir / index).parent
        if not site.is_dir():
            continue
        files = {f.relative_to(site).as_posix(): f.read_bytes() for f in sorted(site.rglob("*"))
                 if f.is_file() and f.relative_to(site).parts[0] != "static"}
        for name, data in docs_offline.offline_files(files).items():
            records[f"quality/data_docs/{check}/{name}"] = data
        links[check] = f"quality/data_docs/{check}/{Path(index).name}"
    if records:
        records.update({f"quality/data_docs/static/{name}": data for name, data in docs_offline.static_files().items()})
    return links, records
