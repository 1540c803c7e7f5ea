"""French public holidays (jours fériés) and school holidays, by département.

Emergency-department demand drops on public holidays to a Sunday-like level and children's
passages change during school holidays, so the synthetic SurSaUD series, the forecasts and
the simulation all need the same calendar. Everything here is computed or tabulated locally
(no network) so that runs stay reproducible.

Public holidays follow the Code du travail (art. L3133-1) for the whole country, plus the
local-law days of Alsace-Moselle (départements 57, 67, 68: Good Friday and 26 December) and
the abolition-of-slavery days of the overseas départements (law 83-550 and decree 83-1003:
Guadeloupe 27 May, Martinique 22 May, Guyane 10 June, La Réunion 20 December, Mayotte
27 April). Whit Monday is listed although many employers work it as the "journée de
solidarité": it is still a legal public holiday and EDs run it as one.

School holidays of the mainland zones A/B/C are the Ministry of Education's official
calendars (``data.education.gouv.fr`` dataset ``fr-en-calendrier-scolaire``, arrêtés published
in the Journal officiel) as computed by the ``holidays`` package (``holidays.France``, school
category, subdivisions "Zone A/B/C"), which needs no network: its rules are code. Checked
(``tests/test_calendar_library.py``) day by day against our former hand transcription for the
school years 2018-2019 to 2025-2026: identical once its Ascension bridge is left out. Not
used, and why:

* ``holidays`` public holidays: identical to the table below for the nation, Alsace-Moselle,
  Guyane, La Réunion and Mayotte (2015-2035), but it adds Good Friday, Mi-Carême and Victor
  Schoelcher day to Guadeloupe and Victor Schoelcher day to Martinique, which this model does
  not count (it keeps the Code du travail days and the decree 83-1003 abolition day), and
  its day names differ (they label the Prophet holiday effects): the 11 + local days stay
  computed here, and the test keeps the two in step;
* ``vacances-scolaires-france`` (offline too, zones A/B/C to 2028): it keeps the zoned
  spring 2021 dates that the COVID-19 single national break replaced, and differs by a day
  on the summer 2021 and 2022 breaks;
* neither package has Corsica's or the overseas académies' calendars (below).

Simplifications, stated rather than hidden:

* A period runs from the official "fin des cours" day (a Saturday, counted as a day off as
  most pupils have no Saturday class) or the day after a weekday end (July 2021, 2022) to
  the day before "reprise des cours"; the Ascension bridge days are not included.
* Spring 2021 uses the COVID-19 single national break (10-25 April 2021) that replaced the
  zoned dates; the spring 2020 lockdown school closure is *not* a holiday here.
* Corsica (2A, 2B) has its own calendar set by the rectorat: only the nationwide periods
  (Toussaint, Christmas, summer) are marked; its winter and spring breaks are not.
* Overseas départements have their own calendars, not tabulated here. A coarse rule marks
  Christmas-New Year and a mainland-like summer for Guadeloupe, Martinique and Guyane, and
  the austral long break (20 December-19 January) plus a mid-year break (6 July-15 August)
  for La Réunion and Mayotte. Expect errors of a week or more there.
* Outside 2018-09-01 .. 2026-08-31 no school holiday is known: asking raises ``ValueError``
  instead of silently answering "no holiday". (``holidays`` computes later years by rule;
  moving :data:`SCHOOL_CALENDAR_END` on means checking them against the published arrêtés.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from typing import Literal

import holidays
import numpy as np
import pandas as pd

from twin.geography import normalise_dep

Zone = Literal["A", "B", "C"]

ALSACE_MOSELLE = ("57", "67", "68")

# Abolition of slavery day per overseas département (month, day).
ABOLITION_DAYS: dict[str, tuple[int, int]] = {
    "971": (5, 27),
    "972": (5, 22),
    "973": (6, 10),
    "974": (12, 20),
    "976": (4, 27),
}

_FIXED: tuple[tuple[int, int, str], ...] = (
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
)


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian / Meeus-Jones-Butcher algorithm)."""
    if year < 1583:
        raise ValueError(f"the Gregorian Easter rule applies from 1583, not {year}")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int, dep: str | None = None) -> dict[date, str]:
    """The public holidays of ``year`` (date → French name), sorted by date.

    ``dep=None`` gives the 11 nationwide days; a département code (any spelling
    :func:`~twin.geography.normalise_dep` accepts) adds its local days.
    """
    easter = easter_sunday(year)
    days: dict[date, str] = {date(year, m, d): name for m, d, name in _FIXED}
    days[easter + timedelta(days=1)] = "Lundi de Pâques"
    days[easter + timedelta(days=39)] = "Ascension"
    days[easter + timedelta(days=50)] = "Lundi de Pentecôte"
    if dep is not None:
        code = normalise_dep(dep)
        if code in ALSACE_MOSELLE:
            days[easter - timedelta(days=2)] = "Vendredi saint"
            days[date(year, 12, 26)] = "Saint Étienne"
        if code in ABOLITION_DAYS:
            m, d = ABOLITION_DAYS[code]
            days.setdefault(date(year, m, d), "Abolition de l'esclavage")
    return dict(sorted(days.items()))


