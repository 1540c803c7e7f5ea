"""Baseline forecasts: naive (same weekday last week), seasonal naive, ETS, climatology.

Prophet is only worth running if it beats these on the same backtest, and it often does not
(users report poor coverage and accuracy below ETS on many series), so every backtest here
scores them side by side. They are also the fallbacks when a series is too short for
Prophet.

All functions are pure: numpy arrays in, a :class:`Draw` out, no I/O, no global state.

Conventions shared with the Prophet engine:

* **Non-negative counts**: models work on ``z = log1p(y)`` and come back with ``expm1``,
  clipped at 0 (``expm1`` of a negative log value is above -1, so the clip only removes
  the sliver between -1 and 0). Additive effects on ``log1p`` are multiplicative on counts,
  which is how ED weekly and seasonal profiles behave.
* **Point forecast**: the naive methods return the reused observation itself (so a
  perfectly weekly series is reproduced exactly); ETS returns ``expm1`` of its mean on the
  log scale, i.e. its median when errors are symmetric.
* **Intervals (stated)**: empirical quantiles of in-sample errors on the log scale, added to
  the log point forecast. For a naive method at horizon ``h`` the errors are the in-sample
  differences at the very lag the method uses (7, 14, 21 or 28 days for the weekly naive;
  364 days for the seasonal naive) over the last ``residual_window`` observations; with too
  few of them, the lag-``period`` errors widened by ``sqrt(lag / period)`` (random-walk
  scaling). For ETS, the quantiles of its one-step in-sample residuals are scaled by the
  model's own ``sd(h) / sd(1)`` ratio from the state-space forecast variance: the shape
  comes from the data, the growth with horizon from the model.
* **Totals over the horizon** (the CLI's "next four weeks"): for every method, the quantile
  of the total is the sum of the daily quantiles, i.e. perfect positive dependence between
  days. That is conservative (too wide) when daily errors are partly independent, and it is
  chosen on purpose: Prophet's own sample paths treat days as independent around a smooth
  trend and, in a first check on 4 départements x 5 origins, their 80 % interval for the
  28-day total covered only 35 % of outcomes (the synthetic series, like real ED series,
  have persistent level shifts Prophet does not model). The backtest reports the coverage
  of these totals (row ``total``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.series import QUANTILES

MIN_ERRORS = 7
"""Fewest in-sample errors at a lag before the quantiles of that lag are trusted."""


@dataclass(frozen=True)
class Draw:
    """Output of one method at one origin: counts, never negative.

    ``point`` (h,) and ``quantiles`` (h, len(QUANTILES)), increasing along the last axis.
    """

    point: np.ndarray
    quantiles: np.ndarray


def to_counts(z: np.ndarray) -> np.ndarray:
    """``expm1`` back from the log scale, clipped at zero (the non-negativity guarantee)."""
    return np.clip(np.expm1(z), 0.0, None)


def shift_counts(y: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``expm1(log1p(y) + e)`` written so that ``e = 0`` gives back ``y`` exactly
    (``(1 + y) exp(e) - 1 = y exp(e) + expm1(e)``): a zero error must not move a bound off
    the point by a rounding error."""
    return y * np.exp(e) + np.expm1(e)


def finish(point: np.ndarray, qz: np.ndarray) -> Draw:
    """Quantiles on the log scale → counts; sorted so rounding can never invert them."""
    q = np.sort(to_counts(qz), axis=-1)
    return Draw(np.clip(np.asarray(point, dtype=float), 0.0, None), q)


def _error_quantiles(z: np.ndarray, lag: int, window: int,
                     quantiles: tuple[float, ...]) -> np.ndarray | None:
    """Quantiles of ``z[t] - z[t - lag]`` over the last ``window`` values of ``t``."""
    if z.size <= lag:
        return None
    errs = z[lag:] - z[:-lag]
    errs = errs[-window:]
    if errs.size < MIN_ERRORS:
        return None
    return np.quantile(errs, quantiles)


