"""Command line: `refresh` runs the yearly refresh, `preview` and `goalposts` serve analysts,
`serve` shows a release, `alerts --preview` shows a run's alerts without sending them,
`prepare` readies the dbt manifest and the Dagster instance.

Why a CLI next to the Dagster UI: `make run` and cron-less servers need one command that
runs the same job the UI shows, records the run in the same Dagster instance (so it is
visible in the UI afterwards), re-runs only what changed, and says plainly where the
release is or what failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DEFAULT_WAIT_S = 3600.0


# The terminal, as it was when main() started: dbt's console output is redirected to a log
# file while it runs (defs/dbt.py), and progress lines printed meanwhile must still show.
# Set by main(), never at import: a caller that swapped sys.stdout since (a test's captured
# output, an embedding tool) would otherwise be written to a stream it has closed.
_STDOUT = _STDERR = None


def _say(msg: str, err: bool = False) -> None:
    out = _STDERR if err else _STDOUT
    print(msg, file=out or (sys.stderr if err else sys.stdout), flush=True)


def _instance(settings):
    """The Dagster instance of $DAGSTER_HOME (default: <project>/dagster_home), its
    dagster.yaml written from the environment (PostgreSQL when SPI_DAGSTER_POSTGRES_URL is set)."""
    from dagster import DagsterInstance

    from social_progress.instance import ensure_instance_home

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        home = str(settings.project_root / "dagster_home")
        os.environ["DAGSTER_HOME"] = home
    Path(home).mkdir(parents=True, exist_ok=True)
    ensure_instance_home(Path(home))
    return DagsterInstance.get()


def _quiet_dagster() -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")  # the step processes too
    os.environ["SPI_QUIET"] = "1"  # dbt's console output to a log file (defs/dbt.py)
    for name in ("dagster", "dagster_dbt", "great_expectations", "social_progress.alerts"):
        logging.getLogger(name).setLevel(logging.ERROR)


# ------------------------------------------------------------------------------------ prepare

def _catalogue_problems(settings) -> str | None:
    """Why the catalogue cannot be used with this deployment (a source's steward role nobody
    holds in catalogue/areas.yml, a steward who is the publisher...), or None."""
    from social_progress.borough import AreaConfigError
    from social_progress.catalogue import CatalogueError, check_stewards, load_catalogue

    try:
        check_stewards(load_catalogue(settings.sources_path, settings.project_root), settings)
    except (CatalogueError, AreaConfigError) as exc:
        return str(exc)
    return None


def prepare(args: argparse.Namespace) -> int:
    from social_progress.dbt_project import prepare_manifest
    from social_progress.settings import get_settings

    from social_progress.council_systems import ensure_council_systems

    settings = get_settings()
    started = time.monotonic()
    # the SYNTHETIC council systems first: the catalogue checks that every file it names exists
    ensure_council_systems(settings, say=_say)
    problem = _catalogue_problems(settings)
    if problem:
        _say(f"Catalogue refused:\n{problem}", err=True)
        return 2
    path, parsed = prepare_manifest(settings, force=getattr(args, "force", False))
    _say(f"dbt manifest: {path} ({'parsed' if parsed else 'up to date'}, {time.monotonic() - started:.1f} s)")
    _instance(settings)
    return 0


def council_systems(args: argparse.Namespace) -> int:
    """Build the synthetic stand-ins for the council's own systems into council_systems/."""
    from social_progress.council_systems import FOLDER, STAMP, ensure_council_systems, needs_stand_ins
    from social_progress.settings import get_settings

    settings = get_settings()
    if not needs_stand_ins(settings):
        _say("No synthetic council source in the catalogue: nothing to build.")
        return 0
    if args.force:
        (settings.project_root / FOLDER / STAMP).unlink(missing_ok=True)
    folder = ensure_council_systems(settings, say=_say)
    _say(f"SYNTHETIC council systems: {folder}")
    return 0


# ------------------------------------------------------------------------------------ refresh

