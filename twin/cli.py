"""Command-line entry point: ``twin`` (also ``python -m twin``).

Exit status: 0 success; 2 bad input, reported as one message per problem naming the file,
line or field, what was expected and what was found; 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from twin.commands import COMMAND_MODULES
from twin.errors import DataError

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twin",
        description="Jumeau numérique du système de santé — digital twin of French health care.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        import_module(name).register(sub)
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
