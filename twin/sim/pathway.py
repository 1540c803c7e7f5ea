"""Patients through SAMU, emergency departments, wards, critical care and follow-up care.

The pathways, resources, agents and outputs are those of the reference model
(:mod:`twin.sim.pathway_reference`, whose docstring describes them); this module runs them
with far fewer SimPy events (issue #11), by design rather than by tuning:

* **SAMU call-taking and regulation without events.** Every call's arrival and service time
  is drawn before the run, and nothing downstream feeds back into the regulation
  assistants' (ARM) or regulating doctors' queues, so both are solved per département as a
  FIFO multi-server recursion with the hourly roster (:mod:`twin.sim.callqueue`). The ~70 %
  of calls that end in advice never enter SimPy; a call that sends an ambulance or a SMUR
  team enters it at the end of its regulation.
* **ED self-presentations in NumPy blocks.** Per ED unit, the opening roster splits the
  arrival batch into patients who present and patients who find the ED closed (these join
  the SAMU call queue); triage level, disposition, treatment time and triage (IOA) delay
  are turned from the patients' marks by vectorised inverse CDFs; patients join the
  treatment-place queue at the end of triage, in that order, fed by a chain of callbacks.
* **One event per segment, no generator where nothing decides.** A patient in the ED is a
  chain of event callbacks: join the queue (granted at once when a place is free), one event
  at the end of treatment. Going home or being transferred costs nothing more; only
  patients kept in the short-stay unit or admitted continue as a SimPy process (boarding,
  transfers and ward stays are the reference code). ED arrivals per day are counted in
  NumPy.

Everything that queues on a shared capacity (ED places, UHCD, beds, SMUR teams) still runs
on the SimPy clock and the Mesa agents still decide every hour, so the model's behaviour is
the reference's: the same patients with the same marks, the same distributions, the same
queue disciplines (tests/sim/test_fast_pathway.py compares them).

One accounting difference: the reference counts a self-presenting patient "in the ED"
(``EDUnit.arrivals``/``in_ed``) from arrival, this model from the end of triage; the
patients still in triage when the run stops are added back at the end, so
``ed_in_system_end`` keeps its meaning.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Sequence
from heapq import heappush
from typing import Any

import numpy as np
from scipy.special import ndtri
from simpy.events import NORMAL, Event

from twin.network import ModelParameters
from twin.sim import pathway_reference as ref
from twin.sim.callqueue import fifo_start_times, hourly_roster
from twin.sim.clock import HOURS_PER_DAY, hours_from_minutes
from twin.sim.interventions import hourly_capacity
from twin.sim.pathway_reference import (  # re-exported: the model's public names
    ADMIT_ICU,
    ADMIT_WARD,
    AGE_ADMISSION_WEIGHT,
    C_ADMIT_ICU,
    C_ADMIT_WARD,
    C_BOARDING_H,
    C_CANCELLED,
    C_ED_TRANSFER,
    C_ELECTIVES,
    C_PLAN_BLANC_H,
    C_REFUSED,
    C_SSR_BLOCKED_H,
    C_TRANSFERS_IN,
    C_TRANSFERS_OUT,
    C_UHCD,
    D_AMBULANCE,
    D_CALLS,
    D_CLOSED_REDIRECT,
    D_SMUR,
    EPISODE_FIELDS,
    HOME,
    N_DEP_COUNTERS,
    N_EST_COUNTERS,
    TRANSFER_OUT,
    UHCD,
    EDUnit,
    Establishment,
    Policy,
)
from twin.sim.resources import Resource

__all__ = [
    "ADMIT_ICU", "ADMIT_WARD", "AGE_ADMISSION_WEIGHT", "C_ADMIT_ICU", "C_ADMIT_WARD",
    "C_BOARDING_H", "C_CANCELLED", "C_ED_TRANSFER", "C_ELECTIVES", "C_PLAN_BLANC_H",
    "C_REFUSED", "C_SSR_BLOCKED_H", "C_TRANSFERS_IN", "C_TRANSFERS_OUT", "C_UHCD",
    "D_AMBULANCE", "D_CALLS", "D_CLOSED_REDIRECT", "D_SMUR", "EPISODE_FIELDS", "HOME",
    "N_DEP_COUNTERS", "N_EST_COUNTERS", "TRANSFER_OUT", "UHCD", "EDUnit", "Establishment",
    "Policy", "Simulation", "ed_attributes",
]

_new_object = object.__new__
_BLOCK = 4096
"""Arrivals converted to Python scalars at a time (memory stays flat over a year)."""
_SETTLE = 1e-6
"""The run stops this long after the horizon (the daily recorder fires exactly at it)."""


def ed_attributes(
    unit: EDUnit,
    ages: np.ndarray,
    marks: np.ndarray,
    p: ModelParameters,
    triage_cum: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :meth:`~twin.sim.pathway_reference.Simulation._ed_attributes` for
    self-presenting patients: (triage level, disposition, treatment hours, triage delay
    hours) of each row of ``marks``, with the same inverse CDFs and the same comparisons,
    under the run's parameters ``p`` (``triage_cum``: cumulated ``p.triage_shares``)."""
    m = marks
    triage = 1 + np.searchsorted(triage_cum, m[:, 2], side="right")
    admit_p = unit.admit_by_age[ages] * unit.admit_scale
    u = m[:, 4]
    after_transfer = admit_p + unit.spec.transfer_share
    disp = np.full(len(u), HOME, dtype=np.int64)
    disp[u < after_transfer + unit.spec.uhcd_share] = UHCD
    disp[u < after_transfer] = TRANSFER_OUT
    admitted = u < admit_p
    disp[admitted] = np.where(m[admitted, 6] < p.ed_icu_share_of_admissions, ADMIT_ICU,
                              ADMIT_WARD)
    z_treat = ndtri(np.clip(m[:, 3], 1e-9, 1 - 1e-9))
    treat = p.ed_treatment_median_hours * np.exp(p.ed_treatment_sigma * z_treat)
    treat[admitted] *= p.ed_admitted_treatment_factor
    z = ndtri(np.clip(m[:, 8], 1e-9, 1 - 1e-9))
    delay = hours_from_minutes(p.ed_triage_median_minutes) * np.exp(p.ed_triage_sigma * z)
    return triage, disp, treat, delay