def refresh(args: argparse.Namespace) -> int:
    from social_progress.locks import RefreshBusy, current_holder, refresh_lock
    from social_progress.settings import get_settings

    started = time.monotonic()
    settings = get_settings()
    if not args.verbose:
        _quiet_dagster()
    wait = 0.0 if args.no_wait else args.wait
    holder = current_holder(settings.duckdb_path)
    if holder is not None and wait:
        _say(f"Another refresh of this warehouse is running ({holder.describe()}); waiting up to {wait:.0f} s for it...")
    try:
        with refresh_lock(settings.duckdb_path, wait=wait):
            return _refresh_locked(args, settings, started)
    except RefreshBusy as exc:
        _say(f"Refresh refused: {exc}", err=True)
        _say("Nothing was run and no owner was alerted; the previous release is unchanged.", err=True)
        return 2


def _refresh_locked(args, settings, started: float) -> int:
    from social_progress.catalogue import load_catalogue
    from social_progress.dbt_project import prepare_manifest

    from social_progress.council_systems import ensure_council_systems

    # the council's systems exist before the refresh reads them (synthetic stand-ins by default),
    # and before the catalogue is checked (it checks that every file it names exists)
    ensure_council_systems(settings, say=_say)
    problem = _catalogue_problems(settings)
    if problem:
        _say(f"Refresh refused: the catalogue cannot be used with this deployment:\n{problem}", err=True)
        _say("Nothing was run and no owner was alerted; the previous release is unchanged.", err=True)
        return 2
    # under the lock: a waiting refresh must not re-parse into dbt_project/target while the
    # holder's dbt build writes there
    _, parsed = prepare_manifest(settings)
    if parsed:
        _say(f"dbt manifest parsed ({time.monotonic() - started:.1f} s)")
    from social_progress.defs.refresh_plan import plan_refresh
    from social_progress.defs.run_guard import free_dead_runs

    instance = _instance(settings)
    for run_id in free_dead_runs(instance, log_fn=lambda m: None):
        _say(f"note: run {run_id[:8]} had died (its process ended without finishing); marked failed, its slots freed")
    from social_progress.definitions import defs

    catalogue = load_catalogue(settings.sources_path, settings.project_root)
    plan = plan_refresh(defs, instance, catalogue, settings, force=args.full)
    _say(f"Checked {len(catalogue.sources)} inputs ({len(plan.changed_inputs)} changed) "
         f"in {time.monotonic() - started:.1f} s: {plan.summary()}")
    if args.verbose:
        for root, why in sorted(plan.reasons.items()):
            _say(f"  {root}: {'; '.join(why)}")
    selection = list(plan.selection)
    stop = getattr(args, "stop_before", None)
    if stop:   # the London-wide run ends with the index (no release of its own)
        graph = defs.resolve_asset_graph()
        selection = [k for k in selection if not graph.has(k) or graph.get(k).group_name not in stop]
        if not selection and not plan.empty:
            _say(f"Nothing to run before {', '.join(sorted(stop))} [{time.monotonic() - started:.1f} s]")
            return 0
    if plan.empty and not args.draft:
        latest = settings.releases_dir / "latest"
        where = latest.resolve() if latest.exists() else "none yet"
        _say(f"Release unchanged: {where} (nothing changed since the last refresh; nothing was run) "
             f"[{time.monotonic() - started:.1f} s]")
        return 0
    if args.draft:
        from dagster import AssetKey

        from social_progress.defs.publish import RELEASE_KEY

        if RELEASE_KEY not in selection:
            selection.append(AssetKey(RELEASE_KEY.path))
    return _run(args, settings, instance, selection, started)


STAGES = ["ingest", "source checks", "geography", "dbt models and tests", "indicator marts", "index", "index checks",
          "release marts", "publish"]


# multi-asset steps, named by their op rather than by an asset key
STEP_STAGES = {"dbt_models": "dbt models and tests", "indicator_marts": "indicator marts", "index": "index",
               "release_marts": "release marts"}
CHECK_STAGES = {"ingest": "source checks", "index": "index checks"}


