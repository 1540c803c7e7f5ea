"""French public and school holidays: known dates, local days, zones and table sanity."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from twin.calendar import (
    _COMMON,
    _ZONED,
    SCHOOL_CALENDAR_END,
    SCHOOL_CALENDAR_START,
    easter_sunday,
    is_public_holiday,
    is_school_holiday,
    public_holidays,
    school_holiday_zone,
)
from twin.geography import departements


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, date(2019, 4, 21)),
        (2020, date(2020, 4, 12)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2000, date(2000, 4, 23)),
        (1818, date(1818, 3, 22)),  # earliest possible date
        (2038, date(2038, 4, 25)),  # latest possible date
    ],
)
def test_easter_sunday_known_dates(year: int, easter: date):
    assert easter_sunday(year) == easter


def test_movable_and_fixed_national_holidays():
    h2024 = public_holidays(2024)
    assert h2024[date(2024, 4, 1)] == "Lundi de Pâques"
    assert h2024[date(2024, 5, 9)] == "Ascension"
    assert h2024[date(2024, 5, 20)] == "Lundi de Pentecôte"
    assert public_holidays(2023)[date(2023, 5, 18)] == "Ascension"
    assert len(h2024) == 11
    for year in range(2015, 2031):
        days = public_holidays(year)
        assert len(days) == 11, year
        assert date(year, 7, 14) in days
        assert date(year, 12, 26) not in days
        assert list(days) == sorted(days)


def test_alsace_moselle_has_good_friday_and_saint_etienne():
    for dep in ("57", "67", "68"):
        days = public_holidays(2024, dep)
        assert date(2024, 12, 26) in days
        assert date(2024, 3, 29) in days  # Good Friday 2024
        assert len(days) == 13
    assert date(2024, 12, 26) not in public_holidays(2024, "75")
    assert date(2024, 3, 29) not in public_holidays(2024, "54")  # Meurthe-et-Moselle is not


def test_overseas_abolition_days_and_sae_spelling():
    expected = {
        "971": date(2024, 5, 27),
        "972": date(2024, 5, 22),
        "973": date(2024, 6, 10),
        "974": date(2024, 12, 20),
        "976": date(2024, 4, 27),
    }
    for dep, day in expected.items():
        assert day in public_holidays(2024, dep), dep
        others = set(expected.values()) - {day}
        assert not others & set(public_holidays(2024, dep)), dep
    assert date(2024, 5, 27) in public_holidays(2024, "9A")  # SAE code for Guadeloupe


def test_is_public_holiday_vectorised_and_input_types():
    days = pd.date_range("2024-03-30", "2024-04-02")
    assert is_public_holiday(days).tolist() == [False, False, True, False]
    assert is_public_holiday([date(2024, 12, 26)], "67").tolist() == [True]
    assert is_public_holiday([date(2024, 12, 26)], "75").tolist() == [False]
    assert is_public_holiday(pd.Series(["2023-07-14", "2023-07-13"])).tolist() == [True, False]
    # spans several years
    span = pd.date_range("2019-01-01", "2024-12-31")
    flags = is_public_holiday(span)
    assert flags.sum() == 6 * 11
    assert flags.dtype == bool and flags.shape == (len(span),)


def test_school_holiday_zones():
    assert school_holiday_zone("75") == "C"
    assert school_holiday_zone("69") == "A"
    assert school_holiday_zone("13") == "B"
    assert school_holiday_zone("67") == "B"
    assert school_holiday_zone("33") == "A"
    assert school_holiday_zone("31") == "C"
    assert school_holiday_zone("2A") is None
    assert school_holiday_zone("974") is None
    assert school_holiday_zone("9D") is None
    with pytest.raises(KeyError):
        school_holiday_zone("99")
    zones = [school_holiday_zone(d) for d in departements().index]
    assert zones.count(None) == 7  # Corsica (2) + overseas (5)
    assert {z for z in zones if z} == {"A", "B", "C"}
    assert zones.count("C") == 21  # Créteil, Montpellier, Paris, Toulouse, Versailles


def test_is_school_holiday_known_dates():
    paris, lyon, marseille = "75", "69", "13"
    # Winter 2024: C from 10 Feb, A from 17 Feb, B from 24 Feb (two weeks each).
    assert is_school_holiday(["2024-02-12"], paris).tolist() == [True]
    assert is_school_holiday(["2024-02-12"], lyon).tolist() == [False]
    assert is_school_holiday(["2024-02-19"], lyon).tolist() == [True]
    assert is_school_holiday(["2024-03-04"], marseille).tolist() == [True]
    assert is_school_holiday(["2024-03-04"], lyon).tolist() == [False]
    # Common periods and ordinary school days.
    for dep in (paris, lyon, marseille, "2A"):
        assert is_school_holiday(["2023-12-25", "2024-08-01"], dep).all()
        assert not is_school_holiday(["2024-03-12", "2023-10-10"], dep).any()
    # Spring 2021: single national COVID break.
    assert all(is_school_holiday(["2021-04-15"], d)[0] for d in (paris, lyon, marseille))
    # Austral calendar: La Réunion is off in mid-January, Paris is not.
    assert is_school_holiday(["2024-01-15"], "974").tolist() == [True]
    assert is_school_holiday(["2024-01-15"], paris).tolist() == [False]


def test_school_holiday_outside_table_raises():
    with pytest.raises(ValueError, match="tabulated"):
        is_school_holiday(["2027-02-15"], "75")
    with pytest.raises(ValueError, match="tabulated"):
        is_school_holiday([SCHOOL_CALENDAR_START - timedelta(days=1)], "75")
    assert is_school_holiday([SCHOOL_CALENDAR_END], "75").tolist() == [True]


def test_school_table_is_consistent():
    """Zoned breaks start on a Saturday and last 16 days (17 when they end on Easter
    Monday or 1/8 May); zones are staggered; periods are ordered and do not overlap."""
    for zone, periods in _ZONED.items():
        for a, b in periods:
            start, end = date.fromisoformat(a), date.fromisoformat(b)
            assert start.weekday() == 5, (zone, a)
            assert (end - start).days + 1 in (16, 17), (zone, a, b)
    for year_breaks in zip(*_ZONED.values(), strict=True):
        assert len({a for a, _ in year_breaks}) == 3  # three different start dates
    common = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in _COMMON]
    for (a1, b1), (a2, _) in pairwise(common):
        assert a1 <= b1 < a2
    # Summer breaks are about eight weeks.
    for a, b in common:
        if a.month == 7:
            assert 54 <= (b - a).days + 1 <= 61, a


def test_school_holiday_share_is_plausible():
    days = pd.date_range("2019-01-01", "2024-12-31")
    for dep in ("75", "69", "13"):
        share = float(np.mean(is_school_holiday(days, dep)))
        assert 0.28 < share < 0.36, (dep, share)  # about 16 weeks off a year