def _unit_exp(u: np.ndarray) -> np.ndarray:
    """Unit-mean exponentials from uniform marks (inverse CDF), as ``ref._exp``."""
    return -np.log(np.maximum(1.0 - u, 1e-12))


class Simulation(ref.Simulation):
    """The fast model: same construction and bed logic as the reference, hot paths replaced."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n_dep = len(self.net.territories)
        self._redirects: list[list[tuple[np.ndarray, np.ndarray, np.ndarray, int]]] = [
            [] for _ in range(n_dep)
        ]
        self._in_triage_at_end = [0] * len(self.eds)  # self-presenting, counted up front
        self._in_triage = [0] * len(self.eds)  # SAMU-transported patients still in triage

    # ------------------------------------------------------------------ event helpers
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

    # ------------------------------------------------------------------ ED
    def _start_unit_arrivals(self, unit: EDUnit, arr: Any) -> None:
        t = arr.time_hours
        mask = np.asarray(unit.open_by_hour, dtype=bool)
        is_open = mask[np.minimum(t.astype(np.int64), len(mask) - 1)]
        closed = ~is_open
        if closed.any():
            # They call the SAMU, which regulates access (joined to the call queue).
            d = unit.dep_index
            tc = t[closed]
            np.add.at(self.dep_counters[D_CLOSED_REDIRECT, d], self._days_of(tc), 1)
            self._redirects[d].append((tc, arr.marks[closed], arr.age_class[closed], unit.index))
        t = t[is_open]
        marks = arr.marks[is_open]
        ages = arr.age_class[is_open].astype(np.int64)
        unit.arrivals_by_day += np.bincount(self._days_of(t), minlength=self.days)
        triage, disp, treat, delay = ed_attributes(
            unit, ages, marks, self.parameters, self._triage_cum
        )
        t_join = t + delay
        order = np.argsort(t_join, kind="stable")
        # Patients still in triage when the run stops are in the ED, as in the reference.
        limit = self.horizon + _SETTLE
        self._in_triage_at_end[unit.index] = int(np.sum((t <= limit) & (t_join > limit)))
        # Only patients kept in the UHCD or admitted need their marks later: keep those rows.
        disp = disp[order]
        later = (disp != HOME) & (disp != TRANSFER_OUT)
        kept = marks[order[later]]
        row_of = np.where(later, np.cumsum(later) - 1, -1).astype(np.int32)
        join = self._ed_join

        def handle(_i: int, row: tuple) -> None:
            k, tri, dk, treat_k, t_k = row
            join(unit, tri, dk, treat_k, t_k, 0.0, kept[k] if k >= 0 else None)

        columns = (row_of, triage[order].astype(np.int8), disp.astype(np.int8), treat[order],
                   t[order])
        self._feed(t_join[order], columns, handle)

    def _ed_arrival(self, unit: EDUnit, age: int, m: np.ndarray, via: str) -> None:
        t_arr = self.env.now
        unit.arrivals_by_day[self._day(t_arr)] += 1
        triage, disp, treat, delay = self._ed_attributes(unit, age, m, via)
        code = ref._VIA_CODE[via]
        if via == "smur":
            self._ed_join(unit, triage, disp, treat, t_arr, code, m)
            return
        self._in_triage[unit.index] += 1

        def after_triage(_ev: Event) -> None:
            self._in_triage[unit.index] -= 1
            self._ed_join(unit, triage, disp, treat, t_arr, code, m)

        self._at(delay, after_triage)

    def _ed_join(
        self, unit: EDUnit, triage: int, disp: int, treat: float, t_arr: float, via: float,
        m: np.ndarray | None,
    ) -> None:
        """End of triage: queue for a treatment place (granted at once if one is free)."""
        unit.arrivals += 1
        unit.in_ed += 1
        req = unit.places.request(triage)

        def treated(_ev: Event) -> None:
            unit.places.release(req)
            if disp in (HOME, TRANSFER_OUT) or (disp == UHCD and unit.uhcd is None):
                if disp == TRANSFER_OUT:
                    self.ests[unit.est].counters[C_ED_TRANSFER, self._day(t_arr)] += 1
                self._ed_leave(unit, t_arr, wait[0], self.env._now - t_arr, 0.0, disp, via)
            elif disp == UHCD:
                self._uhcd(unit, m, t_arr, wait[0], via)
            else:
                self.env.process(self._ed_disposition(unit, disp, m, t_arr, wait[0], via))

        wait = [0.0]

        def start(_ev: Event | None) -> None:
            wait[0] = self.env._now - t_arr
            self._at(treat, treated)

        if req.callbacks is None:
            start(None)
        else:
            req.callbacks.append(start)

    def _uhcd(self, unit: EDUnit, m: np.ndarray, t_arr: float, wait: float, via: float) -> None:
        """Short-stay unit after treatment (the ED stay ends on leaving treatment)."""
        pool = unit.uhcd
        req = pool.request()
        los = self.env._now - t_arr

        def leave(_ev: Event) -> None:
            pool.release(req)
            self.ests[unit.est].counters[C_UHCD, self._day(t_arr)] += 1
            self._ed_leave(unit, t_arr, wait, los, 0.0, UHCD, via)

        def admitted(_ev: Event | None) -> None:
            z = ndtri(min(max(m[5], 1e-9), 1 - 1e-9))
            self._at(self._lognormal(unit.spec.uhcd_mean_los_hours, z), leave)

        if req.callbacks is None:
            admitted(None)
        else:
            req.callbacks.append(admitted)

    # ------------------------------------------------------------------ SAMU
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
        self.dep_counters[D_CALLS, d] += np.bincount(day, minlength=self.days)
        limit = self.horizon + _SETTLE
        arm_svc = hours_from_minutes(self.parameters.samu_arm_minutes) * _unit_exp(marks[:, 1])
        start = fifo_start_times(t0, arm_svc, self._roster("samu_arm", terr.dep, terr.arm_by_hour))
        end = start + arm_svc
        answered = end <= limit
        rec = array("d")
        rec.frombytes(np.column_stack([t0[answered], (start - t0)[answered]]).tobytes())
        self.samu_rec[d] = rec
        # Regulating doctor: every redirected patient, and a share of the calls.
        to_doc = answered & ((closed >= 0) | (marks[:, 2] < terr.samu_doctor_share))
        idx = np.flatnonzero(to_doc)
        idx = idx[np.argsort(end[idx], kind="stable")]
        doc_svc = hours_from_minutes(self.parameters.samu_doctor_minutes) * _unit_exp(marks[idx, 3])
        doc_start = fifo_start_times(
            end[idx], doc_svc, self._roster("samu_doctor", terr.dep, terr.doctors_by_hour)
        )
        regulated = end.copy()
        regulated[idx] = doc_start + doc_svc
        transport = terr.samu_smur_share + terr.samu_ed_transport_share
        go = answered & (regulated <= limit) & ((closed >= 0) | (marks[:, 5] < transport))
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

    def _follow(self, pool: Resource, daily: tuple[int, ...], resource: str, key: str) -> None:
        """The reference's rosters, with events only at the hours where capacity changes; the
        ARM and doctor pools have none (their queues are solved by :meth:`_start_call_stream`,
        which reads the same rosters)."""
        if resource in ("samu_arm", "samu_doctor"):
            return
        if len(set(daily)) > 1 and not self._changes(resource, key):
            d = [int(x) for x in daily]
            hours = [h for h in range(len(d)) if d[h] != d[h - 1]]
            pool.follow_schedule(hours, [d[h] for h in hours], repeat_every_hours=HOURS_PER_DAY)
            return
        super()._follow(pool, daily, resource, key)

    # ------------------------------------------------------------------ beds
    def _release_after(self, pool: Resource, req: Any, hours: float) -> None:
        self._at(hours, lambda _ev: pool.release(req))

    def _start_stay(self, est: Establishment, ward: str, pool: Resource, req: Any, m) -> None:
        """The reference's :meth:`~twin.sim.pathway_reference.Simulation._stay` as callbacks:
        one event at the end of the stay, then release or wait for a follow-up (SSR) bed."""
        z = ndtri(min(max(m[5], 1e-9), 1 - 1e-9))
        los = self._lognormal(self._spec_los(est, ward), z)
        self._at(los, lambda _ev: self._end_stay(est, ward, pool, req, m))

    def _stay_when_granted(self, est: Establishment, ward: str, pool: Resource, req: Any,
                           m) -> None:
        if req.callbacks is None:
            self._start_stay(est, ward, pool, req, m)
        else:
            req.callbacks.append(lambda _ev: self._start_stay(est, ward, pool, req, m))

    def _end_stay(self, est: Establishment, ward: str, pool: Resource, req: Any, m) -> None:
        share = self.parameters.ssr_discharge_share.get(ward, 0.0)
        ssr = self._ssr_for(est) if share > 0 and m[7] < share else None
        if ssr is None:
            pool.release(req)
            return
        # Bed blocking: the acute bed is held until an SSR bed is granted.
        sreq = ssr.request()
        t0 = self.env._now

        def to_ssr(_ev: Event | None) -> None:
            now = self.env._now
            est.counters[C_SSR_BLOCKED_H, self._day(now)] += now - t0
            pool.release(req)
            z = ndtri(min(max(m[1], 1e-9), 1 - 1e-9))
            self._release_after(ssr, sreq, self._lognormal(self._ssr_spec(est), z))

        if sreq.callbacks is None:
            to_ssr(None)
        else:
            sreq.callbacks.append(to_ssr)

    # ------------------------------------------------------------------ run
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