def stage_of_step(step_key: str) -> str:
    """A step's stage: the stage of the asset it builds (`raw__crime` is raw/crime), or of the
    asset it checks (`raw__crime_crime_expectations`)."""
    if step_key in STEP_STAGES:
        return STEP_STAGES[step_key]
    stage = stage_of_key(step_key.split("__"))
    return CHECK_STAGES.get(stage, stage) if step_key.endswith("_expectations") else stage


def stage_of_key(key) -> str:
    path = key.path if hasattr(key, "path") else list(key)
    first, name = path[0], path[-1]
    if first == "raw":
        return "ingest"
    if first == "geography":
        return "geography"
    if first in ("staging", "intermediate", "indicators") or name == "indicator_metadata":
        return "dbt models and tests"
    if name.startswith(("indicator_values", "indicator_comparators", "indicator_exclusions")):  # and their checks
        return "indicator marts"
    if name.startswith("index_"):
        return "index"
    if first == "release":
        return "publish"
    return "release marts"


class Progress:
    """Prints one line per stage as its first step starts: stage n of m, elapsed time."""

    def __init__(self, stages: list[str], started: float):
        self.stages, self.started, self.seen, self.seen_steps = stages, started, set(), set()

    def step_started(self, step_key: str) -> None:
        stage = stage_of_step(step_key)
        if stage not in self.stages:
            self.stages.append(stage)
        if stage not in self.seen:
            self.seen.add(stage)
            n = self.stages.index(stage) + 1
            _say(f"[{n}/{len(self.stages)}] {stage} (elapsed {time.monotonic() - self.started:.0f} s)")


def _run(args, settings, instance, selection, started: float) -> int:
    import threading

    from dagster import DagsterEventType, RunsFilter, execute_job, reconstructable

    from social_progress.defs.jobs import run_execution_config
    from social_progress.defs.run_guard import PID_TAG, run_tags
    from social_progress.definitions import yearly_refresh_job

    present = {stage_of_key(k) for k in selection}
    present |= {"source checks"} if "ingest" in present else set()
    present |= {"index checks"} if "index" in present else set()
    progress = Progress([s for s in STAGES if s in present], started)
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "DEBUG" if args.verbose else "CRITICAL"}}}}
    run_config["execution"] = run_execution_config(parallel=args.parallel)
    if args.draft:
        run_config["resources"] = {"release_target": {"config": {"releases_dir": str(settings.releases_dir),
                                                                 "draft": True}}}
    tags = {**run_tags(), "social_progress/draft": str(bool(args.draft)).lower()}
    done = threading.Event()

    def watch() -> None:
        run_id, cursor = None, None
        while not done.is_set():
            if run_id is None:
                runs = instance.get_runs(RunsFilter(tags={PID_TAG: tags[PID_TAG]}), limit=1)
                if runs and runs[0].status.value in ("STARTING", "STARTED", "NOT_STARTED", "QUEUED"):
                    run_id = runs[0].run_id
            if run_id is not None:
                for rec in instance.all_logs(run_id, of_type={DagsterEventType.STEP_START}):
                    if rec.step_key and rec.step_key not in progress.seen_steps:
                        progress.seen_steps.add(rec.step_key)
                        progress.step_started(rec.step_key)
            done.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with execute_job(reconstructable(yearly_refresh_job), instance=instance, asset_selection=selection,
                     run_config=run_config, tags=tags, raise_on_error=False) as result:
        done.set()
        watcher.join(timeout=2)
        return _report(args, settings, instance, result, started)


