"""``twin data check PATH...``: validate real or embedded files before using them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


def _check(args: argparse.Namespace) -> int:
    # Deferred: the loaders import pandas, which `twin --help` must not.
    from twin.sources.registry import check_path

    status = 0
    for target in args.paths:
        report = check_path(Path(target))
        for p in report.problems:
            print(f"error: {p}", file=sys.stderr)
        skipped = f", {len(report.skipped)} unrecognised file(s) skipped" if report.skipped else ""
        print(
            f"{target}: {len(report.checked)} file(s) checked, "
            f"{len(report.problems)} problem(s){skipped}"
        )
        if args.verbose:
            for f in report.skipped:
                print(f"  skipped {f}")
        if report.problems:
            status = EXIT_BAD_INPUT
    return status


def register(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser("data", help="inspect and validate input data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    check = data_sub.add_parser(
        "check", help="validate files or folders of real or embedded data (exit 2 on problems)"
    )
    check.add_argument("paths", nargs="+", help="files or folders to validate")
    check.add_argument("-v", "--verbose", action="store_true", help="list skipped files")
    check.set_defaults(func=_check)
