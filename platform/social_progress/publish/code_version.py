"""The code version a release was built with: the git commit, or the package version."""
from __future__ import annotations

import subprocess
from importlib.metadata import version
from pathlib import Path


def code_version(root: Path) -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode == 0:
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                   capture_output=True, text=True, timeout=10).stdout.strip()
            return commit.stdout.strip() + ("-modified" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return f"social-progress {version('social-progress')}"
