"""One series to forecast, validated once, and the shape of a forecast.

Every forecaster in :mod:`forecasting` works on a :class:`SeriesSpec`: a regular, ordered,
gap-free series of non-negative counts (daily ED passages, monthly boxes dispensed) plus
the calendar context it needs (which départements it covers, for holidays). Checking the
series here, once, is what lets the engines stay simple: they never meet a duplicated day,
a negative count or a hole that would silently shift a weekly lag.

Missing values are explicit, never implied: a real series (the Santé publique France
regional file) has days the publisher left empty (Martinique), days between two snapshots
and provisional days. Such a series is built with ``missing_ok=True`` and carries every
calendar day, with ``NaN`` on the days without a usable count; the date sequence must still
be gap-free, so a lag of 7 is always the same weekday. Without ``missing_ok`` a ``NaN`` is
an error, as before. How the engines use a series with missing days:
:func:`forecasting.engine.forecast_series` (see :func:`usable_history`).

A bad series raises :class:`~twin.errors.DataError` naming the file (or, for a table built
in memory, the series), the line when the values came from a file, the field (``date`` or
``value``), what was expected and what was found: the same contract as the loaders, so the
CLI reports it and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from typing import Literal

import numpy as np

from twin.errors import DataError, ProblemCollector

Freq = Literal["D", "MS"]
"""``D`` daily series (ED passages), ``MS`` monthly series dated on the first of the month."""

QUANTILES: tuple[float, ...] = (0.025, 0.1, 0.5, 0.9, 0.975)
"""Predictive quantiles every method returns: the 95 % interval (2.5-97.5), the 80 %
interval (10-90) and the median. Fixed so that results of all methods stack in one array."""

INTERVALS: dict[str, tuple[float, float]] = {"80": (0.1, 0.9), "95": (0.025, 0.975)}

_MAX_LISTED = 10


@dataclass(frozen=True)
class SeriesSpec:
    """A validated series and its context (pickled to Dask workers as is).

    ``name`` must be unique and stable (it seeds the random stream of the series, so two
    runs give the same draws whatever the order or number of workers). ``deps`` are the
    départements the series covers (one for a département, all of a région for a régional
    total; empty for series without a French calendar, such as a medicine by région), with
    ``weights`` their share of the series (used to turn per-département school holidays into
    a share of the series on holiday). ``lines`` (constructor only) gives the file line of
    each value so that a problem can be located in the file.
    """

    name: str
    freq: Freq
    dates: np.ndarray
    values: np.ndarray
    territory: str = ""
    level: str = ""
    group: str = "all"
    deps: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    source: str = ""
    lines: InitVar[Sequence[int] | None] = None
    units: str = field(default="count")
    missing_ok: bool = False

    def __post_init__(self, lines: Sequence[int] | None) -> None:
        dates, values = validate_series(
            self.dates, self.values, name=self.name, freq=self.freq, source=self.source,
            lines=lines, missing_ok=self.missing_ok,
        )
        object.__setattr__(self, "dates", dates)
        object.__setattr__(self, "values", values)
        if self.weights and len(self.weights) != len(self.deps):
            raise ValueError(f"series {self.name}: {len(self.weights)} weights for "
                             f"{len(self.deps)} départements")

    def __len__(self) -> int:
        return int(self.values.size)

    def with_values(self, values: np.ndarray) -> SeriesSpec:
        """The same series with other values (used to build corrupted copies in tests)."""
        return SeriesSpec(
            self.name, self.freq, self.dates, np.asarray(values, dtype=float), self.territory,
            self.level, self.group, self.deps, self.weights, self.source, None, self.units,
            self.missing_ok,
        )

    @property
    def n_missing(self) -> int:
        """Days (or months) without a usable count (``NaN``; only with ``missing_ok``)."""
        return int(np.isnan(self.values).sum())


def step(freq: Freq, n: int = 1) -> np.ndarray:
    """Offsets of ``n`` steps as ``datetime64`` arithmetic for daily or monthly series."""
    if freq == "D":
        return np.arange(1, n + 1).astype("timedelta64[D]")
    return np.arange(1, n + 1).astype("timedelta64[M]")


def future_dates(last: np.datetime64, freq: Freq, n: int) -> np.ndarray:
    """The ``n`` dates after ``last`` (daily, or first-of-month for monthly series)."""
    if freq == "D":
        return np.datetime64(last, "D") + step("D", n)
    month = np.datetime64(last, "M")
    return (month + step("MS", n)).astype("datetime64[D]")


def _locate(name: str, source: str) -> str:
    return source if source else f"series {name}"


def validate_series(
    dates: object,
    values: object,
    *,
    name: str,
    freq: Freq = "D",
    source: str = "",
    lines: Sequence[int] | None = None,
    missing_ok: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Check one series; return ``(dates as datetime64[D], values as float64)``.

    With ``missing_ok`` a ``NaN`` value is an explicit missing count (at least one value must
    be observed; trailing missing days, e.g. provisional ones, are allowed: forecasts then
    start after them); infinite values stay errors.

    Every problem is collected before raising, so an analyst sees them all in one pass:
    unequal lengths, an empty series, unreadable dates, missing or negative counts,
    duplicated dates, dates out of order, monthly dates not on the first of the month, and
    gaps in the daily (or monthly) sequence. Duplicates and disorder are reported before
    gaps because a gap count is meaningless in an unordered series.
    """
    if freq not in ("D", "MS"):
        raise ValueError(f"freq must be 'D' or 'MS', not {freq!r}")
    where = _locate(name, source)
    problems = ProblemCollector()
    try:
        d = np.asarray(dates, dtype="datetime64[D]")
    except (ValueError, TypeError) as exc:
        raise DataError.single(where, f"dates for series {name}", f"unreadable dates ({exc})",
                               column="date") from None
    v = np.asarray(values, dtype=float).ravel()
    d = d.ravel()
    line_of = (lambda i: int(lines[i])) if lines is not None else (lambda i: None)

    if d.size != v.size:
        raise DataError.single(where, f"as many dates as values in series {name}",
                               f"{d.size} dates and {v.size} values")
    if d.size == 0:
        raise DataError.single(where, f"at least one observation in series {name}",
                               "an empty series")
    for i in np.flatnonzero(np.isnat(d))[:20]:
        problems.add(where, f"a date in series {name}", "a missing date", line_of(i), "date")
    bad = np.isinf(v) if missing_ok else ~np.isfinite(v)
    for i in np.flatnonzero(bad)[:20]:
        problems.add(where, f"a count in series {name}", f"{v[i]!r}", line_of(i), "value")
    if missing_ok and v.size and np.isnan(v).all():
        problems.add(where, f"at least one observed count in series {name}",
                     f"all {v.size} values missing", None, "value")
    for i in np.flatnonzero(v < 0)[:20]:
        problems.add(where, f"a count >= 0 in series {name}", f"{v[i]:g} on {d[i]}",
                     line_of(i), "value")
    if freq == "MS":
        off = np.flatnonzero(~np.isnat(d) & (d != d.astype("datetime64[M]").astype(d.dtype)))
        for i in off[:20]:
            problems.add(where, f"monthly dates on the first day of the month in series {name}",
                         str(d[i]), line_of(i), "date")
    problems.raise_if_any()

    seen: dict[np.datetime64, int] = {}
    for i, day in enumerate(d):
        if day in seen:
            problems.add(where, f"one value per date in series {name}",
                         f"{day} repeated (first at position {seen[day] + 1})", line_of(i), "date")
            if len(problems.problems) >= 20:
                break
        else:
            seen[day] = i
    back = np.flatnonzero(d[1:] < d[:-1]) + 1
    for i in back[:20]:
        problems.add(where, f"dates in increasing order in series {name}",
                     f"{d[i]} after {d[i - 1]}", line_of(i), "date")
    problems.raise_if_any()

    unit = "D" if freq == "D" else "M"
    idx = d.astype(f"datetime64[{unit}]").astype(np.int64)
    expected_n = int(idx[-1] - idx[0]) + 1
    if expected_n != idx.size:
        full = np.arange(idx[0], idx[-1] + 1)
        missing = np.setdiff1d(full, idx).astype(f"datetime64[{unit}]")
        shown = ", ".join(str(m) for m in missing[:_MAX_LISTED])
        more = f" and {missing.size - _MAX_LISTED} more" if missing.size > _MAX_LISTED else ""
        kind = "daily" if freq == "D" else "monthly"
        problems.add(where, f"a {kind} series without gaps for {name}",
                     f"{missing.size} missing date(s): {shown}{more}", None, "date")
    problems.raise_if_any()
    return d, v


