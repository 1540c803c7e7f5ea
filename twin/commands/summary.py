"""``twin summary``: the national capacity and activity picture by région."""

from __future__ import annotations

import argparse
from pathlib import Path


def _summary(args: argparse.Namespace) -> int:
    # Deferred: the national summary reads SAE and INSEE files with pandas.
    from twin.summary import format_summary, national_summary

    table = national_summary(args.year, sae_folder=args.sae, insee_folder=args.insee)
    print(format_summary(table))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="national capacity and activity by région")
    p.add_argument("--year", type=int, default=2023, help="SAE year (default 2023)")
    p.add_argument("--sae", type=Path, default=None, help="folder of real SAE files")
    p.add_argument("--insee", type=Path, default=None, help="folder with the INSEE file")
    p.set_defaults(func=_summary)
