"""What a refresh must re-run: Dagster's data versions, code versions and stale status.

Why Dagster's own mechanism rather than a private cache: every input is an observable
source asset whose data version is its content hash, every asset has a code version (the
SQL and macros of a dbt model, the library code and configuration of a Python asset), and
Dagster records, with each materialization, the versions it was built from. An asset is
*stale* when those differ now, *missing* when it was never built. A refresh re-runs:

- every stale or missing asset of the yearly job,
- every asset whose blocking check has not passed since it was built (an error-severity
  failure, or a check planned in a run that died): its data must be checked again before
  anything downstream may use it,
- the release if the last one was a draft,
- and everything downstream of those (a stale asset's downstream reads its new data).

Nothing else runs: with nothing changed the plan is empty and the refresh is done. The
same plan serves the CLI and the yearly schedule.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetCheckKey, AssetKey, AssetObservation, AssetSelection, DagsterInstance, Definitions
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
from dagster._core.definitions.data_version import DATA_VERSION_TAG, CachingStaleStatusResolver, StaleStatus
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._time import get_current_datetime

from social_progress.catalogue import Catalogue
from social_progress.ingest import IngestError, fingerprint_source
from social_progress.settings import Settings

JOB = "yearly_refresh"


@dataclass
class RefreshPlan:
    selection: list[AssetKey]                       # what to run (empty: nothing to do)
    reasons: dict[str, list[str]] = field(default_factory=dict)   # why each root is in it
    changed_inputs: list[str] = field(default_factory=list)
    input_errors: dict[str, str] = field(default_factory=dict)    # inputs that could not be observed

    @property
    def empty(self) -> bool:
        return not self.selection

    def summary(self) -> str:
        if self.empty:
            return "nothing changed since the last refresh"
        roots = ", ".join(sorted(self.reasons)[:6]) + (" ..." if len(self.reasons) > 6 else "")
        n = len(self.selection)
        return f"{n} asset{'s' if n != 1 else ''} to refresh because of {roots}"


def observe_inputs(instance: DagsterInstance, catalogue: Catalogue, settings: Settings) -> tuple[list[str], dict[str, str]]:
    """Record each input's current content hash as the data version of `inputs/<id>`
    (a runless observation, only when it differs from the last one). Returns the changed
    sources and the ones that could not be observed (their raw asset will then run and
    fail with the same error, naming the file)."""
    changed, errors = [], {}
    keys = [AssetKey(["inputs", s.id]) for s in catalogue.sources]
    records = {}
    for key in keys:
        rec = instance.get_latest_data_version_record(key, is_source=True)
        if rec is not None:
            obs = rec.asset_observation or rec.asset_materialization
            records[key] = (obs.tags or {}).get(DATA_VERSION_TAG) if obs is not None else None
    for source, key in zip(catalogue.sources, keys):
        try:
            version = fingerprint_source(source, settings)
        except IngestError as exc:
            errors[source.id] = str(exc)
            continue
        if records.get(key) != version:
            instance.report_runless_asset_event(AssetObservation(asset_key=key, tags={DATA_VERSION_TAG: version},
                                                                 metadata={"content_hash": version}))
            changed.append(source.id)
    return changed, errors


def _check_not_passed(record) -> bool:
    if record is None:
        return True
    if record.status == AssetCheckExecutionRecordStatus.PLANNED:
        return True
    if record.status == AssetCheckExecutionRecordStatus.FAILED:
        evaluation = record.event.asset_check_evaluation if record.event is not None else None
        return evaluation is None or evaluation.severity.value == "ERROR"
    return False


def plan_refresh(defs: Definitions, instance: DagsterInstance, catalogue: Catalogue, settings: Settings,
                 observe: bool = True, force: bool = False) -> RefreshPlan:
    changed, errors = observe_inputs(instance, catalogue, settings) if observe else ([], {})
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def(JOB)
    job_keys = {k for k in job.asset_layer.selected_asset_keys if graph.get(k).is_materializable}
    if force:
        return RefreshPlan(sorted(job_keys, key=lambda k: k.to_user_string()), {"(forced)": ["full refresh"]},
                           changed, errors)
    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
                          instance=instance, asset_graph=graph)
    resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)
    reasons: dict[str, list[str]] = {}
    for key in sorted(job_keys, key=lambda k: k.to_user_string()):
        status = resolver.get_status(key)
        if status == StaleStatus.MISSING:
            reasons.setdefault(key.to_user_string(), []).append("never built")
        elif status == StaleStatus.STALE:
            causes = resolver.get_stale_root_causes(key)
            reasons.setdefault(key.to_user_string(), []).extend(
                sorted({f"{c.asset_key.to_user_string()} {c.reason}" for c in causes}) or ["stale"])
    check_keys: list[AssetCheckKey] = [k for k in job.asset_layer.asset_graph.asset_check_keys
                                       if k.asset_key in job_keys and graph.get_check_spec(k).blocking]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    for ck in check_keys:
        if _check_not_passed(latest.get(ck)):
            reasons.setdefault(ck.asset_key.to_user_string(), []).append(f"check {ck.name} has not passed")
    for source_id in errors:
        reasons.setdefault(f"raw/{source_id}", []).append("its input could not be read")
    release = AssetKey(["release", "yearly_release"])
    if release in job_keys:
        rec = instance.get_latest_materialization_event(release)
        meta = rec.asset_materialization.metadata if rec is not None and rec.asset_materialization else {}
        draft = meta.get("draft")
        if draft is not None and getattr(draft, "value", False):
            reasons.setdefault(release.to_user_string(), []).append("the last release was a draft")
    roots = [AssetKey.from_user_string(k) for k in reasons]
    if not roots:
        return RefreshPlan([], {}, changed, errors)
    selected = AssetSelection.assets(*roots).downstream().resolve(graph)
    selection = sorted((k for k in selected if k in job_keys), key=lambda k: k.to_user_string())
    return RefreshPlan(selection, reasons, changed, errors)

