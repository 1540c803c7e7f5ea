"""Step 2c of the scenario pipeline: checks of a scenario against the care network of its
territory, with the line of each: FINESS codes named, targets holding the resource changed,
no two interventions contradicting each other (two changes of the same kind to the same
resource of the same holder at the same hour) and no capacity going negative.

They read the establishments and base capacities of the scenario's territory
(:func:`twin.network.cache.capacities_for`: the SAE tables only, sized with the scenario's
``parameters`` by the same code as the network the runs use, which completes them with the
demand). Neither the daily SurSaUD series (most of the 2 s it takes to read a région's
inputs) nor the demand calibration is needed to check a file.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta

import numpy as np

from twin.errors import DataProblem
from twin.network.cache import capacities_for
from twin.network.spec import Capacities
from twin.scenario import compile as cp
from twin.scenario import model as m
from twin.scenario import paths as pth
from twin.scenario.checks import Report
from twin.sim import interventions as iv
from twin.sim.clock import HOURS_PER_DAY
from twin.yamlio import Located, Path_


def _extreme(s: m.Scenario, end: str) -> m.Scenario:
    """The scenario with every interval at its ``low`` or ``high`` end."""
    out = s
    for path, rng in pth.uncertain(s):
        out = pth.replace(out, path, rng.low if end == "low" else rng.high)
    return out


def check_network(scenario: m.Scenario, loc: Located, file: str) -> list[DataProblem]:
    """Problems found against the care network of the scenario's territory."""
    r = Report(loc, file)
    deps = cp.scenario_deps(scenario.territories)
    if not deps:
        return r.problems
    net = capacities_for(scenario.data_year, deps, scenario.parameters)
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
    # every uncertain value at its low end (the deepest cuts), for both checks
    changes = _compiled(_extreme(scenario, "low"), net)
    _check_contradictions(scenario, changes, r)
    if not r.problems:
        _check_negative(scenario, changes, net, r)
    return r.problems


def _compiled(s: m.Scenario, net: Capacities) -> list[tuple[int, iv.CapacityChange]]:
    out = []
    for k, i in enumerate(s.interventions):
        if isinstance(i, m.CapacityChange | m.StaffShortage):
            out += [(k, c) for c in cp.capacity_changes(i, s.period, net)]
    return out


def _check_contradictions(
    s: m.Scenario, changes: list[tuple[int, iv.CapacityChange]], r: Report
) -> None:
    n_hours = s.period.days * HOURS_PER_DAY
    first_weekday = s.period.start.weekday()
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
            when = s.period.start + timedelta(days=h // HOURS_PER_DAY)
            holder = shared[0] + (f" and {len(shared) - 1} other(s)" if len(shared) > 1 else "")
            r.add(("interventions", kb),
                  f"one {s.interventions[kb].type} per resource and holder at a time "
                  f"(interventions[{ka}], {r.line(('interventions', ka))}, already changes "
                  f"{ca.resource} of {holder})",
                  f"an overlapping change from {when} {h % HOURS_PER_DAY:02d}:00")  # fmt: skip
            reported.add(kb)


def _bases(net: Capacities, days: int) -> dict[tuple[str, str], list[np.ndarray]]:
    """Hourly base capacity series over ``days`` days per (resource, holder): one per pool
    (an establishment with a general and a paediatric ED has two ED pools)."""
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
    teams = cp.smur_teams_by_dep(net)
    for dep in net.deps:
        samu = net.samu[dep]
        put("samu_arm", dep, np.tile(samu.arm_by_hour, days))
        put("samu_doctor", dep, np.tile(samu.doctors_by_hour, days))
        if teams.get(dep, 0):
            put("smur", dep, np.full(n, teams[dep]))
    return out


def _check_negative(
    s: m.Scenario, changes: list[tuple[int, iv.CapacityChange]], net: Capacities, r: Report
) -> None:
    negative = [(k, c) for k, c in changes if c.delta < 0]
    if not negative:
        return
    bases = _bases(net, s.period.days)
    names = {e.finess: e.name for e in net.establishments}
    first_weekday = s.period.start.weekday()
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
                    when: date = s.period.start + timedelta(days=h // HOURS_PER_DAY)
                    who = f"{key} ({names[key]})" if key in names else f"département {key}"
                    r.add(("interventions", k),
                          "a change that leaves a capacity >= 0",
                          f"{c.resource} of {who} at {raw[h]:g} on {when} "
                          f"{h % HOURS_PER_DAY:02d}:00 (base {base[h]:g})")  # fmt: skip
                    break
