"""Command-line entry point: ``twin`` (also ``python -m twin``).

Exit status: 0 success, 2 bad input (with one message naming file, line/field, expected and
found), 1 unexpected failure. Sub-command modules are imported lazily so that
``twin data check`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.errors import DataError

EXIT_BAD_INPUT = 2


def _cmd_data_check(args: argparse.Namespace) -> int:
    from twin.sources.registry import check_path

    status = 0
    for target in args.paths:
        report = check_path(Path(target))
        for p in report.problems:
            print(f"error: {p}", file=sys.stderr)
        print(
            f"{target}: {len(report.checked)} file(s) checked, {len(report.problems)} problem(s)"
            + (f", {len(report.skipped)} unrecognised file(s) skipped" if report.skipped else "")
        )
        if args.verbose:
            for f in report.skipped:
                print(f"  skipped {f}")
        if report.problems:
            status = EXIT_BAD_INPUT
    return status


def _cmd_summary(args: argparse.Namespace) -> int:
    from twin.summary import format_summary, national_summary

    print(format_summary(national_summary(args.year, sae_folder=args.sae, insee_folder=args.insee)))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from twin.demo import run_demo

    return run_demo(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin",
        description="Jumeau numérique du système de santé — digital twin of French health care.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="inspect and validate input data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    check = data_sub.add_parser(
        "check", help="validate a file or a folder of real or embedded files (exit 2 on problems)"
    )
    check.add_argument("paths", nargs="+", help="files or folders to validate")
    check.add_argument("-v", "--verbose", action="store_true", help="list skipped files")
    check.set_defaults(func=_cmd_data_check)

    summary = sub.add_parser("summary", help="national capacity summary by région")
    summary.add_argument("--year", type=int, default=2023)
    summary.add_argument("--sae", type=Path, default=None, help="folder of real SAE files")
    summary.add_argument("--insee", type=Path, default=None, help="folder with the INSEE file")
    summary.set_defaults(func=_cmd_summary)

    demo = sub.add_parser("demo", help="the main job on the embedded data (quickstart)")
    demo.add_argument("--year", type=int, default=2023)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(f"error: {exc.message()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