def naive(
    y: np.ndarray,
    horizon: int,
    period: int,
    quantiles: tuple[float, ...] = QUANTILES,
    residual_window: int = 365,
) -> Draw:
    """Repeat the last observed ``period``: ``ŷ[n-1+h] = y[n-1+h - period*ceil(h/period)]``.

    ``period=7`` on daily data is "same weekday last week" (weekday naive); ``period=364``
    is the seasonal naive aligned on the weekday (same weekday 52 weeks earlier);
    ``period=1`` / ``12`` are the last-month and same-month-last-year naives of monthly
    series. Needs at least ``period + 2`` observations (two in-sample errors); below
    ``MIN_ERRORS`` errors at lag ``period`` the interval falls back to the spread of
    whatever errors exist.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < period + 2:
        raise ValueError(f"naive with period {period} needs at least {period + 2} values, "
                         f"got {n}")
    z = np.log1p(y)
    h = np.arange(1, horizon + 1)
    lag = period * np.ceil(h / period).astype(int)
    idx = n - 1 + h - lag  # >= n - period >= 2 because lag <= period + h - 1
    point = y[idx]
    base = _error_quantiles(z, period, residual_window, quantiles)
    if base is None:
        errs = z[period:] - z[:-period]
        base = np.quantile(errs, quantiles)
    eq = np.empty((horizon, len(quantiles)))
    for lg in np.unique(lag):
        own = _error_quantiles(z, int(lg), residual_window, quantiles)
        eq[lag == lg] = own if own is not None else base * np.sqrt(lg / period)
    q = np.sort(np.clip(shift_counts(point[:, None], eq), 0.0, None), axis=-1)
    return Draw(point, q)


def ets(
    y: np.ndarray,
    horizon: int,
    season: int,
    quantiles: tuple[float, ...] = QUANTILES,
    train_window: int = 730,
    residual_window: int = 365,
) -> Draw:
    """ETS(A,Ad,A) on ``log1p`` (additive error, damped additive trend, additive season).

    statsmodels' ``ETSModel`` fitted by maximum likelihood on the last ``train_window``
    observations (two years of days: enough for the weekly cycle and the recent level, and
    fast; ETS has no yearly term so older data would only slow it down). Intervals: see the
    module docstring. Raises ``ValueError`` when the fit fails (constant series, too few
    points), for the caller to fall back.
    """
    # Deferred: statsmodels takes a second to import and only this method needs it.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.asarray(y, dtype=float)[-train_window:]
    z = np.log1p(y)
    if z.size < 2 * season + 4:
        raise ValueError(f"ETS with season {season} needs {2 * season + 4} values")
    if np.ptp(z) == 0:
        raise ValueError("ETS cannot fit a constant series")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True,
                         seasonal="add", seasonal_periods=season)
        res = model.fit(disp=False)
        pred = res.get_prediction(start=z.size, end=z.size + horizon - 1)
    mean = np.asarray(pred.predicted_mean, dtype=float)
    var = np.asarray(pred.forecast_variance, dtype=float)
    if not (np.isfinite(mean).all() and np.isfinite(var).all()):
        raise ValueError("ETS fit gave non-finite forecasts")
    ratio = np.sqrt(var / var[0]) if var[0] > 0 else np.sqrt(np.arange(1, horizon + 1))
    resid = np.asarray(res.resid, dtype=float)[2 * season:][-residual_window:]
    if resid.size < MIN_ERRORS:
        raise ValueError("ETS has too few residuals for an interval")
    eq = np.quantile(resid, quantiles)
    return finish(to_counts(mean), mean[:, None] + ratio[:, None] * eq[None, :])


def climatology(y: np.ndarray, horizon: int,
                quantiles: tuple[float, ...] = QUANTILES) -> Draw:
    """Last-resort fallback for a handful of observations: the median and the empirical
    quantiles of what was seen, flat over the horizon (a single value gives a zero-width
    interval). Never fails on a non-empty series."""
    y = np.asarray(y, dtype=float)
    z = np.log1p(y)
    qz = np.quantile(z, quantiles)
    point = np.full(horizon, float(np.median(y)))
    return finish(point, np.tile(qz, (horizon, 1)))
