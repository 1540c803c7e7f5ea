"""``twin shortages``: medicine stock-out early warning from a PUI stock ledger.

Reads a stock ledger (default: the embedded synthetic one — a replica, no PUI ledger is
public), the BDPM availability archive, the **real** ANSM availability notices of the followed
products (default ``data/real/bdpm/CIS_CIP_Dispo_Spec.txt``, see :mod:`forecasting.notices`)
and optionally a YAML file of supply disruptions; projects every product × site stock a few
weeks ahead and writes, under ``--out``:

* ``projection.zarr`` — the xarray dataset (probabilities, stock quantiles per day, cover,
  policy, territorial probabilities; baseline and disruption scenario);
* ``alertes.csv`` — the ranked warnings (``;``, UTF-8, decimal comma, dates JJ/MM/AAAA);
* ``alertes_territoires.csv`` — product × département / région aggregates;
* ``alertes_perturbation.csv`` — the warnings under the disruption scenario, if any.

and prints the top risks as a short French table. Exit status 2 on bad input (ledger,
product file, disruption file, date or horizon), each problem located.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecasting.defaults import (
    DEFAULT_HORIZON_WEEKS,
    DEFAULT_PATHS,
    DEFAULT_THRESHOLD,
    MAX_HORIZON_WEEKS,
    SHORTAGE_SEED,
)
from twin.errors import DataError
from twin.outputs import check_folder

DEFAULT_OUT = Path("ruptures")


def _shortages(args: argparse.Namespace) -> int:
    if not 1 <= args.horizon <= MAX_HORIZON_WEEKS:
        raise DataError.single("--horizon", f"a number of weeks from 1 to {MAX_HORIZON_WEEKS}",
                               str(args.horizon))
    if not 0 < args.seuil <= 1:
        raise DataError.single("--seuil", "a probability in (0, 1]", str(args.seuil))
    if args.paths < 10:
        raise DataError.single("--paths", "at least 10 Monte-Carlo paths", str(args.paths))
    # Deferred: the early warning pulls numpy, pandas and xarray; `twin --help` must not.
    from forecasting.shortages.run import COMMAND, OUTPUT_NAMES, run_shortages, summary_text

    check_folder(args.out, OUTPUT_NAMES, command=COMMAND, force=args.force)
    run = run_shortages(ledger=args.ledger, produits=args.produits, bdpm=args.bdpm,
                        as_of=args.as_of, horizon=args.horizon, disruption=args.disruption,
                        out=args.out, paths=args.paths, seed=args.seed, seuil=args.seuil,
                        avis=args.avis)
    print(summary_text(run, top=args.top))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "shortages",
        help="medicine stock-out early warning from a hospital pharmacy stock ledger",
    )
    p.add_argument("--ledger", type=Path, default=None,
                   help="stock ledger mouvements_stock_*.csv[.gz] (default: embedded)")
    p.add_argument("--produits", type=Path, default=None,
                   help="product file referentiel_produits*.csv for non-sentinel codes")
    p.add_argument("--bdpm", type=Path, default=None,
                   help="folder of archived BDPM CIS_CIP_Dispo_Spec_YYYYMMDD.txt snapshots")
    p.add_argument("--avis", type=Path, default=None,
                   help="real ANSM file CIS_CIP_Dispo_Spec.txt (default: embedded real file)")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="situation date AAAA-MM-JJ (default: last day of the ledger)")
    p.add_argument("--horizon", type=int, default=DEFAULT_HORIZON_WEEKS,
                   help=f"weeks ahead (default {DEFAULT_HORIZON_WEEKS})")
    p.add_argument("--disruption", type=Path, default=None,
                   help="YAML list of supply disruptions to compare with the baseline")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="output folder (default ./ruptures)")
    p.add_argument("--paths", type=int, default=DEFAULT_PATHS,
                   help=f"Monte-Carlo paths (default {DEFAULT_PATHS})")
    p.add_argument("--seed", type=int, default=SHORTAGE_SEED, help="random seed")
    p.add_argument("--seuil", type=float, default=DEFAULT_THRESHOLD,
                   help="probability of stock-out that raises a warning (default 0.5)")
    p.add_argument("--top", type=int, default=10, help="rows of the printed table")
    p.add_argument("--force", action="store_true",
                   help="replace files in --out that twin shortages did not write")
    p.set_defaults(func=_shortages)
