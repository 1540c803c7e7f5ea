"""Checks relating fields to each other and to the care network, with the line of each.

:func:`check` needs only the scenario (windows inside the period, targets inside the
territory, units matching resources, shapes complete, policy thresholds ordered, demand
below the simulation's headroom); :func:`check_network` builds the network of the scenario's
territory (cached) and checks FINESS codes, that targets hold the resource changed, that no
capacity goes negative and that no two interventions contradict each other (two changes of
the same kind to the same resource of the same holder at the same hour).
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta

import numpy as np

from twin.errors import DataProblem
from twin.plausibility import BOUNDS
from twin.scenario import compile as cp
from twin.scenario import model as m
from twin.scenario import paths as pth
from twin.scenario.problems import problem
from twin.scenario.values import Range, format_percent, highest, lowest
from twin.scenario.yamlio import Located, Path_, _dotted
from twin.sim import interventions as iv
from twin.sim.clock import HOURS_PER_DAY
from twin.sim.demand import HEADROOM


class Report:
    def __init__(self, loc: Located, file: str) -> None:
        self.loc = loc
        self.file = file
        self.problems: list[DataProblem] = []

    def add(self, path: Path_, expected: str, found: str) -> None:
        f, line = self.loc.find(path, self.file)
        self.problems.append(problem(f, expected, found, line, _dotted(path)))

    def line(self, path: Path_) -> str:
        _, line = self.loc.find(path, self.file)
        return f"line {line}" if line is not None else _dotted(path)


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
    from twin.geography import departements

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
        from forecasting.disruptions import SupplyDisruption
    except ImportError:  # the shortage module is optional
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


# --------------------------------------------------------------------------- network


def _extreme(s: m.Scenario, end: str) -> m.Scenario:
    """The scenario with every interval at its ``low`` or ``high`` end."""
    out = s
    for path, rng in pth.uncertain(s):
        out = pth.replace(out, path, rng.low if end == "low" else rng.high)
    return out


def check_network(scenario: m.Scenario, loc: Located, file: str) -> list[DataProblem]:
    """Problems found against the care network of the scenario's territory."""
    from twin.scenario.run import cached_network

    r = Report(loc, file)
    deps = cp.scenario_deps(scenario.territories)
    if not deps:
        return r.problems
    period = scenario.period
    net = cached_network(scenario.data_year, deps, period.start, period.days)
    ests = {e.finess: e for e in net.establishments}
    for k, i in enumerate(scenario.interventions):
        p: Path_ = ("interventions", k)
        named: tuple[str, ...] = ()
        named_path: Path_ = ()
        if isinstance(i, m.EDClosure):
            named, named_path = i.establishments, (*p, "establishments")
        elif isinstance(i, m.CapacityChange | m.StaffShortage):
            named, named_path = i.target.establishments, (*p, "target", "establishments")
        for j, f in enumerate(named):
            e = ests.get(f)
            if e is None:
                close = difflib.get_close_matches(f, list(ests), n=1, cutoff=0.8)
                hint = f' (did you mean "{close[0]}", {ests[close[0]].name}?)' if close else ""
                r.add((*named_path, j),
                      "the FINESS code of an establishment (ED, wards, critical care, SSR or "
                      f"SMUR) of the simulated territory ({len(ests)} establishments in "
                      f"{', '.join(deps) if len(deps) <= 12 else f'{len(deps)} départements'})",
                      f'"{f}"{hint}')  # fmt: skip
                continue
            if isinstance(i, m.EDClosure):
                units = {u.unit_type for u in e.eds}
                if not units or (i.unit != "all" and i.unit not in units):
                    what = "an ED" if i.unit == "all" else f"a {i.unit} ED unit"
                    r.add((*named_path, j), f"an establishment with {what}",
                          f'"{f}" ({e.name}) without one')  # fmt: skip
            elif isinstance(i, m.CapacityChange | m.StaffShortage):
                resources = (i.resource,) if isinstance(i, m.CapacityChange) else i.affected()
                est_res = [x for x in resources if x not in iv.TERRITORY_RESOURCES]
                if est_res and not any(cp.holds(e, x) for x in est_res):
                    r.add((*named_path, j), f"an establishment that has {' or '.join(est_res)}",
                          f'"{f}" ({e.name}) has none')  # fmt: skip
        if isinstance(i, m.CapacityChange | m.StaffShortage) and not r.problems:
            resources = (i.resource,) if isinstance(i, m.CapacityChange) else i.affected()
            if not any(cp.holders(x, i.target, net) for x in resources):
                r.add((*p, "target"), f"a target holding {' or '.join(resources)}",
                      "no holder of it in the target")  # fmt: skip
    if r.problems:
        return r.problems
    _check_contradictions(scenario, net, r)
    if not r.problems:
        _check_negative(_extreme(scenario, "low"), net, r)
    return r.problems


