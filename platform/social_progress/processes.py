"""Child processes that end with their parent, and steps with a time limit.

Why: a refresh killed with -9 during dbt left its `dbt build` running, writing the
warehouse for another 1.5 minutes under whatever ran next. On Linux a process can ask the
kernel to send it a signal when its parent dies (prctl PR_SET_PDEATHSIG); the refresh's
children ask for SIGKILL.

  child_dies_with_parent()      as a subprocess `preexec_fn`, or `dies_with_this_process()`
                                to also catch a parent that died before the child asked
  python -m social_progress.processes exec [--parent PID] -- CMD ARGS...
                                sets the death signal, then execs CMD (same pid)
  write_dbt_wrapper(dir, dbt)   writes `dir/dbt`, a script running the real dbt through the
                                wrapper above: give it to DbtCliResource(dbt_executable=...)
  step_deadline(seconds, what)  stops a block that runs longer than `seconds` (StepTimeout)

Caveat of PR_SET_PDEATHSIG: the signal follows the *thread* that started the child: start
the child from a thread that lives as long as the work (the step's own thread), not from a
short-lived helper thread.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shlex
import signal
import stat
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

PR_SET_PDEATHSIG = 1


class StepTimeout(RuntimeError):
    """A step ran past its time limit and was stopped."""


# ----------------------------------------------------------------------------- death signal

def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def child_dies_with_parent(expected_parent: int | None = None, sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` (SIGKILL) to this process when its parent ends.

    Usable directly as `subprocess.Popen(..., preexec_fn=child_dies_with_parent)`. With
    `expected_parent`, a parent that already ended before the request (this process was
    re-parented) ends this process at once. No-op off Linux."""
    if not sys.platform.startswith("linux"):
        return
    if _libc().prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(err)}")
    if expected_parent is not None and os.getppid() != expected_parent:
        os.kill(os.getpid(), sig)


def dies_with_this_process(sig: int = signal.SIGKILL) -> Callable[[], None]:
    """A `preexec_fn` for children of the calling process: they get `sig` when it ends
    (and end at once if it ended between fork and the request)."""
    parent = os.getpid()
    return lambda: child_dies_with_parent(parent, sig)


def exec_with_parent_death(cmd: list[str], expected_parent: int | None = None) -> None:
    """Set the death signal, then replace this process by `cmd` (it keeps the signal: the
    kernel keeps PDEATHSIG across execve of a program that is not set-uid)."""
    if not cmd:
        raise SystemExit("social_progress.processes exec: no command given (usage: exec [--parent PID] -- CMD ...)")
    child_dies_with_parent(expected_parent)
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        sys.stderr.write(f"social_progress.processes exec: cannot run {cmd[0]!r}: {exc}\n")
        os._exit(127)


def write_dbt_wrapper(dest_dir: Path, dbt_path: str, python: str | None = None) -> Path:
    """Write `dest_dir/dbt`, an executable script that runs `dbt_path` with the arguments it
    is given, through `python -m social_progress.processes exec`, so dbt is killed when the
    process that started it (the Dagster step) dies. Returns the script's path."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    script = dest_dir / "dbt"
    python = python or sys.executable
    platform_dir = str(Path(__file__).resolve().parents[1])  # so the wrapper imports this package anywhere
    body = (
        "#!/bin/sh\n"
        "# Runs dbt so that it dies with the process that started it (social_progress.processes).\n"
        f"PYTHONPATH={shlex.quote(platform_dir)}${{PYTHONPATH:+:$PYTHONPATH}}\n"
        "export PYTHONPATH\n"
        f'exec {shlex.quote(python)} -m social_progress.processes exec --parent "$PPID" -- '
        f'{shlex.quote(str(dbt_path))} "$@"\n'
    )
    tmp = script.with_name(f".dbt.{os.getpid()}.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRUSR)
    os.replace(tmp, script)
    return script


# ----------------------------------------------------------------------------- time limit

@contextmanager
def step_deadline(seconds: float | None, what: str, on_timeout: Callable[[], None] | None = None) -> Iterator[None]:
    """Stop the block with StepTimeout if it runs longer than `seconds` (None or <= 0: no limit).

    On the main thread a SIGALRM timer interrupts the block (also a blocking wait, e.g. on
    a subprocess); on another thread a watchdog raises StepTimeout in that thread at its
    next Python instruction. `on_timeout` (e.g. kill a subprocess the block waits on) is
    called first, from the timer. A long call inside C code (one DuckDB query) is only
    interrupted when it returns to Python.
    """
    if not seconds or seconds <= 0:
        yield
        return
    message = (f"{what} ran for more than its limit of {_human(seconds)} and was stopped "
               f"(raise the limit if this input is legitimately this large)")
    fired = threading.Event()

    def _fire_callback():
        if on_timeout is not None:
            try:
                on_timeout()
            except Exception:  # noqa: BLE001 - stopping must not fail the report
                pass

    if threading.current_thread() is threading.main_thread():
        def _alarm(signum, frame):
            if not fired.is_set():
                fired.set()
                _fire_callback()
                raise StepTimeout(message)

        previous_handler = signal.signal(signal.SIGALRM, _alarm)
        prev_delay, _ = signal.setitimer(signal.ITIMER_REAL, float(seconds))
        started = time.monotonic()
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if prev_delay:  # an outer deadline keeps running, less the time spent here
                remaining = prev_delay - (time.monotonic() - started)
                if remaining <= 0:
                    os.kill(os.getpid(), signal.SIGALRM)
                else:
                    signal.setitimer(signal.ITIMER_REAL, remaining)
        return

    target = threading.get_ident()
    done = threading.Event()

    def _watch():
        if done.wait(seconds):
            return
        fired.set()
        _fire_callback()
        if not done.is_set():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(StepTimeout))

    watchdog = threading.Thread(target=_watch, name=f"deadline:{what}", daemon=True)
    watchdog.start()
    try:
        yield
    except StepTimeout as exc:
        if fired.is_set():
            raise StepTimeout(message) from exc
        raise
    finally:
        done.set()
        if fired.is_set():  # an async exception set but not yet delivered must not escape later
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


def _human(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:g} s"


# ----------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "exec":
        sys.stderr.write("usage: python -m social_progress.processes exec [--parent PID] -- CMD [ARGS...]\n")
        return 2
    argv = argv[1:]
    parent = None
    if argv[:1] == ["--parent"] and len(argv) >= 2:
        parent = int(argv[1]) if argv[1].isdigit() else None
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    exec_with_parent_death(argv, parent)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main())
