"""The quickstart's main job on the embedded data.

Today it prints the national picture by région; it grows into baseline + what-if +
forecasts as those capabilities land.
"""

from __future__ import annotations

import argparse

from twin.summary import format_summary, national_summary


def run_demo(args: argparse.Namespace) -> int:
    print(format_summary(national_summary(args.year)))
    return 0
