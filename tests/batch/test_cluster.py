"""Cluster settings → real dask-jobqueue job scripts, and the local cluster's shape."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from twin.batch.cluster import ClusterSettings, SlurmSettings, slurm_kwargs


def test_slurm_settings_become_the_job_script(tmp_path):
    from dask_jobqueue import SLURMCluster

    s = SlurmSettings(
        account="ars-hdf",
        queue="standard",
        walltime="02:00:00",
        memory="4GB",
        cores=1,
        prologue=("module load python/3.12", "source /opt/twin/.venv/bin/activate"),
        lifetime="110m",
        lifetime_stagger="5m",
        job_extra_directives=("--qos=normal",),
        scheduler_host="127.0.0.1",
    )
    with SLURMCluster(**slurm_kwargs(s, tmp_path / "logs")) as cluster:
        script = cluster.job_script()
    for line in (
        "#SBATCH -A ars-hdf",
        "#SBATCH -p standard",
        "#SBATCH -t 02:00:00",
        "#SBATCH --qos=normal",
        "module load python/3.12",
        "source /opt/twin/.venv/bin/activate",
    ):
        assert line in script.splitlines(), line
    assert "--mem=4G" in script
    assert "--lifetime 110m --lifetime-stagger 5m" in script
    assert "--nthreads 1" in script
    assert (tmp_path / "logs").is_dir() and str(tmp_path / "logs") in script


def test_dask_config_fills_what_the_manifest_leaves_out(tmp_path):
    import dask

    with dask.config.set({"jobqueue.slurm.account": "from-config", "jobqueue.slurm.memory": "8GB"}):
        kw = slurm_kwargs(SlurmSettings())
        assert "account" not in kw  # SLURMCluster reads it from the config itself
        assert kw["memory"] == "8GB"
        kw = slurm_kwargs(SlurmSettings(account="manifest", memory="1GB"))
        assert kw["account"] == "manifest" and kw["memory"] == "1GB"


def test_slurm_settings_are_validated():
    with pytest.raises(ValueError):
        SlurmSettings(walltime="2 hours")
    with pytest.raises(ValueError):
        ClusterSettings(kind="pbs")


@pytest.mark.slow
def test_local_cluster_has_single_threaded_workers_on_localhost(two_workers):
    info = two_workers.scheduler_info()
    assert len(info["workers"]) == 2
    assert all(w["nthreads"] == 1 for w in info["workers"].values())
    assert urlparse(two_workers.dashboard_link).hostname == "127.0.0.1"
    assert info["address"].startswith("tcp://127.0.0.1:")
