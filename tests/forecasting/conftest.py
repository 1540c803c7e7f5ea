"""Shared fixtures for the forecasting tests: constructed series and one real one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.series import SeriesSpec
from tests.forecasting.helpers import WEEK, daily


@pytest.fixture
def weekly() -> SeriesSpec:
    """A perfectly weekly series: two years of the same week."""
    return daily(np.tile(WEEK, 104))


@pytest.fixture
def noisy() -> SeriesSpec:
    """Weekly pattern x slow level drift x noise, three years: what ED series look like."""
    rng = np.random.default_rng(7)
    n = 3 * 364
    level = np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    return daily(rng.poisson(np.tile(WEEK, n // 7) * level).astype(float), deps=("59",))


@pytest.fixture(scope="session")
def ed_all_ages() -> pd.DataFrame:
    """The embedded SurSaUD replica, all ages (parsed once per session, a few seconds)."""
    from twin.sources.sursaud import load_ed_daily_all_ages

    return load_ed_daily_all_ages()


@pytest.fixture(scope="session")
def nord(ed_all_ages: pd.DataFrame) -> SeriesSpec:
    s = ed_all_ages[ed_all_ages["dep"] == "59"]
    return SeriesSpec("ed/dep:59", "D", s["date"].to_numpy(), s["passages"].to_numpy(float),
                      territory="59", level="dep", deps=("59",))
