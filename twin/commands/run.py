"""``twin run SCENARIO.yaml``: Monte-Carlo replications of one or more scenarios into a store.

Exit status: 0 all tasks complete; 1 some tasks failed (they stay incomplete in the store:
fix the cause and rerun with ``--resume``); 2 bad input (nothing written); 130 interrupted
(finished tasks are kept: ``--resume`` continues).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.outputs import check_place
from twin.plausibility import BOUNDS


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {value}")
    return value


def bounded_int(name: str):
    """An argparse type: a whole number within the declared bound ``name``."""
    bound = BOUNDS[name]

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {bound.expected()}, found {text!r}"
            ) from None
        if not bound.contains(value):
            raise argparse.ArgumentTypeError(f"expected {bound.expected()}, found {value}")
        return value

    return parse


def add_cluster_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=positive_int, default=None,
        help="worker processes (SLURM: jobs); default 2",
    )
    p.add_argument(
        "--cluster",
        choices=("local", "slurm"),
        default=None,
        help="where to run (default local; slurm settings come from the Dask "
        "config jobqueue.slurm)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="complete an existing store: compute only the missing tasks",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line")


def _run(args: argparse.Namespace) -> int:
    # Deferred: the batch machinery pulls pydantic, xarray, zarr and Dask, which `twin --help`
    # must not.
    from twin.batch.cluster import ClusterSettings
    from twin.batch.manifest import PeriodOverride
    from twin.batch.prepare import prepare
    from twin.batch.runner import print_failures, run_batch

    if args.out:
        check_place(Path(args.out))
    period = PeriodOverride(days=args.days) if args.days is not None else None
    plan = prepare(
        args.scenarios, replications=args.replications, period=period, baseline=args.baseline
    )
    out = Path(args.out) if args.out else Path("results") / f"{plan.baseline}.zarr"
    settings = ClusterSettings(kind=args.cluster or "local", workers=args.workers or 2)
    report = run_batch(plan, out, settings=settings, resume=args.resume, progress=not args.quiet)
    print(report.summary())
    if report.failed:
        print_failures(report)
        return 1
    if len(plan.scenarios) > 1:
        print(f"comparer : twin compare {out} --baseline {plan.baseline}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run scenario replications on Dask into a zarr results store",
        description="Run Monte-Carlo replications of scenario files (the first is the "
        "baseline) as (scenario, replication, région) tasks on a local Dask cluster or SLURM; "
        "each finished task is written to the store at once, so --resume after a crash "
        "computes only what is missing.",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario file(s)")
    p.add_argument(
        "--replications",
        type=bounded_int("scenario.replications"),
        default=None,
        help="replications per scenario (default: the scenario's own)",
    )
    p.add_argument(
        "--days",
        type=bounded_int("scenario.period.days"),
        default=None,
        help="shorten the period to this many days (windows are cut to it)",
    )
    p.add_argument("--baseline", default=None, help="baseline scenario name (default: first)")
    p.add_argument(
        "--out", default=None, help="zarr store to write (default results/<baseline>.zarr)"
    )
    add_cluster_arguments(p)
    p.set_defaults(func=_run)
