"""Dagster assets for the raw layer: one asset per catalogue source, plus cadence jobs.

Each source has two assets: `inputs/<id>`, an observable source asset whose data version
is the content hash of the input as it is now (files hashed, http resolved, SQL queried),
and `raw/<id>`, which lands it in the warehouse. Dagster compares the observed version
with the one `raw/<id>` was built from, so a refresh re-runs a source (and what depends
on it) only when its input changed.

Why generated from the catalogue: adding a feed to sources.yml is the whole job of adding
it to the platform; its asset, owner (the source's steward, the person the deployment gives
its steward role: `catalogue.steward_for`), licence and schedule follow. Each asset only calls
`social_progress.ingest.ingest_source`, so what runs in Dagster is what the tests test,
and its materialization carries the provenance a release needs (licence, attribution,
content hash, landed copy) and says whether the input had changed.
"""

import re
import warnings
from collections import defaultdict

import dagster as dg

from social_progress.catalogue import Catalogue, FileReader, HttpReader, Owner, Source, SqlReader, steward_for
from social_progress.defs.resources import PlatformResource
from social_progress.borough import AreaConfigError, area_config
from social_progress.defs.versions import code_version
from social_progress.warehouse import Warehouse, default_lock_timeout
from social_progress.ingest import IngestError, fingerprint_source, ingest_source
from social_progress.settings import Settings

GROUP = "ingest"

# 06:00 London time, on the 2nd so month-end publications have landed.
CADENCE_CRONS: dict[str, str] = {
    "daily": "0 6 * * *",
    "weekly": "0 6 * * 1",
    "monthly": "0 6 2 * *",
    "quarterly": "0 6 2 1,4,7,10 *",
    "yearly": "0 6 2 4 *",
}
# Sources that are "irregular" (IMD every few years) or "once" (a census, a boundary set)
# get a job to run by hand but no schedule: polling them would only ever say "unchanged".
TIMEZONE = "Europe/London"


INGEST_TIME_LIMIT_S = 900


def raw_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source_id])


def input_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(["inputs", source_id])


def build_ingest_assets(catalogue: Catalogue, settings: Settings) -> list:
    """The observable inputs (one multi-observable asset, subsettable) and one raw asset per source."""
    return [build_input_observations(catalogue, settings), *build_raw_assets(catalogue, settings)]


def build_raw_assets(catalogue: Catalogue, settings: Settings) -> list[dg.AssetsDefinition]:
    return [_ingest_asset(source, settings) for source in catalogue.sources]


