"""The council's own systems, as the default run finds them: SYNTHETIC stand-ins.

Why before the refresh and not as an asset: a council's housing database or social care
export exists before and outside the platform, which only reads it (its inputs are
observed when the refresh starts). The stand-ins play that part, so they are built first,
into `council_systems/` (the embedded SQLite databases of the housing and revenues
systems, the workbooks, CSV and JSON exports), by `social_progress.synthetic`, seeded and
so byte-identical on every machine. They are rebuilt only when the generator's code
changes (a stamp holds its hash), so an unchanged refresh reads unchanged inputs.

A council that points every council source at its own systems (synthetic: false) never
builds them.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

from social_progress.settings import Settings

FOLDER = "council_systems"
STAMP = ".generator"
SEED = 20150401


def generator_version() -> str:
    """A hash of the generator's code: a change to it rebuilds the stand-ins."""
    import social_progress.synthetic as synthetic

    digest = hashlib.sha256(f"seed={SEED}".encode())
    root = Path(synthetic.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def needs_stand_ins(settings: Settings) -> bool:
    """True when a synthetic source of the catalogue reads from council_systems/."""
    import yaml

    try:
        document = yaml.safe_load(settings.sources_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return False  # the catalogue loader reports it
    for entry in document.get("sources") or []:
        if isinstance(entry, dict) and entry.get("synthetic") and FOLDER in json.dumps(entry.get("reader", {})):
            return True
    return False


def ensure_council_systems(settings: Settings, say=print) -> Path | None:
    """Build the synthetic council systems when missing or made by other code; return the folder."""
    if not needs_stand_ins(settings):
        return None
    folder = settings.project_root / FOLDER
    version = generator_version()
    stamp = folder / STAMP
    if stamp.is_file() and stamp.read_text().strip() == version:
        return folder
    import fcntl

    # one builder at a time (two refreshes, or test workers, starting together)
    with open(settings.project_root / f".{FOLDER}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text().strip() == version:
            return folder
        return _build(folder, version, say)


def _build(folder: Path, version: str, say) -> Path:
    from social_progress.synthetic import build_council_systems

    started = time.monotonic()
    say("Building the SYNTHETIC council systems (stand-ins for the council's own databases and exports)...")
    scratch = folder.with_name(f".{FOLDER}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    build_council_systems(scratch, seed=SEED)
    (scratch / STAMP).write_text(version + "\n")
    # swap in whole, so a killed build never leaves half a folder behind
    old = folder.with_name(f".{FOLDER}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    scratch.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    say(f"SYNTHETIC council systems built in {FOLDER}/ ({time.monotonic() - started:.0f} s)")
    return folder
