"""The simulation time unit and its fixed conversion factors, declared once for the code base.

Simulation time is a float number of hours since 00:00 of day 0 (:mod:`twin.sim.clock`
explains why and holds the conversion helpers, re-exporting these names). The constants live
in this core module so that layers below the simulation (the care network's calibration,
which sizes hourly rosters and lengths of stay in hours) use the same unit without
importing the simulation package.
"""

from __future__ import annotations

from typing import Final

TIME_UNIT: Final = "hour"
"""The unit of simulation time (``env.now``), for attributes of result arrays."""

MINUTES_PER_HOUR: Final = 60
SECONDS_PER_HOUR: Final = 3600
HOURS_PER_DAY: Final = 24
"""Exact integer, so it may size arrays (``days * HOURS_PER_DAY`` hourly slots)."""
DAYS_PER_WEEK: Final = 7
HOURS_PER_WEEK: Final = HOURS_PER_DAY * DAYS_PER_WEEK
DAYS_PER_YEAR: Final = 365.25
"""Mean Julian year, for converting annual rates; use the calendar for actual dates."""
HOURS_PER_YEAR: Final = DAYS_PER_YEAR * HOURS_PER_DAY