def _report(args, settings, instance, result, started: float) -> int:
    from dagster import AssetKey, DagsterEventType

    from social_progress.alerts import dispatch_run_alerts

    run_id = result.run_id
    events = instance.all_logs(run_id)
    # Owners hear about failed checks whatever happened to the run (a failed check does
    # not fail the run, so this is not left to a run-failure sensor); never raises.
    deliveries = dispatch_run_alerts(run_id, settings, instance=instance)
    errors, warnings = [], []
    for rec in events:
        ev = rec.dagster_event
        if ev is None or ev.event_type != DagsterEventType.ASSET_CHECK_EVALUATION:
            continue
        data = ev.event_specific_data
        if data.passed:
            continue
        name = data.asset_check_key.to_user_string()
        text = data.description or _check_text(data)
        (errors if data.severity.value == "ERROR" else warnings).append(f"{name}: {text}")
    for w in warnings:
        _say(f"warning: {w[:600]}", err=True)
    for e in errors:
        _say(f"check failed: {e[:1500]}", err=True)
    unsent = [d for d in deliveries if d.status == "skipped"]
    _say_deliveries(deliveries)
    if unsent:
        _say(f"alerts: {len(unsent)} owner(s) have problems to hear about but no alert channel is configured "
             f"(set SPI_SMTP_HOST or SPI_ALERT_WEBHOOK_URL): {', '.join(d.owner_email for d in unsent)}", err=True)
    published = None
    for rec in events:
        ev = rec.dagster_event
        if ev is not None and ev.event_type == DagsterEventType.ASSET_MATERIALIZATION \
                and ev.asset_key == AssetKey(["release", "yearly_release"]):
            published = ev.event_specific_data.materialization
    elapsed = time.monotonic() - started
    if getattr(args, "stop_before", None) and result.success and not errors:
        _say(f"Done in {elapsed:.0f} s (run {run_id[:8]}; {len(warnings)} warnings; the run ends with the index, in "
             f"{settings.duckdb_path}).")
        return 0
    if not result.success or published is None:
        from social_progress.alerts.problems import root_cause

        for rec in events:
            ev = rec.dagster_event
            if ev is not None and ev.event_type == DagsterEventType.STEP_FAILURE:
                _say(f"step failed: {ev.step_key}: {root_cause(ev.event_specific_data.error)[:1500]}", err=True)
        _say(f"The refresh did not publish a release; the previous release (if any) is unchanged "
             f"(run {run_id[:8]}, {elapsed:.0f} s).", err=True)
        return 1
    meta = published.metadata
    status = meta["status"].value
    kind = "Draft release" if args.draft else "Release"
    _say(f"{kind} {status}: {meta['path'].value}")
    _say(f"Done in {elapsed:.0f} s (run {run_id[:8]}; {len(errors)} failed checks, {len(warnings)} warnings; "
         f"see `make ui` for every step).")
    return 0


def _say_deliveries(deliveries) -> None:
    """One line per delivery (a webhook by its host only), and each acknowledged problem not re-sent."""
    from social_progress.alerts import AlertSettings
    from social_progress.redaction import redact

    secrets = AlertSettings.from_env().secrets()
    seen = set()
    for d in deliveries:
        if d.status not in ("skipped", "acknowledged"):
            line = f"alert: {d.channel} to {d.recipient or d.owner_email}: {d.status}"
            _say(redact(line + (f" ({d.error})" if d.error else ""), secrets), err=True)
        for label in d.acknowledged:
            if (d.owner_email, label) not in seen:
                seen.add((d.owner_email, label))
                _say(redact(f"alert not re-sent to {d.owner_email}: {label}", secrets), err=True)


def alerts(args: argparse.Namespace) -> int:
    """`alerts --preview`: the messages a run's alerts would send, per recipient, without sending;
    without --preview, send them (nothing already sent for the run is sent twice)."""
    from social_progress.alerts import dispatch_run_alerts, preview_alerts
    from social_progress.alerts.run_choice import latest_run
    from social_progress.borough import area_config
    from social_progress.settings import get_settings

    settings = get_settings()
    _quiet_dagster()
    instance = _existing_instance(settings)
    run_id = args.run or latest_run(settings, instance)
    if run_id is None:
        _say("No run recorded in the warehouse or the Dagster instance: nothing to alert about.", err=True)
        return 1
    if not args.preview:
        deliveries = dispatch_run_alerts(run_id, settings, instance=instance)
        _say(f"Run {run_id}: {len(deliveries)} delivery record(s).")
        _say_deliveries(deliveries)
        return 0
    borough = area_config(settings).borough.name
    found = preview_alerts(run_id, settings, instance=instance)
    _say(f"Preview of the alerts of run {run_id} (nothing is sent): {len(found)} recipient(s).")
    for a in found:
        _say("")
        _say("=" * 78)
        if not a.to_send:
            _say(f"To: {a.owner_name} <{a.owner_email}>: nothing sent; acknowledged:")
            for p in a.acknowledged:
                _say(f"  - {p.wording.title} ({p.known.label()})")
            continue
        _say(f"To: {a.owner_name} <{a.owner_email}>")
        _say(f"Subject: {a.subject(borough)}")
        for att in a.attachments:
            how = f"link {att.url}" if att.url else "attached"
            _say(f"Attachment: {att.name} ({att.content_type}, {att.size:,} bytes, {how})")
        _say("")
        _say(a.text(borough))
    return 0


