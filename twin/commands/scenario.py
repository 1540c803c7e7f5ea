"""``twin scenario check FILE...``: validate scenario files and print what they resolve to."""

from __future__ import annotations

import argparse
import sys

from twin.errors import DataError

EXIT_BAD_INPUT = 2


def _check(args: argparse.Namespace) -> int:
    # Deferred: scenario validation pulls pydantic and the network inputs (pandas).
    from twin.scenario import load_scenario
    from twin.scenario.summary import describe_resolved

    status = 0
    for path in args.files:
        try:
            runs = load_scenario(path, check_network=not args.no_network)
        except DataError as exc:
            print(f"error: {exc.message()}", file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        print(f"{path}: OK")
        for run in runs:
            print(describe_resolved(run, indent="  "))
    return status


def register(sub: argparse._SubParsersAction) -> None:
    scenario = sub.add_parser("scenario", help="what-if scenario files")
    scenario_sub = scenario.add_subparsers(dest="scenario_command", required=True)
    check = scenario_sub.add_parser(
        "check", help="validate scenario files and print their resolved summary (exit 2 if bad)"
    )
    check.add_argument("files", nargs="+", help="scenario YAML files")
    check.add_argument(
        "--no-network",
        action="store_true",
        help="skip the checks against the care network (FINESS codes, capacities)",
    )
    check.set_defaults(func=_check)
