"""``twin demo``: the quickstart's main job on the embedded data."""

from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> int:
    # Deferred: the quickstart imports the whole model (pandas, Dask, Prophet…).
    from twin.demo import run_demo

    return run_demo(args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the main job on the embedded data (quickstart)")
    p.add_argument("--year", type=int, default=2023, help="SAE year (default 2023)")
    p.add_argument("--days", type=int, default=21, help="simulated days after warm-up")
    p.add_argument("--replications", type=int, default=4, help="replications per scenario")
    p.add_argument("--workers", type=int, default=2, help="local Dask worker processes")
    p.add_argument("--out", default="results/demo.zarr", help="results store (zarr)")
    p.add_argument(
        "--summary-only", action="store_true", help="print the national summary and stop"
    )
    p.set_defaults(func=_demo)
