"""Observed values to set beside the simulation: SurSaUD ED passages and SAE capacities.

Statistical secrecy: a value that the source leaves empty (masked or not reported) is never
turned into a number. Every observed value travels as an :class:`Observed` pair — a float
that is NaN when masked, and the text shown to the user — and the figure builders draw
masked territories from the text alone. Counts of patients from 1 to 9 are shown as
``"< 10"`` (the threshold of the publishers, see the data reference), never as the count.

Which observed series goes with which indicator:

* ``ed_passages`` ← SurSaUD daily all-cause passages (all ages). For simulated days outside
  the file's years, the same weekday of the file's last year is used (a 364-day shift, as
  the network calibration does), and the label says which days were used.
* ``mco_capacity`` ← SAE ``MCO`` full-hospitalisation beds (medicine, surgery, obstetrics).
* ``icu_capacity`` ← SAE ``REA`` adult intensive-care beds (unit ``REAADU``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard import frenchfmt as fr
from twin.sources import sae, sursaud

SMALL_COUNT = 10
MASKED = "secret statistique"
SMALL = "< 10"
DAYS_SHIFT = 364

OBSERVED_FOR = {
    "ed_passages": "Passages aux urgences observés (SurSaUD)",
    "mco_capacity": "Lits MCO (SAE)",
    "icu_capacity": "Lits de réanimation adulte (SAE)",
}


@dataclass(frozen=True)
class Observed:
    """One observed value: ``value`` is NaN whenever ``text`` is a masking label."""

    value: float
    text: str

    @property
    def masked(self) -> bool:
        return self.text in (MASKED, SMALL)


def masked_count(value: float | None, decimals: int = 0, persons: bool = True) -> Observed:
    """A published count as shown: empty → secret statistique; 1–9 persons → ``< 10``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Observed(math.nan, MASKED)
    if persons and 0 < value < SMALL_COUNT:
        return Observed(math.nan, SMALL)
    return Observed(float(value), fr.number(value, decimals))


def sum_with_secrecy(values: pd.Series, persons: bool = False) -> Observed:
    """A territory total: masked if every contributing cell is empty (nothing published),
    else the sum of the published cells (empty cells are not read as zero: they are left
    out and the text says how many)."""
    reported = values.dropna()
    if reported.empty:
        return Observed(math.nan, MASKED)
    total = float(reported.sum())
    shown = masked_count(total, persons=persons)
    missing = int(values.isna().sum())
    if missing and not shown.masked:
        return Observed(total, f"{shown.text} ({missing} case(s) non diffusée(s))")
    return shown


@lru_cache(maxsize=4)
def sursaud_daily() -> pd.DataFrame:
    """The replica's daily ED passages, all ages (cached: every page reads it)."""
    return sursaud.load_ed_daily_all_ages()


def observed_days(dates: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, int]:
    """The SurSaUD days standing for ``dates`` and the shift applied (0 or a multiple of 364
    days), so that weekdays line up."""
    daily = sursaud_daily()
    first, last = daily["date"].min(), daily["date"].max()
    shift = 0
    while dates.max() - pd.to_timedelta(shift, unit="D") > last:
        shift += DAYS_SHIFT
    while dates.min() - pd.to_timedelta(shift, unit="D") < first and shift > 0:
        shift -= DAYS_SHIFT
    return dates - pd.to_timedelta(shift, unit="D"), shift


def ed_daily(dep: str, dates: pd.DatetimeIndex) -> tuple[list[Observed], int]:
    """Observed daily passages of one département for the simulated ``dates``."""
    daily = sursaud_daily()
    days, shift = observed_days(dates)
    sub = daily[daily["dep"] == dep].set_index("date")["passages"]
    return [masked_count(sub.get(d, np.nan)) for d in days], shift


def ed_mean(deps_by_territory: dict[str, list[str]], dates: pd.DatetimeIndex
            ) -> tuple[dict[str, Observed], int]:
    """Mean observed passages per day over ``dates`` for each territory."""
    daily = sursaud_daily()
    days, shift = observed_days(dates)
    sub = daily[daily["date"].isin(days)]
    by_dep = sub.groupby("dep")["passages"].agg(["sum", "count"])
    out = {}
    for code, deps in deps_by_territory.items():
        rows = by_dep.reindex(deps)
        if rows["count"].isna().any() or (rows["count"] < len(days)).any():
            out[code] = Observed(math.nan, MASKED)
            continue
        out[code] = masked_count(float(rows["sum"].sum()) / len(days), decimals=1)
    return out, shift


@lru_cache(maxsize=8)
def _sae_beds(year: int, kind: str) -> pd.DataFrame:
    if kind == "mco_capacity":
        return sae.load_mco(year)[["finess", "dep", "reg", "beds"]]
    cc = sae.load_critical_care(year)
    return cc[cc["unit_code"] == "REAADU"][["finess", "dep", "reg", "beds"]]


def sae_year(dates: pd.DatetimeIndex) -> int:
    """The SAE year for a simulated period: its own year if embedded, else the nearest."""
    years = sae.available_years()
    y = int(dates[0].year)
    return min(years, key=lambda a: (abs(a - y), -a))


def capacity(kind: str, deps_by_territory: dict[str, list[str]], year: int
             ) -> dict[str, Observed]:
    """SAE beds per territory (``mco_capacity`` or ``icu_capacity``)."""
    beds = _sae_beds(year, kind)
    out = {}
    for code, deps in deps_by_territory.items():
        cells = beds.loc[beds["dep"].isin(deps), "beds"]
        out[code] = sum_with_secrecy(cells) if len(cells) else Observed(0.0, "0")
    return out


def layer(indicator: str, deps_by_territory: dict[str, list[str]], dates: pd.DatetimeIndex
          ) -> tuple[dict[str, Observed], str] | None:
    """The observed values for ``indicator`` and a French caption, or None if there is none."""
    if indicator == "ed_passages":
        values, shift = ed_mean(deps_by_territory, dates)
        days, _ = observed_days(dates)
        note = f"{OBSERVED_FOR[indicator]}, moyenne par jour {fr.period(days[0], days[-1])}"
        if shift:
            note += f" (mêmes jours de semaine, {shift} jours plus tôt que la simulation)"
        return values, note
    if indicator in ("mco_capacity", "icu_capacity"):
        year = sae_year(dates)
        return capacity(indicator, deps_by_territory, year), f"{OBSERVED_FOR[indicator]} {year}"
    return None