def build_input_observations(catalogue: Catalogue, settings: Settings):
    stewards = {s.id: steward_for(s, settings) for s in catalogue.sources}
    specs = [dg.AssetSpec(input_key(s.id), group_name=GROUP, owners=[stewards[s.id].email], kinds={"file", _reader_kind(s)},
                          description=f"The input of '{s.id}' as it is now ({_input_label(s)}); its data version is "
                                      f"the content hash, so a changed input makes raw/{s.id} stale.",
                          metadata=_static_metadata(s, stewards[s.id]))
             for s in catalogue.sources]
    by_key = {input_key(s.id): s for s in catalogue.sources}

    def observe_inputs(context, platform: PlatformResource):
        settings = platform.settings
        for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
            source = by_key[key]
            yield dg.ObserveResult(asset_key=key, data_version=dg.DataVersion(fingerprint_source(source, settings)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)  # multi_observable_source_asset is beta in Dagster 1.13
        return dg.multi_observable_source_asset(specs=specs, name="observe_inputs", can_subset=True)(observe_inputs)


def _input_label(source: Source) -> str:
    reader = source.reader
    if isinstance(reader, FileReader):
        return reader.path
    if isinstance(reader, HttpReader):
        return reader.url + (f", fallback {reader.fallback}" if reader.fallback else "")
    return f"SQL via ${reader.url_env}"


def build_source_schedules(catalogue: Catalogue) -> tuple[list, list[dg.ScheduleDefinition]]:
    """One job per cadence present (ingest_<cadence>) and, for periodic cadences, a stopped schedule.

    The jobs are asset jobs (`define_asset_job`), resolved when given to `Definitions`.
    Schedules start STOPPED: turning on automatic ingestion is a decision for an operator.
    """
    by_cadence: dict[str, list[str]] = defaultdict(list)
    for source in catalogue.sources:
        by_cadence[source.cadence].append(source.id)
    jobs, schedules = [], []
    for cadence, ids in by_cadence.items():
        job = dg.define_asset_job(
            name=f"ingest_{cadence}",
            selection=dg.AssetSelection.assets(*[raw_key(i) for i in ids]),
            description=f"Ingest the {cadence} sources: {', '.join(ids)}.",
            tags={"cadence": cadence},
        )
        jobs.append(job)
        if cadence in CADENCE_CRONS:
            schedules.append(dg.ScheduleDefinition(
                name=f"ingest_{cadence}_schedule",
                job=job,
                cron_schedule=CADENCE_CRONS[cadence],
                execution_timezone=TIMEZONE,
                default_status=dg.DefaultScheduleStatus.STOPPED,
                description=f"Check the {cadence} sources for new data ({CADENCE_CRONS[cadence]}, {TIMEZONE}).",
            ))
    return jobs, schedules


def _borough_code(settings: Settings) -> str:
    """The deployed borough, or "" for a project with no area configuration (ingest alone)."""
    try:
        return area_config(settings).borough.code
    except AreaConfigError:
        return ""


def _ingest_asset(source: Source, settings: Settings) -> dg.AssetsDefinition:
    from social_progress.quality.suites import source_suite_path

    # the entry in sources.yml, the ingest code and the source's suite: a change to any of
    # them makes the raw table (and its check) stale; so does choosing another borough, whose
    # areas the check expects (unless the feed declares the boroughs it covers)
    borough = "" if source.coverage is not None and source.coverage.boroughs is not None else _borough_code(settings)
    version = code_version("ingest", "catalogue", files=(source_suite_path(settings.project_root, source.id),),
                           extra=source.model_dump_json() + borough)
    steward = steward_for(source, settings)

    @dg.asset(
        key=raw_key(source.id),
        deps=[input_key(source.id)],
        group_name=GROUP,
        owners=[steward.email],
        description=_description(source),
        tags=_tags(source),
        kinds={"duckdb", _reader_kind(source)},
        metadata=_static_metadata(source, steward),
        code_version=version,
        op_tags={"social_progress/time_limit_s": str(INGEST_TIME_LIMIT_S)},
    )
    def _asset(context: dg.AssetExecutionContext, platform: PlatformResource) -> dg.MaterializeResult:
        from social_progress.processes import step_deadline

        try:
            with step_deadline(INGEST_TIME_LIMIT_S, f"raw/{source.id}"), \
                    Warehouse(platform.settings.duckdb_path, default_lock_timeout()).session(f"ingest raw/{source.id}"):
                result = ingest_source(source, platform.settings)
        except IngestError as exc:
            raise dg.Failure(description=str(exc), metadata={"source_id": source.id}) from exc
        for note in result.notes:
            context.log.info(note)
        metadata = {
            **_static_metadata(source, steward),
            "status": result.status,
            "origin": result.origin,
            "content_hash": result.content_hash,
            "rows": dg.MetadataValue.int(result.rows),
            "dagster/row_count": dg.MetadataValue.int(result.rows),
            "columns": dg.MetadataValue.int(result.columns),
            "landed_path": dg.MetadataValue.path(result.landed_path),
            "table": dg.MetadataValue.text(result.table),
            "seconds": dg.MetadataValue.float(round(result.seconds, 3)),
        }
        if result.notes:
            metadata["notes"] = dg.MetadataValue.text("\n".join(result.notes))
        if result.column_names:
            metadata["dagster/column_schema"] = dg.TableSchema(
                columns=[dg.TableColumn(name) for name in result.column_names])
        return dg.MaterializeResult(metadata=metadata)

    return _asset


def _description(source: Source) -> str:
    text = (f"{source.title}. Published by {source.publisher.name}; {source.licence.name}. "
            f"Steward role: {source.steward}.")
    return f"{text}\n\n{source.description}" if source.description else text


def _static_metadata(source: Source, steward: Owner) -> dict[str, object]:
    meta: dict[str, object] = {
        "publisher": source.publisher.name,
        "licence": source.licence.name,
        "attribution": source.licence.attribution,
        "steward": f"{steward.name} <{steward.email}> (role {source.steward})",
        "cadence": source.cadence,
        "geography": f"{source.geography.level}" + (f" {source.geography.vintage}" if source.geography.vintage else ""),
        "personal_data": source.personal_data,
    }
    if source.publisher.contact:   # for reference: the publisher is never alerted
        meta["publisher_contact"] = source.publisher.contact
    if source.fetch_url:
        meta["latest_edition"] = dg.MetadataValue.url(source.fetch_url)
    if source.licence.url:
        meta["licence_url"] = dg.MetadataValue.url(source.licence.url)
    reader = source.reader
    if isinstance(reader, FileReader):
        meta["input"] = reader.path
    elif isinstance(reader, HttpReader):
        meta["input"] = dg.MetadataValue.url(reader.url)
        if reader.fallback:
            meta["fallback"] = reader.fallback
    elif isinstance(reader, SqlReader):
        meta["input"] = f"sql via ${reader.url_env}"
    return meta


def _tags(source: Source) -> dict[str, str]:
    return {
        "cadence": source.cadence,
        "personal_data": str(source.personal_data).lower(),
        "geography_level": source.geography.level,
        "geography_vintage": _tag_value(source.geography.vintage or "none"),
        "reader": _reader_kind(source),
    }


def _reader_kind(source: Source) -> str:
    return source.reader.kind


def _tag_value(value: str) -> str:
    """Dagster tag values allow letters, digits, '-', '_' and '.', up to 63 characters."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", value)[:63]
