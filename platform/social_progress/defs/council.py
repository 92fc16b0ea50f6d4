"""Dagster wiring for council records: `council/records`, linked and placed, pseudonymous.

The asset reads the restricted store (identifiers of every council source), links the
records into residents (Splink) and places them on the map, and writes `council.records`
(record_key, resident_key, household_key, area codes, why a record was not placed) to the
warehouse, where the dbt staging models of council sources join it. Its metadata carries
the linkage model (comparisons, match weights, threshold), its precision and recall
against the generator's ground truth (synthetic sources only) and the match report: counts,
never a name, date of birth or address. The logic is `social_progress.council`.
"""

import json

import dagster as dg
import pandas as pd

from social_progress.catalogue import Catalogue
from social_progress.defs.resources import PlatformResource, WarehouseResource
from social_progress.defs.versions import code_version
from social_progress.settings import Settings

GROUP = "council"
KEY = dg.AssetKey(["council", "records"])
TIME_LIMIT_S = 1800


def council_sources(catalogue: Catalogue):
    return [s for s in catalogue.sources if s.origin == "council" and s.personal is not None]


def build_council_assets(catalogue: Catalogue, settings: Settings, owner: str) -> list:
    sources = council_sources(catalogue)
    if not sources:
        return []
    from social_progress.defs.geography import LAYER_TABLES

    deps = [dg.AssetKey(["raw", s.id]) for s in sources] + [dg.AssetKey(["raw", "council_llpg"]),
                                                             dg.AssetKey(["raw", "postcodes"])]
    deps += [dg.AssetKey(["geography", t]) for t in LAYER_TABLES.values()]
    version = code_version("council", "linkage", "privacy", extra=json.dumps([s.model_dump(mode="json") for s in sources]))

    @dg.asset(key=KEY, deps=deps, group_name=GROUP, owners=[owner], kinds={"duckdb", "python"},
              code_version=version, pool="warehouse_writer",
              op_tags={"social_progress/time_limit_s": str(TIME_LIMIT_S)},
              description="Council records linked into residents (Splink) and placed on LSOA, ward and borough "
                          "(UPRN, postcode or coordinates): pseudonymous keys and area codes only. Counts of "
                          "unplaced records by reason; linkage precision and recall on synthetic sources.")
    def council_records(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                        platform: PlatformResource) -> dg.MaterializeResult:
        from social_progress.borough import area_config
        from social_progress.council import build_record_index
        from social_progress.council.residents import OUTPUT_COLUMNS
        from social_progress.council.truth import synthetic_truth
        from social_progress.defs.geography import _layers, _store_match_report
        from social_progress.privacy import RestrictedStore, encryption_key, pseudonymisation_key, restricted_path
        from social_progress.processes import step_deadline

        s = platform.settings
        borough = area_config(s).borough.code
        if not any(src.covers(borough) for src in sources):
            # another borough's deployment: the council systems are this catalogue's
            # borough's own, so nothing of theirs is linked or placed (their indicators
            # leave the framework, declared by coverage)
            empty = pd.DataFrame({c: pd.Series(dtype=bool if c == "in_borough" else str) for c in OUTPUT_COLUMNS})
            warehouse.replace_table("council", "records", empty)
            return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(0),
                                                  "not_covered": f"no council source covers {borough}"})
        synthetic = all(src.synthetic for src in sources)
        key, _ = pseudonymisation_key("council", synthetic)
        store_key, built_in = encryption_key("council", synthetic)
        store = RestrictedStore(restricted_path(s.warehouse_dir), store_key, built_in_key=built_in)
        with step_deadline(TIME_LIMIT_S, "council/records"):
            tables = {src.id: store.read_table(src.id) for src in sources}
            missing = [sid for sid, t in tables.items() if t is None]
            if missing:
                raise dg.Failure(f"the restricted store has no table for {', '.join(missing)}: ingest them first")
            with warehouse.session("council/records"):
                gazetteer = warehouse.read_table('SELECT uprn, try_cast(easting AS DOUBLE) AS easting, '
                                                 'try_cast(northing AS DOUBLE) AS northing FROM raw."council_llpg"')
                postcodes = warehouse.read_table('SELECT postcode, try_cast(easting AS DOUBLE) AS easting, '
                                                 'try_cast(northing AS DOUBLE) AS northing FROM raw."postcodes"')
                layers = _layers(warehouse)
            truth = synthetic_truth(s.project_root, sources, tables) if synthetic else None
            index = build_record_index(tables, sources, key=key, gazetteer=gazetteer, postcodes=postcodes,
                                       layers=layers, borough=borough, truth=truth,
                                       log=context.log.info)
            warehouse.replace_table("council", "records", index.records)
            summary = pd.DataFrame([{"source_id": k, **v} for k, v in sorted(index.by_source.items())]).fillna(0)
            warehouse.replace_table("council", "record_summary", summary)
            report = {"source": "council_records", "placement": index.placement, "by_source": index.by_source}
            _store_match_report(warehouse, "council_records", report)
        quality = index.linkage.get("quality", {})
        meta = {
            "dagster/row_count": dg.MetadataValue.int(len(index.records)),
            "records_placed": dg.MetadataValue.int(int(index.records["in_borough"].sum())),
            "placement": dg.MetadataValue.json(index.placement),
            "by_source": dg.MetadataValue.json(index.by_source),
            "linkage": dg.MetadataValue.json({k: v for k, v in index.linkage.items() if k != "match_weights"}),
            "seconds": dg.MetadataValue.float(round(index.seconds, 1)),
            "synthetic": synthetic,
        }
        if index.linkage.get("match_weights"):
            meta["match_weights"] = dg.MetadataValue.json(index.linkage["match_weights"])
        for name in ("precision", "recall", "f1"):
            if name in quality:
                meta[f"linkage_{name}"] = dg.MetadataValue.float(float(quality[name]))
        return dg.MaterializeResult(metadata=meta)

    return [council_records]
