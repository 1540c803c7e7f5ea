"""Forecast one series at one origin with one method: slicing, seeding, fallback.

This is the single code path used by production forecasts, backtests and the scenario
API, which is what makes the no-leakage guarantee checkable: :func:`forecast_series` cuts
the series at the origin (``dates < origin``) *before* any method sees it, and every
statistic a method uses (fit, residual quantiles, MASE scale) is computed from that cut.
Calendars (public and school holidays) are known in advance and legitimately used for
future dates.

Short series never crash: a method that needs more history than the series has falls back
along ``prophet → ets → naive → climatology`` (``seasonal_naive → naive``), and the
result records the method actually used and why. :func:`forecast_series` also emits a
:class:`ShortSeriesWarning` (the parallel runner re-emits the workers' notes on the
client, where warnings are visible).

Missing days (a series built with ``missing_ok``, e.g. the real regional file): after the
cut at the origin, trailing missing days are dropped (the forecast runs through them, like
an origin after the data), only the part after the last run of more than
:data:`~forecasting.series.MAX_FILLED_RUN` missing days is used (a long gap separates two
regimes: the 2022 gap of the regional file), Prophet gets the observed days only (it
handles gaps itself) and the other methods a copy where the short runs are bridged by the
same weekday a week earlier (:func:`forecasting.series.usable_history`). Minimum lengths
count observed days.

Randomness: each (method, series name, origin) gets its own seed from
:func:`twin.rng.stream`, derived from a stable hash of the names, so a forecast is the
same whatever the number of workers, the order of tasks or the other series in the run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from forecasting import baselines
from forecasting.baselines import Draw
from forecasting.defaults import FORECAST_SEED as DEFAULT_SEED
from forecasting.defaults import METHODS
from forecasting.prophet_engine import prophet_forecast
from forecasting.series import Freq, SeriesSpec, future_dates, usable_history
from forecasting.statsforecast_engine import autoets_forecast
from twin.errors import DataError
from twin.plausibility import BOUNDS
from twin.rng import stream

METHOD_LABELS = {
    "ensemble": "moyenne Prophet + AutoETS (échelle log)",
    "prophet": "Prophet (log1p, jours fériés, vacances scolaires)",
    "ets": "ETS(A,Ad,A) sur log1p",
    "autoets": "AutoETS (statsforecast) sur log1p, cycle hebdomadaire",
    "naive": "naïf : même jour la semaine précédente",
    "seasonal_naive": "naïf saisonnier : même jour il y a 364 jours",
    "climatology": "médiane de l'historique (série très courte)",
}
ENSEMBLE = ("prophet", "autoets")
FALLBACK = {"ensemble": "autoets", "prophet": "ets", "ets": "naive", "autoets": "naive",
            "seasonal_naive": "naive", "naive": "climatology"}
MIN_LENGTH: dict[Freq, dict[str, int]] = {
    # Prophet: with less than two years (forecasting.prophet_engine.YEARLY_MIN_DAYS) it runs
    # without its yearly term, on trend, weekly cycle, public and school holidays; below
    # half a year even those are too loosely identified and it falls back to ETS.
    "D": {"ensemble": 182, "prophet": 182, "ets": 56, "autoets": 56,
          "seasonal_naive": 364 + 28, "naive": 9, "climatology": 1},
    "MS": {"ensemble": 36, "prophet": 36, "ets": 30, "autoets": 30, "seasonal_naive": 24,
           "naive": 3, "climatology": 1},
}
NAIVE_PERIOD: dict[Freq, int] = {"D": 7, "MS": 1}
SEASONAL_PERIOD: dict[Freq, int] = {"D": 364, "MS": 12}
ETS_SEASON: dict[Freq, int] = {"D": 7, "MS": 12}


class ShortSeriesWarning(UserWarning):
    """A series was forecast with a simpler method than asked (too short, or a fit failed)."""


@dataclass(frozen=True)
class Forecast:
    """One series forecast from one origin (counts; quantiles along :data:`QUANTILES`)."""

    name: str
    origin: np.datetime64
    dates: np.ndarray
    point: np.ndarray
    quantiles: np.ndarray
    total_point: float
    total_quantiles: np.ndarray
    requested: str
    method: str
    note: str = ""

    @property
    def fell_back(self) -> bool:
        return self.method != self.requested


def task_seed(seed: int, *names: str) -> int:
    """A reproducible 31-bit seed for one task, from the run seed and stable names."""
    return int(stream(int(seed), *names).integers(0, 2**31 - 1))


def _run(method: str, dates: np.ndarray, y: np.ndarray, filled: np.ndarray, steps: int,
         spec: SeriesSpec, seed: int) -> tuple[Draw, str]:
    """``y`` the usable history with its missing days (NaN), ``filled`` the same bridged."""
    freq = spec.freq
    if method == "prophet":
        seen = ~np.isnan(y)
        return prophet_forecast(dates[seen], y[seen], steps, freq=freq, seed=seed,
                                deps=spec.deps, weights=spec.weights)
    if method == "ensemble":
        parts = [_run(m, dates, y, filled, steps, spec, seed) for m in ENSEMBLE]
        notes = [f"{m}: {n}" for m, (_, n) in zip(ENSEMBLE, parts, strict=True) if n]
        return combine([d for d, _ in parts]), "; ".join(notes)
    y = filled
    runners: dict[str, Callable[[], Draw]] = {
        "ets": lambda: baselines.ets(y, steps, ETS_SEASON[freq]),
        "autoets": lambda: _autoets(y, steps, ETS_SEASON[freq]),
        "naive": lambda: baselines.naive(y, steps, NAIVE_PERIOD[freq]),
        "seasonal_naive": lambda: baselines.naive(y, steps, SEASONAL_PERIOD[freq]),
        "climatology": lambda: baselines.climatology(y, steps),
    }
    return runners[method](), ""


def combine(draws: list[Draw]) -> Draw:
    """Equal-weight combination on the log scale: ``expm1`` of the mean ``log1p`` point and
    of the mean ``log1p`` quantile at each level (quantile averaging).

    Why: on the real régional backtest Prophet is the better engine at 8-28 days and
    AutoETS at 1-7 days (it follows the latest level, Prophet's trend does not), and their
    errors are far from perfectly correlated; the average beats both over the first week
    and keeps most of Prophet's edge later (``benchmarks/README.md``). Averaging quantiles
    level by level keeps them ordered and gives an interval between the two engines' (the
    Prophet one under-covers, AutoETS's is close to nominal).
    """
    point = np.expm1(np.mean([np.log1p(d.point) for d in draws], axis=0))
    qz = np.mean([np.log1p(d.quantiles) for d in draws], axis=0)
    return baselines.finish(point, qz)


def _first_observed(spec: SeriesSpec) -> np.datetime64:
    return spec.dates[~np.isnan(spec.values)][0]


def _autoets(y: np.ndarray, steps: int, season: int) -> Draw:
    return autoets_forecast(y, steps, season)


def _with_fallback(requested: str, dates: np.ndarray, y: np.ndarray, filled: np.ndarray,
                   steps: int, spec: SeriesSpec, seed: int) -> tuple[Draw, str, str]:
    """Run ``requested`` or the first fallback the history supports; never raises on a
    history with at least one observation."""
    method = requested
    reasons: list[str] = []
    have = int((~np.isnan(y)).sum())
    while True:
        need = MIN_LENGTH[spec.freq][method]
        if have < need:
            reasons.append(f"{method} needs {need} observations, the history has {have}")
        else:
            try:
                draw, note = _run(method, dates, y, filled, steps, spec, seed)
                return draw, method, "; ".join([*reasons, note] if note else reasons)
            except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
                if method == "climatology":
                    raise
                reasons.append(f"{method} failed ({exc})")
        method = FALLBACK[method]


def _check_origin_gap(spec: SeriesSpec, origin: np.datetime64) -> None:
    """An origin far past the data forecasts from stale data: refuse it (bound declared in
    :data:`twin.plausibility.BOUNDS`; the forecast command reports it with exit 2)."""
    bound = BOUNDS["forecast.origin_after_data"]
    last = spec.dates[-1].astype("datetime64[D]")
    days = int((origin.astype("datetime64[D]") - last).astype(np.int64))
    if days > bound.high:
        raise ValueError(  # a ValueError: it crosses Dask workers intact
            f"--origin: expected an origin within {bound.high:.0f} {bound.unit} {last} of "
            f"{spec.source or spec.name} ({bound.reason}), found {origin}, {days} days after it"
        )


def normalise_origin(origin: object, freq: Freq) -> np.datetime64:
    """An origin as ``datetime64[D]``; monthly origins must be the first of a month."""
    o = np.datetime64(str(origin)[:10], "D") if not isinstance(origin, np.datetime64) else (
        np.datetime64(origin, "D"))
    if freq == "MS" and o != o.astype("datetime64[M]").astype("datetime64[D]"):
        raise ValueError(f"a monthly origin must be the first day of a month, not {o}")
    return o


def forecast_series(
    spec: SeriesSpec,
    method: str = "prophet",
    horizon: int = 28,
    origin: object = None,
    seed: int = DEFAULT_SEED,
    warn: bool = True,
) -> Forecast:
    """Forecast ``horizon`` steps (days or months) of ``spec`` from ``origin``.

    ``origin`` is the first forecast date; only observations strictly before it are used.
    By default it is the step after the last observation. An origin further in the future
    is allowed: the engine forecasts through the gap and returns the dates from ``origin``
    on (intervals then include the extra distance). An origin at or before the first
    observation raises :class:`DataError` (nothing to learn from).
    """
    if method not in METHODS and method != "climatology":
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, not {horizon}")
    freq = spec.freq
    o = (future_dates(spec.dates[-1], freq, 1)[0] if origin is None
         else normalise_origin(origin, freq))
    keep = (spec.dates < o) & ~np.isnan(spec.values)
    if not keep.any():
        raise DataError.single(spec.source or f"series {spec.name}",
                               f"observations before the origin {o} in series {spec.name}",
                               f"a first observation on {_first_observed(spec)}")
    _check_origin_gap(spec, o)
    last = int(np.flatnonzero(keep)[-1])  # trailing missing days: forecast through them
    dates, y = spec.dates[:last + 1], spec.values[:last + 1]
    start, filled = usable_history(y)
    dates, y = dates[start:], y[start:]
    unit = "D" if freq == "D" else "M"
    gap = int((o.astype(f"datetime64[{unit}]") - dates[-1].astype(f"datetime64[{unit}]"))
              .astype(np.int64)) - 1
    steps = gap + horizon
    seed_i = task_seed(seed, "forecast", method, spec.name, str(o))
    draw, used, note = _with_fallback(method, dates, y, filled, steps, spec, seed_i)
    sl = slice(gap, steps)
    point, q = draw.point[sl], draw.quantiles[sl]
    total_q = q.sum(axis=0)  # comonotone, conservative: see forecasting.baselines
    fc = Forecast(spec.name, o, future_dates(dates[-1], freq, steps)[sl], point, q,
                  float(point.sum()), total_q, method, used, note)
    if warn and fc.fell_back:
        warnings.warn(fallback_message(fc), ShortSeriesWarning, stacklevel=2)
    return fc


def fallback_message(fc: Forecast) -> str:
    return (f"series {fc.name}, origin {fc.origin}: {fc.requested} replaced by {fc.method} "
            f"({fc.note})")
