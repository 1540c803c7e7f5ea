"""Emergency departments: self-presentations, triage, treatment places, disposition
(home, short-stay unit, transfer out, admission), and the episode records.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtri
from simpy.events import Event

from twin.network import EDSpec, ModelParameters
from twin.rng import stream
from twin.sim import marks as mk
from twin.sim.clock import hours_from_minutes
from twin.sim.demand import draw_arrivals
from twin.sim.pathway.records import (
    _DISC,
    _VIA_CODE,
    ADMIT_ICU,
    ADMIT_WARD,
    HOME,
    SETTLE_HOURS,
    TRANSFER_OUT,
    UHCD,
    EDUnit,
    normal_score,
)


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
    triage = 1 + np.searchsorted(triage_cum, m[:, mk.TRIAGE], side="right")
    admit_p = unit.admit_by_age[ages] * unit.admit_scale
    u = m[:, mk.DISPOSITION]
    after_transfer = admit_p + unit.spec.transfer_share
    disp = np.full(len(u), HOME, dtype=np.int64)
    disp[u < after_transfer + unit.spec.uhcd_share] = UHCD
    disp[u < after_transfer] = TRANSFER_OUT
    admitted = u < admit_p
    icu = m[admitted, mk.ICU_ADMISSION] < p.ed_icu_share_of_admissions
    disp[admitted] = np.where(icu, ADMIT_ICU, ADMIT_WARD)
    z_treat = ndtri(np.clip(m[:, mk.TREATMENT], 1e-9, 1 - 1e-9))
    treat = p.ed_treatment_median_hours * np.exp(p.ed_treatment_sigma * z_treat)
    treat[admitted] *= p.ed_admitted_treatment_factor
    z = ndtri(np.clip(m[:, mk.TRIAGE_DELAY], 1e-9, 1 - 1e-9))
    delay = hours_from_minutes(p.ed_triage_median_minutes) * np.exp(p.ed_triage_sigma * z)
    return triage, disp, treat, delay


class EmergencyDepartments:
    """ED patients as SimPy processes (the reference)."""

    def _open_by_hour(self, finess: str, e: EDSpec) -> list[bool]:
        is_open = np.tile(np.asarray(e.open_hours, dtype=bool), self.days)
        for c in self.interventions.ed_closures:
            if c.finess == finess and (c.unit_type is None or c.unit_type == e.unit_type):
                is_open &= ~c.window.mask(self.horizon_hours, self.first_weekday)
        return is_open.tolist()

    def _ed_free(self, ed: int) -> float:
        u = self.eds[ed]
        cap = max(u.places.capacity, 1)
        return (cap - u.places.in_service - u.places.waiting) / cap

    def _start_ed_arrivals(self, d: int) -> None:
        t = self.net.territories[d]
        mult_day = self.demand_multiplier.get(t.dep)
        gp = self.territory_agents[d].ed_demand_multiplier
        for ui in self.eds_of_dep[d]:
            unit = self.eds[ui]
            per_day = t.ed_demand_per_day * unit.spec.demand_share[None, :]
            mult = None
            if mult_day is not None or gp != 1.0:
                m = np.ones((self.days, per_day.shape[1])) if mult_day is None else mult_day
                mult = np.repeat(np.asarray(m, dtype=float) * gp, 24, axis=0)
            rng = stream(self.seed, "ed_arrivals", self.net.establishments[unit.est].finess)
            self._start_unit_arrivals(unit, draw_arrivals(rng, per_day, mult))

    def _start_unit_arrivals(self, unit: EDUnit, arr) -> None:
        self.env.process(self._feed_ed(unit, arr))

    def _feed_ed(self, unit: EDUnit, arr):
        env = self.env
        times = arr.time_hours
        ages = arr.age_class
        marks = arr.marks
        for i in range(len(times)):
            t = times[i]
            if t > env.now:
                yield env.timeout(t - env.now)
            if unit.is_open(t):
                env.process(self._ed_patient(unit, int(ages[i]), marks[i], t, None))
            else:
                # Closed: the patient calls the SAMU, which regulates access.
                self.dep_counters["closed_ed_redirected"][unit.dep_index, self._day(t)] += 1
                env.process(self._samu_call(unit.dep_index, marks[i], int(ages[i]), unit))

    def _ed_attributes(
        self, unit: EDUnit, age: int, m: np.ndarray, via: str | None
    ) -> tuple[int, int, float, float]:
        """(triage level, disposition, treatment hours, triage delay hours) from the marks.

        The fast model computes the same for whole arrival batches in NumPy
        (:func:`twin.sim.pathway.ed_attributes`); this scalar form serves SAMU patients.
        """
        triage = 1 + int(np.searchsorted(self._triage_cum, m[mk.TRIAGE], side="right"))
        if via == "smur":
            triage = min(triage, 2)
        # disposition
        admit_p = unit.admit_by_age[age] if age >= 0 else unit.spec.admit_share
        if via == "smur":
            admit_p = max(admit_p, self.parameters.smur_ed_admit_share)
        else:
            admit_p *= unit.admit_scale
        u = m[mk.DISPOSITION]
        if u < admit_p:
            icu_share = self.parameters.ed_icu_share_of_admissions * (3.0 if via == "smur" else 1.0)
            icu = m[mk.ICU_ADMISSION] < icu_share
            disp = ADMIT_ICU if icu else ADMIT_WARD
        elif u < admit_p + unit.spec.transfer_share:
            disp = TRANSFER_OUT
        elif u < admit_p + unit.spec.transfer_share + unit.spec.uhcd_share:
            disp = UHCD
        else:
            disp = HOME
        z_treat = normal_score(m[mk.TREATMENT])
        p = self.parameters
        treat = p.ed_treatment_median_hours * math.exp(p.ed_treatment_sigma * z_treat)
        if disp in (ADMIT_WARD, ADMIT_ICU):
            treat *= p.ed_admitted_treatment_factor
        delay = 0.0
        if via != "smur":
            z = normal_score(m[mk.TRIAGE_DELAY])
            delay = hours_from_minutes(p.ed_triage_median_minutes) * math.exp(
                p.ed_triage_sigma * z
            )
        return triage, disp, treat, delay

    def _ed_arrival(self, unit: EDUnit, age: int, m: np.ndarray, via: str) -> None:
        """A patient brought by the SAMU (``via`` ``samu`` or ``smur``) arrives now."""
        self.env.process(self._ed_patient(unit, age, m, self.env.now, via))

    def _ed_patient(self, unit: EDUnit, age: int, m: np.ndarray, t_arr: float, via: str | None):
        env = self.env
        day = self._day(t_arr)
        unit.arrivals += 1
        unit.arrivals_by_day[day] += 1
        unit.in_ed += 1
        triage, disp, treat, delay = self._ed_attributes(unit, age, m, via)
        if via != "smur":
            yield env.timeout(delay)
        req = unit.places.request(triage)
        yield req
        wait = env.now - t_arr
        yield env.timeout(treat)
        unit.places.release(req)
        yield from self._ed_disposition(unit, disp, m, t_arr, wait, _VIA_CODE[via])

    def _ed_disposition(
        self, unit: EDUnit, disp: int, m: np.ndarray, t_arr: float, wait: float, via: float
    ):
        """After treatment: home, short-stay unit, transfer or admission, then the record."""
        env = self.env
        est = self.ests[unit.est]
        day = self._day(t_arr)
        # The ED stay ends when the patient leaves the treatment area: home, to a bed (after
        # boarding), transferred, or to the short-stay unit (UHCD, counted apart).
        los = env.now - t_arr
        boarding = 0.0
        if disp == UHCD and unit.uhcd is not None:
            r2 = unit.uhcd.request()
            yield r2
            z = normal_score(m[mk.STAY])
            yield env.timeout(self._lognormal(unit.spec.uhcd_mean_los_hours, z))
            unit.uhcd.release(r2)
            est.counters["uhcd_stays"][day] += 1
        elif disp == TRANSFER_OUT:
            est.counters["ed_transfers_out"][day] += 1
        elif disp in (ADMIT_WARD, ADMIT_ICU):
            t0 = env.now
            if disp == ADMIT_ICU:
                ward = "icu"
            else:
                ward = _DISC[int(np.searchsorted(self._disc_cum, m[mk.WARD_DISCIPLINE]))]
            placed = yield from self._admit(est, ward, m, day)
            boarding = placed - t0
            est.counters["ed_boarding_hours"][day] += boarding
            est.counters["admissions_icu" if disp == ADMIT_ICU else "admissions_ward"][day] += 1
        self._ed_leave(unit, t_arr, wait, los if disp == UHCD else env.now - t_arr, boarding,
                       disp, via)

    @staticmethod
    def _ed_leave(
        unit: EDUnit, t_arr: float, wait: float, los: float, boarding: float, disp: int,
        via: float,
    ) -> None:
        unit.in_ed -= 1
        unit.departures += 1
        unit.rec.extend((t_arr, wait, los, boarding, disp, via))


class FastEmergencyDepartments:
    """ED self-presentations in NumPy blocks, patients as event callbacks."""

    def _start_unit_arrivals(self, unit: EDUnit, arr: Any) -> None:
        t = arr.time_hours
        mask = np.asarray(unit.open_by_hour, dtype=bool)
        is_open = mask[np.minimum(t.astype(np.int64), len(mask) - 1)]
        closed = ~is_open
        if closed.any():
            # They call the SAMU, which regulates access (joined to the call queue).
            d = unit.dep_index
            tc = t[closed]
            np.add.at(self.dep_counters["closed_ed_redirected"][d], self._days_of(tc), 1)
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
        limit = self.horizon + SETTLE_HOURS
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
        code = _VIA_CODE[via]
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
                    self.ests[unit.est].counters["ed_transfers_out"][self._day(t_arr)] += 1
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
            self.ests[unit.est].counters["uhcd_stays"][self._day(t_arr)] += 1
            self._ed_leave(unit, t_arr, wait, los, 0.0, UHCD, via)

        def admitted(_ev: Event | None) -> None:
            z = normal_score(m[mk.STAY])
            self._at(self._lognormal(unit.spec.uhcd_mean_los_hours, z), leave)

        if req.callbacks is None:
            admitted(None)
        else:
            req.callbacks.append(admitted)
