"""The `holidays` package against our own transcriptions (see the twin.calendar docstring).

The mainland school holidays come from ``holidays.France``; this test holds it to the dates
we transcribed by hand from the official calendars for 2018-2019 … 2025-2026, so a package
upgrade that changed one day would fail here. Public holidays stay computed by twin.calendar;
the package is the independent check of those."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from twin.calendar import _COMMON, _ZONED, public_holidays

# Our former hand transcription of the official calendars (arrêtés, data.education.gouv.fr),
# kept as the oracle of the `holidays` package: (first day off, last day off), inclusive.
TRANSCRIBED_COMMON: tuple[tuple[str, str], ...] = (
    ("2018-10-20", "2018-11-04"), ("2018-12-22", "2019-01-06"), ("2019-07-06", "2019-09-01"),
    ("2019-10-19", "2019-11-03"), ("2019-12-21", "2020-01-05"), ("2020-07-04", "2020-08-31"),
    ("2020-10-17", "2020-11-01"), ("2020-12-19", "2021-01-03"), ("2021-04-10", "2021-04-25"),
    ("2021-07-07", "2021-09-01"),
    ("2021-10-23", "2021-11-07"), ("2021-12-18", "2022-01-02"), ("2022-07-08", "2022-08-31"),
    ("2022-10-22", "2022-11-06"), ("2022-12-17", "2023-01-02"), ("2023-07-08", "2023-09-03"),
    ("2023-10-21", "2023-11-05"), ("2023-12-23", "2024-01-07"), ("2024-07-06", "2024-09-01"),
    ("2024-10-19", "2024-11-03"), ("2024-12-21", "2025-01-05"), ("2025-07-05", "2025-08-31"),
    ("2025-10-18", "2025-11-02"), ("2025-12-20", "2026-01-04"), ("2026-07-04", "2026-08-31"),
)

# Zoned winter and spring breaks.
TRANSCRIBED_ZONED: dict[str, tuple[tuple[str, str], ...]] = {
    "A": (
        ("2019-02-16", "2019-03-03"), ("2019-04-13", "2019-04-28"),
        ("2020-02-22", "2020-03-08"), ("2020-04-18", "2020-05-03"),
        ("2021-02-06", "2021-02-21"),
        ("2022-02-12", "2022-02-27"), ("2022-04-16", "2022-05-01"),
        ("2023-02-04", "2023-02-19"), ("2023-04-08", "2023-04-23"),
        ("2024-02-17", "2024-03-03"), ("2024-04-13", "2024-04-28"),
        ("2025-02-22", "2025-03-09"), ("2025-04-19", "2025-05-04"),
        ("2026-02-07", "2026-02-22"), ("2026-04-04", "2026-04-19"),
    ),
    "B": (
        ("2019-02-09", "2019-02-24"), ("2019-04-06", "2019-04-22"),
        ("2020-02-15", "2020-03-01"), ("2020-04-11", "2020-04-26"),
        ("2021-02-20", "2021-03-07"),
        ("2022-02-05", "2022-02-20"), ("2022-04-09", "2022-04-24"),
        ("2023-02-11", "2023-02-26"), ("2023-04-15", "2023-05-01"),
        ("2024-02-24", "2024-03-10"), ("2024-04-20", "2024-05-05"),
        ("2025-02-08", "2025-02-23"), ("2025-04-05", "2025-04-21"),
        ("2026-02-14", "2026-03-01"), ("2026-04-11", "2026-04-26"),
    ),
    "C": (
        ("2019-02-23", "2019-03-10"), ("2019-04-20", "2019-05-05"),
        ("2020-02-08", "2020-02-23"), ("2020-04-04", "2020-04-19"),
        ("2021-02-13", "2021-02-28"),
        ("2022-02-19", "2022-03-06"), ("2022-04-23", "2022-05-08"),
        ("2023-02-18", "2023-03-05"), ("2023-04-22", "2023-05-08"),
        ("2024-02-10", "2024-02-25"), ("2024-04-06", "2024-04-21"),
        ("2025-02-15", "2025-03-02"), ("2025-04-12", "2025-04-27"),
        ("2026-02-21", "2026-03-08"), ("2026-04-18", "2026-05-03"),
    ),
}


def test_school_periods_equal_the_transcribed_official_calendars():
    assert _COMMON == TRANSCRIBED_COMMON
    assert _ZONED == TRANSCRIBED_ZONED


# Départements with local days, and the package's subdivision code for each.
SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE", "971": "971", "972": "972",
                "973": "973", "974": "974", "976": "976"}
# Days the package adds that this model does not count (not Code du travail or decree 83-1003).
NOT_COUNTED = {"971": {"Mi-Carême", "Vendredi saint", "Fête de Victor Schoelcher"},
               "972": {"Fête de Victor Schoelcher"}}


@pytest.mark.parametrize("dep", [None, "75", "2A", *SUBDIVISIONS])
def test_public_holidays_agree_with_the_holidays_package(dep: str | None):
    for year in range(2015, 2036):
        ours = public_holidays(year, dep)
        lib = holidays.France(years=year, subdiv=SUBDIVISIONS.get(dep or ""), language="fr")
        extra = {d: name for d, name in lib.items() if d not in ours}
        assert set(ours) <= set(lib), (year, dep)
        assert set(extra.values()) <= NOT_COUNTED.get(dep or "", set()), (year, dep, extra)
    assert date(2024, 5, 27) in public_holidays(2024, "971")
