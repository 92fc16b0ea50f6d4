"""dbt models as Dagster assets: staging, intermediate, indicators and marts.

One translator owns asset keys (schema/model), groups (the folder), owners, kinds, code
versions and check descriptions, so the asset graph reads like the dbt project and an
analyst finds a model where they expect it. The manifest is prepared by `make` (or
`social-progress prepare`); building these definitions never runs dbt.

Code versions: a model's code version hashes its SQL, its YAML config (meta.indicator),
every macro it calls (transitively) and the vars the platform passes, so editing a macro
or an indicator's goalposts makes exactly the models that use it stale. A model that reads
the framework from dbt's graph (indicator_metadata, through indicator_nodes()) also hashes
every indicator's meta.indicator, so a new indicator or new goalposts reach the index. When only some
models are stale, dagster-dbt turns the selection into `dbt build --select ...`.
"""

import contextlib
import hashlib
import json
import os
from typing import Any, Mapping

from dagster import AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetKey, MetadataValue
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from social_progress.dbt_project import dbt_env, dbt_vars, indicator_models, load_manifest, vars_version
from social_progress.defs.resources import WRITER_POOL, WarehouseResource, guarded_dbt_env
from social_progress.settings import Settings

LAYERS = ("staging", "intermediate", "indicators", "marts")
DBT_TIME_LIMIT_S = 1800


#: the macro that reads every indicator model's meta from the dbt graph
FRAMEWORK_MACRO = "macro.social_progress.indicator_nodes"


def framework_digest(manifest: Mapping[str, Any]) -> str:
    """A hash of every indicator model's name, description, path and meta (what
    `indicator_nodes()` hands to the models that read the framework from the graph)."""
    nodes = sorted((n["name"], n.get("description", ""), n.get("original_file_path", ""),
                    n.get("config", {}).get("meta", {}).get("indicator"))
                   for n in manifest.get("nodes", {}).values()
                   if n.get("resource_type") == "model" and "indicator" in (n.get("tags") or [])
                   and n.get("config", {}).get("meta", {}).get("indicator"))
    return hashlib.sha256(json.dumps(nodes, sort_keys=True, default=str).encode()).hexdigest()


