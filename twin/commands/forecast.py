"""``twin forecast``: ED demand and sentinel-medicine dispensing forecasts, with backtests.

Examples::

    twin forecast                                   # 18 régions + France, REAL series
    twin forecast --region 32 --workers 2           # Hauts-de-France (real), 2 Dask workers
    twin forecast --backtest                        # real régional backtest 2023-07 → 2024-05
    twin forecast --level dep                       # 101 départements (synthetic replica)
    twin forecast --territories 59 62 --origin 2024-06-01 --by-age   # replica
    twin forecast --series medicines --horizon 90   # 3 months by région
    twin forecast --backtest --territories 59 62    # replica départements vs baselines
    twin forecast --series admissions --region 32   # hospitalisations after ED passage

ED passages by région and for France come from the REAL Santé publique France file
(OSCOUR, ``data/real/sursaud/``; ``--data`` takes another regional file or folder).
Départements (``--territories``, ``--level dep``, ``--by-age``, admissions) come from the
synthetic replica, because no real daily file by département exists after April 2020; the
printed table says which. Writes ``<out>/forecast_<series>.zarr`` and ``.csv`` (régional
real series: ``forecast_ed_regional``; backtests: ``backtest_ed[_regional].zarr`` and
``..._metrics.csv``) and prints a short French table. Exit 2 on bad input (unknown
territory, unreadable date, bad data file).
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from forecasting.defaults import DEFAULT_ENGINE, FORECAST_SEED, METHODS
from twin.outputs import check_folder
from twin.plausibility import BOUNDS

EXIT_BAD_INPUT = 2
DEFAULT_OUT = Path("results") / "forecast"
COMMAND = "twin forecast"


def _error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _level(args: argparse.Namespace) -> str:
    """``reg`` (real régional series) unless départements are asked for, explicitly or by an
    option that only exists for départements (age classes, admissions)."""
    if args.series != "ed" or args.territories or args.by_age:
        return "dep"
    return args.level or "reg"


def _region(code: str) -> str:
    """The COG code of ``--region``, checked against the région list."""
    # Deferred: the code lists load pandas, which `twin --help` must not.
    from twin.geography import normalise_reg, regions

    reg = normalise_reg(code)
    if reg not in regions().index:
        raise ValueError(f"unknown région code {code!r} (codes: "
                         f"{', '.join(regions().index)})")
    return reg


def _real_regions(args: argparse.Namespace) -> list[str] | None:
    return [_region(args.region)] if args.region else None


def _ed_deps(args: argparse.Namespace) -> list[str]:
    # Deferred: the code lists load pandas, which `twin --help` must not.
    from twin.geography import dep_sort_key, departements, normalise_dep

    ref = departements()
    if args.region:
        reg = _region(args.region)
        return sorted(ref.index[ref["reg"] == reg], key=dep_sort_key)
    if args.territories:
        deps = [normalise_dep(t) for t in args.territories]
        bad = [t for t, d in zip(args.territories, deps, strict=True) if d not in ref.index]
        if bad:
            raise ValueError(f"unknown département code(s): {', '.join(bad)}")
        return sorted(dict.fromkeys(deps), key=dep_sort_key)
    return sorted(ref.index, key=dep_sort_key)


def _medicine_regs(args: argparse.Namespace) -> list[str] | None:
    # Deferred: the code lists load pandas, which `twin --help` must not.
    from twin.geography import normalise_reg
    from twin.sources.openmedic import BEN_REG_LABELS, COG_TO_BEN_REG

    codes = [args.region] if args.region else (args.territories or None)
    if codes is None:
        return None
    out = []
    for c in codes:
        c = str(c).strip()
        ben = COG_TO_BEN_REG.get(normalise_reg(c), c.lstrip("0") or c)
        if ben not in BEN_REG_LABELS:
            raise ValueError(f"unknown Open Medic région code {c!r} (codes: "
                             f"{', '.join(BEN_REG_LABELS)})")
        out.append(ben)
    return list(dict.fromkeys(out))


def _origin(text: str | None, monthly: bool) -> str | None:
    if text is None:
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--origin expects a date YYYY-MM-DD, found {text!r}") from None
    return (d.replace(day=1) if monthly else d).isoformat()


def _forecast(args: argparse.Namespace) -> int:
    monthly = args.series == "medicines"
    try:
        if args.level == "reg" and _level(args) != "reg":
            raise ValueError("--level reg is for --series ed without --territories or "
                             "--by-age (the real file is by région, all ages)")
        regional = not monthly and _level(args) == "reg"
        targets = (_medicine_regs(args) if monthly else
                   _real_regions(args) if regional else _ed_deps(args))
        origin = _origin(args.origin, monthly)
        if args.horizon is not None:
            bound = BOUNDS["forecast.horizon.medicines" if monthly else "forecast.horizon.ed"]
            if not bound.contains(args.horizon):
                raise ValueError(f"--horizon: expected {bound.expected()}, found "
                                 f"{args.horizon}")
        if args.workers < 1:
            raise ValueError(f"--workers must be at least 1, found {args.workers}")
        if args.backtest and args.series != "ed":
            raise ValueError("--backtest is available for --series ed only (no daily "
                             "admissions series exists to score against)")
    except ValueError as exc:
        return _error(str(exc))
    # Deferred: the forecasting engines pull numpy, pandas, xarray and Dask.
    from forecasting import run
    from forecasting.engine import ShortSeriesWarning
    from forecasting.parallel import local_client

    check_folder(args.out, run.output_names(args.series, regional, args.backtest),
                 command=COMMAND, force=args.force)
    horizon_days = args.horizon if args.horizon is not None else (90 if monthly else 28)
    horizon = math.ceil(horizon_days / 30) if monthly else horizon_days
    window = {"start": args.backtest_start, "end": args.backtest_end, "every": args.every}

    ctx = local_client(args.workers) if args.workers > 1 else nullcontext(None)
    with ctx as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ShortSeriesWarning)
        try:
            if regional and args.backtest:
                text = run.backtest_regional(targets, out=args.out, horizon=horizon,
                                             seed=args.seed, client=client, data=args.data,
                                             **window)
            elif regional:
                text = run.produce_regional(targets, out=args.out, method=args.method,
                                            origin=origin, horizon=horizon, seed=args.seed,
                                            client=client, data=args.data, top=args.top)
            elif args.backtest:
                text = run.backtest(targets, out=args.out, horizon=horizon, seed=args.seed,
                                    client=client, data=args.data, **window)
            else:
                text = run.produce(args.series, targets, out=args.out, method=args.method,
                                   origin=origin, horizon=horizon, seed=args.seed,
                                   client=client, data=args.data, sae=args.sae,
                                   by_age=args.by_age, top=args.top)
            print(text)
            return 0
        except ValueError as exc:
            return _error(str(exc))
        finally:
            fallbacks = [w for w in caught if issubclass(w.category, ShortSeriesWarning)]
            for w in fallbacks[:5]:
                print(f"avertissement : {w.message}", file=sys.stderr)
            if len(fallbacks) > 5:
                print(f"avertissement : ... et {len(fallbacks) - 5} autre(s)", file=sys.stderr)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast",
        help="forecast ED passages or sentinel-medicine dispensing, with intervals",
        description="Prévisions de passages aux urgences (quotidiennes, par région et France "
        "sur les données réelles OSCOUR de Santé publique France ; par département sur la "
        "réplique synthétique) ou de délivrances de médicaments sentinelles (mensuelles, par "
        "région), avec intervalles à 80 % et 95 %, réconciliées jusqu'à la France.",
    )
    p.add_argument("--series", choices=("ed", "admissions", "medicines"), default="ed",
                   help="ed: daily ED passages (default); admissions: daily hospitalisations "
                   "after an ED passage (passages x SAE admitted share); medicines: monthly "
                   "boxes")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--territories", nargs="+", metavar="CODE",
                       help="département codes (ed) or Open Medic région codes (medicines)")
    where.add_argument("--region", metavar="CODE", help="one région (COG code, e.g. 32)")
    p.add_argument("--horizon", type=int, default=None, metavar="DAYS",
                   help="days ahead (default 28; medicines: 90, rounded up to months)")
    p.add_argument("--origin", default=None, metavar="YYYY-MM-DD",
                   help="first forecast day (default: the day after the data); only "
                   "earlier data are used")
    p.add_argument("--method", choices=METHODS, default=DEFAULT_ENGINE,
                   help=f"forecasting method (default {DEFAULT_ENGINE}: mean of Prophet and "
                   "AutoETS on the log scale, chosen on the real régional backtest)")
    p.add_argument("--level", choices=("reg", "dep"), default=None,
                   help="ed: reg = 18 régions + France from the REAL file (default); dep = "
                   "départements from the synthetic replica (default with --territories)")
    p.add_argument("--by-age", action="store_true",
                   help="ed: forecast each age class, départements = sum of classes")
    p.add_argument("--workers", type=int, default=1,
                   help="Dask worker processes (default 1: no cluster)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--force", action="store_true",
                   help="replace files in --out that twin forecast did not write")
    p.add_argument("--seed", type=int, default=None, help="run seed (default fixed)")
    p.add_argument("--data", type=Path, default=None,
                   help="régions: a real SurSaUD regional file or its folder; départements: "
                   "the folder of a SurSaUD département file (default: embedded data)")
    p.add_argument("--sae", type=Path, default=None,
                   help="admissions: folder of SAE files for the admitted shares "
                   "(default: embedded)")
    p.add_argument("--top", type=int, default=10, help="rows of the printed table")
    p.add_argument("--backtest", action="store_true",
                   help="ed: rolling-origin backtest of all methods instead of a forecast")
    p.add_argument("--backtest-start", default=None,
                   help="first backtest origin (default: régions 2023-07-01, départements "
                   "2023-01-01)")
    p.add_argument("--backtest-end", default=None,
                   help="last backtest origin (default: régions 2024-05-31, départements "
                   "2024-12-31)")
    p.add_argument("--every", type=int, default=28, help="days between backtest origins")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.seed is None:
        args.seed = FORECAST_SEED
    return _forecast(args)
