"""``twin validate``: the baseline of every région against SAE, as a French report."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from twin.commands.run import bounded_int, positive_int
from twin.errors import DataError


def _settings(args: argparse.Namespace):
    # Deferred: these read tables with pandas, which `twin --help` must not load.
    from twin.geography import deps_of
    from twin.sources.sae import available_years
    from twin.validation.build import Settings

    years = available_years()
    if args.year not in years:
        raise DataError.single(
            "--year", f"an embedded SAE year ({', '.join(map(str, years))})", str(args.year)
        )
    codes = []
    for code in args.regions:
        c = code.strip()
        codes.append(c if c.lower() == "all" or c.upper().startswith("R") else f"R{c}")
    try:
        deps = deps_of(codes)
    except KeyError as exc:
        raise DataError.single(
            "--regions", "all or région codes (11, 84, R93, 01…06)", str(exc.args[0])
        ) from None
    try:
        start = date.fromisoformat(f"{args.year}-{args.start}")
    except ValueError:
        raise DataError.single("--start", "a day of the year as MM-DD", args.start) from None
    return Settings(
        deps=tuple(deps), year=args.year, start=start.isoformat(), days=args.days,
        warmup_days=args.warmup, replications=args.replications, seed=args.seed,
        held_out=args.held_out,
    )


def _validate(args: argparse.Namespace) -> int:
    # Deferred: Dask, xarray and the model (same reason).
    from twin.batch.cluster import ClusterSettings, open_client
    from twin.outputs import check_folder, record_outputs
    from twin.validation import build

    settings = _settings(args)
    out = Path(args.out)
    check_folder(out, build.OUTPUT_FILES, command=build.COMMAND, force=args.force)
    out.mkdir(parents=True, exist_ok=True)
    # The région stores are claimed first: an interrupted run resumes without --force.
    record_outputs(out, [build.RUNS], build.COMMAND)
    cluster = ClusterSettings(kind=args.cluster, workers=args.workers)
    with open_client(cluster, out / build.RUNS / "logs") as client:
        result = build.run(settings, out, client)
    build.write(result, out)
    m = result.metrics
    print(
        f"passages aux urgences France : simulé / SAE = {m['national_ratio_ed_passages']:.3f}\n"
        f"MAPE départements : passages {m['mape_ed_passages']:.1f} %, hospitalisations "
        f"{m['mape_ed_admissions']:.1f} %, lits MCO occupés {m['mape_mco_occupied']:.1f} %\n"
        f"occupation MCO {m['mco_occupancy_points']:+.1f} pts, réanimation "
        f"{m['icu_occupancy_points']:+.1f} pts\n"
        f"rapport : {out / 'validation.html'}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="validation report: every région's baseline against SAE (HTML, CSV, JSON)",
        description="Runs the baseline of each région (one Dask task per région, resumable: "
        "régions already simulated with the same settings are reused) and writes a French, "
        "self-contained HTML report with CSV/JSON: simulated vs observed ED passages, "
        "admissions, occupied MCO / adult ICU / SSR beds, SMUR exits and SAMU calls per "
        "département, région and France, replication intervals, a map of the errors, "
        "outputs no calibration touched and, with --held-out, a year the model did not see.",
    )
    p.add_argument("--regions", nargs="+", default=["all"], metavar="CODE",
                   help="all (default) or région codes (e.g. 32 84 R93)")
    p.add_argument("--year", type=int, default=2023, help="SAE year (default 2023)")
    p.add_argument("--start", default="03-06", help="first simulated day MM-DD (default 03-06)")
    p.add_argument("--days", type=bounded_int("scenario.period.days"), default=28,
                   help="days compared (default 28)")
    p.add_argument("--warmup", type=int, default=7, choices=range(0, 61), metavar="DAYS",
                   help="days simulated before, not compared (default 7)")
    p.add_argument("--replications", type=bounded_int("scenario.replications"), default=2,
                   help="default 2")
    p.add_argument("--seed", type=int, default=2023, help="master seed (default 2023)")
    p.add_argument("--held-out", action="store_true",
                   help="also calibrate on year-1 / year and judge on year / year+1, next "
                   "to persistence (three times the simulation)")
    p.add_argument("--out", default="validation", help="output folder (default ./validation)")
    p.add_argument("--force", action="store_true", help="replace files this command did not write")
    p.add_argument("--cluster", choices=("local", "slurm"), default="local",
                   help="local Dask processes (default) or SLURM jobs (Dask configuration)")
    p.add_argument("--workers", type=positive_int, default=2, help="worker processes (default 2)")
    p.set_defaults(func=_validate)
