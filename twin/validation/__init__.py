"""Validation of the baseline against what was observed.

* :mod:`twin.validation.compare` — simulated vs observed SAE indicators for one run (pure).
* :mod:`twin.validation.published` — published figures no calibration touched, with sources.
* :mod:`twin.validation.runner` — the national run: one Dask task per région, resumable.
* :mod:`twin.validation.tables` — per département / région / national tables, errors (pure).
* :mod:`twin.validation.heldout` — a year the model did not see, next to persistence (pure).
* :mod:`twin.validation.report` — the offline French HTML report and its CSV/JSON.
"""

from twin.validation.compare import (
    INDICATORS,
    SEASONAL,
    compare,
    demand_season,
    format_comparison,
    observed,
    simulated,
    simulated_daily,
)

__all__ = [
    "INDICATORS",
    "SEASONAL",
    "compare",
    "demand_season",
    "format_comparison",
    "observed",
    "simulated",
    "simulated_daily",
]