def _existing_instance(settings):
    """The Dagster instance when its home exists (never created here: a preview changes nothing)."""
    home = os.environ.get("DAGSTER_HOME") or str(settings.project_root / "dagster_home")
    if not (Path(home) / "dagster.yaml").exists():
        return None
    try:
        return _instance(settings)
    except Exception as exc:  # noqa: BLE001 - the warehouse alone still gives the checks' failures
        _say(f"note: the Dagster instance in {home} could not be opened ({type(exc).__name__}); "
             f"using the warehouse only", err=True)
        return None


def _check_text(data) -> str:
    meta = data.metadata or {}
    for key in ("failures", "dagster_dbt/failed_row_count", "status"):
        if key in meta:
            return f"{key} {getattr(meta[key], 'value', meta[key])}"
    return "failed (no description given by the check)"


# ------------------------------------------------------------------------------------ analyst

def goalposts(args: argparse.Namespace) -> int:
    from social_progress.indicators.goalposts import goalposts_command
    from social_progress.settings import get_settings

    return goalposts_command(args.indicator, write=args.write, settings=get_settings(), year=args.year)


def preview(args: argparse.Namespace) -> int:
    from social_progress.indicators.preview import preview_command
    from social_progress.settings import get_settings

    return preview_command(args.indicator, get_settings())


