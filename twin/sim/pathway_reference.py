"""Patients through SAMU, emergency departments, wards, critical care and follow-up care:
the per-patient-process model, kept as the *reference* of the fast model.

:mod:`twin.sim.pathway` (the model every command runs) subclasses :class:`Simulation` and
replaces its hot paths (ED treatment, SAMU call-taking and regulation) by NumPy blocks and
event callbacks; construction, beds, transfers, stays and the agents are shared. This module
runs every patient and every call as its own SimPy process, exactly as the model did before
(issue #11), so ``run_replication(..., reference=True)`` and ``benchmarks/pathway_year.py
--reference`` can check the fast model against it on the same input.

One replication = one SimPy environment (clock in hours, :mod:`twin.sim.clock`) holding:

* per ED unit: a :class:`~twin.sim.resources.PriorityResource` of treatment places whose
  capacity follows an hourly roster (triage level = priority, 1 first), and a pool of UHCD
  (short-stay) beds;
* per establishment: a bed pool per MCO discipline, critical-care (adult réanimation) and
  follow-up care (SSR) beds;
* per département: SAMU regulation assistants (ARM) and regulating doctors (hourly
  rosters), and the SMUR teams of its bases;
* the Mesa agents (:mod:`twin.sim.agents`) stepped every hour by a SimPy process.

Pathways (each a SimPy process):

* **ED self-presentation**: triage → wait for a treatment place (time to first medical
  contact) → treatment → disposition: home, short-stay unit (UHCD) then home, transfer out
  (SAE ``dtEXT``), or admission. An admitted patient *boards* in the ED until a bed of the
  right discipline frees up in the establishment; after :data:`MAX_BOARDING_HOURS` the SAMU
  transfers them (secondary SMUR transfer) to the nearest establishment of the département,
  then région, with a free bed; if none has one they keep waiting (counted as *refused*).
* **SAMU call**: wait for an ARM (answer time) → optional medical regulation → advice /
  GP referral, ambulance to the ED the SAMU agent orients to, or SMUR dispatch (team wait
  + travel = SMUR response time) followed by transport to an ED as a triage-1/2 patient.
  Patients whose ED is closed at that hour call the SAMU instead of presenting.
* **Ward stay**: length of stay, then discharge home or to SSR; a patient waiting for an
  SSR bed keeps the acute bed (*bed blocking*).
* **Scheduled admissions** each weekday at 08:00 (cancelled under a crisis plan or when no
  bed is free), and **unscheduled direct admissions** (births, critical-care admissions from
  outside the ED) over the day.

Randomness: every stream is named (:func:`twin.rng.stream`); every patient carries uniform
marks drawn with their arrival (:mod:`twin.sim.demand`), turned into triage, treatment
time, disposition and length of stay by inverse CDFs, so a baseline and a what-if see the
same patients with the same attributes (common random numbers).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from scipy.special import ndtri

from twin import network as nw
from twin.network import CareNetwork, EstablishmentSpec, Policy
from twin.rng import stream
from twin.sim.agents import (
    DECISION_CADENCE_HOURS,
    CareModel,
    HospitalAgent,
    SamuAgent,
    TerritoryAgent,
)
from twin.sim.clock import HOURS_PER_DAY, hours_from_minutes
from twin.sim.demand import draw_arrivals
from twin.sim.interventions import (
    CapacityChange,
    Interventions,
    change_points,
    hourly_capacity,
)
from twin.sim.resources import PriorityResource, Resource

EPISODE_FIELDS = 6
"""Per ED episode: arrival time, wait for first contact, ED length of stay, boarding hours,
disposition code, arrival mode (0 self-presentation, 1 SAMU transport, 2 SMUR)."""
# disposition codes
HOME, UHCD, TRANSFER_OUT, ADMIT_WARD, ADMIT_ICU = 0, 1, 2, 3, 4
AGE_ADMISSION_WEIGHT = np.array([0.45, 0.65, 1.0, 1.7, 2.6])
"""Relative admission propensity by age class (<15 .. 75+), rescaled per ED unit so that its
SAE admission share is kept: the elderly are admitted far more often."""
_DISC = list(nw.DISCIPLINES)
_VIA_CODE = {None: 0.0, "samu": 1.0, "smur": 2.0}
"""Arrival mode as recorded in the episode log."""


@dataclass
class EDUnit:
    index: int
    est: int
    dep_index: int
    places: PriorityResource
    uhcd: Resource | None
    spec: nw.EDSpec
    open_by_hour: list[bool]
    """Open or not, per simulation hour (hourly roster plus closures); the last hour
    repeats beyond the horizon."""
    admit_by_age: np.ndarray
    admit_scale: float = 1.0
    """Applied to self-presenting and SAMU-transported patients so that, with SMUR patients
    admitted at ``ModelParameters.smur_ed_admit_share``, the unit keeps its SAE share."""
    # per-episode records: arrival, first-contact wait, ED length of stay, boarding, code
    rec: array = field(default_factory=lambda: array("d"))
    arrivals_by_day: np.ndarray = field(default_factory=lambda: np.zeros(0))
    in_ed: int = 0
    arrivals: int = 0
    departures: int = 0

    def is_open(self, t: float) -> bool:
        h = int(t)
        mask = self.open_by_hour
        return mask[h] if h < len(mask) else mask[-1]


@dataclass
class Establishment:
    index: int
    spec: EstablishmentSpec
    dep_index: int
    wards: dict[str, Resource]
    icu: Resource | None
    ssr: Resource | None
    agent: HospitalAgent | None = None
    counters: np.ndarray = field(default_factory=lambda: np.zeros(0))


# daily counters per establishment
C_TRANSFERS_OUT, C_TRANSFERS_IN, C_REFUSED, C_CANCELLED, C_ELECTIVES, C_PLAN_BLANC_H = range(6)
C_ADMIT_WARD, C_ADMIT_ICU, C_ED_TRANSFER, C_UHCD, C_BOARDING_H, C_SSR_BLOCKED_H = range(6, 12)
N_EST_COUNTERS = 12
# daily counters per département
D_CALLS, D_SMUR, D_AMBULANCE, D_CLOSED_REDIRECT = range(4)
N_DEP_COUNTERS = 4


class Simulation:
    """Builds and runs one replication; :func:`twin.sim.replication.run_replication` wraps it.

    The model assumptions are ``network.parameters`` (:class:`twin.network.ModelParameters`),
    the ones the network was calibrated with: the simulation takes no parameters argument, so
    it cannot draw with assumptions other than those its capacities were sized with. The
    hospital and SAMU ``policy`` is separate (it does not enter the calibration)."""

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
        self.dep_counters = np.zeros((N_DEP_COUNTERS, len(network.territories), self.days))
        self.samu_rec: list[array] = [array("d") for _ in network.territories]
        self.smur_rec: list[array] = [array("d") for _ in network.territories]
        self.initial_occupancy = initial_occupancy

    # ------------------------------------------------------------------ construction
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
            est.counters = np.zeros((N_EST_COUNTERS, self.days))
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

    # ------------------------------------------------------------------ interventions
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

    def _follow(self, pool: Resource, daily: tuple[int, ...], resource: str, key: str) -> None:
        """Make ``pool`` follow its daily roster (24 hourly values, or one constant) changed
        by the interventions.

        Without a change, a repeating daily roster (cheap); with one, the absolute hourly
        capacity over the whole horizon, applied only where it changes.
        """
        changes = self._changes(resource, key)
        if not changes:
            if len(set(daily)) == 1:
                pool.set_capacity(int(daily[0]))
            else:
                pool.follow_schedule(range(24), [int(x) for x in daily], repeat_every_hours=24)
            return
        times, caps = self._changed_schedule(daily, changes)
        pool.set_capacity(caps[0])
        if len(times) > 1:
            pool.follow_schedule(times[1:], caps[1:])

    def _ward_schedules(self, est: Establishment) -> None:
        """Changed MCO bed bases: the hospital agent's base moves, surge beds stay on top."""
        for disc, pool in est.wards.items():
            changes = self._changes(disc, est.spec.finess)
            if not changes:
                continue
            times, caps = self._changed_schedule((est.spec.wards[disc].beds,), changes)
            self.env.process(self._ward_base_process(est, disc, pool, times, caps))

    def _ward_base_process(self, est, disc, pool, times, caps):
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

    def _open_by_hour(self, finess: str, e: nw.EDSpec) -> list[bool]:
        is_open = np.tile(np.asarray(e.open_hours, dtype=bool), self.days)
        for c in self.interventions.ed_closures:
            if c.finess == finess and (c.unit_type is None or c.unit_type == e.unit_type):
                is_open &= ~c.window.mask(self.horizon_hours, self.first_weekday)
        return is_open.tolist()

    def _ed_free(self, ed: int) -> float:
        u = self.eds[ed]
        cap = max(u.places.capacity, 1)
        return (cap - u.places.in_service - u.places.waiting) / cap

    # ------------------------------------------------------------------ helpers
    def _day(self, t: float) -> int:
        return min(int(t // HOURS_PER_DAY), self.days - 1)

    def _lognormal(self, mean_hours: float, z: float) -> float:
        """Log-normal draw with the given mean (CV set by ``los_sigma``) from a normal score."""
        s = self.parameters.los_sigma
        return mean_hours * math.exp(s * z - s * s / 2.0)

    # ------------------------------------------------------------------ start-up
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

    def _default_occupied(self, w: nw.WardSpec) -> int:
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

    def _start_stay(self, est: Establishment, ward: str, pool: Resource, req, m) -> None:
        """The patient holding ``req`` starts their stay in ``ward`` now."""
        self.env.process(self._stay(est, ward, pool, req, m))

    def _stay_when_granted(self, est: Establishment, ward: str, pool: Resource, req, m) -> None:
        """The patient waits for the bed ``req`` asks for, then stays."""
        self.env.process(self._wait_and_stay(est, ward, pool, req, m))

    # ------------------------------------------------------------------ processes
    def start(self) -> None:
        env = self.env
        self._warm_start()
        for est in self.ests:
            self._ward_schedules(est)
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
                    est.counters[C_PLAN_BLANC_H, self._day(self.env.now)] += DECISION_CADENCE_HOURS
            yield self.env.timeout(DECISION_CADENCE_HOURS)

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
                self.dep_counters[D_CLOSED_REDIRECT, unit.dep_index, self._day(t)] += 1
                env.process(self._samu_call(unit.dep_index, marks[i], int(ages[i]), unit))

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

    # ED ----------------------------------------------------------------------------
    def _ed_attributes(
        self, unit: EDUnit, age: int, m: np.ndarray, via: str | None
    ) -> tuple[int, int, float, float]:
        """(triage level, disposition, treatment hours, triage delay hours) from the marks.

        The fast model computes the same for whole arrival batches in NumPy
        (:func:`twin.sim.pathway.ed_attributes`); this scalar form serves SAMU patients.
        """
        triage = 1 + int(np.searchsorted(self._triage_cum, m[2], side="right"))
        if via == "smur":
            triage = min(triage, 2)
        # disposition
        admit_p = unit.admit_by_age[age] if age >= 0 else unit.spec.admit_share
        if via == "smur":
            admit_p = max(admit_p, self.parameters.smur_ed_admit_share)
        else:
            admit_p *= unit.admit_scale
        u = m[4]
        if u < admit_p:
            icu_share = self.parameters.ed_icu_share_of_admissions
            icu = m[6] < icu_share * (3.0 if via == "smur" else 1.0)
            disp = ADMIT_ICU if icu else ADMIT_WARD
        elif u < admit_p + unit.spec.transfer_share:
            disp = TRANSFER_OUT
        elif u < admit_p + unit.spec.transfer_share + unit.spec.uhcd_share:
            disp = UHCD
        else:
            disp = HOME
        z_treat = ndtri(min(max(m[3], 1e-9), 1 - 1e-9))
        p = self.parameters
        treat = p.ed_treatment_median_hours * math.exp(p.ed_treatment_sigma * z_treat)
        if disp in (ADMIT_WARD, ADMIT_ICU):
            treat *= p.ed_admitted_treatment_factor
        delay = 0.0
        if via != "smur":
            z = ndtri(min(max(m[8], 1e-9), 1 - 1e-9))
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
            z = ndtri(min(max(m[5], 1e-9), 1 - 1e-9))
            yield env.timeout(self._lognormal(unit.spec.uhcd_mean_los_hours, z))
            unit.uhcd.release(r2)
            est.counters[C_UHCD, day] += 1
        elif disp == TRANSFER_OUT:
            est.counters[C_ED_TRANSFER, day] += 1
        elif disp in (ADMIT_WARD, ADMIT_ICU):
            t0 = env.now
            ward = (
                "icu" if disp == ADMIT_ICU else _DISC[int(np.searchsorted(self._disc_cum, m[6]))]
            )
            placed = yield from self._admit(est, ward, m, day)
            boarding = placed - t0
            est.counters[C_BOARDING_H, day] += boarding
            est.counters[C_ADMIT_ICU if disp == ADMIT_ICU else C_ADMIT_WARD, day] += 1
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
            est.counters[C_REFUSED, day] += 1
            target = est if pool is not None else self._any_with(est, ward)
            if target is None:
                return env.now  # no such ward anywhere in the région: leaves the model
        else:
            est.counters[C_TRANSFERS_OUT, day] += 1
            target.counters[C_TRANSFERS_IN, day] += 1
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
        z = ndtri(min(max(m[5], 1e-9), 1 - 1e-9))
        yield env.timeout(self._lognormal(self._spec_los(est, ward), z))
        share = self.parameters.ssr_discharge_share.get(ward, 0.0)
        if share > 0 and m[7] < share:
            ssr = self._ssr_for(est)
            if ssr is not None:
                sreq = ssr.request()
                t0 = env.now
                if not sreq.triggered:
                    yield sreq
                est.counters[C_SSR_BLOCKED_H, self._day(env.now)] += env.now - t0
                pool.release(req)
                spec_ssr = self._ssr_spec(est)
                yield env.timeout(self._lognormal(spec_ssr, ndtri(min(max(m[1], 1e-9), 1 - 1e-9))))
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

    # scheduled and unscheduled admissions -----------------------------------------------
    def _electives(self, est: Establishment, disc: str, w: nw.WardSpec):
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
                marks = rng.random((n, 8))
                for k in range(n):
                    est.counters[C_ELECTIVES, day] += 1
                    blocked = est.agent is not None and est.agent.plan_blanc
                    if (blocked and self.policy.cancel_electives) or (
                        pool.in_service >= pool.capacity
                    ):
                        est.counters[C_CANCELLED, day] += 1
                        continue
                    req = pool.request()
                    self._start_stay(est, disc, pool, req, marks[k])

    def _unscheduled(self, est: Establishment, ward: str, w: nw.WardSpec):
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

    # SAMU ----------------------------------------------------------------------------
    def _samu_call(self, d: int, m: np.ndarray, age: int, closed_unit: EDUnit | None):
        env = self.env
        t = self.net.territories[d]
        t0 = env.now
        day = self._day(t0)
        self.dep_counters[D_CALLS, d, day] += 1
        arm = self.arm[d]
        req = arm.request()
        yield req
        answer = env.now - t0
        yield env.timeout(hours_from_minutes(self.parameters.samu_arm_minutes) * _exp(m[1]))
        arm.release(req)
        self.samu_rec[d].append(t0)
        self.samu_rec[d].append(answer)
        if closed_unit is not None or m[2] < t.samu_doctor_share:
            doc = self.doctors[d]
            r2 = doc.request()
            yield r2
            yield env.timeout(hours_from_minutes(self.parameters.samu_doctor_minutes) * _exp(m[3]))
            doc.release(r2)
        yield from self._dispatch(d, m, age, closed_unit, day)

    def _dispatch(self, d: int, m: np.ndarray, age: int, closed_unit: EDUnit | None, day: int):
        """After regulation: advice, SMUR mission, or ambulance to the oriented ED."""
        env = self.env
        t = self.net.territories[d]
        u = m[5]
        default_ed = closed_unit.index if closed_unit is not None else None
        if closed_unit is None and u >= t.samu_smur_share + t.samu_ed_transport_share:
            return  # advice, GP referral
        smur = closed_unit is None and u < t.samu_smur_share
        if smur and self.smur[d] is not None:
            self.dep_counters[D_SMUR, d, day] += 1
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
            m = _rescaled_mark(m, 5, 0.0, t.samu_smur_share)
            self._ed_arrival(self.eds[ed], age, m, "smur")
            return
        self.dep_counters[D_AMBULANCE, d, day] += 1
        ed = self._orient(d, default_ed)
        if ed is None:
            return
        unit = self.eds[ed]
        yield env.timeout(float(self.net.travel_hours[d, unit.dep_index]))
        if closed_unit is None:
            m = _rescaled_mark(m, 5, t.samu_smur_share, t.samu_ed_transport_share)
        self._ed_arrival(unit, age, m, "samu")

    def _orient(self, d: int, default: int | None) -> int | None:
        now = self.env.now
        if not self.policy.samu_orientation:
            opts = [e for e in self.eds_of_dep[d] if self.eds[e].is_open(now)]
            return opts[0] if opts else default
        fallback = self.eds_of_dep[d][0] if self.eds_of_dep[d] else default
        return self.samu_agents[d].orient(lambda e: self.eds[e].is_open(now), fallback)

    def run(self) -> None:
        self.start()
        # The daily recorder fires exactly at the horizon; run(until=t) would stop before it.
        self.env.run(until=self.horizon + 1e-6)


def _rescaled_mark(m: np.ndarray, k: int, lo: float, width: float) -> np.ndarray:
    """A copy of ``m`` whose mark ``k``, known to lie in ``[lo, lo + width)`` because it chose
    the call's outcome, is uniform on [0, 1) again. The call's outcome and the patient's
    length of stay share mark 5: unrescaled, every SAMU-brought patient drew a stay from the
    bottom few percent of the distribution (SMUR patients a seventh of the mean)."""
    out = m.copy()
    out[k] = min(max((m[k] - lo) / width, 0.0), 1.0 - 1e-12) if width > 0 else m[k]
    return out


def _exp(u: float) -> float:
    """Unit-mean exponential from a uniform mark (inverse CDF)."""
    return -math.log(max(1.0 - u, 1e-12))
