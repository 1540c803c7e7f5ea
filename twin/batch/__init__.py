"""Monte-Carlo batches of what-if scenarios on Dask, from a laptop to a SLURM cluster.

Modules, one job each:

* :mod:`~twin.batch.plan` — the batch's indices and tasks (scenario, replication, block);
* :mod:`~twin.batch.prepare` — scenario files + overrides → a plan (all checks first);
* :mod:`~twin.batch.aggregate` — a replication's Dataset → département figures (pure);
* :mod:`~twin.batch.variables` — the store's variables (a view of :mod:`twin.output_registry`);
* :mod:`~twin.batch.store` — the zarr store: template, region writes, ``completed`` mask;
* :mod:`~twin.batch.cluster` — LocalCluster or SLURMCluster from settings;
* :mod:`~twin.batch.runner` — submit missing tasks, write each as it finishes, resume;
* :mod:`~twin.batch.progress` — the progress line on stderr;
* :mod:`~twin.batch.compare` — scenario vs baseline statistics (paired by replication);
* :mod:`~twin.batch.manifest` — the ``twin batch`` manifest file;
* :mod:`~twin.batch.schedule` — sbatch script / scrontab entry for recurring runs;
* :mod:`~twin.batch.workflow` — :func:`run_and_compare` for ``twin demo``.
"""

from twin.batch.cluster import ClusterSettings, SlurmSettings
from twin.batch.plan import BatchPlan, Task, make_plan
from twin.batch.prepare import prepare
from twin.batch.runner import BatchReport, run_batch
from twin.batch.workflow import RunAndCompare, run_and_compare

__all__ = [
    "BatchPlan",
    "BatchReport",
    "ClusterSettings",
    "RunAndCompare",
    "SlurmSettings",
    "Task",
    "make_plan",
    "prepare",
    "run_and_compare",
    "run_batch",
]