def serve(args: argparse.Namespace) -> int:
    from social_progress.publish.serve import make_server
    from social_progress.settings import get_settings

    releases = Path(args.releases) if args.releases else get_settings().releases_dir
    folder = releases / args.release
    try:
        server = make_server(folder, args.port, verbose=args.verbose)
    except (FileNotFoundError, OSError) as exc:
        print(f"cannot serve: {exc}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"Serving {folder} ({folder.resolve().name}) at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def london(args: argparse.Namespace) -> int:
    """The London-wide run: every open indicator and the index for all 33 boroughs' LSOAs,
    wards and the boroughs, in its own warehouse and Dagster instance (a borough deployment's
    state is left alone), ending with the index and its checks; if they pass, the London
    layer (every area's scores, the boroughs', the weights) is published under
    releases/E12000007/, and --write-weights writes the common weights."""
    from social_progress.borough import BOROUGH_VAR, LONDON_CODE, area_config
    from social_progress.settings import get_settings

    root = get_settings().project_root
    os.environ[BOROUGH_VAR] = LONDON_CODE
    os.environ["SPI_WAREHOUSE_DIR"] = str(Path(args.warehouse).resolve() if args.warehouse else root / "warehouse" / "london")
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home" / "london")
    # the layer goes where borough releases read it (releases/E12000007, or SPI_LONDON_LAYER_DIR),
    # never into a borough's SPI_RELEASES_DIR
    from social_progress.publish.london_comparison import london_layer_dir
    os.environ["SPI_RELEASES_DIR"] = str(london_layer_dir(get_settings()))
    settings = get_settings()
    _say(f"London-wide run: warehouse {settings.duckdb_path}, releases {settings.releases_dir}")
    code = refresh(args)
    if code != 0:
        return code
    from social_progress.index.london_weights import estimated_basis, write_weights_from_warehouse
    from social_progress.publish.london_layer import publish_london_layer

    index_config = area_config(settings).index
    layer = publish_london_layer(settings.duckdb_path, settings.releases_dir,
                                 estimated_basis(settings.duckdb_path, index_config.pca_data, dated=False), index_config)
    _say(f"London layer {layer.status}: {layer.path}")
    if not args.write_weights:
        return 0
    path = settings.catalogue_dir / "london_weights.yml"
    n, basis = write_weights_from_warehouse(settings.duckdb_path, path, index_config.pca_data)
    _say(f"Common London weights written to {path} ({n} indicators, {basis['areas']}, {basis['years']})")
    return 0


def main(argv: list[str] | None = None) -> int:
    global _STDOUT, _STDERR
    _STDOUT, _STDERR = sys.stdout, sys.stderr
    parser = argparse.ArgumentParser(prog="social-progress", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("refresh", help="refresh what changed and publish a release")
    p.add_argument("--draft", action="store_true", help="write the release to releases/_drafts/; never move latest")
    p.add_argument("--full", action="store_true", help="re-run every asset, changed or not")
    p.add_argument("--verbose", action="store_true", help="show Dagster's events and why each asset is re-run")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_S,
                   help=f"seconds to wait for another refresh of the same warehouse (default {DEFAULT_WAIT_S:.0f})")
    p.add_argument("--no-wait", action="store_true", help="refuse at once if another refresh is running")
    p.add_argument("--parallel", action=argparse.BooleanOptionalAction,
                   default=os.environ.get("SPI_PARALLEL", "0") not in ("", "0", "false"),
                   help="run steps in parallel processes (Dagster's multiprocess executor; the UI's default). "
                        "Off by default: on a small machine starting a process per step costs more than it saves "
                        "(see bench/refresh.py). SPI_PARALLEL=1 turns it on.")
    p.set_defaults(func=refresh)
    p = sub.add_parser("london", help="the London-wide run: every borough's areas, the common weights")
    p.add_argument("--write-weights", action="store_true",
                   help="write the common weights it estimated to catalogue/london_weights.yml")
    p.add_argument("--warehouse", default=None, help="warehouse folder (default warehouse/london)")
    for flag in ("--full", "--verbose", "--no-wait"):
        p.add_argument(flag, action="store_true")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_S)
    p.add_argument("--parallel", action=argparse.BooleanOptionalAction, default=False)
    p.set_defaults(func=london, draft=False, stop_before={"release_marts", "publish"})
    p = sub.add_parser("prepare", help="prepare the dbt manifest and the Dagster instance (make does this)")
    p.add_argument("--force", action="store_true", help="parse the dbt project even if the manifest looks current")
    p.set_defaults(func=prepare)
    p = sub.add_parser("council-systems", help="build the SYNTHETIC council systems (every refresh does this when needed)")
    p.add_argument("--force", action="store_true", help="rebuild even if the generator has not changed")
    p.set_defaults(func=council_systems)
    p = sub.add_parser("preview", help="build one indicator and show its values, goalposts, scores and effect")
    p.add_argument("indicator", help="indicator id (the dbt model name)")
    p.set_defaults(func=preview)
    p = sub.add_parser("goalposts", help="suggest worst and best values from the London-wide distribution")
    p.add_argument("indicator", help="indicator id (the dbt model name)")
    p.add_argument("--write", action="store_true", help="write them, with their basis, into the indicator's YAML")
    p.add_argument("--year", type=int, default=None, help="source year to take the distribution from (default: latest)")
    p.set_defaults(func=goalposts)
    p = sub.add_parser("alerts", help="preview (or send) the alerts of a run: per recipient, subject, text, attachments")
    p.add_argument("--preview", action="store_true", help="print the messages that would be sent; send nothing")
    p.add_argument("--run", default=None, help="run id (default: the latest run in the Dagster instance or warehouse)")
    p.set_defaults(func=alerts)
    p = sub.add_parser("serve", help="serve the latest release and its explorer on 127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--release", default="latest", help="release folder to serve, e.g. 2021 (default: latest)")
    p.add_argument("--releases", default=None, help="releases folder (default: SPI_RELEASES_DIR or releases/)")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
