"""Recurring batches: the sbatch script or ``scrontab`` entry that reruns a manifest.

Each run reads the data folders as they are when it starts (the network is calibrated at
run time), so a run after the week's exports have been copied in — the manifest's
``schedule.prologue`` lines do that — uses fresh data. Each run writes a new dated store
(``twin batch MANIFEST --dated``: ``<store>-YYYYMMDDTHHMM.zarr``) and, once it is complete,
points ``<store>-latest.zarr`` at it, so a failed night never hides the last good results.

* ``scrontab`` (SLURM ≥ 20.11): a recurring job managed by SLURM itself
  (``scrontab -e`` and paste, or ``scrontab FILE``); the cron fields come from the manifest.
* ``sbatch``: a one-off driver job script; recurring through the login node's ``crontab``
  (the line to add is in the script's header).

The driver job holds the batch's client (the single writer of the store); with
``cluster.kind: slurm`` it submits the worker jobs itself, with ``local`` it runs the
workers inside its own allocation (``--cpus-per-task`` = workers).
"""

from __future__ import annotations

import os
import shlex
import sys
from datetime import datetime
from pathlib import Path

from twin.batch.manifest import Manifest

DEFAULT_DRIVER_WALLTIME = "12:00:00"


def _driver_directives(m: Manifest, prefix: str, log_dir: Path) -> list[str]:
    s = m.cluster.slurm
    cpus = m.cluster.workers if m.cluster.kind == "local" else 1
    lines = [f"{prefix} --job-name=twin-{m.name}", f"{prefix} --cpus-per-task={cpus}"]
    if s.account:
        lines.append(f"{prefix} --account={s.account}")
    if s.queue:
        lines.append(f"{prefix} --partition={s.queue}")
    lines.append(f"{prefix} --time={s.walltime or DEFAULT_DRIVER_WALLTIME}")
    if m.cluster.kind == "local" and s.memory:
        lines.append(f"{prefix} --mem={s.memory.replace(' ', '').removesuffix('B')}")
    if prefix == "#SCRON":  # one log for every run of the recurring job
        lines += [f"{prefix} --output={log_dir}/twin-{m.name}.out", f"{prefix} --open-mode=append"]
    else:
        lines.append(f"{prefix} --output={log_dir}/twin-{m.name}-%j.out")
    return lines


def _command(m: Manifest, manifest_path: Path, python: str) -> list[str]:
    prologue = list(m.schedule.prologue) if m.schedule else []
    repo = manifest_path.parent
    return [
        f"cd {shlex.quote(str(repo))}",
        *prologue,
        f"{shlex.quote(python)} -m twin batch {shlex.quote(str(manifest_path))} --dated",
    ]


def sbatch_script(m: Manifest, manifest_path: Path, python: str | None = None) -> str:
    """A driver job script for ``sbatch`` (bash, ``set -euo pipefail``)."""
    manifest_path = Path(manifest_path).resolve()
    python = python or sys.executable
    log_dir = manifest_path.parent / "slurm-logs"
    cron = m.schedule.cron if m.schedule else "30 2 * * *"
    out = [
        "#!/bin/bash",
        *_driver_directives(m, "#SBATCH", log_dir),
        f"# Batch {m.name}: reruns {manifest_path} with the data present when it starts.",
        f"# Written by `twin batch {manifest_path.name} --schedule sbatch`. Submit once with",
        "#   sbatch THIS_FILE",
        "# or every time with a line in the login node's crontab (crontab -e):",
        f"#   {cron} sbatch {'THIS_FILE'}",
        "set -euo pipefail",
        f"mkdir -p {shlex.quote(str(log_dir))}",
        *_command(m, manifest_path, python),
        "",
    ]
    return "\n".join(out)


def scrontab_entry(m: Manifest, manifest_path: Path, python: str | None = None) -> str:
    """Lines for ``scrontab``: ``#SCRON`` options, then the cron line (one command line)."""
    manifest_path = Path(manifest_path).resolve()
    python = python or sys.executable
    log_dir = manifest_path.parent / "slurm-logs"
    cron = m.schedule.cron if m.schedule else "30 2 * * *"
    command = " && ".join(
        [f"mkdir -p {shlex.quote(str(log_dir))}", *_command(m, manifest_path, python)]
    )
    return "\n".join(
        [
            f"# Batch {m.name}: reruns {manifest_path} ({cron}); install with `scrontab FILE`.",
            *_driver_directives(m, "#SCRON", log_dir),
            f"{cron} {command}",
            "",
        ]
    )


def dated_store(store: Path, now: datetime | None = None) -> Path:
    """The store of one scheduled run: ``<store>-YYYYMMDDTHHMM.zarr`` (minutes, local time)."""
    stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M")
    return store.with_name(f"{store.name.removesuffix('.zarr')}-{stamp}.zarr")


def latest_link(store: Path) -> Path:
    """``<store>-latest.zarr``: the link readers follow to the last complete run."""
    return store.with_name(f"{store.name.removesuffix('.zarr')}-latest.zarr")


def point_latest(link: Path, target: Path) -> None:
    """Atomically make ``link`` a symlink to ``target`` (relative, same folder)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    os.replace(tmp, link)
