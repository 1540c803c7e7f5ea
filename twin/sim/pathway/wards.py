"""Beds: admission after ED boarding, transfers for lack of a bed, ward and critical-care
stays, follow-up care (SSR) with bed blocking, scheduled and unscheduled admissions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from simpy.events import Event

from twin.network import WardSpec
from twin.rng import stream
from twin.sim import marks as mk
from twin.sim.clock import HOURS_PER_DAY
from twin.sim.demand import draw_arrivals
from twin.sim.pathway.records import (
    Establishment,
    normal_score,
)
from twin.sim.resources import Resource


class Wards:
    """Boarding, transfers and stays as SimPy processes (the reference)."""

    def _start_stay(self, est: Establishment, ward: str, pool: Resource, req, m) -> None:
        """The patient holding ``req`` starts their stay in ``ward`` now."""
        self.env.process(self._stay(est, ward, pool, req, m))

    def _stay_when_granted(self, est: Establishment, ward: str, pool: Resource, req, m) -> None:
        """The patient waits for the bed ``req`` asks for, then stays."""
        self.env.process(self._wait_and_stay(est, ward, pool, req, m))

    def _pool(self, est: Establishment, ward: str) -> Resource | None:
        if ward == "icu":
            return est.icu
        if ward == "ssr":
            return est.ssr
        return est.wards.get(ward)

    def _spec_los(self, est: Establishment, ward: str) -> float:
        if ward == "icu":
            return est.spec.icu.mean_los_hours if est.spec.icu else 6.5 * HOURS_PER_DAY
        if ward == "ssr":
            return self._ssr_spec(est)
        w = est.spec.wards.get(ward)
        return w.mean_los_hours if w else 5.5 * HOURS_PER_DAY

    def _admit(self, est: Establishment, ward: str, m: np.ndarray, day: int):
        """Board until a bed is found here, or transfer after the boarding limit. Returns the
        time the patient leaves the ED; the stay continues in its own process."""
        env = self.env
        pool = self._pool(est, ward)
        if pool is not None:
            req = pool.request()
            if not req.triggered:
                limit = env.timeout(self.policy.max_boarding_hours)
                yield req | limit
            if req.granted:
                self._start_stay(est, ward, pool, req, m)
                return env.now
            pool.cancel(req)
        # Transfer: nearest establishment (département, then région) with a free bed.
        target = self._find_bed(est, ward)
        if target is None:
            est.counters["refused"][day] += 1
            target = est if pool is not None else self._any_with(est, ward)
            if target is None:
                return env.now  # no such ward anywhere in the région: leaves the model
        else:
            est.counters["transfers_out"][day] += 1
            target.counters["transfers_in"][day] += 1
            yield from self._smur_transfer(est, target)
        t_pool = self._pool(target, ward)
        req = t_pool.request()
        left = env.now
        self._stay_when_granted(target, ward, t_pool, req, m)
        return left

    def _wait_and_stay(self, est, ward, pool, req, m):
        yield req
        yield from self._stay(est, ward, pool, req, m)

    def _find_bed(self, origin: Establishment, ward: str) -> Establishment | None:
        d = origin.dep_index
        reg = self.net.territories[d].reg
        best = None
        for e in self.ests:
            if e is origin:
                continue
            pool = self._pool(e, ward)
            if pool is None or pool.in_service + pool.waiting >= pool.capacity:
                continue
            if self.net.territories[e.dep_index].reg != reg:
                continue
            key = (self.net.travel_hours[d, e.dep_index], e.index)
            if best is None or key < best[0]:
                best = (key, e)
        return None if best is None else best[1]

    def _any_with(self, origin: Establishment, ward: str) -> Establishment | None:
        d = origin.dep_index
        reg = self.net.territories[d].reg
        cands = [
            e
            for e in self.ests
            if self._pool(e, ward) is not None and self.net.territories[e.dep_index].reg == reg
        ]
        if not cands:
            return None
        return min(cands, key=lambda e: (self.net.travel_hours[d, e.dep_index], e.index))

    def _smur_transfer(self, origin: Establishment, target: Establishment):
        """Secondary transfer: a SMUR team of the origin's département, there and back."""
        env = self.env
        travel = float(self.net.travel_hours[origin.dep_index, target.dep_index])
        team_pool = self.smur[origin.dep_index]
        if team_pool is None:
            yield env.timeout(travel)
            return
        req = team_pool.request()
        yield req
        yield env.timeout(travel)
        self._release_after(team_pool, req, travel)

    def _stay(self, est: Establishment, ward: str, pool: Resource, req, m: np.ndarray):
        env = self.env
        z = normal_score(m[mk.STAY])
        yield env.timeout(self._lognormal(self._spec_los(est, ward), z))
        share = self.parameters.ssr_discharge_share.get(ward, 0.0)
        if share > 0 and m[mk.SSR_NEED] < share:
            ssr = self._ssr_for(est)
            if ssr is not None:
                sreq = ssr.request()
                t0 = env.now
                if not sreq.triggered:
                    yield sreq
                est.counters["ssr_blocked_hours"][self._day(env.now)] += env.now - t0
                pool.release(req)
                spec_ssr = self._ssr_spec(est)
                yield env.timeout(self._lognormal(spec_ssr, normal_score(m[mk.SSR_STAY])))
                ssr.release(sreq)
                return
        pool.release(req)

    def _ssr_for(self, est: Establishment) -> Resource | None:
        """Own SSR unit if it has a free bed, else the SSR unit of the département with the
        most free beds (the discharge coordinator's choice), else the own or largest one."""
        own = est.ssr
        if own is not None and own.in_service + own.waiting < own.capacity:
            return own
        best, best_free = own, -math.inf
        for i in self.ests_of_dep[est.dep_index]:
            pool = self.ests[i].ssr
            if pool is None:
                continue
            free = pool.capacity - pool.in_service - pool.waiting
            if free > best_free:
                best, best_free = pool, free
        return best

    def _ssr_spec(self, est: Establishment) -> float:
        if est.spec.ssr is not None:
            return est.spec.ssr.mean_los_hours
        for i in self.ests_of_dep[est.dep_index]:
            s = self.ests[i].spec.ssr
            if s is not None:
                return s.mean_los_hours
        return 34.0 * HOURS_PER_DAY

    def _electives(self, est: Establishment, disc: str, w: WardSpec):
        env = self.env
        rng = stream(self.seed, "electives", est.spec.finess, disc)
        pool = est.wards[disc]
        weekday0 = self.net.start.weekday()
        for day in range(self.days):
            if (weekday0 + day) % 7 < 5:
                t = day * HOURS_PER_DAY + 8.0
                if t > env.now:
                    yield env.timeout(t - env.now)
                n = rng.poisson(w.scheduled_per_weekday)
                marks = rng.random((n, mk.N_ELECTIVE_MARKS))
                for k in range(n):
                    est.counters["electives_scheduled"][day] += 1
                    blocked = est.agent is not None and est.agent.plan_blanc
                    if (blocked and self.policy.cancel_electives) or (
                        pool.in_service >= pool.capacity
                    ):
                        est.counters["electives_cancelled"][day] += 1
                        continue
                    req = pool.request()
                    self._start_stay(est, disc, pool, req, marks[k])

    def _unscheduled(self, est: Establishment, ward: str, w: WardSpec):
        env = self.env
        rng = stream(self.seed, "unscheduled", est.spec.finess, ward)
        pool = self._pool(est, ward)
        per_day = np.full((self.days, 1), w.unscheduled_per_day)
        arr = draw_arrivals(rng, per_day)
        for i in range(len(arr)):
            t = arr.time_hours[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            req = pool.request()
            self._stay_when_granted(est, ward, pool, req, arr.marks[i])


class FastWards:
    """Stays as event callbacks: one event at the end of the stay."""

    def _end_stay(self, est: Establishment, ward: str, pool: Resource, req: Any, m) -> None:
        share = self.parameters.ssr_discharge_share.get(ward, 0.0)
        ssr = self._ssr_for(est) if share > 0 and m[mk.SSR_NEED] < share else None
        if ssr is None:
            pool.release(req)
            return
        # Bed blocking: the acute bed is held until an SSR bed is granted.
        sreq = ssr.request()
        t0 = self.env._now

        def to_ssr(_ev: Event | None) -> None:
            now = self.env._now
            est.counters["ssr_blocked_hours"][self._day(now)] += now - t0
            pool.release(req)
            z = normal_score(m[mk.SSR_STAY])
            self._release_after(ssr, sreq, self._lognormal(self._ssr_spec(est), z))

        if sreq.callbacks is None:
            to_ssr(None)
        else:
            sreq.callbacks.append(to_ssr)

    def _start_stay(self, est: Establishment, ward: str, pool: Resource, req: Any, m) -> None:
        """The reference's :meth:`~twin.sim.pathway_reference.Simulation._stay` as callbacks:
        one event at the end of the stay, then release or wait for a follow-up (SSR) bed."""
        z = normal_score(m[mk.STAY])
        los = self._lognormal(self._spec_los(est, ward), z)
        self._at(los, lambda _ev: self._end_stay(est, ward, pool, req, m))

    def _stay_when_granted(self, est: Establishment, ward: str, pool: Resource, req: Any,
                           m) -> None:
        if req.callbacks is None:
            self._start_stay(est, ward, pool, req, m)
        else:
            req.callbacks.append(lambda _ev: self._start_stay(est, ward, pool, req, m))
