"""``twin batch MANIFEST.yaml``: a batch of scenarios described by a manifest file.

``--schedule sbatch|scrontab`` writes the job script or scrontab entry that reruns the
manifest regularly (each run with the data present when it starts) instead of running it.
``--dated`` (what scheduled runs use) writes ``<store>-YYYYMMDDTHHMM.zarr`` and, once it is
complete, points ``<store>-latest.zarr`` at it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.commands.run import add_cluster_arguments
from twin.outputs import check_place, check_target, write_text


def _write_text(path: Path, text: str, mode: int = 0o644, force: bool = False) -> None:
    """Write a job file atomically, refusing to replace a file that is not one (exit 2)."""
    check_target(path, _is_job_file, force=force, command="twin batch --schedule",
                 option="--schedule-out")
    write_text(path, text, mode)


def _is_job_file(path: Path) -> bool:
    """An earlier job file of ``twin batch --schedule`` (it runs ``twin batch``)."""
    try:
        return path.is_file() and b"twin batch" in path.read_bytes()[:65536]
    except OSError:
        return False


def _batch(args: argparse.Namespace) -> int:
    # Deferred: the batch machinery pulls pydantic, xarray, zarr and Dask,
    # which `twin --help` must not.
    from twin.batch.manifest import load_manifest, scenario_paths, store_path
    from twin.batch.schedule import (
        dated_store,
        latest_link,
        point_latest,
        sbatch_script,
        scrontab_entry,
    )

    manifest_path = Path(args.manifest)
    m = load_manifest(manifest_path)
    if args.schedule:
        maker = sbatch_script if args.schedule == "sbatch" else scrontab_entry
        text = maker(m, manifest_path)
        if args.schedule_out:
            _write_text(
                Path(args.schedule_out), text, 0o755 if args.schedule == "sbatch" else 0o644,
                force=args.force,
            )
            print(f"{args.schedule} written to {args.schedule_out}", file=sys.stderr)
        else:
            print(text, end="")
        return 0

    # Deferred with the manifest reader above (same reason).
    from twin.batch.prepare import prepare
    from twin.batch.runner import print_failures, run_batch

    plan = prepare(
        scenario_paths(m, manifest_path),
        replications=m.replications,
        territories=m.territories,
        period=m.period,
        baseline=m.baseline,
        source=f"{manifest_path}",
    )
    store = Path(args.out).resolve() if args.out else store_path(m, manifest_path)
    check_place(store, "--out" if args.out else str(manifest_path))
    if args.dated:
        store = dated_store(store)
    settings = m.cluster
    if args.cluster or args.workers:
        settings = settings.model_copy(
            update={k: v for k, v in (("kind", args.cluster), ("workers", args.workers)) if v}
        )
    report = run_batch(plan, store, settings=settings, resume=args.resume, progress=not args.quiet)
    print(report.summary())
    if report.failed:
        print_failures(report)
        return 1
    if args.dated:
        point_latest(
            latest_link(store_path(m, manifest_path) if not args.out else Path(args.out).resolve()),
            store,
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch",
        help="run the batch described by a manifest (scenarios, replications, cluster)",
        description="Run a manifest's scenarios into its results store, or write the sbatch "
        "script / scrontab entry that reruns it on a schedule.",
    )
    p.add_argument("manifest", metavar="MANIFEST.yaml", help="batch manifest")
    p.add_argument("--out", default=None, help="store to write instead of the manifest's")
    p.add_argument(
        "--dated",
        action="store_true",
        help="write <store>-YYYYMMDDTHHMM.zarr and update <store>-latest.zarr",
    )
    p.add_argument(
        "--schedule",
        choices=("sbatch", "scrontab"),
        default=None,
        help="write the recurring job instead of running",
    )
    p.add_argument(
        "--schedule-out",
        default=None,
        metavar="PATH",
        help="file for --schedule (default: standard output)",
    )
    p.add_argument(
        "--force", action="store_true",
        help="let --schedule-out replace a file that is not an earlier job file",
    )
    add_cluster_arguments(p)
    p.set_defaults(func=_batch)
