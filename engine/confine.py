"""What a ruleset may reach: files inside its own folder.

A ruleset may come from a stranger, so the paths it writes (sources, outputs) must stay inside the
folder it lives in: no absolute path, no ``..`` and no symbolic link leading out. What the person at
the keyboard names on the command line (``--data NAME=PATH``, ``-o PATH``, ``--allow-dir DIR``) is
theirs to allow. And no output may ever be one of the run's inputs.
"""

from __future__ import annotations

import os
from pathlib import Path


def inside(folder: Path, written: str) -> bool:
    """Whether a path as a ruleset writes it stays inside ``folder`` once symbolic links are followed."""
    if Path(written).is_absolute():
        return False
    root = folder.resolve()
    target = (root / written).resolve()
    return target == root or root in target.parents


def allowed(folder: Path, written: str, also: tuple[str, ...] = ()) -> bool:
    """Inside the ruleset's folder, or (wherever it is written) inside a folder given with --allow-dir."""
    if inside(folder, written):
        return True
    target = (folder / written).resolve()
    return any(target == root or root in target.parents for root in (Path(d).resolve() for d in also))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """The same file by resolved path, or by device and inode (a hard link, another spelling)."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): then it is not the other
        return False
