"""``twin demo``: the quickstart's main job on the embedded data."""

from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> int:
    from twin.demo import run_demo

    return run_demo(args)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the main job on the embedded data (quickstart)")
    p.add_argument("--year", type=int, default=2023, help="SAE year (default 2023)")
    p.set_defaults(func=_demo)
