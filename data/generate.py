"""Rebuild every synthetic file of the embedded dataset from the real inputs.

    python data/generate.py            # all generators, into data/synthetic
    python data/generate.py sursaud    # one generator

Output is byte-identical on every run and machine (fixed seed, named random streams,
no timestamps); ``tests/synthetic/test_generate_all.py`` checks the committed files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from twin.synthetic import build_all

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    files = build_all(HERE / "real", HERE / "synthetic", tuple(sys.argv[1:]))
    for f in files:
        print(f.relative_to(HERE))
