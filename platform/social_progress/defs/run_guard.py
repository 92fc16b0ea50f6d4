"""Free what dead runs still hold, before a new run starts.

Why: a run killed with -9 (a refresh stopped during dbt or the index) never records its
end. Dagster keeps it STARTED and keeps its steps' slots in the `warehouse_writer`
concurrency pool (limit 1), so every later run waits forever ("Step blocked by limit for
pool warehouse_writer"). `free_dead_runs(instance)` finds such runs, marks them failed
with a message saying which process ended, and frees their slots and queued steps; it
also frees slots still held by runs that have already finished.

How a run's process is known: every run the platform launches carries the tags
`social_progress/pid` (os.getpid() of the process executing it) and `social_progress/host`
(socket.gethostname()); `run_tags()` gives them. A run with those tags is dead when its
host is this machine and that pid is not running, or is running but started after the run
was created (the pid was reused). A run without the tags is judged by the pid Dagster
recorded on its RUN_START event, only when runs are launched on this machine (the default
run launcher or in process); otherwise it is left alone.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Iterable

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from social_progress.warehouse import pid_alive

PID_TAG = "social_progress/pid"
HOST_TAG = "social_progress/host"
LIVE_STATUSES = (DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING,
                 DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING)
FINISHED_STATUSES = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)

log = logging.getLogger(__name__)


def run_tags() -> dict[str, str]:
    """The tags that let `free_dead_runs` tell whether a run's process is still there."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def free_dead_runs(instance: DagsterInstance, log_fn=None) -> list[str]:
    """Mark runs whose process has died as failed and free their concurrency slots.

    Returns the ids of the runs marked failed. Runs still running, runs on another host and
    runs whose process cannot be known are left as they are."""
    say = log_fn or log.info
    dead: list[str] = []
    host = socket.gethostname()
    for record in instance.get_run_records(filters=RunsFilter(statuses=list(LIVE_STATUSES))):
        run = record.dagster_run
        pid = _run_pid(instance, run, host)
        if pid is None or not _process_is_gone(pid, record.create_timestamp.timestamp()):
            continue
        message = (f"process {pid} ended without finishing (killed?): run {run.run_id} of {run.job_name} was left "
                   f"{run.status.value}; marked failed and its concurrency slots freed so later runs can start")
        try:
            instance.report_run_failed(run, message=message)
        except Exception as exc:  # noqa: BLE001 - a run we cannot update must not stop freeing the others
            say(f"could not mark run {run.run_id} failed: {exc}")
            continue
        _free(instance, run.run_id)
        dead.append(run.run_id)
        say(message)
    for run_id in _finished_runs_holding_slots(instance):
        _free(instance, run_id)
        say(f"freed the concurrency slots still held by finished run {run_id}")
    return dead


def _run_pid(instance: DagsterInstance, run, host: str) -> int | None:
    tags = run.tags or {}
    if PID_TAG in tags:
        if tags.get(HOST_TAG, host) != host:
            return None  # another machine's process: cannot tell from here
        value = str(tags[PID_TAG])
        return int(value) if value.isdigit() else None
    if run.status in (DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED):
        return None  # no process yet (waiting for the queue/daemon)
    if not _launches_locally(instance):
        return None
    try:
        records = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.RUN_START, limit=1).records
    except Exception:  # noqa: BLE001
        return None
    for r in records:
        event = r.event_log_entry.dagster_event
        if event is not None and event.pid:
            return int(event.pid)
    return None


def _launches_locally(instance: DagsterInstance) -> bool:
    try:
        from dagster._core.launcher import DefaultRunLauncher

        return isinstance(instance.run_launcher, DefaultRunLauncher)
    except Exception:  # noqa: BLE001
        return False


def _process_is_gone(pid: int, run_created: float) -> bool:
    if not pid_alive(pid):
        return True
    started = _process_start_time(pid)
    return started is not None and started > run_created + 2.0  # the pid now belongs to a newer process


def _process_start_time(pid: int) -> float | None:
    """When a process started (epoch seconds), from /proc (Linux); None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat: starttime, in clock ticks after boot
        with open("/proc/stat", "rb") as fh:
            boot = next(int(line.split()[1]) for line in fh if line.startswith(b"btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _finished_runs_holding_slots(instance: DagsterInstance) -> Iterable[str]:
    storage = instance.event_log_storage
    if not getattr(storage, "supports_global_concurrency_limits", False):
        return []
    run_ids = set(storage.get_concurrency_run_ids())
    for key in storage.get_concurrency_keys():
        run_ids |= storage.get_concurrency_info(key).active_run_ids
    if not run_ids:
        return []
    finished = instance.get_run_records(filters=RunsFilter(run_ids=sorted(run_ids), statuses=list(FINISHED_STATUSES)))
    return [r.dagster_run.run_id for r in finished]


def _free(instance: DagsterInstance, run_id: str) -> None:
    storage = instance.event_log_storage
    if getattr(storage, "supports_global_concurrency_limits", False):
        storage.free_concurrency_slots_for_run(run_id)
