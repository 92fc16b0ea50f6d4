"""Command line: `social-progress refresh` runs the yearly refresh; `serve` shows the release.

Why a CLI next to the Dagster UI: `make run` and cron-less servers need one command that
runs the same job the UI shows, records the run in the same Dagster instance (so it is
visible in the UI afterwards), and says plainly where the release is or what failed.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _instance():
    from dagster import DagsterInstance

    from social_progress.settings import get_settings

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        home = str(get_settings().project_root / "dagster_home")
        os.environ["DAGSTER_HOME"] = home
    Path(home).mkdir(parents=True, exist_ok=True)
    return DagsterInstance.get()


def refresh(args: argparse.Namespace) -> int:
    from dagster import AssetKey

    from social_progress.definitions import defs

    job = defs.get_job_def("yearly_refresh")
    print("Running the yearly refresh (ingest -> geography -> dbt -> index -> checks -> publish)...", flush=True)
    instance = _instance()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    # Owners hear about failed checks whatever happened to the run (a failed check does
    # not fail the run, so this is not left to a run-failure sensor); never raises.
    from social_progress.alerts import dispatch_run_alerts
    from social_progress.settings import get_settings

    for d in dispatch_run_alerts(result.run_id, get_settings(), instance=instance):
        print(f"alert: {d.channel} to {d.recipient or d.owner_email}: {d.status}", file=sys.stderr)
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                print(f"check failed: {data.asset_check_key.to_user_string()}: {data.description}", file=sys.stderr)
    published = [e.step_materialization_data.materialization for e in result.get_asset_materialization_events()
                 if e.asset_key == AssetKey(["release", "yearly_release"])]
    if not result.success or not published:
        failed = [e for e in result.all_events if e.is_step_failure]
        for e in failed:
            err = e.event_specific_data.error
            print(f"step failed: {e.step_key}: {err.message.strip() if err else ''}", file=sys.stderr)
        print("The refresh did not publish a release; the previous release (if any) is unchanged.", file=sys.stderr)
        return 1
    meta = published[-1].metadata
    print(f"Release {meta['status'].value}: {meta['path'].value}")
    return 0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="social-progress", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("refresh", help="run the full yearly refresh and publish a release").set_defaults(func=refresh)
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
