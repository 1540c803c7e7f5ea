"""Compile a scenario (one replication's values) into what the simulation takes (pure).

Dates become simulation hours counted from the period start (00:00 of ``period.start`` is
hour 0, warm-up included: :mod:`twin.sim.clock`); targets become the FINESS codes
(establishment resources) or département codes (SAMU and SMUR resources) of the holders of
the resource *in the network given*, so compiling against the network of one territory
block keeps exactly that block's part of each intervention. A change whose target has no
holder in the block is left out (never handed over with empty targets, which the
simulation reads as "everyone").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np

from forecasting.disruptions import SupplyDisruption
from twin.geography import dep_sort_key, departements
from twin.network import CareNetwork, EstablishmentSpec, Policy
from twin.network.spec import Capacities
from twin.scenario import model as m
from twin.scenario.values import WEEKDAYS, Range, hours_of_day
from twin.sim import interventions as iv
from twin.sim.clock import HOURS_PER_DAY

NIGHT_HOURS = "20:00-08:00"
"""Default hours of a night closure."""
WEEKEND = ("sat", "sun")


def number(v: float | int | Range | None) -> float:
    """The value of a field in a realised scenario (one replication's draw)."""
    if isinstance(v, Range):
        raise ValueError("an uncertain value was not drawn: realise the scenario first")
    if v is None:
        raise ValueError("missing value")
    return v


# --------------------------------------------------------------------------- territory


def scenario_deps(territories: m.Territories) -> tuple[str, ...]:
    """Département codes of the scenario, in official order."""
    deps = departements()
    if territories.all:
        return tuple(sorted(deps.index, key=dep_sort_key))
    out = set(territories.departements)
    for reg in territories.regions:
        out.update(deps.index[deps["reg"] == reg])
    return tuple(sorted(out, key=dep_sort_key))


def target_deps(target: m.Target, within: Iterable[str]) -> set[str]:
    """Départements named by the target's ``departements`` and ``regions`` (all of
    ``within`` when the target is empty), restricted to ``within``."""
    within = set(within)
    if target.is_empty():
        return within
    deps = departements()
    out = set(target.departements)
    for reg in target.regions:
        out.update(deps.index[deps["reg"] == reg])
    return out & within


def holds(est: EstablishmentSpec, resource: str) -> bool:
    if resource in ("medicine", "surgery", "obstetrics"):
        return resource in est.wards
    if resource == "icu":
        return est.icu is not None
    if resource == "ssr":
        return est.ssr is not None
    if resource == "ed_places":
        return bool(est.eds)
    if resource == "uhcd":
        return any(e.uhcd_beds > 0 for e in est.eds)
    raise ValueError(f"{resource} is not held by establishments")


def smur_teams_by_dep(network: CareNetwork | Capacities) -> dict[str, int]:
    """SMUR teams of each département (the sum over its establishments)."""
    teams: dict[str, int] = {}
    for e in network.establishments:
        teams[e.dep] = teams.get(e.dep, 0) + e.smur_teams
    return teams


def territory_holders(resource: str, network: CareNetwork | Capacities) -> tuple[str, ...]:
    if resource == "smur":
        teams = smur_teams_by_dep(network)
        return tuple(d for d in network.deps if teams.get(d, 0) > 0)
    return network.deps


def holders(
    resource: str, target: m.Target, network: CareNetwork | Capacities
) -> tuple[str, ...]:
    """Keys (FINESS or département) of the holders of ``resource`` targeted in ``network``
    (a calibrated network, or the capacities a scenario file is checked against)."""
    if resource in iv.TERRITORY_RESOURCES:
        deps = target_deps(target, network.deps)
        return tuple(d for d in territory_holders(resource, network) if d in deps)
    named = set(target.establishments)
    deps = (
        target_deps(target, network.deps)
        if (target.departements or target.regions or not named)
        else set()
    )
    return tuple(
        e.finess
        for e in network.establishments
        if holds(e, resource) and (e.finess in named or e.dep in deps)
    )


# --------------------------------------------------------------------------- time


def day_index(d: date, period: m.Period) -> int:
    return (d - period.start).days


def time_window(
    window: m.Window,
    period: m.Period,
    hours: str | None = None,
    weekdays: tuple[str, ...] | None = None,
) -> iv.TimeWindow:
    """The window in simulation hours: from 00:00 of its first day to 24:00 of its last."""
    first = day_index(window.start or period.start, period)
    last = day_index(window.end or period.end, period)
    days = weekdays if weekdays is not None else window.weekdays
    return iv.TimeWindow(
        start_hour=float(first * HOURS_PER_DAY),
        end_hour=float((last + 1) * HOURS_PER_DAY),
        hours_of_day=hours_of_day(hours if hours is not None else window.hours),
        weekdays=tuple(d in days for d in WEEKDAYS) if days is not None else iv.ALL_WEEKDAYS,
    )


def closure_window(c: m.EDClosure, period: m.Period) -> iv.TimeWindow:
    if c.closure == "nights":
        return time_window(c.window, period, hours=c.window.hours or NIGHT_HOURS)
    if c.closure == "weekends":
        return time_window(c.window, period, weekdays=WEEKEND)
    return time_window(c.window, period)


# --------------------------------------------------------------------------- interventions


def capacity_changes(
    i: m.CapacityChange | m.StaffShortage, period: m.Period, network: CareNetwork | Capacities
) -> list[iv.CapacityChange]:
    window = time_window(i.window, period)
    if isinstance(i, m.CapacityChange):
        key, value = i.amount()
        factor, delta = (1.0 + number(value), 0) if key == "change" else (1.0, int(number(value)))
        resources: tuple[str, ...] = (i.resource,)
    else:
        factor, delta = 1.0 + number(i.change), 0
        resources = i.affected()
    out = []
    for r in resources:
        keys = holders(r, i.target, network)
        if keys:
            out.append(iv.CapacityChange(r, window, keys, factor=factor, delta=delta))
    return out


def compile_interventions(scenario: m.Scenario, network: CareNetwork) -> iv.Interventions:
    """The capacity changes and ED closures of a realised scenario, for ``network``."""
    capacity: list[iv.CapacityChange] = []
    closures: list[iv.EDClosure] = []
    present = {e.finess: e for e in network.establishments}
    for i in scenario.interventions:
        if isinstance(i, m.CapacityChange | m.StaffShortage):
            capacity += capacity_changes(i, scenario.period, network)
        elif isinstance(i, m.EDClosure):
            window = closure_window(i, scenario.period)
            unit = None if i.unit == "all" else i.unit
            for f in i.establishments:
                if f in present and present[f].eds:
                    closures.append(iv.EDClosure(f, window, unit))
    return iv.Interventions(capacity=tuple(capacity), ed_closures=tuple(closures))


def compile_policy(scenario: m.Scenario) -> Policy:
    """The run's policy: the ``policy`` block, then each ``policy`` intervention in order
    (same field names all the way to the simulation's agents)."""
    p = scenario.policy.model_dump()
    for i in scenario.interventions:
        if isinstance(i, m.PolicyChange):
            p.update(i.settings())
    return Policy(**p)


# --------------------------------------------------------------------------- demand


def shock_curve(shock: m.DemandShock, period: m.Period, days: int) -> np.ndarray:
    """Multiplier per simulated day (length ``days``) of one demand shock, all ages."""
    shape = shock.shape
    d = np.arange(days, dtype=float)
    if shape.curve == "plateau":
        curve = np.ones(days)
    else:
        peak = float(day_index(shape.peak, period))  # type: ignore[arg-type]
        width = float(number(shape.width_days))
        if shape.curve == "gaussian":
            curve = np.exp(-0.5 * ((d - peak) / width) ** 2)
        else:
            curve = np.clip(1.0 - np.abs(d - peak) / width, 0.0, None)
    first = day_index(shock.window.start or period.start, period)
    last = day_index(shock.window.end or period.end, period)
    curve = np.where((d >= first) & (d <= last), curve, 0.0)
    return 1.0 + (float(number(shape.peak_multiplier)) - 1.0) * curve


def compile_demand(
    scenario: m.Scenario, network: CareNetwork, base: dict[str, np.ndarray] | None = None
) -> dict[str, np.ndarray] | None:
    """``{dep: (days, 5)}`` ED demand multipliers: ``base`` (e.g. a forecast) times every
    demand shock targeting the département. None when nothing changes demand."""
    shocks = [i for i in scenario.interventions if isinstance(i, m.DemandShock)]
    if not shocks and not base:
        return None
    days = network.days
    out = {
        dep: (np.array(base[dep], dtype=float) if base and dep in base else np.ones((days, 5)))
        for dep in network.deps
    }
    for s in shocks:
        curve = shock_curve(s, scenario.period, days)
        cols = [m.AGE_BANDS.index(a) for a in s.ages]
        for dep in target_deps(s.target, network.deps):
            out[dep][:, cols] *= curve[:, None]
    return out


# --------------------------------------------------------------------------- supply


def supply_disruptions(scenario: m.Scenario, deps: Iterable[str] | None = None) -> list:
    """The scenario's supply disruptions as
    :class:`forecasting.disruptions.SupplyDisruption`."""
    within = set(deps) if deps is not None else set(scenario_deps(scenario.territories))
    out = []
    for i in scenario.interventions:
        if not isinstance(i, m.SupplyDisruption):
            continue
        t = i.target
        dep_codes = (
            tuple(sorted(target_deps(t, within))) if (t.departements or t.regions) else ()
        )
        out.append(
            SupplyDisruption(
                product=i.product,
                kind=i.kind,
                start=i.window.start or scenario.period.start,
                end=i.window.end or scenario.period.end,
                delay_days=i.delay_days,
                quota_share=i.quota_share,
                sites=tuple(t.establishments),
                deps=dep_codes,
            )
        )
    return out
