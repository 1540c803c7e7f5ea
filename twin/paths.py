"""Where the embedded dataset and the scenario library live at run time.

In a repository checkout (editable install) they are the top-level ``data/`` and
``scenarios/`` folders; in a wheel they ship as ``twin/_embedded/``. ``TWIN_DATA_DIR``
overrides the data folder (for example to point at an analyst's own copy).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def data_dir() -> Path:
    env = os.environ.get("TWIN_DATA_DIR")
    if env:
        return Path(env)
    return _first_existing(_REPO / "data", _PACKAGE / "_embedded" / "data")


def scenarios_dir() -> Path:
    return _first_existing(_REPO / "scenarios", _PACKAGE / "_embedded" / "scenarios")


def real_dir() -> Path:
    """Embedded copies of real public files (byte-identical, see data/README.md)."""
    return data_dir() / "real"


def synthetic_dir() -> Path:
    """Format-identical synthetic replicas rebuilt by ``data/generate.py``."""
    return data_dir() / "synthetic"


def reference_dir() -> Path:
    return data_dir() / "reference"
