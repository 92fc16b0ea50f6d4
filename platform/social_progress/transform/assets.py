"""dbt models as Dagster assets: staging, intermediate, indicators and marts.

One translator owns asset keys (schema/model), groups (the folder) and owners, so the
asset graph reads like the dbt project and an analyst finds a model where they expect it.
"""
import json
import os
from pathlib import Path
from typing import Any, Mapping

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from social_progress.borough import load_area_config
from social_progress.settings import get_settings
from social_progress.transform.project import dbt_env, dbt_project, dbt_vars, ensure_manifest

LAYERS = ("staging", "intermediate", "indicators", "marts")


class PlatformTranslator(DagsterDbtTranslator):
    def get_asset_key(self, props: Mapping[str, Any]) -> AssetKey:
        if props["resource_type"] == "source":
            return super().get_asset_key(props)  # meta.dagster.asset_key: raw/<id>, geography/<table>
        return AssetKey([self._layer(props), props["name"]])

    def get_group_name(self, props: Mapping[str, Any]) -> str | None:
        return self._layer(props) if props["resource_type"] != "source" else None

    def get_owners(self, props: Mapping[str, Any]):
        return [load_area_config(get_settings().areas_path).index_owner.email]

    def get_tags(self, props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = {"layer": self._layer(props)}
        meta = props.get("config", {}).get("meta", {}).get("indicator")
        if meta:
            tags["component"] = meta["component"].lower().replace(" ", "_")
        return tags

    @staticmethod
    def _layer(props: Mapping[str, Any]) -> str:
        fqn = props.get("fqn", [])
        return next((part for part in fqn if part in LAYERS), "dbt")


translator = PlatformTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
_settings = get_settings()
MANIFEST = ensure_manifest(_settings)


@dbt_assets(manifest=MANIFEST, dagster_dbt_translator=translator, project=dbt_project(_settings.dbt_project_dir),
            name="dbt_models", pool="warehouse_writer")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    """Build (run + test) the selected dbt models against this platform's warehouse."""
    settings = get_settings()
    os.environ.update(dbt_env(settings))
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars(settings))], context=context).stream()
