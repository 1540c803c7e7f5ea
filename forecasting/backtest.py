"""Rolling-origin backtests and the accuracy metrics an analyst reads.

Design: for each origin ``o`` (by default every 28 days over 2023-2024 on daily series),
every method forecasts days ``o .. o + horizon - 1`` from the observations strictly before
``o`` (through :func:`forecasting.engine.forecast_series`, the same code path as production
forecasts), and the forecasts are compared with what happened. Origins whose horizon runs
past the end of the data are skipped rather than scored on a partial window.

Metrics (per method, per horizon ``h`` or band of horizons, pooled over series and origins):

* **MASE**: ``|y - ŷ| / scale``, where ``scale`` is the in-sample MAE of the *weekday
  naive* one-step-season forecast, ``mean |y_t - y_{t-7}|`` over the last 1,095 days before
  the origin (monthly series: same month last year, ``|y_t - y_{t-12}|``, over up to 120
  months). Computed from the training data only, so it leaks nothing. Below 1: better than
  the in-sample weekday naive; the weekday naive itself scores about 1 at horizons 1-7.
* **relative MAE**: the method's summed absolute errors over the weekday naive's on exactly
  the same (series, origin, horizon) cells: the "skill" an analyst usually asks about.
* **sMAPE** (%): ``200 |y - ŷ| / (|y| + |ŷ|)``, 0 when both are 0.
* **coverage** of the 80 % and 95 % intervals: share of cells where ``q10 <= y <= q90``
  (resp. ``q2.5 <= y <= q97.5``); nominal 0.80 / 0.95. Also for the *total* over the whole
  horizon (the "next four weeks" figure shown by the CLI).

Missing days (series built with ``missing_ok``: the real regional file) are never scored:
an actual that is missing leaves its cell out of every metric (``n`` counts scored cells),
the MASE scale uses the lag-7 differences where both days are observed, and the total over
the horizon is only scored when every day of it is observed.

Everything here is pure (arrays in, arrays or tables out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.engine import DEFAULT_SEED, forecast_series, normalise_origin
from forecasting.series import QUANTILES, Freq, SeriesSpec

SCALE_LAG: dict[Freq, int] = {"D": 7, "MS": 12}
SCALE_WINDOW: dict[Freq, int] = {"D": 1095, "MS": 120}
HORIZONS = (1, 7, 28)
BANDS = ((1, 7), (1, 28))
_Q = {q: i for i, q in enumerate(QUANTILES)}


def rolling_origins(start: str, end: str, every: int = 28, freq: Freq = "D") -> list[str]:
    """Origins from ``start`` to ``end`` inclusive, every ``every`` days (or months)."""
    if freq == "D":
        idx = pd.date_range(start, end, freq=f"{every}D")
    else:
        idx = pd.date_range(start, end, freq=f"{every}MS")
    return [d.strftime("%Y-%m-%d") for d in idx]


def mase_scale(y_hist: np.ndarray, freq: Freq) -> float:
    """In-sample MAE of the weekday (or same-month) naive over the recent training window."""
    lag, window = SCALE_LAG[freq], SCALE_WINDOW[freq]
    y = np.asarray(y_hist, dtype=float)[-window:]
    if y.size <= lag:
        return float("nan")
    diffs = np.abs(y[lag:] - y[:-lag])
    diffs = diffs[np.isfinite(diffs)]
    if diffs.size == 0:
        return float("nan")
    scale = float(np.mean(diffs))
    return scale if scale > 0 else float("nan")


@dataclass(frozen=True)
class SeriesBacktest:
    """Backtest of one series: arrays indexed (method, origin, horizon[, quantile]).

    Cells of a method not run at an origin are NaN (``used`` is then ``""``).
    """

    name: str
    methods: tuple[str, ...]
    origins: np.ndarray
    actual: np.ndarray
    point: np.ndarray
    quantiles: np.ndarray
    total_actual: np.ndarray
    total_quantiles: np.ndarray
    scale: np.ndarray
    used: np.ndarray


def backtest_series(
    spec: SeriesSpec,
    origins: Sequence[str],
    horizon: int,
    methods: Sequence[str] | Mapping[str, Sequence[str]],
    seed: int = DEFAULT_SEED,
) -> SeriesBacktest:
    """Run every method at its origins (all ``origins`` unless a mapping restricts them).

    Origins not strictly after the first observation, or whose ``horizon`` is not fully
    observed, are dropped. Fallbacks (short history) are recorded in ``used``.
    """
    plan = ({m: list(origins) for m in methods} if not isinstance(methods, Mapping)
            else {m: list(o) for m, o in methods.items()})
    every = sorted({normalise_origin(o, spec.freq) for os_ in plan.values() for o in os_})
    first = spec.dates[np.isfinite(spec.values)][0]
    valid = [o for o in every
             if o > first and shift(o, spec.freq, horizon - 1) <= spec.dates[-1]]
    names = tuple(plan)
    n_m, n_o, n_q = len(names), len(valid), len(QUANTILES)
    actual = np.full((n_o, horizon), np.nan)
    scale = np.full(n_o, np.nan)
    point = np.full((n_m, n_o, horizon), np.nan)
    quant = np.full((n_m, n_o, horizon, n_q), np.nan)
    tot_q = np.full((n_m, n_o, n_q), np.nan)
    used = np.full((n_m, n_o), "", dtype=object)
    pos = {d: i for i, d in enumerate(spec.dates)}
    for j, o in enumerate(valid):
        start = pos[o]
        actual[j] = spec.values[start:start + horizon]
        scale[j] = mase_scale(spec.values[:start], spec.freq)
    for i, m in enumerate(names):
        wanted = {normalise_origin(o, spec.freq) for o in plan[m]}
        for j, o in enumerate(valid):
            if o not in wanted:
                continue
            fc = forecast_series(spec, m, horizon, origin=o, seed=seed, warn=False)
            point[i, j] = fc.point
            quant[i, j] = fc.quantiles
            tot_q[i, j] = fc.total_quantiles
            used[i, j] = fc.method
    return SeriesBacktest(spec.name, names, np.array(valid, dtype="datetime64[D]"), actual,
                          point, quant, actual.sum(axis=1), tot_q, scale, used)


def merge_backtests(parts: Sequence[SeriesBacktest]) -> SeriesBacktest:
    """One series' backtests of several runs (e.g. one method per run, timed apart) as one,
    methods in the order given. All parts must share the series and the origins."""
    first = parts[0]
    for p in parts[1:]:
        if p.name != first.name or not np.array_equal(p.origins, first.origins):
            raise ValueError(f"cannot merge backtests of {first.name} and {p.name}: "
                             "different series or origins")
    return SeriesBacktest(
        first.name, tuple(m for p in parts for m in p.methods), first.origins, first.actual,
        np.concatenate([p.point for p in parts]),
        np.concatenate([p.quantiles for p in parts]), first.total_actual,
        np.concatenate([p.total_quantiles for p in parts]), first.scale,
        np.concatenate([p.used for p in parts]))


def shift(day: np.datetime64, freq: Freq, k: int) -> np.datetime64:
    """``day`` moved ``k`` steps (days, or months for monthly series)."""
    if freq == "D":
        return day + np.timedelta64(k, "D")
    return (day.astype("datetime64[M]") + np.timedelta64(k, "M")).astype("datetime64[D]")


def _cells(results: Sequence[SeriesBacktest], method: str, common: bool):
    """Stack (series x origin) rows for one method, keeping rows where the method ran
    (and, with ``common``, where every method of that series ran)."""
    rows = []
    for r in results:
        if method not in r.methods:
            continue
        i = r.methods.index(method)
        ran = ~np.isnan(r.point[i]).all(axis=1)
        if common:
            ran &= np.all([~np.isnan(r.point[k]).all(axis=1) for k in range(len(r.methods))],
                          axis=0)
        if not ran.any():
            continue
        naive_pt = (r.point[r.methods.index("naive")][ran] if "naive" in r.methods
                    else np.full_like(r.actual[ran], np.nan))
        rows.append((r.actual[ran], r.point[i][ran], r.quantiles[i][ran], r.scale[ran],
                     r.total_actual[ran], r.total_quantiles[i][ran], naive_pt))
    if not rows:
        return None
    return [np.concatenate(parts) for parts in zip(*rows, strict=True)]


def metrics_table(
    results: Sequence[SeriesBacktest],
    horizons: Sequence[int] = HORIZONS,
    bands: Sequence[tuple[int, int]] = BANDS,
    common: bool = True,
) -> pd.DataFrame:
    """MASE, relative MAE vs weekday naive, sMAPE and coverage per method and horizon.

    Rows: one per method and horizon label (``"1"``, ``"7"``, ``"28"``, bands ``"1-7"``,
    ``"1-28"``, and ``"total"`` for the sum over the horizon: coverage only). ``n`` counts the
    (series, origin, horizon) cells pooled. With ``common`` (default) only (series, origin)
    pairs where every method ran are scored, so methods are compared on the same cells.
    """
    methods: list[str] = []
    for r in results:
        methods.extend(m for m in r.methods if m not in methods)
    rows = []
    for m in methods:
        c = _cells(results, m, common)
        if c is None:
            continue
        actual, point, quant, scale, tot_a, tot_q, naive_pt = c
        h_max = actual.shape[1]
        labels = [(str(h), h, h) for h in horizons if h <= h_max]
        labels += [(f"{a}-{b}", a, b) for a, b in bands if b <= h_max]
        for label, a, b in labels:
            sl = slice(a - 1, b)
            y, f, q = actual[:, sl], point[:, sl], quant[:, sl]
            seen = np.isfinite(y)
            err = np.abs(y - f)
            denom = np.abs(y) + np.abs(f)
            smape = np.where(denom > 0, 200 * err / np.where(denom > 0, denom, 1), 0.0)
            naive_err = np.abs(y - naive_pt[:, sl])
            scaled = err[np.isfinite(scale)] / scale[np.isfinite(scale), None]
            scaled = scaled[np.isfinite(scaled)]
            naive_sum = float(np.nansum(naive_err))
            rows.append({
                "method": m, "horizon": label,
                "mase": float(scaled.mean()) if scaled.size else float("nan"),
                "rel_mae_vs_naive": float(np.nansum(err)) / naive_sum
                if naive_sum > 0 else float("nan"),
                "smape": float(np.mean(smape[seen])) if seen.any() else float("nan"),
                "coverage_80": _cover(y, q, "80"),
                "coverage_95": _cover(y, q, "95"),
                "n": int(seen.sum()),
            })
        rows.append({
            "method": m, "horizon": "total", "mase": float("nan"),
            "rel_mae_vs_naive": float("nan"), "smape": float("nan"),
            "coverage_80": _cover(tot_a[:, None], tot_q[:, None, :], "80"),
            "coverage_95": _cover(tot_a[:, None], tot_q[:, None, :], "95"),
            "n": int(np.isfinite(tot_a).sum()),
        })
    return pd.DataFrame(rows)


def _cover(y: np.ndarray, q: np.ndarray, level: str) -> float:
    lo, hi = {"80": (0.1, 0.9), "95": (0.025, 0.975)}[level]
    seen = np.isfinite(y)
    if not seen.any():
        return float("nan")
    inside = (q[..., _Q[lo]] <= y) & (y <= q[..., _Q[hi]])
    return float(np.mean(inside[seen]))
