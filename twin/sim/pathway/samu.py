"""SAMU (centre 15): calls, answer by the regulation assistants (ARM), medical
regulation, dispatch of a SMUR team or an ambulance to the oriented ED.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

import numpy as np

from twin.rng import stream
from twin.sim import marks as mk
from twin.sim.callqueue import fifo_start_times
from twin.sim.clock import hours_from_minutes
from twin.sim.demand import draw_arrivals
from twin.sim.pathway.records import (
    SETTLE_HOURS,
    EDUnit,
)


def _exp(u: float) -> float:
    """Unit-mean exponential from a uniform mark (inverse CDF)."""
    return -math.log(max(1.0 - u, 1e-12))


def _unit_exp(u: np.ndarray) -> np.ndarray:
    """Unit-mean exponentials from uniform marks (inverse CDF), as ``_exp``."""
    return -np.log(np.maximum(1.0 - u, 1e-12))


class Samu:
    """SAMU calls as SimPy processes (the reference)."""

    def _start_samu_calls(self, d: int) -> None:
        t = self.net.territories[d]
        rng = stream(self.seed, "samu_calls", t.dep)
        self._start_call_stream(d, draw_arrivals(rng, t.samu_calls_per_day[:, None]))

    def _start_call_stream(self, d: int, arr) -> None:
        self.env.process(self._feed_calls(d, arr))

    def _feed_calls(self, d: int, arr):
        env = self.env
        times, marks = arr.time_hours, arr.marks
        for i in range(len(times)):
            if times[i] > env.now:
                yield env.timeout(times[i] - env.now)
            env.process(self._samu_call(d, marks[i], -1, None))

    def _samu_call(self, d: int, m: np.ndarray, age: int, closed_unit: EDUnit | None):
        env = self.env
        t = self.net.territories[d]
        t0 = env.now
        day = self._day(t0)
        self.dep_counters["samu_calls"][d, day] += 1
        arm = self.arm[d]
        req = arm.request()
        yield req
        answer = env.now - t0
        arm_hours = hours_from_minutes(self.parameters.samu_arm_minutes)
        yield env.timeout(arm_hours * _exp(m[mk.ARM_SERVICE]))
        arm.release(req)
        self.samu_rec[d].append(t0)
        self.samu_rec[d].append(answer)
        if closed_unit is not None or m[mk.REGULATION] < t.samu_doctor_share:
            doc = self.doctors[d]
            r2 = doc.request()
            yield r2
            doctor_hours = hours_from_minutes(self.parameters.samu_doctor_minutes)
            service = doctor_hours * _exp(m[mk.DOCTOR_SERVICE])
            yield env.timeout(service)
            doc.release(r2)
        yield from self._dispatch(d, m, age, closed_unit, day)

    def _dispatch(self, d: int, m: np.ndarray, age: int, closed_unit: EDUnit | None, day: int):
        """After regulation: advice, SMUR mission, or ambulance to the oriented ED."""
        env = self.env
        t = self.net.territories[d]
        u = m[mk.CALL_OUTCOME]
        default_ed = closed_unit.index if closed_unit is not None else None
        if closed_unit is None and u >= t.samu_smur_share + t.samu_ed_transport_share:
            return  # advice, GP referral
        smur = closed_unit is None and u < t.samu_smur_share
        if smur and self.smur[d] is not None:
            self.dep_counters["smur_missions"][d, day] += 1
            pool = self.smur[d]
            treq = pool.request()
            tw = env.now
            yield treq
            travel = t.travel_hours_within
            yield env.timeout(travel)
            self.smur_rec[d].append(tw)
            self.smur_rec[d].append(env.now - tw)
            yield env.timeout(self.parameters.smur_on_scene_hours)
            ed = self._orient(d, default_ed)
            if ed is None:
                pool.release(treq)
                return
            yield env.timeout(travel)
            self._release_after(pool, treq, travel)
            self._ed_arrival(self.eds[ed], age, m, "smur")
            return
        self.dep_counters["samu_ed_transports"][d, day] += 1
        ed = self._orient(d, default_ed)
        if ed is None:
            return
        unit = self.eds[ed]
        yield env.timeout(float(self.net.travel_hours[d, unit.dep_index]))
        self._ed_arrival(unit, age, m, "samu")

    def _orient(self, d: int, default: int | None) -> int | None:
        now = self.env.now
        if not self.policy.samu_orientation:
            opts = [e for e in self.eds_of_dep[d] if self.eds[e].is_open(now)]
            return opts[0] if opts else default
        fallback = self.eds_of_dep[d][0] if self.eds_of_dep[d] else default
        return self.samu_agents[d].orient(lambda e: self.eds[e].is_open(now), fallback)


class FastSamu:
    """ARM and doctor queues solved per département without events."""

    def _start_call_stream(self, d: int, arr: Any) -> None:
        """All calls of the département (own calls and closed-ED redirects) through the ARM
        and doctor queues at once; dispatching calls enter SimPy at their regulation end."""
        terr = self.net.territories[d]
        parts = [(arr.time_hours, arr.marks, np.full(len(arr), -1), -1)]
        parts += [(tc, mc, ac.astype(np.int64), ui) for tc, mc, ac, ui in self._redirects[d]]
        self._redirects[d] = []
        t0 = np.concatenate([p[0] for p in parts])
        marks = np.concatenate([p[1] for p in parts])
        ages = np.concatenate([p[2] for p in parts])
        closed = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])
        order = np.argsort(t0, kind="stable")
        t0, marks, ages, closed = t0[order], marks[order], ages[order], closed[order]
        day = self._days_of(t0)
        self.dep_counters["samu_calls"][d] += np.bincount(day, minlength=self.days)
        limit = self.horizon + SETTLE_HOURS
        arm_hours = hours_from_minutes(self.parameters.samu_arm_minutes)
        arm_svc = arm_hours * _unit_exp(marks[:, mk.ARM_SERVICE])
        start = fifo_start_times(t0, arm_svc, self._roster("samu_arm", terr.dep, terr.arm_by_hour))
        end = start + arm_svc
        answered = end <= limit
        rec = array("d")
        rec.frombytes(np.column_stack([t0[answered], (start - t0)[answered]]).tobytes())
        self.samu_rec[d] = rec
        # Regulating doctor: every redirected patient, and a share of the calls.
        to_doc = answered & ((closed >= 0) | (marks[:, mk.REGULATION] < terr.samu_doctor_share))
        idx = np.flatnonzero(to_doc)
        idx = idx[np.argsort(end[idx], kind="stable")]
        doc_minutes = hours_from_minutes(self.parameters.samu_doctor_minutes)
        doc_svc = doc_minutes * _unit_exp(marks[idx, mk.DOCTOR_SERVICE])
        doc_start = fifo_start_times(
            end[idx], doc_svc, self._roster("samu_doctor", terr.dep, terr.doctors_by_hour)
        )
        regulated = end.copy()
        regulated[idx] = doc_start + doc_svc
        transport = terr.samu_smur_share + terr.samu_ed_transport_share
        sent = (closed >= 0) | (marks[:, mk.CALL_OUTCOME] < transport)
        go = answered & (regulated <= limit) & sent
        idx = np.flatnonzero(go)
        idx = idx[np.argsort(regulated[idx], kind="stable")]
        go_marks = marks[idx]  # the other calls' marks are not needed any more
        eds = self.eds
        process = self.env.process
        dispatch = self._dispatch

        def handle(k: int, row: tuple) -> None:
            age, unit, day_i = row
            cu = eds[unit] if unit >= 0 else None
            process(dispatch(d, go_marks[k], age, cu, day_i))

        self._feed(regulated[idx], (ages[idx], closed[idx], day[idx]), handle)
