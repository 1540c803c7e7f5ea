"""Constructed series for the forecasting tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.series import SeriesSpec

WEEK = np.array([120.0, 100.0, 95.0, 97.0, 98.0, 90.0, 85.0])


def daily(values: np.ndarray, start: str = "2021-01-04", name: str = "test/series",
          deps: tuple[str, ...] = ()) -> SeriesSpec:
    """A daily series from ``start`` (a Monday by default)."""
    dates = pd.date_range(start, periods=len(values), freq="D").to_numpy()
    return SeriesSpec(name, "D", dates, np.asarray(values, dtype=float), deps=deps)