def _compiled(s: m.Scenario, net) -> list[tuple[int, iv.CapacityChange]]:
    out = []
    for k, i in enumerate(s.interventions):
        if isinstance(i, m.CapacityChange | m.StaffShortage):
            out += [(k, c) for c in cp.capacity_changes(i, s.period, net)]
    return out


def _check_contradictions(s: m.Scenario, net, r: Report) -> None:
    central = _extreme(s, "low")
    changes = _compiled(central, net)
    n_hours = net.days * HOURS_PER_DAY
    first_weekday = net.start.weekday()
    masks = [c.window.mask(n_hours, first_weekday) for _, c in changes]
    reported: set[int] = set()
    for a in range(len(changes)):
        ka, ca = changes[a]
        for b in range(a + 1, len(changes)):
            kb, cb = changes[b]
            if kb == ka or kb in reported or ca.resource != cb.resource:
                continue
            if type(s.interventions[ka]) is not type(s.interventions[kb]):
                continue  # a staff shortage on top of a capacity change combines
            shared = sorted(set(ca.targets) & set(cb.targets))
            both = masks[a] & masks[b]
            if not shared or not both.any():
                continue
            h = int(np.argmax(both))
            when = net.start + timedelta(days=h // HOURS_PER_DAY)
            holder = shared[0] + (f" and {len(shared) - 1} other(s)" if len(shared) > 1 else "")
            r.add(("interventions", kb),
                  f"one {s.interventions[kb].type} per resource and holder at a time "
                  f"(interventions[{ka}], {r.line(('interventions', ka))}, already changes "
                  f"{ca.resource} of {holder})",
                  f"an overlapping change from {when} {h % HOURS_PER_DAY:02d}:00")  # fmt: skip
            reported.add(kb)


def _bases(net) -> dict[tuple[str, str], list[np.ndarray]]:
    """Hourly base capacity series per (resource, holder): one per pool (an establishment
    with a general and a paediatric ED has two ED pools)."""
    days = net.days
    out: dict[tuple[str, str], list[np.ndarray]] = {}

    def put(resource, key, arr):
        out.setdefault((resource, key), []).append(np.asarray(arr, dtype=float))

    n = days * HOURS_PER_DAY
    for e in net.establishments:
        for disc, w in e.wards.items():
            put(disc, e.finess, np.full(n, w.beds))
        if e.icu is not None:
            put("icu", e.finess, np.full(n, e.icu.beds))
        if e.ssr is not None:
            put("ssr", e.finess, np.full(n, e.ssr.beds))
        for u in e.eds:
            put("ed_places", e.finess, np.tile(u.treatment_places_by_hour, days))
            if u.uhcd_beds > 0:
                put("uhcd", e.finess, np.full(n, u.uhcd_beds))
    teams: dict[str, int] = {}
    for e in net.establishments:
        teams[e.dep] = teams.get(e.dep, 0) + e.smur_teams
    for t in net.territories:
        put("samu_arm", t.dep, np.tile(t.arm_by_hour, days))
        put("samu_doctor", t.dep, np.tile(t.doctors_by_hour, days))
        if teams.get(t.dep, 0):
            put("smur", t.dep, np.full(n, teams[t.dep]))
    return out


def _check_negative(s: m.Scenario, net, r: Report) -> None:
    changes = _compiled(s, net)
    negative = [(k, c) for k, c in changes if c.delta < 0]
    if not negative:
        return
    bases = _bases(net)
    names = {e.finess: e.name for e in net.establishments}
    first_weekday = net.start.weekday()
    done: set[tuple[str, str]] = set()
    for k, c in negative:
        for key in c.targets:
            if (c.resource, key) in done:
                continue
            done.add((c.resource, key))
            applying = [
                x for _, x in changes if x.resource == c.resource and key in x.targets
            ]
            for base in bases.get((c.resource, key), []):
                factor = np.ones(len(base))
                delta = np.zeros(len(base))
                for x in applying:
                    mask = x.window.mask(len(base), first_weekday)
                    factor[mask] *= x.factor
                    delta[mask] += x.delta
                raw = base * factor + delta
                if raw.min() < 0:
                    h = int(np.argmin(raw))
                    when: date = net.start + timedelta(days=h // HOURS_PER_DAY)
                    who = f"{key} ({names[key]})" if key in names else f"département {key}"
                    r.add(("interventions", k),
                          "a change that leaves a capacity >= 0",
                          f"{c.resource} of {who} at {raw[h]:g} on {when} "
                          f"{h % HOURS_PER_DAY:02d}:00 (base {base[h]:g})")  # fmt: skip
                    break
