"""``twin compare STORE --baseline NAME``: each scenario of a store against the baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from twin.errors import DataError
from twin.outputs import check_target
from twin.plausibility import BOUNDS


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        values = tuple(
            float(t.strip().rstrip("%")) / (100 if "%" in t else 1) for t in text.split(",")
        )
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected rates such as 0.95,1.0 or 95%,100%, found {text!r}"
        ) from None
    bound = BOUNDS["compare.threshold"]
    for v in values:
        if not bound.contains(v):
            raise argparse.ArgumentTypeError(
                f"expected {bound.expected('rates')}, found {v:g} in {text!r}"
            )
    return values


def _compare(args: argparse.Namespace) -> int:
    # Deferred: the comparison reads zarr stores with xarray, which `twin --help` must not load.
    from twin.batch.compare import (
        KEY_INDICATORS,
        compare_store,
        default_output,
        format_table,
        is_comparison,
        save,
    )

    out = Path(args.out) if args.out else default_output(Path(args.store))
    if out.resolve() == Path(args.store).resolve():
        raise DataError.single("--out", "a path other than the store compared", str(out))
    check_target(out, is_comparison, force=args.force, command="twin compare")
    table, base = compare_store(Path(args.store), args.baseline, args.thresholds)
    indicators = None if args.all else KEY_INDICATORS
    print(format_table(table, base, indicators, thresholds=args.thresholds))
    save(table, out, {"store": str(Path(args.store).resolve()), "baseline": base})
    print(f"\ncomparaison complète : {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare each scenario of a results store with the baseline",
        description="Per indicator and territory: mean and P5/P50/P95 of each scenario and of "
        "its difference from the baseline (paired by replication), and the probability of "
        "occupancy above capacity thresholds. Prints the key indicators by région and saves "
        "everything (CSV, or zarr when --out ends in .zarr).",
    )
    p.add_argument("store", metavar="STORE", help="results store (.zarr) of twin run/batch")
    p.add_argument("--baseline", default=None, help="baseline name (default: the store's)")
    p.add_argument(
        "--out", default=None, help="where to save (.csv or .zarr; default <store>-comparaison.csv)"
    )
    p.add_argument(
        "--thresholds",
        type=_thresholds,
        default=(0.95, 1.0),
        help="occupancy thresholds, e.g. 0.9,0.95,1.0 (default 0.95,1.0)",
    )
    p.add_argument("--all", action="store_true", help="print every indicator")
    p.add_argument(
        "--force", action="store_true",
        help="replace --out even if it is not an earlier comparison",
    )
    p.set_defaults(func=_compare)