def _as_days(dates: object) -> np.ndarray:
    """Any date-like value or collection → ``datetime64[D]`` array (time of day dropped)."""
    if isinstance(dates, (str, date, np.datetime64, pd.Timestamp)):
        dates = [dates]
    elif not isinstance(dates, (pd.Series, pd.Index, np.ndarray)):
        dates = list(dates)  # type: ignore[call-overload]
    idx = pd.DatetimeIndex(pd.to_datetime(dates))
    return idx.to_numpy().astype("datetime64[D]")


@cache
def _holiday_array(years: tuple[int, ...], dep: str | None) -> np.ndarray:
    return np.array(
        [np.datetime64(d, "D") for y in years for d in public_holidays(y, dep)],
        dtype="datetime64[D]",
    )


def is_public_holiday(dates: object, dep: str | None = None) -> np.ndarray:
    """Boolean array: is each date a public holiday (in ``dep`` when given)?"""
    days = _as_days(dates)
    if days.size == 0:
        return np.zeros(0, dtype=bool)
    if np.isnat(days).any():
        raise ValueError("dates contain missing values")
    years = days.astype("datetime64[Y]").astype(int) + 1970
    key = None if dep is None else normalise_dep(dep)
    hol = _holiday_array(tuple(range(int(years.min()), int(years.max()) + 1)), key)
    return np.isin(days, hol)


# --- school holidays -----------------------------------------------------------------------

_ACADEMY_DEPS: dict[Zone, tuple[str, ...]] = {
    # Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon, Poitiers
    "A": (
        "25", "39", "70", "90", "24", "33", "40", "47", "64", "03", "15", "43", "63",
        "21", "58", "71", "89", "07", "26", "38", "73", "74", "19", "23", "87",
        "01", "42", "69", "16", "17", "79", "86",
    ),
    # Aix-Marseille, Amiens, Lille, Nancy-Metz, Nantes, Nice, Normandie, Orléans-Tours,
    # Reims, Rennes, Strasbourg
    "B": (
        "04", "05", "13", "84", "02", "60", "80", "59", "62", "54", "55", "57", "88",
        "44", "49", "53", "72", "85", "06", "83", "14", "50", "61", "27", "76",
        "18", "28", "36", "37", "41", "45", "08", "10", "51", "52", "22", "29", "35", "56",
        "67", "68",
    ),
    # Créteil, Montpellier, Paris, Toulouse, Versailles
    "C": (
        "77", "93", "94", "11", "30", "34", "48", "66", "75",
        "09", "12", "31", "32", "46", "65", "81", "82", "78", "91", "92", "95",
    ),
}
_ZONE_OF: dict[str, Zone] = {d: z for z, deps in _ACADEMY_DEPS.items() for d in deps}

SCHOOL_CALENDAR_START = date(2018, 9, 1)
SCHOOL_CALENDAR_END = date(2026, 8, 31)


Periods = tuple[tuple[str, str], ...]


