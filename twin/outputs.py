"""Where commands write: never over something they did not create, always atomically.

Every command that writes results checks its target *before* computing anything, with
:func:`check_target` (one file or store) or :func:`check_folder` (named entries in a
folder). A target is refused (a :class:`~twin.errors.DataError`, exit 2) when:

* a component of its path is an existing *file* (``--out report.csv/x.zarr``);
* it lies inside a results store (``--out store.zarr/.zmetadata`` would corrupt it);
* it exists and is not recognisably an earlier output of the same command, unless the
  user passes ``--force``.

A folder of outputs records which command wrote each entry in :data:`MARKER`, a small JSON
file, so a second ``twin forecast --out DIR`` replaces its own earlier results but not a
``forecast_ed.csv`` an analyst put there by hand. Writing itself is atomic everywhere (a
temporary sibling then ``os.replace``), so a refused, failed or interrupted run leaves every
existing file byte-identical.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from twin.errors import DataError

MARKER = ".twin-outputs.json"
FORCE_HINT = "pass --force to replace it"


def _file_ancestor(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _inside_store(path: Path) -> Path | None:
    for parent in path.resolve().parents:
        if parent.suffix == ".zarr" and parent.is_dir():
            return parent
    return None


def check_place(path: Path, option: str = "--out") -> None:
    """Refuse a path under an existing file or inside a results store (.zarr folder)."""
    path = Path(path)
    blocker = _file_ancestor(path)
    if blocker is not None:
        raise DataError.single(
            option, f"a path under a folder ({path})", f"{blocker} is an existing file"
        )
    store = _inside_store(path)
    if store is not None:
        raise DataError.single(
            option,
            f"a path outside any results store ({path})",
            f"a path inside the store {store}: writing there would corrupt it",
        )


def check_target(
    path: Path,
    owned: Callable[[Path], bool],
    *,
    force: bool = False,
    command: str,
    option: str = "--out",
) -> None:
    """Refuse ``path`` unless it is free, an earlier output of ``command`` (``owned``), or
    ``force`` is given; see the module docstring."""
    path = Path(path)
    check_place(path, option)
    if not path.exists() and not path.is_symlink():
        return
    if force or owned(path):
        return
    kind = "folder" if path.is_dir() else "file"
    raise DataError.single(
        option,
        f"a new path, or an earlier output of {command} ({FORCE_HINT})",
        f"an existing {kind} {path} that {command} did not write",
    )


def _written(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_folder(
    folder: Path,
    names: Iterable[str],
    *,
    command: str,
    force: bool = False,
    option: str = "--out",
) -> None:
    """Refuse writing entries ``names`` into ``folder`` over anything ``command`` did not
    write there (per :data:`MARKER`), unless ``force``."""
    folder = Path(folder)
    check_place(folder, option)
    if folder.exists() and not folder.is_dir():
        raise DataError.single(option, "a folder", f"{folder} is an existing file")
    if folder.suffix == ".zarr" and folder.is_dir():
        raise DataError.single(
            option, "a folder outside any results store", f"the store {folder} itself"
        )
    if force or not folder.is_dir():
        return
    written = _written(folder)
    clash = [
        n for n in names
        if ((folder / n).exists() or (folder / n).is_symlink()) and written.get(n) != command
    ]
    if clash:
        raise DataError.single(
            option,
            f"a folder where {command} writes only over its own earlier outputs ({FORCE_HINT})",
            f"{', '.join(sorted(clash))} in {folder}, not written by {command}",
        )


def record_outputs(folder: Path, names: Iterable[str], command: str) -> None:
    """Note in ``folder``'s :data:`MARKER` that ``command`` wrote ``names`` (atomically)."""
    folder = Path(folder)
    written = _written(folder)
    written.update({n: command for n in names})
    write_text(folder / MARKER, json.dumps(written, indent=1, sort_keys=True) + "\n")


def write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to ``path`` atomically (temporary sibling, then rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if mode is not None:
            tmp.chmod(mode)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def replace_path(tmp: Path, target: Path) -> None:
    """Move ``tmp`` (a file or folder) to ``target``, replacing it: a file by one rename, a
    folder by two (the old one is moved aside, then deleted)."""
    tmp, target = Path(tmp), Path(target)
    if tmp.is_dir() and target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
        os.rename(target, old)
        os.rename(tmp, target)
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    else:
        os.replace(tmp, target)
