"""Where a catalogue path may lead: into the data folders, never elsewhere on the machine.

Why: sources.yml is edited by hand and changed by pull requests, and whatever a reader path
names is read, copied into the landing area and published as rows. `/etc/passwd`,
`../secrets.csv`, `data/../../etc/host*` or a link in data/ pointing out of it would leak a
file that has nothing to do with the platform. So a catalogue path must be

- relative to the project folder and stay inside it as written (no absolute path, no `..`
  out of it; a glob pattern is checked as written and then every file it matches), and
- once every symbolic link is followed, lie in an allowed folder:
  - the project's `data/` and `council_systems/` (and `SPI_DATA_DIR` when it is set);
  - the same two folders of the project this code is installed in: project copies (the
    tests' isolated projects, a second deployment beside the code) link their bundled data
    files to them;
  - the folders the deployment lists in `SPI_DATA_ALLOW` (separated by `os.pathsep`,
    relative ones taken from the project folder), e.g. a shared data folder linked into data/.

The loader refuses an entry that breaks this, naming the entry and field; ingest checks
again right before reading, because a file can be replaced by a link after the load.
"""
from __future__ import annotations

import glob
import os
from pathlib import Path

ALLOW_ENV = "SPI_DATA_ALLOW"
DATA_FOLDERS = ("data", "council_systems")
RULE = (f"catalogue paths are relative to the project folder and lie in "
        f"{', '.join(f + '/' for f in DATA_FOLDERS)} or a folder listed in {ALLOW_ENV}")


def allowed_folders(project_root: Path | str) -> tuple[str, ...]:
    """The real paths (links followed) of the folders catalogue paths may lead into."""
    from social_progress.settings import PROJECT_ROOT, get_settings

    root = Path(os.path.abspath(project_root))
    folders = [root / name for name in DATA_FOLDERS]
    folders.append(get_settings().data_dir)
    folders += [PROJECT_ROOT / name for name in DATA_FOLDERS]
    folders += [root / entry.strip() for entry in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if entry.strip()]
    return tuple(dict.fromkeys(os.path.realpath(folder) for folder in folders))


def written_problem(text: str, project_root: Path | str) -> str | None:
    """Why the path (or glob pattern) as written may not be used, or None.

    Checked before touching the disk, so a refusal says nothing about what exists outside."""
    if "\x00" in text:
        return f"{text!r} contains a NUL character"
    if os.path.isabs(text):
        return f"{text!r} is an absolute path; {RULE}"
    root = os.path.abspath(project_root)
    if not _inside(os.path.normpath(os.path.join(root, text)), root):
        return f"{text!r} leads out of the project folder; {RULE}"
    return None


def target_problem(path: Path | str, project_root: Path | str, folders: tuple[str, ...]) -> str | None:
    """Why the file at `path` may not be read once links are followed, or None."""
    real = os.path.realpath(path)
    if any(_inside(real, folder) for folder in folders):
        return None
    shown = _shown(path, project_root)
    if real != os.path.abspath(path):
        return f"{shown!r} links to {real!r}, outside the data folders; {RULE}"
    return f"{shown!r} is outside the data folders; {RULE}"


def catalogue_path_problem(text: str, project_root: Path | str, *, is_glob: bool,
                           shapefile: bool = False) -> str | None:
    """The first reason the catalogue path `text` may not be read, or None: the path as
    written, then every file it names (each glob match; a shapefile's companion files)."""
    problem = written_problem(text, project_root)
    if problem:
        return problem
    folders = allowed_folders(project_root)
    joined = os.path.join(os.path.abspath(project_root), text)
    targets = sorted(glob.glob(joined)) if is_glob else [joined]
    for target in targets:
        if shapefile:
            # the .shx, .dbf, .prj ... beside a .shp are read and landed with it
            stem = os.path.splitext(target)[0]
            companions = [target] + sorted(set(glob.glob(glob.escape(stem) + ".*")) - {target})
        else:
            companions = [target]
        for companion in companions:
            problem = target_problem(companion, project_root, folders)
            if problem:
                return problem
    return None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _shown(path: Path | str, project_root: Path | str) -> str:
    """A path as messages name it: relative to the project folder when inside it."""
    absolute, root = os.path.abspath(path), os.path.abspath(project_root)
    return os.path.relpath(absolute, root) if _inside(absolute, root) else absolute
