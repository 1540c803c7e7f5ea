"""Simulations launched from the dashboard: validated here, run by the batch runner elsewhere.

The web process never simulates. A submission writes the scenario files into a new folder
``<results>/runs/<id>/`` and starts ``python -m dashboard.jobs <folder>`` in its own session:
that small supervisor runs ``twin run <scenario files> --out <folder>/resultats.zarr``,
sends its output to ``journal.txt`` and writes ``statut.json`` (atomically) when it ends.
Everything a page needs to follow a run is on disk, so any worker of a multi-process WSGI
server can show it, and a run survives a restart of the dashboard.

Progress is read from the store itself: the fraction of ``completed`` cells (scenario ×
replication × block) of the batch contract.

Identifiers: a run id is made here (``AAAAMMJJ-HHMMSS-xxxxxx``) and checked against
:data:`RUN_ID` and the existing folders before any use; scenario file names are the
validated scenario ``name`` slugs. One run at a time: the machine has few cores.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from dashboard.results import open_zarr
from twin.paths import scenarios_dir

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
STORE_NAME = "resultats.zarr"
LOG_NAME = "journal.txt"
STATUS_NAME = "statut.json"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def run_command(folder: Path, scenario_files: list[Path]) -> list[str]:
    """The batch-runner command for a run folder (the same one a user types)."""
    return [sys.executable, "-m", "twin", "run", *[str(p) for p in scenario_files],
            "--out", str(folder / STORE_NAME)]


@dataclass(frozen=True)
class RunStatus:
    id: str
    state: str  # "en cours" | "terminé" | "échec"
    progress: float  # 0..1, from the store's completed mask
    returncode: int | None
    log_tail: str
    store_id: str | None  # catalogue identifier of the results once they exist

    @property
    def finished(self) -> bool:
        return self.state != "en cours"


class Jobs:
    """The runs folder of a results root."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, run_id: object) -> Path | None:
        if not isinstance(run_id, str) or not RUN_ID.match(run_id):
            return None
        path = self.folder / run_id
        return path if path.is_dir() else None

    def running(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return [p.name for p in sorted(self.folder.iterdir())
                if RUN_ID.match(p.name) and not (p / STATUS_NAME).exists()
                and _alive(p)]

    def submit(self, scenarios: dict[str, str]) -> str:
        """Write ``{slug: yaml text}`` (already validated) and start the supervisor."""
        if self.running():
            raise RuntimeError("Une simulation est déjà en cours : attendez sa fin.")
        for name in scenarios:
            if not SLUG.match(name):
                raise ValueError(f"nom de scénario invalide : {name!r}")
        run_id = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        folder = self.folder / run_id
        folder.mkdir(parents=True)
        copy_library(folder)
        files = []
        for name, text in scenarios.items():
            path = folder / f"{name}.yaml"
            path.write_text(text, encoding="utf-8")
            files.append(path)
        (folder / "commande.json").write_text(json.dumps(run_command(folder, files)),
                                               encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.jobs", str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, cwd=os.getcwd(),
        )
        (folder / "pid").write_text(str(proc.pid), encoding="utf-8")
        return run_id

    def status(self, run_id: object) -> RunStatus | None:
        folder = self._path(run_id)
        if folder is None:
            return None
        assert isinstance(run_id, str)
        done = _read_json(folder / STATUS_NAME)
        store = folder / STORE_NAME
        progress = completed_fraction(store)
        if done is None:
            state = "en cours" if _alive(folder) else "échec"
            code = None
        else:
            code = int(done.get("returncode", 1))
            state = "terminé" if code == 0 else "échec"
            if code == 0:
                progress = 1.0
        store_id = f"runs/{run_id}/{STORE_NAME.removesuffix('.zarr')}" if store.is_dir() \
            else None
        return RunStatus(run_id, state, progress, code, _tail(folder / LOG_NAME), store_id)


def copy_library(folder: Path) -> None:
    """The scenario library beside the user's files, so ``extends: baseline`` resolves."""
    for p in sorted(scenarios_dir().glob("*.yaml")):
        shutil.copyfile(p, folder / p.name)


def completed_fraction(store: Path) -> float:
    if not store.is_dir():
        return 0.0
    try:
        mask = open_zarr(store)["completed"].values
        return float(np.asarray(mask, dtype=bool).mean()) if mask.size else 0.0
    except Exception:  # template not written yet, or being written
        return 0.0


def _alive(folder: Path) -> bool:
    try:
        pid = int((folder / "pid").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (finished child of this very process, not yet reaped) is not running.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _tail(path: Path, lines: int = 15, max_bytes: int = 8192) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def supervise(folder: Path) -> int:
    """Run the batch command of ``folder`` and record how it ended (the child process)."""
    command = json.loads((folder / "commande.json").read_text(encoding="utf-8"))
    started = time.time()
    with (folder / LOG_NAME).open("ab") as log:
        try:
            code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, cwd=folder)
        except OSError as exc:
            log.write(f"error: {exc}\n".encode())
            code = 1
    _write_atomic(folder / STATUS_NAME, json.dumps({
        "returncode": code, "started": started, "ended": time.time()}))
    return code


if __name__ == "__main__":
    sys.exit(supervise(Path(sys.argv[1])))