class PlatformTranslator(DagsterDbtTranslator):
    def __init__(self, manifest: dict, index_owner: str, source_owners: Mapping[str, str], vars_hash: str):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self._index_owner = index_owner
        self._source_owners = dict(source_owners)
        self._vars_hash = vars_hash
        self._macros = {uid: m.get("macro_sql", "") for uid, m in manifest.get("macros", {}).items()}
        self._macro_deps = {uid: m.get("depends_on", {}).get("macros", []) for uid, m in manifest.get("macros", {}).items()}
        self._framework = framework_digest(manifest)

    def get_asset_key(self, props: Mapping[str, Any]) -> AssetKey:
        if props["resource_type"] == "source":
            return super().get_asset_key(props)  # meta.dagster.asset_key: raw/<id>, geography/<table>
        return AssetKey([self._layer(props), props["name"]])

    def get_group_name(self, props: Mapping[str, Any]) -> str | None:
        return self._layer(props) if props["resource_type"] != "source" else None

    def get_owners(self, props: Mapping[str, Any]):
        # a staging model belongs to the steward of its source; everything after it to the index owner
        name = props.get("name", "")
        if self._layer(props) == "staging" and name.startswith("stg_") and name[4:] in self._source_owners:
            return [self._source_owners[name[4:]]]
        return [self._index_owner]

    def get_tags(self, props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = {"layer": self._layer(props)}
        meta = props.get("config", {}).get("meta", {}).get("indicator")
        if meta:
            tags["component"] = meta["component"].lower().replace(" ", "_")
            tags["in_index"] = str(bool(meta.get("in_index", True))).lower()
        return tags

    def get_metadata(self, props: Mapping[str, Any]) -> Mapping[str, Any]:
        meta = dict(super().get_metadata(props))
        ind = props.get("config", {}).get("meta", {}).get("indicator")
        if ind:
            for field in ("name", "component", "dimension", "direction", "unit", "worst", "best", "aggregation"):
                if ind.get(field) is not None:
                    meta[f"indicator/{field}"] = ind[field] if isinstance(ind[field], (int, float)) else str(ind[field])
            meta["indicator/sources"] = ", ".join(ind.get("sources") or [])
        return meta

    def get_code_version(self, props: Mapping[str, Any]) -> str | None:
        digest = hashlib.sha256()
        digest.update((props.get("raw_code") or "").encode())
        digest.update(json.dumps(props.get("config", {}), sort_keys=True, default=str).encode())
        digest.update(json.dumps(props.get("columns", {}), sort_keys=True, default=str).encode())
        macros = self._all_macros(props.get("depends_on", {}).get("macros", []))
        for macro in macros:
            digest.update(macro.encode())
            digest.update(self._macros.get(macro, "").encode())
        if FRAMEWORK_MACRO in macros:
            # a model that reads the framework from the graph (marts/indicator_metadata) is
            # stale when an indicator is added or removed or its YAML meta changes: it does
            # not ref the indicator models, so nothing else would mark it stale
            digest.update(self._framework.encode())
        digest.update(self._vars_hash.encode())
        return digest.hexdigest()[:16]

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        node = manifest["nodes"].get(unique_id, {})
        return spec._replace(description=describe_dbt_test(node))

    def _all_macros(self, roots: list[str]) -> list[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            m = todo.pop()
            if m in seen:
                continue
            seen.add(m)
            todo.extend(self._macro_deps.get(m, []))
        return sorted(seen)

    @staticmethod
    def _layer(props: Mapping[str, Any]) -> str:
        fqn = props.get("fqn", [])
        return next((part for part in fqn if part in LAYERS), "dbt")


def describe_dbt_test(node: Mapping[str, Any]) -> str:
    """A readable description for a dbt test that has none of its own."""
    if node.get("description"):
        return node["description"]
    test = node.get("test_metadata") or {}
    kind = test.get("name") or node.get("name", "test")
    column = node.get("column_name")
    kwargs = {k: v for k, v in (test.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    where = f" on column {column}" if column else ""
    args = f" ({', '.join(f'{k}={v}' for k, v in sorted(kwargs.items()))})" if kwargs else ""
    severity = (node.get("config") or {}).get("severity", "error").lower()
    return f"dbt test {kind}{where}{args}; severity {severity}" + ("" if severity == "error" else " (does not block)")


@contextlib.contextmanager
def _dbt_console(settings: Settings, context):
    """dagster-dbt echoes every dbt log line to stdout; a quiet refresh (SPI_QUIET=1, set by
    `social-progress refresh` without --verbose) sends them to warehouse/logs/dbt-<run>.log."""
    if os.environ.get("SPI_QUIET") != "1":
        yield
        return
    logs = settings.warehouse_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"dbt-{context.run_id[:8]}.log"
    context.log.info(f"dbt's console output: {path}")
    with open(path, "a", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
        yield


def build_dbt_assets(settings: Settings, index_owner: str, source_owners: Mapping[str, str]):
    """The dbt models as one subsettable multi-asset, and the indicator models' asset keys."""
    manifest = load_manifest(settings)
    translator = PlatformTranslator(manifest, index_owner, source_owners, vars_version(settings))
    project = DbtProject(project_dir=settings.dbt_project_dir, profiles_dir=settings.dbt_project_dir)

    @dbt_assets(manifest=manifest, dagster_dbt_translator=translator, project=project, name="dbt_models",
                pool=WRITER_POOL, op_tags={"social_progress/time_limit_s": str(DBT_TIME_LIMIT_S)})
    def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        """Build (run + test) the selected dbt models against this platform's warehouse.

        dbt writes the DuckDB file itself, so the step holds the warehouse's exclusive lock
        for the whole build: no other step or refresh opens it meanwhile."""
        from social_progress.processes import step_deadline

        os.environ.update(dbt_env(settings))
        os.environ.update(guarded_dbt_env())
        held, failure = [], None
        with warehouse.exclusive("dbt build"), step_deadline(DBT_TIME_LIMIT_S, "dbt build"), _dbt_console(settings, context):
            try:
                for event in dbt.cli(["build", "--vars", json.dumps(dbt_vars(settings))], context=context).stream():
                    if _stores_failures(event, manifest):
                        held.append(event)      # told once dbt has finished and its failures can be read
                    else:
                        yield event
            except DagsterDbtCliRuntimeError as exc:  # a failed test fails the build: report its checks first
                failure = exc
        for event in held:
            yield with_failing_rows(event, manifest, warehouse)
        if failure is not None:
            raise failure

    return dbt_models, [translator.get_asset_key(n) for n in indicator_models(manifest)]


FAILING_ROWS_SHOWN = 5


def _stores_failures(event, manifest: Mapping[str, Any]) -> bool:
    """A failed dbt test whose failing rows dbt stores (`store_failures`)."""
    if not isinstance(event, AssetCheckResult) or event.passed:
        return False
    node = manifest.get("nodes", {}).get(_metadata_text(event.metadata.get("unique_id")), {})
    return bool((node.get("config") or {}).get("store_failures")) and bool(node.get("relation_name"))


def with_failing_rows(event: AssetCheckResult, manifest: Mapping[str, Any], warehouse: WarehouseResource) -> AssetCheckResult:
    """The check result with a description naming its first failing rows (from the table dbt
    stored them in), so the refresh's summary, the alerts and the UI say what failed."""
    node = manifest["nodes"][_metadata_text(event.metadata.get("unique_id"))]
    try:
        with warehouse.read() as con:
            cur = con.execute(f"SELECT * FROM {node['relation_name']} LIMIT {FAILING_ROWS_SHOWN}")
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
    except Exception as exc:  # noqa: BLE001 - the rows explain a failure; they never hide it
        return event._replace(description=f"{node['name']} failed; its failing rows could not be read ({exc})")
    shown = "; ".join(", ".join(f"{k}={v}" for k, v in r.items() if v is not None) for r in rows)
    count = event.metadata.get("dagster_dbt/failed_row_count")
    count = getattr(count, "value", count)
    return event._replace(description=f"{count} failing row(s): {shown}"[:2000],
                          metadata={**event.metadata, "failing_rows": MetadataValue.json(rows)})


def _metadata_text(value) -> str:
    return str(getattr(value, "value", value) or "")