MAX_FILLED_RUN = 7
"""Longest run of missing days an engine bridges. Longer runs (the 2022 gap of the real
regional file: 323 days) end the usable history: only what follows the last such run is
used."""


def usable_history(y: np.ndarray, max_run: int = MAX_FILLED_RUN) -> tuple[int, np.ndarray]:
    """Where the usable history starts and a gap-filled copy of it, for model fitting.

    Returns ``(start, filled)``: ``start`` is the first index after the last run of more
    than ``max_run`` missing values (0 without one); ``filled`` is ``y[start:]`` with each
    shorter run of missing values replaced by the value one season-free week earlier
    (``filled[t - 7]``, already filled when itself missing; the first week falls back to
    the nearest observed value). Why a week: a missing Monday gets a Monday's level, so the
    weekly cycle the models estimate is not bent by the fill. Used only to *fit* state-space
    models that need a regular series; missing days are never scored, never shown as
    observed and never turned into zero.
    """
    y = np.asarray(y, dtype=float)
    miss = np.isnan(y)
    start = 0
    if miss.any():
        edges = np.diff(np.concatenate([[0], miss.astype(np.int8), [0]]))
        run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long_runs = run_ends[(run_ends - run_starts) > max_run]
        if long_runs.size:
            start = int(long_runs[-1])
    filled = y[start:].copy()
    if not np.isnan(filled).any():
        return start, filled
    observed = np.flatnonzero(~np.isnan(filled))
    for t in np.flatnonzero(np.isnan(filled)):
        if t >= 7 and not np.isnan(filled[t - 7]):
            filled[t] = filled[t - 7]
        elif observed.size:
            filled[t] = filled[observed[np.argmin(np.abs(observed - t))]]
    return start, filled
