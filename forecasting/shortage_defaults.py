"""Defaults of the medicine stock-out early warning shared by :mod:`forecasting.shortages` and
the ``twin shortages`` command line.

Standard library only, on purpose: the command line reads these numbers to build its
``--help`` without importing numpy, pandas and xarray, so ``twin`` starts instantly.
"""

from __future__ import annotations

DEFAULT_SEED = 20260101
MAX_HORIZON_WEEKS = 26
DEFAULT_HORIZON_WEEKS = 8
DEFAULT_PATHS = 200
DEFAULT_THRESHOLD = 0.5
