"""Manifests, recurring-run scripts and dated stores."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from twin.batch.manifest import load_manifest, scenario_paths, store_path
from twin.batch.schedule import (
    dated_store,
    latest_link,
    point_latest,
    sbatch_script,
    scrontab_entry,
)
from twin.errors import DataError

MANIFEST = """\
name: hiver-corse
description: Lot de test.
scenarios: [corse-ref.yaml, corse-rea-moins-50.yaml]
baseline: corse-ref
replications: 3
territories: {departements: ["2A"]}
period: {days: 4}
store: ../results/hiver.zarr
cluster:
  kind: slurm
  workers: 4
  slurm:
    account: ars-corse
    queue: court
    walltime: "01:30:00"
    memory: 4GB
    prologue: ["module load python/3.12"]
    lifetime: 80m
    lifetime_stagger: 5m
schedule:
  cron: "30 2 * * 1"
  prologue: ["rsync -a entrepot:/exports/ data/real/"]
"""


@pytest.fixture
def manifest_file(tmp_path: Path) -> Path:
    (tmp_path / "lots").mkdir()
    for name in ("corse-ref.yaml", "corse-rea-moins-50.yaml"):
        (tmp_path / "lots" / name).write_text("name: x\n")
    p = tmp_path / "lots" / "hiver.yaml"
    p.write_text(MANIFEST)
    return p


def test_manifest_is_validated_and_paths_are_relative_to_it(manifest_file):
    m = load_manifest(manifest_file)
    assert m.cluster.kind == "slurm" and m.cluster.slurm.lifetime == "80m"
    assert m.territories.departements == ("2A",) and m.period.days == 4
    assert scenario_paths(m, manifest_file)[0] == manifest_file.parent / "corse-ref.yaml"
    assert store_path(m, manifest_file) == manifest_file.parent.parent / "results/hiver.zarr"


@pytest.mark.parametrize(
    ("old", "new", "line", "needle"),
    [
        ('walltime: "01:30:00"', "walltime: 90 minutes", 15, "cluster.slurm.walltime"),
        ("workers: 4", "workers: 0", 11, "cluster.workers"),
        ("kind: slurm", "kind: pbs", 10, "cluster.kind"),
        ("store: ../results/hiver.zarr", "store: ../results/hiver", 8, "store"),
        ("replications: 3", "replications: 3\nreplicatons: 4", 6, "replicatons"),
    ],
)
def test_manifest_problems_name_line_and_field(manifest_file, old, new, line, needle):
    manifest_file.write_text(MANIFEST.replace(old, new))
    with pytest.raises(DataError) as err:
        load_manifest(manifest_file)
    msg = err.value.message()
    assert f"{manifest_file}:{line}:" in msg and needle in msg, msg


def test_sbatch_script_is_valid_bash_with_the_manifest_settings(manifest_file, tmp_path):
    m = load_manifest(manifest_file)
    text = sbatch_script(m, manifest_file, python="/opt/venv/bin/python")
    assert text.startswith("#!/bin/bash\n")
    for line in (
        "#SBATCH --job-name=twin-hiver-corse",
        "#SBATCH --account=ars-corse",
        "#SBATCH --partition=court",
        "#SBATCH --time=01:30:00",
        "#SBATCH --cpus-per-task=1",
        "rsync -a entrepot:/exports/ data/real/",
        f"/opt/venv/bin/python -m twin batch {manifest_file} --dated",
        "#   30 2 * * 1 sbatch THIS_FILE",
    ):
        assert line in text.splitlines(), line
    # the prologue (fresh data) runs before the batch
    assert text.index("rsync") < text.index("-m twin batch")
    script = tmp_path / "job.sbatch"
    script.write_text(text)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0


def test_scrontab_entry_has_options_then_one_cron_line(manifest_file):
    m = load_manifest(manifest_file)
    lines = scrontab_entry(m, manifest_file, python="/opt/venv/bin/python").splitlines()
    options = [x for x in lines if x.startswith("#SCRON")]
    assert "#SCRON --account=ars-corse" in options and "#SCRON --time=01:30:00" in options
    (cron,) = [x for x in lines if not x.startswith("#")]
    assert cron.startswith("30 2 * * 1 ") and cron.endswith(f"{manifest_file} --dated")
    assert "%" not in cron  # cron would treat % as a newline
    command = cron.split(" ", 5)[5]
    assert subprocess.run(["bash", "-n", "-c", command]).returncode == 0


def test_local_cluster_driver_asks_for_one_cpu_per_worker(manifest_file):
    manifest_file.write_text(MANIFEST.replace("kind: slurm", "kind: local"))
    text = sbatch_script(load_manifest(manifest_file), manifest_file)
    assert "#SBATCH --cpus-per-task=4" in text and "#SBATCH --mem=4G" in text


def test_dated_store_and_latest_link(tmp_path):
    store = tmp_path / "hiver.zarr"
    dated = dated_store(store, datetime(2024, 1, 8, 2, 30))
    assert dated.name == "hiver-20240108T0230.zarr"
    dated.mkdir()
    link = latest_link(store)
    point_latest(link, dated)
    newer = dated_store(store, datetime(2024, 1, 15, 2, 30))
    newer.mkdir()
    point_latest(link, newer)
    assert os.readlink(link) == "hiver-20240115T0230.zarr" and link.resolve() == newer