def _mainland_periods() -> tuple[Periods, dict[Zone, Periods]]:
    """School-holiday periods (first day off, last day off, ISO dates) that start and end
    within the school years kept here: those common to the three zones, and each zone's own
    (winter and spring). From ``holidays.France`` without the Ascension bridge."""
    years = range(SCHOOL_CALENDAR_START.year - 1, SCHOOL_CALENDAR_END.year + 1)
    per_zone: dict[Zone, list[tuple[str, str]]] = {}
    for zone in ("A", "B", "C"):
        cal = holidays.France(years=years, subdiv=f"Zone {zone}",
                              categories=(holidays.SCHOOL,), language="fr")
        days = sorted(d for d, name in cal.items() if "Ascension" not in name)
        periods: list[tuple[date, date]] = []
        for d in days:
            if periods and d == periods[-1][1] + timedelta(days=1):
                periods[-1] = (periods[-1][0], d)
            else:
                periods.append((d, d))
        per_zone[zone] = [(a.isoformat(), b.isoformat()) for a, b in periods
                          if a >= SCHOOL_CALENDAR_START and b <= SCHOOL_CALENDAR_END]
    common = [p for p in per_zone["A"] if p in per_zone["B"] and p in per_zone["C"]]
    zoned = {z: tuple(p for p in ps if p not in common) for z, ps in per_zone.items()}
    return tuple(common), zoned


# Periods common to every mainland zone, and the zoned winter and spring breaks:
# (first day off, last day off), both inclusive.
_COMMON, _ZONED = _mainland_periods()

# Coarse overseas rules (month, day) → (month, day), applied every year; see module docstring.
_OVERSEAS_NORTH = (((12, 20), (12, 31)), ((1, 1), (1, 3)), ((7, 6), (8, 31)))
_OVERSEAS_AUSTRAL = (((12, 20), (12, 31)), ((1, 1), (1, 19)), ((7, 6), (8, 15)))
_OVERSEAS_RULE = {
    "971": _OVERSEAS_NORTH, "972": _OVERSEAS_NORTH, "973": _OVERSEAS_NORTH,
    "974": _OVERSEAS_AUSTRAL, "976": _OVERSEAS_AUSTRAL,
}


def school_holiday_zone(dep: str) -> Zone | None:
    """Zone A, B or C of a mainland département; ``None`` for Corsica and overseas.

    Raises ``KeyError`` for a code that is not one of the 101 départements, so that a typo
    is not mistaken for "no zone".
    """
    code = normalise_dep(dep)
    if code in _ZONE_OF:
        return _ZONE_OF[code]
    if code in ("2A", "2B") or code in _OVERSEAS_RULE:
        return None
    raise KeyError(f"unknown département code {dep!r}")


def _ranges(periods: Iterable[tuple[str, str]]) -> np.ndarray:
    out = [
        np.arange(np.datetime64(a, "D"), np.datetime64(b, "D") + np.timedelta64(1, "D"))
        for a, b in periods
    ]
    return np.concatenate(out) if out else np.zeros(0, dtype="datetime64[D]")


@cache
def _school_days_off(code: str) -> np.ndarray:
    """Every school-holiday day known for a département, as sorted ``datetime64[D]``."""
    zone = school_holiday_zone(code)
    if zone is not None:
        return np.unique(np.concatenate([_ranges(_COMMON), _ranges(_ZONED[zone])]))
    if code in ("2A", "2B"):
        return np.unique(_ranges(_COMMON))
    periods = [
        (f"{y:04d}-{a[0]:02d}-{a[1]:02d}", f"{y:04d}-{b[0]:02d}-{b[1]:02d}")
        for y in range(SCHOOL_CALENDAR_START.year, SCHOOL_CALENDAR_END.year + 1)
        for a, b in _OVERSEAS_RULE[code]
    ]
    return np.unique(_ranges(periods))


def is_school_holiday(dates: object, dep: str) -> np.ndarray:
    """Boolean array: is each date within a school holiday of département ``dep``?

    Raises ``ValueError`` for dates outside the tabulated school years
    (:data:`SCHOOL_CALENDAR_START` .. :data:`SCHOOL_CALENDAR_END`).
    """
    days = _as_days(dates)
    if days.size == 0:
        return np.zeros(0, dtype=bool)
    lo, hi = np.datetime64(SCHOOL_CALENDAR_START), np.datetime64(SCHOOL_CALENDAR_END)
    if np.isnat(days).any() or days.min() < lo or days.max() > hi:
        raise ValueError(
            f"school holidays are tabulated from {SCHOOL_CALENDAR_START} to "
            f"{SCHOOL_CALENDAR_END} only"
        )
    code = normalise_dep(dep)
    school_holiday_zone(code)  # KeyError for an unknown département
    return np.isin(days, _school_days_off(code))
