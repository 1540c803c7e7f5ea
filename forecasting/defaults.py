"""Defaults of the demand forecasts and of the medicine stock-out early warning, shared by
the library and the ``twin forecast`` / ``twin shortages`` command line.

Standard library only, on purpose: the command line reads these values to build its
``--help`` without importing numpy, pandas and xarray, so ``twin`` starts instantly.
"""

from __future__ import annotations

# --- demand forecasts (forecasting.engine, forecasting.demand) ---------------------------
FORECAST_SEED = 20250101
METHODS = ("ensemble", "prophet", "ets", "autoets", "naive", "seasonal_naive")
"""Methods an analyst can ask for. ``naive`` is "same weekday last week" on daily series
(weekday naive) and "last month" on monthly ones; ``seasonal_naive`` is "same weekday 52
weeks earlier" (364 days) on daily series and "same month last year" on monthly ones.
``ensemble`` averages Prophet and AutoETS (see :func:`forecasting.engine.combine`)."""
DEFAULT_ENGINE = "ensemble"
"""The engine used when none is asked for (CLI, quickstart, scenario API). Chosen on the real
régional backtest of ``benchmarks/forecast_real.py``: see ``benchmarks/README.md``."""

# --- medicine stock-out early warning (forecasting.shortages) ----------------------------
SHORTAGE_SEED = 20260101
MAX_HORIZON_WEEKS = 26
DEFAULT_HORIZON_WEEKS = 8
DEFAULT_PATHS = 200
DEFAULT_THRESHOLD = 0.5
