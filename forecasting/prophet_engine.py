"""Prophet with the French calendar, on ``log1p``, with 80 % and 95 % intervals from samples.

Model (stated so that an analyst can reproduce it):

* target ``log1p(passages)``; forecasts come back with ``expm1`` and are clipped at 0, so
  counts are never negative and weekly/yearly effects act multiplicatively on counts;
* linear trend with 15 potential changepoints (Prophet's default 25 was no more accurate
  on the embedded series and about a third slower), yearly seasonality (Fourier order 10),
  weekly seasonality (order 3) for daily series; yearly only for monthly series. The
  yearly term is left out when the training data span less than :data:`YEARLY_MIN_DAYS`
  (two years): fitted on a few months it extrapolates a made-up season (the real regional
  series has 6 to 18 months after its 2022 gap); the holiday and school-holiday effects,
  which carry much of the seasonal shape of ED demand, stay;
* French public holidays (:func:`twin.calendar.public_holidays`) as Prophet's ``holidays``
  dataframe, one effect per named holiday, including the local days (Alsace-Moselle,
  abolition of slavery) shared by every département the series covers;
* school holidays as an extra regressor: the share of the series' départements on holiday
  that day (0/1 for one département, weighted by each département's share of passages for
  a régional total). The official calendar is only tabulated from 2018-09-01 to
  2026-08-31: when the training window or the forecast dates leave it, the regressor is
  dropped for that fit (and the result says so) rather than treating unknown days as
  term time;
* training window: the last 1,095 observations (three years) once the COVID-19 period
  (:data:`SHOCKS`, 2020-03-01 .. 2021-12-31) is left out — when it is over at the origin.
  On the 2023-2024 backtest of ``benchmarks/forecast_backtest.py`` leaving it out brought
  Prophet's MASE at 28 days from 0.83 to 0.78 (it had read the November 2020 lockdown as
  seasonality and missed the winter rise);
* intervals: Prophet's ``interval_width`` gives one interval only, so the engine draws
  ``uncertainty_samples`` (200) joint sample paths once with ``predictive_samples`` (trend
  changes plus observation noise) and takes the 2.5/10/50/90/97.5 % quantiles per date; the
  point forecast is the sample median (see :mod:`forecasting.baselines` for why totals over
  several days are *not* taken from these paths);
* ``scaling="minmax"``: Prophet's default divides ``y`` by its maximum, which for
  ``log1p`` counts (values between about 5.5 and 6.5 for a mid-size département) leaves
  the whole signal in a narrow band far from 0 and makes the MAP optimisation badly
  conditioned: L-BFGS needed about 1,400 iterations with repeated line-search failures on
  the Nord series. Min-max scaling maps the window onto [0, 1]: about 3x fewer iterations,
  the fit half as long, same accuracy (measured in ``benchmarks/README.md``).

Prophet's sampling uses NumPy's *global* generator: the engine seeds it right before
``predictive_samples`` with the task's own seed and restores the previous global state
afterwards, so results depend only on (seed, series name, origin), never on what ran before
in the same worker. Stan's optimiser gets the same seed. The ``prophet`` and ``cmdstanpy``
loggers are silenced and CmdStan's temporary files removed after each fit
(``stan_backend.cleanup()``), which matters in long-lived Dask workers.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from forecasting.baselines import Draw, finish, to_counts
from forecasting.series import QUANTILES, Freq, future_dates
from twin.calendar import (
    SCHOOL_CALENDAR_END,
    SCHOOL_CALENDAR_START,
    is_school_holiday,
    public_holidays,
)

UNCERTAINTY_SAMPLES = 200
SHOCKS: tuple[tuple[str, str, str], ...] = (
    ("2020-03-01", "2021-12-31", "COVID-19 lockdowns and the partial recovery after them"),
)
"""Periods left out of Prophet's training data once they are over (first day, last day,
why). Prophet's documentation advises removing outliers rather than modelling them (it
handles missing days); left in, the 2020-2021 fall of ED visits is read as yearly
seasonality (November 2020 was a lockdown) and as trend. A period still running at the
forecast origin is kept: the model must then see the current level."""
TRAIN_WINDOW = {"D": 1095, "MS": 120}
YEARLY_MIN_DAYS = 730
YEARLY_ORDER = {"D": 10, "MS": 4}
WEEKLY_ORDER = 3
N_CHANGEPOINTS = 15


def quiet() -> None:
    """Silence Prophet's and cmdstanpy's INFO chatter (also in every Dask worker)."""
    # cmdstanpy configures its logger (level DEBUG, own handler) on the first call of its
    # cached get_logger(): trigger that first, then lower the level, or it would undo ours.
    # Deferred with Prophet (below): cmdstanpy comes with it.
    from cmdstanpy.utils.logging import get_logger

    get_logger()
    for name in ("prophet", "cmdstanpy", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.ERROR)


def holidays_frame(deps: tuple[str, ...], years: range) -> pd.DataFrame:
    """Prophet ``holidays`` dataframe: national days plus the local days common to ``deps``.

    A local day (e.g. Saint Étienne in Alsace-Moselle) is kept only when every covered
    département has it; for a régional total where only some do, their effect is left to
    the noise rather than applied to the whole région.
    """
    rows: list[tuple[pd.Timestamp, str]] = []
    for y in years:
        if deps:
            per_dep = [public_holidays(y, d) for d in deps]
            common = set(per_dep[0]).intersection(*per_dep[1:])
            days = {d: per_dep[0][d] for d in common}
        else:
            days = public_holidays(y)
        rows.extend((pd.Timestamp(d), name) for d, name in days.items())
    return pd.DataFrame(rows, columns=["ds", "holiday"]).sort_values("ds", ignore_index=True)


def school_share(dates: np.ndarray, deps: tuple[str, ...],
                 weights: tuple[float, ...]) -> np.ndarray | None:
    """Weighted share of ``deps`` on school holiday each day; ``None`` outside the calendar."""
    if not deps or dates.size == 0:
        return None
    lo, hi = np.datetime64(SCHOOL_CALENDAR_START), np.datetime64(SCHOOL_CALENDAR_END)
    if dates.min() < lo or dates.max() > hi:
        return None
    w = np.asarray(weights if weights else [1.0] * len(deps), dtype=float)
    w = w / w.sum()
    out = np.zeros(dates.size)
    for dep, wi in zip(deps, w, strict=True):
        out += wi * is_school_holiday(dates, dep)
    return out


def without_shocks(dates: np.ndarray) -> np.ndarray:
    """Mask of the training dates kept: outside every :data:`SHOCKS` period that ended
    before the last date (so the forecast origin decides, never later data)."""
    keep = np.ones(dates.size, dtype=bool)
    if dates.size == 0:
        return keep
    last = dates.max()
    for first, end, _ in SHOCKS:
        lo, hi = np.datetime64(first, "D"), np.datetime64(end, "D")
        if hi < last:
            keep &= ~((dates >= lo) & (dates <= hi))
    if keep.sum() < 2:  # nothing left to learn from: keep everything rather than fail
        keep[:] = True
    return keep


def prophet_forecast(
    dates: np.ndarray,
    y: np.ndarray,
    horizon: int,
    *,
    freq: Freq,
    seed: int,
    deps: tuple[str, ...] = (),
    weights: tuple[float, ...] = (),
    quantiles: tuple[float, ...] = QUANTILES,
    uncertainty_samples: int = UNCERTAINTY_SAMPLES,
    train_window: int | None = None,
) -> tuple[Draw, str]:
    """Fit Prophet on the history ``(dates, y)`` and forecast ``horizon`` steps after it.

    Returns the draw and a note (empty, or why the school-holiday regressor was dropped).
    Pure apart from the temporary files CmdStan writes and removes.
    """
    quiet()
    # Deferred: Prophet (and Stan) take seconds to import; only this engine needs them.
    from prophet import Prophet

    window = train_window or TRAIN_WINDOW[freq]
    dates = np.asarray(dates, dtype="datetime64[D]")
    y = np.asarray(y, dtype=float)
    keep = without_shocks(dates)
    dates, z = dates[keep][-window:], np.log1p(y[keep][-window:])
    fut = future_dates(dates[-1], freq, horizon)
    note = ""
    daily = freq == "D"
    span_days = int((dates[-1] - dates[0]).astype("timedelta64[D]").astype(np.int64)) + 1
    yearly = YEARLY_ORDER[freq] if span_days >= YEARLY_MIN_DAYS else False
    if not yearly:
        note = (f"sans terme annuel : {span_days} jours d'apprentissage "
                f"(< {YEARLY_MIN_DAYS})")
    holidays = None
    if daily:
        first = int(str(dates[0])[:4])
        last = int(str(fut[-1])[:4])
        holidays = holidays_frame(deps, range(first, last + 1))
    m = Prophet(
        holidays=holidays,
        n_changepoints=N_CHANGEPOINTS,
        yearly_seasonality=yearly,
        weekly_seasonality=WEEKLY_ORDER if daily else False,
        daily_seasonality=False,
        uncertainty_samples=uncertainty_samples,
        scaling="minmax",
    )
    train = pd.DataFrame({"ds": pd.DatetimeIndex(dates), "y": z})
    future = pd.DataFrame({"ds": pd.DatetimeIndex(fut)})
    if daily and deps:
        s_train = school_share(dates, deps, weights)
        s_fut = school_share(fut, deps, weights)
        if s_train is not None and s_fut is not None:
            m.add_regressor("school_holiday", standardize=False)
            train["school_holiday"] = s_train
            future["school_holiday"] = s_fut
        else:
            note = "; ".join(filter(None, [
                note, f"school-holiday regressor dropped: dates outside "
                f"{SCHOOL_CALENDAR_START}..{SCHOOL_CALENDAR_END}"]))
    try:
        with warnings.catch_warnings():
            # pandas deprecations raised inside Prophet's own code: not ours to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            m.fit(train, seed=int(seed) % (2**31 - 1))
            saved = np.random.get_state()
            try:
                np.random.seed(int(seed) % (2**32))
                samples = m.predictive_samples(future)["yhat"]  # (horizon, samples), log1p
            finally:
                np.random.set_state(saved)
    finally:
        backend = getattr(m, "stan_backend", None)
        if backend is not None and hasattr(backend, "cleanup"):
            backend.cleanup()
    samples = np.asarray(samples, dtype=float)
    qz = np.quantile(samples, quantiles, axis=1).T
    return finish(to_counts(np.median(samples, axis=1)), qz), note
