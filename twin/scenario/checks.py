"""Step 2b of the scenario pipeline: checks relating the fields of a parsed scenario to each
other, with the line of each.

:func:`check` needs only the scenario: windows inside the period, targets inside the
territory, units matching resources, shapes complete, policy thresholds ordered, demand
below the simulation's headroom. The checks against the care network are in
:mod:`twin.scenario.network_checks`.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from forecasting.disruptions import SupplyDisruption
from twin.errors import DataProblem, problem
from twin.geography import departements
from twin.plausibility import BOUNDS
from twin.scenario import compile as cp
from twin.scenario import model as m
from twin.scenario import paths as pth
from twin.scenario.values import Range, format_percent, highest, lowest
from twin.sim import interventions as iv
from twin.sim.demand import HEADROOM
from twin.yamlio import Located, Path_, dotted


class Report:
    def __init__(self, loc: Located, file: str) -> None:
        self.loc = loc
        self.file = file
        self.problems: list[DataProblem] = []

    def add(self, path: Path_, expected: str, found: str) -> None:
        f, line = self.loc.find(path, self.file)
        self.problems.append(problem(f, expected, found, line, dotted(path)))

    def line(self, path: Path_) -> str:
        _, line = self.loc.find(path, self.file)
        return f"line {line}" if line is not None else dotted(path)


# --------------------------------------------------------------------------- scenario only


def check(scenario: m.Scenario, loc: Located, file: str) -> list[DataProblem]:
    """Every cross-field problem of ``scenario`` (empty list when it is consistent)."""
    r = Report(loc, file)
    period = scenario.period
    if period.warmup_days >= period.days:
        r.add(
            ("period", "warmup_days"),
            f"fewer warm-up days than simulated days ({period.days})",
            str(period.warmup_days),
        )
    deps = cp.scenario_deps(scenario.territories)
    if not deps:
        r.add(("territories",), "at least one département or région, or all", "none")
    _check_demand(scenario, r)
    _check_policy(scenario, r)
    for k, i in enumerate(scenario.interventions):
        p: Path_ = ("interventions", k)
        if hasattr(i, "window"):
            _check_window(i.window, period, (*p, "window"), r)
        if hasattr(i, "target"):
            _check_target(i.target, deps, (*p, "target"), r)
        if isinstance(i, m.CapacityChange):
            _check_capacity(i, p, r)
        elif isinstance(i, m.StaffShortage):
            _check_shortage(i, p, r)
        elif isinstance(i, m.EDClosure):
            _check_closure(i, p, r)
        elif isinstance(i, m.DemandShock):
            _check_shock(i, p, r)
            _check_peak(i, period, p, r)
        elif isinstance(i, m.SupplyDisruption):
            _check_supply(i, scenario, p, r)
    if not r.problems:
        _check_headroom(scenario, deps, r)
    return r.problems


def _check_demand(s: m.Scenario, r: Report) -> None:
    d = s.demand
    if d.source == "forecast":
        if d.origin is None:
            r.add(("demand", "origin"), "an origin date for source: forecast", "none")
        elif d.origin > s.period.start:
            r.add(
                ("demand", "origin"),
                f"an origin on or before the period start {s.period.start} (a forecast uses "
                "only data before its origin)",
                d.origin.isoformat(),
            )
    elif d.origin is not None:
        r.add(("demand", "origin"), "no origin with source: baseline", d.origin.isoformat())


def _check_policy(s: m.Scenario, r: Report) -> None:
    pol = s.policy.model_dump()
    if pol["plan_blanc_off"] >= pol["plan_blanc_on"]:
        r.add(
            ("policy", "plan_blanc_off"),
            f"plan_blanc_off below plan_blanc_on ({pol['plan_blanc_on']})",
            str(pol["plan_blanc_off"]),
        )
    set_by: dict[str, tuple[int, object]] = {}
    for k, i in enumerate(s.interventions):
        if not isinstance(i, m.PolicyChange):
            continue
        for key, value in i.settings().items():
            if key in set_by and set_by[key][1] != value:
                j, other = set_by[key]
                r.add(
                    ("interventions", k, key),
                    f"one value of {key} across policy interventions (interventions[{j}], "
                    f"{r.line(('interventions', j, key))}, sets {other})",
                    str(value),
                )
            set_by.setdefault(key, (k, value))
        pol.update(i.settings())
        if pol["plan_blanc_off"] >= pol["plan_blanc_on"]:
            r.add(
                ("interventions", k),
                "plan_blanc_off below plan_blanc_on once this policy change applies",
                f"off {pol['plan_blanc_off']} >= on {pol['plan_blanc_on']}",
            )


def _check_window(w: m.Window, period: m.Period, p: Path_, r: Report) -> None:
    span = f"the period {period.start} … {period.end}"
    for key in ("start", "end"):
        d = getattr(w, key)
        if d is not None and not period.start <= d <= period.end:
            r.add((*p, key), f"a date within {span}", d.isoformat())
    if w.start and w.end and w.end < w.start:
        r.add((*p, "end"), f"an end on or after the window start {w.start}", w.end.isoformat())
    if w.hours is not None:
        a, b = w.hours.split("-")
        if a == b or (a, b) == ("24:00", "00:00"):
            r.add((*p, "hours"), 'a non-empty range of hours (all day is "00:00-24:00")', w.hours)
    if w.weekdays is not None and len(w.weekdays) == 0:
        r.add((*p, "weekdays"), "at least one weekday (or no weekdays key)", "an empty list")


def _check_target(t: m.Target, deps: tuple[str, ...], p: Path_, r: Report) -> None:
    within = set(deps)
    where = ", ".join(deps) if len(deps) <= 12 else f"{len(deps)} départements"
    for k, d in enumerate(t.departements):
        if d not in within:
            r.add((*p, "departements", k), f"a département of the scenario's territory ({where})",
                  f'"{d}"')  # fmt: skip
    dep_reg = departements()["reg"]
    for k, reg in enumerate(t.regions):
        if not any(dep_reg[d] == reg for d in within):
            r.add((*p, "regions", k), f"a région of the scenario's territory ({where})",
                  f'"{reg}"')  # fmt: skip


def _pct(v: float | int | Range) -> str:
    if isinstance(v, Range):
        return f"{format_percent(v.low)} … {format_percent(v.high)}"
    return format_percent(v)


def _check_capacity(i: m.CapacityChange, p: Path_, r: Report) -> None:
    given = [k for k in ("change", "beds", "places", "teams", "staff") if getattr(i, k) is not None]
    unit = m.UNIT_OF_RESOURCE[i.resource]
    if not given:
        r.add(p, f"a change: change (e.g. -20%) or {unit} (e.g. +2)", "neither")
        return
    if len(given) > 1:
        r.add((*p, given[1]), "one change per intervention", " and ".join(given))
        return
    key = given[0]
    if key != "change" and key != unit:
        r.add((*p, key), f"{unit}: (the unit of {i.resource}) or change:", f"{key}:")
    if key == "change" and lowest(i.change) < -1:
        r.add((*p, "change"), "a change of at least -100% (capacity cannot go below 0)",
              _pct(i.change))  # fmt: skip
    if i.resource in iv.TERRITORY_RESOURCES and i.target.establishments:
        r.add((*p, "target", "establishments"),
              f"départements or régions ({i.resource} belongs to each département's SAMU)",
              "establishments")  # fmt: skip


def _check_shortage(i: m.StaffShortage, p: Path_, r: Report) -> None:
    if highest(i.change) > 0:
        r.add((*p, "change"), "a shortage: a change of at most 0%", _pct(i.change))
    if lowest(i.change) < -1:
        r.add((*p, "change"), "a change of at least -100%", _pct(i.change))
    territorial = [x for x in i.affected() if x in iv.TERRITORY_RESOURCES]
    if territorial and i.target.establishments:
        r.add((*p, "target", "establishments"),
              f"départements or régions ({', '.join(territorial)} belong to each département's "
              "SAMU)", "establishments")  # fmt: skip


def _check_closure(i: m.EDClosure, p: Path_, r: Report) -> None:
    w = i.window
    if i.closure == "full" and not w.is_default():
        r.add((*p, "window"), "no hours or weekdays with closure: full (use closure: custom)",
              "window hours/weekdays")  # fmt: skip
    if i.closure == "weekends" and w.weekdays is not None:
        r.add((*p, "window", "weekdays"), "no weekdays with closure: weekends (sat, sun)",
              ", ".join(w.weekdays))  # fmt: skip
    if i.closure == "custom" and w.is_default():
        r.add((*p, "window"), "window.hours or window.weekdays with closure: custom", "neither")


def _check_shock(i: m.DemandShock, p: Path_, r: Report) -> None:
    if i.target.establishments:
        r.add(
            (*p, "target", "establishments"),
            "départements or régions (demand is drawn per département)",
            "establishments",
        )
    if not i.window.is_default():
        r.add((*p, "window"), "whole days (a demand shock acts per day: no hours or weekdays)",
              "hours or weekdays")  # fmt: skip
    s = i.shape
    sp = (*p, "shape")
    if s.curve == "plateau":
        for key in ("peak", "width_days"):
            if getattr(s, key) is not None:
                r.add((*sp, key), f"no {key} with curve: plateau (it spans the window)", key)
    else:
        for key in ("peak", "width_days"):
            if getattr(s, key) is None:
                r.add(sp, f"{key} with curve: {s.curve}", f"no {key}")
    if highest(s.peak_multiplier) > HEADROOM:
        r.add((*sp, "peak_multiplier"),
              f"a multiplier of at most {HEADROOM:g} (the simulation's demand headroom)",
              str(highest(s.peak_multiplier)))  # fmt: skip
    if len(set(i.ages)) != len(i.ages):
        r.add((*p, "ages"), "each age band once", ", ".join(i.ages))


def _check_peak(i: m.DemandShock, period: m.Period, p: Path_, r: Report) -> None:
    """A peak far from the simulated days: the shock has no effect, the date is a typo."""
    peak = i.shape.peak
    if peak is None:
        return
    gap = max((period.start - peak).days, (peak - period.end).days, 0)
    bound = BOUNDS["scenario.shock_peak_distance"]
    if not bound.contains(gap):
        r.add((*p, "shape", "peak"),
              f"a peak near the period {period.start} → {period.end}: "
              + bound.expected("a distance"),
              f"{peak.isoformat()}, {gap} days away")  # fmt: skip


def _check_supply(i: m.SupplyDisruption, s: m.Scenario, p: Path_, r: Report) -> None:
    if not i.window.is_default():
        r.add((*p, "window"), "whole days (no hours or weekdays for a supply disruption)",
              "hours or weekdays")  # fmt: skip
        return
    try:
        SupplyDisruption(
            product=i.product,
            kind=i.kind,
            start=i.window.start or s.period.start,
            end=i.window.end or s.period.end,
            delay_days=i.delay_days,
            quota_share=i.quota_share,
            sites=tuple(i.target.establishments),
            deps=tuple(i.target.departements),
        )
    except ValueError as exc:
        r.add(p, "a supply disruption the shortage projection accepts", str(exc))


def _check_headroom(s: m.Scenario, deps: tuple[str, ...], r: Report) -> None:
    """Shocks acting together must stay below the simulation's demand headroom."""
    shocks = [(k, i) for k, i in enumerate(s.interventions) if isinstance(i, m.DemandShock)]
    if len(shocks) < 2:
        return
    days = s.period.days
    total = {d: np.ones((days, 5)) for d in deps}
    for k, i in shocks:
        high = i
        if i.shape.peak_multiplier is not None:
            high = pth.replace(i, ("shape", "peak_multiplier"), highest(i.shape.peak_multiplier))
        if isinstance(i.shape.width_days, Range):
            high = pth.replace(high, ("shape", "width_days"), i.shape.width_days.high)
        curve = cp.shock_curve(high, s.period, days)
        cols = [m.AGE_BANDS.index(a) for a in i.ages]
        for d in cp.target_deps(i.target, deps):
            total[d][:, cols] *= curve[:, None]
            worst = float(total[d].max())
            if worst > HEADROOM:
                day = int(np.argmax(total[d].max(axis=1)))
                r.add(("interventions", k),
                      f"demand shocks that together stay at most ×{HEADROOM:g} (the "
                      "simulation's demand headroom)",
                      f"×{worst:.2f} in {d} on {s.period.start + timedelta(days=day)}")  # fmt: skip
                return
