"""Time-windowed changes a run applies to the care network (what scenarios compile into).

These are plain, validated-upstream data: the scenario layer (YAML → pydantic) resolves its
targets to FINESS or département codes and its dates to simulation hours, then hands an
:class:`Interventions` to :func:`twin.sim.replication.run_replication`. Keeping them apart
from the YAML models keeps the simulation free of file formats and the scenario language
free of simulation internals.

Capacity at hour ``h`` of a resource is ``max(0, round(base(h) * product(factors) +
sum(deltas)))`` over the changes active at ``h``, where ``base(h)`` is the resource's
normal capacity (the hourly roster of an ED or SAMU, the SAE bed count of a ward). A
hospital's crisis plan (plan blanc) adds its surge beds on top of the changed base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.sim.clock import HOURS_PER_DAY

ESTABLISHMENT_RESOURCES = ("medicine", "surgery", "obstetrics", "icu", "ssr", "ed_places", "uhcd")
"""Resources held by an establishment: targets are FINESS codes."""
TERRITORY_RESOURCES = ("smur", "samu_arm", "samu_doctor")
"""Resources held by a département's SAMU: targets are département codes."""
RESOURCES = ESTABLISHMENT_RESOURCES + TERRITORY_RESOURCES

ALL_HOURS: tuple[bool, ...] = (True,) * 24
ALL_WEEKDAYS: tuple[bool, ...] = (True,) * 7


@dataclass(frozen=True)
class TimeWindow:
    """Active hours: within [start_hour, end_hour) of simulation time, on the given hours of
    day (0-23) and weekdays (0 = Monday, relative to the calendar date of each day)."""

    start_hour: float = 0.0
    end_hour: float = float("inf")
    hours_of_day: tuple[bool, ...] = ALL_HOURS
    weekdays: tuple[bool, ...] = ALL_WEEKDAYS

    def __post_init__(self) -> None:
        if len(self.hours_of_day) != 24 or len(self.weekdays) != 7:
            raise ValueError("hours_of_day needs 24 flags and weekdays 7")
        if self.end_hour < self.start_hour:
            raise ValueError(f"window ends ({self.end_hour}) before it starts ({self.start_hour})")

    def mask(self, n_hours: int, first_weekday: int) -> np.ndarray:
        """Boolean per simulation hour ``0 .. n_hours-1``; day 0 falls on ``first_weekday``."""
        h = np.arange(n_hours)
        weekday = (first_weekday + h // HOURS_PER_DAY) % 7
        return (
            (h >= self.start_hour)
            & (h < self.end_hour)
            & np.asarray(self.hours_of_day)[h % HOURS_PER_DAY]
            & np.asarray(self.weekdays)[weekday]
        )


@dataclass(frozen=True)
class CapacityChange:
    """Multiply (``factor``) and/or shift (``delta``) a resource's capacity in a window.

    ``targets`` are FINESS codes for establishment resources and département codes for
    SAMU/SMUR resources; an empty tuple means every holder of that resource in the run.
    A staff shortage is a factor < 1 on the resources the staff run, by hour or day.
    """

    resource: str
    window: TimeWindow = field(default_factory=TimeWindow)
    targets: tuple[str, ...] = ()
    factor: float = 1.0
    delta: int = 0

    def __post_init__(self) -> None:
        if self.resource not in RESOURCES:
            raise ValueError(f"unknown resource {self.resource!r}; expected one of {RESOURCES}")
        if self.factor < 0:
            raise ValueError(f"factor must be >= 0, got {self.factor}")


@dataclass(frozen=True)
class EDClosure:
    """An ED unit closed during a window: self-presenting patients call the SAMU instead,
    which regulates them to an open ED (SAMU orientation policy)."""

    finess: str
    window: TimeWindow = field(default_factory=TimeWindow)
    unit_type: str | None = None
    """``GEN`` or ``PED`` to close one unit of an establishment with both; None closes all."""


@dataclass(frozen=True)
class Interventions:
    capacity: tuple[CapacityChange, ...] = ()
    ed_closures: tuple[EDClosure, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.capacity or self.ed_closures)


def hourly_capacity(
    base_by_hour: np.ndarray,
    changes: list[CapacityChange],
    first_weekday: int,
) -> np.ndarray:
    """Capacity per simulation hour from a base (per hour) and the changes applying to it."""
    n = len(base_by_hour)
    factor = np.ones(n)
    delta = np.zeros(n)
    for c in changes:
        m = c.window.mask(n, first_weekday)
        factor[m] *= c.factor
        delta[m] += c.delta
    return np.maximum(0, np.rint(base_by_hour * factor + delta)).astype(np.int64)


def change_points(capacity_by_hour: np.ndarray) -> tuple[list[float], list[int]]:
    """(times, capacities) where an hourly capacity series changes, starting at hour 0."""
    idx = np.flatnonzero(np.diff(capacity_by_hour)) + 1
    times = [0.0] + [float(i) for i in idx]
    caps = [int(capacity_by_hour[0])] + [int(capacity_by_hour[i]) for i in idx]
    return times, caps
