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
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from twin.plausibility import BOUNDS

EXIT_BAD_INPUT = 2
DEFAULT_OUT = Path("results") / "forecast"


def _error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _level(args: argparse.Namespace) -> str:
    """``reg`` (real régional series) unless départements are asked for, explicitly or by an
    option that only exists for départements (age classes, admissions)."""
    if args.series != "ed" or args.territories or args.by_age:
        return "dep"
    return args.level or "reg"


def _real_regions(args: argparse.Namespace) -> list[str] | None:
    from twin.geography import normalise_reg, regions

    if not args.region:
        return None
    reg = normalise_reg(args.region)
    if reg not in regions().index:
        raise ValueError(f"unknown région code {args.region!r} (codes: "
                         f"{', '.join(regions().index)})")
    return [reg]


def _ed_deps(args: argparse.Namespace) -> list[str]:
    from twin.geography import dep_sort_key, departements, normalise_dep, normalise_reg, regions

    ref = departements()
    if args.region:
        reg = normalise_reg(args.region)
        if reg not in regions().index:
            raise ValueError(f"unknown région code {args.region!r} (codes: "
                             f"{', '.join(regions().index)})")
        return sorted(ref.index[ref["reg"] == reg], key=dep_sort_key)
    if args.territories:
        deps = [normalise_dep(t) for t in args.territories]
        bad = [t for t, d in zip(args.territories, deps, strict=True) if d not in ref.index]
        if bad:
            raise ValueError(f"unknown département code(s): {', '.join(bad)}")
        return sorted(dict.fromkeys(deps), key=dep_sort_key)
    return sorted(ref.index, key=dep_sort_key)


def _medicine_regs(args: argparse.Namespace) -> list[str] | None:
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


COMMAND = "twin forecast"


def _names(args: argparse.Namespace) -> list[str]:
    """The entries this run writes in ``--out``."""
    regional = args.series == "ed" and _level(args) == "reg"
    suffix = "_regional" if regional else ""
    if args.backtest:
        return [f"backtest_ed{suffix}.zarr", f"backtest_ed{suffix}_metrics.csv"]
    stem = f"forecast_{args.series}{suffix}"
    return [f"{stem}.zarr", f"{stem}.csv"]


def _check_out(args: argparse.Namespace) -> None:
    """Refuse, before computing, an --out that would replace what this command did not write
    (see :mod:`twin.outputs`)."""
    from twin.outputs import check_folder

    check_folder(args.out, _names(args), command=COMMAND, force=args.force)


def _record_out(args: argparse.Namespace) -> None:
    from twin.outputs import record_outputs

    record_outputs(args.out, _names(args), COMMAND)


def _forecast(args: argparse.Namespace) -> int:
    import warnings as _w

    from forecasting.engine import ShortSeriesWarning

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
    _check_out(args)
    horizon_days = args.horizon if args.horizon is not None else (90 if monthly else 28)
    horizon = math.ceil(horizon_days / 30) if monthly else horizon_days

    from forecasting.parallel import local_client

    ctx = local_client(args.workers) if args.workers > 1 else nullcontext(None)
    with ctx as client, _w.catch_warnings(record=True) as caught:
        _w.simplefilter("always", ShortSeriesWarning)
        try:
            if regional and args.backtest:
                return _backtest_regional(args, targets, horizon, client)
            if regional:
                return _produce_regional(args, targets, origin, horizon, client)
            if args.backtest:
                return _backtest(args, targets, horizon, client)
            return _produce(args, targets, origin, horizon, client, monthly)
        except ValueError as exc:
            return _error(str(exc))
        finally:
            fallbacks = [w for w in caught if issubclass(w.category, ShortSeriesWarning)]
            for w in fallbacks[:5]:
                print(f"avertissement : {w.message}", file=sys.stderr)
            if len(fallbacks) > 5:
                print(f"avertissement : ... et {len(fallbacks) - 5} autre(s)", file=sys.stderr)


def _produce(args: argparse.Namespace, targets: list[str] | None, origin: str | None,
             horizon: int, client: object, monthly: bool) -> int:
    from forecasting.demand import forecast_admissions, forecast_ed, forecast_medicines
    from forecasting.output import french_table, write_outputs

    if monthly:
        ds = forecast_medicines(targets, method=args.method, origin=origin, horizon=horizon,
                                seed=args.seed, client=client, folder=args.data)
    elif args.series == "admissions":
        if args.by_age:
            raise ValueError("--by-age is not available for --series admissions (the SAE "
                             "gives no admitted share by age class)")
        ds = forecast_admissions(targets, method=args.method, origin=origin, horizon=horizon,
                                 seed=args.seed, client=client, folder=args.data,
                                 sae_folder=args.sae)
    else:
        ds = forecast_ed(targets, by_age=args.by_age, method=args.method, origin=origin,
                         horizon=horizon, seed=args.seed, client=client, folder=args.data)
    zpath, cpath = write_outputs(ds, args.out, f"forecast_{args.series}")
    _record_out(args)
    print(french_table(ds, top=args.top))
    print(f"\nRésultats : {zpath} et {cpath}")
    return 0


