"""Construction and running of a replication: resources, rosters and capacity changes,
the warm start, the hourly agents' decisions, and the fast model's event helpers.
"""

from __future__ import annotations

import gc
import math
from array import array
from collections.abc import Callable, Sequence
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Event

from twin.network import CareNetwork, Policy, WardSpec
from twin.rng import stream
from twin.sim.agents import (
    DECISION_CADENCE_HOURS,
    CareModel,
    HospitalAgent,
    SamuAgent,
    TerritoryAgent,
)
from twin.sim.callqueue import hourly_roster
from twin.sim.clock import HOURS_PER_DAY
from twin.sim.counters import DEP_COUNTERS, EST_COUNTERS, daily_counters
from twin.sim.interventions import (
    CapacityChange,
    Interventions,
    change_points,
    hourly_capacity,
)
from twin.sim.pathway.records import (
    _DISC,
    AGE_ADMISSION_WEIGHT,
    SETTLE_HOURS,
    EDUnit,
    Establishment,
)
from twin.sim.resources import PriorityResource, Resource

_new_object = object.__new__
_BLOCK = 4096
"""Arrivals converted to Python scalars at a time (memory stays flat over a year)."""


class Build:
    """The resources of a replication, their rosters and capacity changes, and the run."""

    _queues_without_events: tuple[str, ...] = ()
    """Pools whose queue is solved outside SimPy: no roster to follow."""

    def __init__(
        self,
        network: CareNetwork,
        seed: np.random.SeedSequence,
        policy: Policy | None = None,
        demand_multiplier: dict[str, np.ndarray] | None = None,
        initial_occupancy: str | dict[tuple[str, str], int] = "sae",
        interventions: Interventions | None = None,
    ) -> None:
        self.net = network
        # The assumptions the network was calibrated with, never others (see CareNetwork).
        self.parameters = network.parameters
        self._triage_cum = np.cumsum(self.parameters.triage_shares)
        self._disc_cum = np.cumsum([self.parameters.ed_admission_discipline[d] for d in _DISC])
        self.interventions = interventions or Interventions()
        self.first_weekday = network.start.weekday()
        self.seed = seed
        self.policy = policy or Policy()
        self.demand_multiplier = demand_multiplier or {}
        self.env = simpy.Environment()
        self.days = network.days
        self.horizon = network.days * HOURS_PER_DAY
        self.dep_pos = {t.dep: i for i, t in enumerate(network.territories)}
        self.model = CareModel(lambda: self.env.now, int(seed.generate_state(1)[0]))
        self._build_resources()
        self.dep_counters = daily_counters(DEP_COUNTERS, (len(network.territories), self.days))
        self.samu_rec: list[array] = [array("d") for _ in network.territories]
        self.smur_rec: list[array] = [array("d") for _ in network.territories]
        self.initial_occupancy = initial_occupancy

    def _build_resources(self) -> None:
        env, net = self.env, self.net
        self.ests: list[Establishment] = []
        self.eds: list[EDUnit] = []
        self.eds_of_dep: list[list[int]] = [[] for _ in net.territories]
        self.ests_of_dep: list[list[int]] = [[] for _ in net.territories]
        # Share of each département's ED passages brought by SMUR teams.
        passages = np.zeros(len(net.territories))
        for spec in net.establishments:
            passages[self.dep_pos[spec.dep]] += sum(e.annual_passages for e in spec.eds) / 365
        smur_share = [
            float(t.samu_calls_per_day.mean() * t.samu_smur_share / p) if p > 0 else 0.0
            for t, p in zip(net.territories, passages, strict=True)
        ]
        for i, spec in enumerate(net.establishments):
            d = self.dep_pos[spec.dep]
            wards = {
                disc: Resource(env, w.beds, f"{spec.finess}/{disc}", record_waits=False)
                for disc, w in spec.wards.items()
            }
            icu = (
                Resource(env, spec.icu.beds, f"{spec.finess}/icu", record_waits=False)
                if spec.icu
                else None
            )
            ssr = (
                Resource(env, spec.ssr.beds, f"{spec.finess}/ssr", record_waits=False)
                if spec.ssr
                else None
            )
            for name, pool, w in (("icu", icu, spec.icu), ("ssr", ssr, spec.ssr)):
                if pool is not None and w is not None:
                    self._follow(pool, (w.beds,), name, spec.finess)
            est = Establishment(i, spec, d, wards, icu, ssr)
            est.counters = daily_counters(EST_COUNTERS, (self.days,))
            self.ests.append(est)
            self.ests_of_dep[d].append(i)
            for e in spec.eds:
                tag = f"{spec.finess}/ed" + (f"-{e.unit_type.lower()}" if len(spec.eds) > 1 else "")
                places = PriorityResource(env, max(e.treatment_places_by_hour), tag)
                self._follow(places, e.treatment_places_by_hour, "ed_places", spec.finess)
                uhcd = (
                    Resource(env, e.uhcd_beds, f"{tag}/uhcd", record_waits=False)
                    if e.uhcd_beds > 0
                    else None
                )
                if uhcd is not None:
                    self._follow(uhcd, (e.uhcd_beds,), "uhcd", spec.finess)
                scale = float(AGE_ADMISSION_WEIGHT @ e.age_mix) or 1.0
                admit = np.clip(e.admit_share * AGE_ADMISSION_WEIGHT / scale, 0.0, 0.95)
                unit = EDUnit(
                    len(self.eds), i, d, places, uhcd, e, self._open_by_hour(spec.finess, e), admit
                )
                f = smur_share[d]
                if e.admit_share > 0 and f < 1:
                    rest = e.admit_share - f * self.parameters.smur_ed_admit_share
                    unit.admit_scale = max(0.0, rest / (e.admit_share * (1 - f)))
                unit.arrivals_by_day = np.zeros(self.days)
                self.eds.append(unit)
                self.eds_of_dep[d].append(unit.index)
            if wards or icu:
                est.agent = HospitalAgent(
                    self.model,
                    spec.finess,
                    wards,
                    {k: w.beds for k, w in spec.wards.items()},
                    plan_blanc_on=self.policy.plan_blanc_on,
                    plan_blanc_off=self.policy.plan_blanc_off,
                    surge_share=self.policy.surge_share,
                    plan_blanc_min_hours=self.policy.plan_blanc_min_hours,
                    enabled=self.policy.plan_blanc,
                )
        # SAMU / SMUR per département
        self.arm: list[Resource] = []
        self.doctors: list[Resource] = []
        self.smur: list[Resource | None] = []
        self.samu_agents: list[SamuAgent] = []
        self.territory_agents: list[TerritoryAgent] = []
        region_of = [t.reg for t in net.territories]
        for d, t in enumerate(net.territories):
            arm = Resource(env, max(t.arm_by_hour), f"{t.dep}/samu_arm")
            self._follow(arm, t.arm_by_hour, "samu_arm", t.dep)
            doc = Resource(env, max(t.doctors_by_hour), f"{t.dep}/samu_doctor", record_waits=False)
            self._follow(doc, t.doctors_by_hour, "samu_doctor", t.dep)
            teams = sum(net.establishments[i].smur_teams for i in self.ests_of_dep[d])
            smur = Resource(env, teams, f"{t.dep}/smur") if teams else None
            if smur is not None:
                self._follow(smur, (teams,), "smur", t.dep)
            self.smur.append(smur)
            self.arm.append(arm)
            self.doctors.append(doc)
            candidates = [
                (e.index, e.dep_index) for e in self.eds if region_of[e.dep_index] == t.reg
            ]
            self.samu_agents.append(
                SamuAgent(self.model, d, candidates, self._ed_free, net.travel_hours)
            )
            self.territory_agents.append(TerritoryAgent(self.model, t.dep, t.gp_access))

    @property
    def horizon_hours(self) -> int:
        return self.days * HOURS_PER_DAY

    def _changed_schedule(
        self, daily: tuple[int, ...], changes: list[CapacityChange]
    ) -> tuple[list[float], list[int]]:
        """Change points of a daily roster (24 values, or 1 for a constant) under changes."""
        base = np.resize(np.asarray(daily, dtype=np.int64), self.horizon_hours)
        return change_points(hourly_capacity(base, changes, self.first_weekday))

    def _changes(self, resource: str, key: str) -> list[CapacityChange]:
        return [
            c
            for c in self.interventions.capacity
            if c.resource == resource and (not c.targets or key in c.targets)
        ]

    def _follow(
        self,
        pool: Resource,
        daily: tuple[int, ...],
        resource: str,
        key: str,
        hospital: Establishment | None = None,
    ) -> None:
        """Make ``pool`` follow its daily roster (24 hourly values, or one constant) changed
        by the interventions: the one capacity-change mechanism of every pool.

        Without a change, a repeating daily roster (cheap); with one, the absolute hourly
        capacity over the whole horizon, applied only where it changes. An MCO ward
        (``hospital`` given) is opened and closed by its hospital agent's crisis plan: a
        change moves the agent's base and the surge beds stay on top (started with the
        run, at the time of each change).
        """
        if resource in self._queues_without_events:
            return
        changes = self._changes(resource, key)
        if hospital is not None:
            if changes:
                times, caps = self._changed_schedule(daily, changes)
                self.env.process(self._base_schedule(hospital, resource, pool, times, caps))
            return
        if not changes:
            if len(set(daily)) == 1:
                pool.set_capacity(int(daily[0]))
            else:
                self._daily_roster(pool, [int(x) for x in daily])
            return
        times, caps = self._changed_schedule(daily, changes)
        pool.set_capacity(caps[0])
        if len(times) > 1:
            pool.follow_schedule(times[1:], caps[1:])

    def _daily_roster(self, pool: Resource, daily: list[int]) -> None:
        """A daily roster of 24 hourly capacities, repeated."""
        pool.follow_schedule(range(24), daily, repeat_every_hours=24)

    def _base_schedule(self, est: Establishment, disc: str, pool: Resource, times, caps):
        """Changes of an MCO ward's base beds, through the hospital agent (see _follow)."""
        for t, cap in zip(times, caps, strict=True):
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            agent = est.agent
            surge = 0
            if agent is not None:
                agent.base_beds[disc] = cap
                if agent.plan_blanc:
                    surge = int(np.ceil(cap * agent.surge_share))
            pool.set_capacity(cap + surge)

    def _day(self, t: float) -> int:
        return min(int(t // HOURS_PER_DAY), self.days - 1)

    def _lognormal(self, mean_hours: float, z: float) -> float:
        """Log-normal draw with the given mean (CV set by ``parameters.los_sigma``) from a normal
        score."""
        s = self.parameters.los_sigma
        return mean_hours * math.exp(s * z - s * s / 2.0)

    def _warm_start(self) -> None:
        """Occupy beds at t=0 as in a typical day (SAE patient-days / bed-days), with
        residual stays drawn from the length-biased residual distribution, so outputs are
        not biased by an empty start; a warm-up period removes the remainder."""
        if self.initial_occupancy == "empty":
            return
        rng = stream(self.seed, "warm_start")
        explicit = self.initial_occupancy if isinstance(self.initial_occupancy, dict) else None
        for est in self.ests:
            pools: list[tuple[str, Resource, float, int]] = []
            for disc, pool in est.wards.items():
                w = est.spec.wards[disc]
                pools.append((disc, pool, w.mean_los_hours, self._default_occupied(w)))
            if est.icu is not None and est.spec.icu is not None:
                w = est.spec.icu
                pools.append(("icu", est.icu, w.mean_los_hours, self._default_occupied(w)))
            if est.ssr is not None and est.spec.ssr is not None:
                w = est.spec.ssr
                pools.append(("ssr", est.ssr, w.mean_los_hours, self._default_occupied(w)))
            for name, pool, los, default in pools:
                n = explicit.get((est.spec.finess, name), 0) if explicit is not None else default
                n = min(int(n), pool.capacity)
                # Residual stay of a patient found in bed: exponential with the mean
                # residual life E[L^2] / (2 E[L]) of the log-normal length of stay.
                mean_residual = los * math.exp(self.parameters.los_sigma**2) / 2.0
                residual = rng.exponential(mean_residual, n)
                for r in residual:
                    req = pool.request()
                    self._release_after(pool, req, float(r))

    def _default_occupied(self, w: WardSpec) -> int:
        if w.typical_occupied is not None:
            return int(min(w.beds, round(w.typical_occupied)))
        offered = (w.scheduled_per_weekday * 5 / 7 + w.unscheduled_per_day) * w.mean_los_hours / 24
        return int(min(w.beds, round(0.8 * w.beds if offered <= 0 else min(offered, w.beds))))

    def _hold(self, pool: Resource, req: Any, hours: float):
        yield self.env.timeout(hours)
        pool.release(req)

    def _release_after(self, pool: Resource, req: Any, hours: float) -> None:
        """Give back the server held by ``req`` in ``hours`` (a bed, a returning team)."""
        self.env.process(self._hold(pool, req, hours))

    def start(self) -> None:
        env = self.env
        self._warm_start()
        for est in self.ests:
            for disc, pool in est.wards.items():
                self._follow(pool, (est.spec.wards[disc].beds,), disc, est.spec.finess, est)
        for d in range(len(self.net.territories)):
            self._start_ed_arrivals(d)
            self._start_samu_calls(d)
        for est in self.ests:
            for disc, w in est.spec.wards.items():
                if w.scheduled_per_weekday > 0:
                    env.process(self._electives(est, disc, w))
                if w.unscheduled_per_day > 0:
                    env.process(self._unscheduled(est, disc, w))
            if est.spec.icu is not None and est.spec.icu.unscheduled_per_day > 0:
                env.process(self._unscheduled(est, "icu", est.spec.icu))
            if est.spec.ssr is not None and est.spec.ssr.unscheduled_per_day > 0:
                env.process(self._unscheduled(est, "ssr", est.spec.ssr))
        env.process(self._decisions())

    def _decisions(self):
        while True:
            self.model.step()
            for est in self.ests:
                if est.agent is not None and est.agent.plan_blanc:
                    est.counters["plan_blanc_hours"][self._day(self.env.now)] += (
                        DECISION_CADENCE_HOURS
                    )
            yield self.env.timeout(DECISION_CADENCE_HOURS)

    def run(self) -> None:
        self.start()
        # The daily recorder fires exactly at the horizon; run(until=t) would stop before it.
        self.env.run(until=self.horizon + SETTLE_HOURS)


class FastBuild:
    """The fast model's construction and bare-event helpers (one event, no process)."""

    _queues_without_events = ("samu_arm", "samu_doctor")
    """The ARM and doctor queues are solved by :meth:`FastSamu._start_call_stream`, which
    reads the same rosters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n_dep = len(self.net.territories)
        self._redirects: list[list[tuple[np.ndarray, np.ndarray, np.ndarray, int]]] = [
            [] for _ in range(n_dep)
        ]
        self._in_triage_at_end = [0] * len(self.eds)  # self-presenting, counted up front
        self._in_triage = [0] * len(self.eds)  # SAMU-transported patients still in triage

    def _at(self, delay: float, fn: Callable[[Event], None]) -> None:
        """Call ``fn`` after ``delay`` hours: one bare scheduled event, no process."""
        env = self.env
        ev = _new_object(Event)
        ev.env = env
        ev.callbacks = [fn]
        ev._ok = True
        ev._value = None
        # Environment.schedule, inlined (SimPy 4: the queue holds (time, priority, id, event)).
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), ev))

    def _feed(
        self,
        times: np.ndarray,
        columns: Sequence[np.ndarray],
        handle: Callable[[int, tuple], None],
    ) -> None:
        """Call ``handle(i, row)`` at ``times[i]`` (ascending), ``row`` being the i-th values
        of ``columns`` as Python scalars; one event per distinct time.

        Rows are converted block by block, so a year of arrivals never exists as Python
        objects at once (a few thousand rows do).
        """
        n = len(times)
        if n == 0:
            return
        env = self.env
        state: list[Any] = [0, [], [], 0]  # next index, block times, block rows, block start

        def load(i: int) -> None:
            j = min(i + _BLOCK, n)
            state[1] = times[i:j].tolist()
            state[2] = list(zip(*(c[i:j].tolist() for c in columns), strict=True))
            state[3] = i

        def fire(_ev: Event) -> None:
            i = state[0]
            now = env._now
            while True:
                k = i - state[3]
                if k == len(state[1]):
                    load(i)
                    k = 0
                handle(i, state[2][k])
                i += 1
                if i == n:
                    state[0] = i
                    state[1] = state[2] = []
                    return
                k += 1
                t_next = state[1][k] if k < len(state[1]) else float(times[i])
                if t_next > now:
                    break
            state[0] = i
            self._at(t_next - now, fire)

        self._at(max(float(times[0]) - env.now, 0.0), fire)  # first block loaded on firing

    def _roster(self, resource: str, key: str, daily: tuple[int, ...]) -> np.ndarray:
        """Open servers per simulation hour: the daily roster changed by the interventions."""
        base = hourly_roster(daily, self.horizon_hours)
        return hourly_capacity(base, self._changes(resource, key), self.first_weekday)

    def _days_of(self, t: np.ndarray) -> np.ndarray:
        return np.minimum((t // HOURS_PER_DAY).astype(np.int64), self.days - 1)

    def _daily_roster(self, pool: Resource, daily: list[int]) -> None:
        """The reference's roster, with events only at the hours where capacity changes."""
        hours = [h for h in range(len(daily)) if daily[h] != daily[h - 1]]
        pool.follow_schedule(hours, [daily[h] for h in hours], repeat_every_hours=HOURS_PER_DAY)

    def _release_after(self, pool: Resource, req: Any, hours: float) -> None:
        self._at(hours, lambda _ev: pool.release(req))

    def run(self) -> None:
        # The run allocates millions of short-lived events and closures that reference
        # counting frees; the cyclic collector would keep rescanning the long-lived network
        # and arrival blocks (about 15 % of the run time). Those are frozen out of its reach
        # and its young-generation threshold raised for the run, but it keeps running: a
        # Dask worker's own threads (heartbeats, profiler) make cyclic garbage meanwhile.
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(100_000, 50, 1_000)
        try:
            super().run()
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()
        # Patients still in triage when the run stops are in the ED (as in the reference).
        for u in self.eds:
            n = self._in_triage[u.index] + self._in_triage_at_end[u.index]
            u.arrivals += n
            u.in_ed += n