def _produce_regional(args: argparse.Namespace, regs: list[str] | None, origin: str | None,
                      horizon: int, client: object) -> int:
    from forecasting.demand import forecast_ed_regional
    from forecasting.output import french_table, write_outputs

    ds = forecast_ed_regional(regs, method=args.method, origin=origin, horizon=horizon,
                              seed=args.seed, client=client, source=args.data)
    zpath, cpath = write_outputs(ds, args.out, "forecast_ed_regional")
    _record_out(args)
    print(french_table(ds, top=args.top))
    print(f"\nRésultats : {zpath} et {cpath}")
    return 0


REPLICA_BACKTEST = ("2023-01-01", "2024-12-31")


def _backtest(args: argparse.Namespace, deps: list[str] | None, horizon: int,
              client: object) -> int:
    from forecasting.backtest import metrics_table, rolling_origins
    from forecasting.demand import REPLICA_LABEL, backtest_dataset, backtest_ed
    from forecasting.engine import METHODS
    from forecasting.output import provenance, write_metrics

    origins = rolling_origins(args.backtest_start or REPLICA_BACKTEST[0],
                              args.backtest_end or REPLICA_BACKTEST[1], args.every)
    results = backtest_ed(deps, methods=METHODS, origins=origins, horizon=horizon,
                          seed=args.seed, client=client, folder=args.data)
    if not results or results[0].origins.size == 0:
        return _error("no backtest origin has its whole horizon inside the data")
    table = metrics_table(results)
    label = REPLICA_LABEL if args.data is None else f"fichier {args.data}"
    ds = backtest_dataset(results, {"seed": args.seed, "horizon": horizon,
                                    "origins": ",".join(origins), "data_label": label,
                                    **provenance()})
    zpath, cpath = write_metrics(ds, table, args.out, "backtest_ed")
    _record_out(args)
    print(format_metrics(table, len(results), results[0].origins.size, label))
    print(f"\nRésultats : {zpath} et {cpath}")
    return 0


def _backtest_regional(args: argparse.Namespace, regs: list[str] | None, horizon: int,
                       client: object) -> int:
    from forecasting.backtest import metrics_table, rolling_origins
    from forecasting.demand import (
        REAL_BACKTEST_WINDOW,
        REAL_LABEL,
        backtest_dataset,
        backtest_ed_regional,
    )
    from forecasting.engine import METHODS
    from forecasting.output import provenance, write_metrics

    origins = rolling_origins(args.backtest_start or REAL_BACKTEST_WINDOW[0],
                              args.backtest_end or REAL_BACKTEST_WINDOW[1], args.every)
    results = backtest_ed_regional(regs, methods=METHODS, origins=origins, horizon=horizon,
                                   seed=args.seed, client=client, source=args.data)
    if not results or results[0].origins.size == 0:
        return _error("no backtest origin has its whole horizon inside the data")
    table = metrics_table(results, bands=((1, 7), (8, 28), (1, 28)))
    ds = backtest_dataset(results, {"seed": args.seed, "horizon": horizon,
                                    "origins": ",".join(origins), "data_kind": "real",
                                    "data_label": REAL_LABEL, **provenance()})
    zpath, cpath = write_metrics(ds, table, args.out, "backtest_ed_regional")
    _record_out(args)
    print(format_metrics(table, len(results), results[0].origins.size, REAL_LABEL))
    print(f"\nRésultats : {zpath} et {cpath}")
    return 0


METHOD_NAMES = {"ensemble": "Prophet+AutoETS", "prophet": "Prophet", "ets": "ETS",
                "autoets": "AutoETS", "naive": "Naïf hebdo", "seasonal_naive": "Naïf saisonnier"}


def format_metrics(table: object, n_series: int, n_origins: int, data_label: str = "") -> str:
    """The backtest table in French (MASE, relative MAE, sMAPE, coverage 80/95 %)."""
    import pandas as pd

    assert isinstance(table, pd.DataFrame)
    names = METHOD_NAMES
    lines = [
        f"Backtest à origines glissantes : {n_series} série(s) x {n_origins} origine(s)",
        *([f"Source : {data_label}"] if data_label else []),
        "MASE : erreur absolue / MAE du naïf hebdomadaire sur l'apprentissage (< 1 = mieux) ;",
        "MAE rel. : erreur absolue / celle du naïf hebdomadaire sur les mêmes jours.",
        "",
        f"{'Méthode':<17}{'Horizon':>8}{'MASE':>7}{'MAE rel.':>10}{'sMAPE %':>9}"
        f"{'Couv. 80 %':>12}{'Couv. 95 %':>12}",
    ]
    for _, r in table.iterrows():
        if r["horizon"] == "total":
            label = "total"
            lines.append(f"{names.get(r['method'], r['method']):<17}{label:>8}{'':>7}{'':>10}"
                         f"{'':>9}{r['coverage_80']:>12.2f}{r['coverage_95']:>12.2f}")
            continue
        lines.append(
            f"{names.get(r['method'], r['method']):<17}{r['horizon']:>8}{r['mase']:>7.2f}"
            f"{r['rel_mae_vs_naive']:>10.2f}{r['smape']:>9.1f}{r['coverage_80']:>12.2f}"
            f"{r['coverage_95']:>12.2f}")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction) -> None:
    from forecasting.demand import DEFAULT_ENGINE
    from forecasting.engine import METHODS

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
    from forecasting.engine import DEFAULT_SEED

    if args.seed is None:
        args.seed = DEFAULT_SEED
    return _forecast(args)
