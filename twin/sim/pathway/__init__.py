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

Code structure (one module per care stage, each holding the reference's SimPy processes and
the fast model's overrides): :mod:`~twin.sim.pathway.build` (resources, rosters, capacity
changes, warm start, agents, run), :mod:`~twin.sim.pathway.ed` (emergency departments),
:mod:`~twin.sim.pathway.wards` (boarding, transfers, stays, SSR, scheduled admissions),
:mod:`~twin.sim.pathway.samu` (calls, regulation, SMUR and ambulances), and
:mod:`~twin.sim.pathway.records` (what they share). :class:`Simulation` combines the fast
stages over the reference ones; :class:`twin.sim.pathway_reference.Simulation` combines the
reference stages alone.
"""


from __future__ import annotations

from twin.network import Policy
from twin.sim.pathway.build import Build, FastBuild
from twin.sim.pathway.ed import EmergencyDepartments, FastEmergencyDepartments, ed_attributes
from twin.sim.pathway.records import (
    ADMIT_ICU,
    ADMIT_WARD,
    AGE_ADMISSION_WEIGHT,
    EPISODE_FIELDS,
    HOME,
    TRANSFER_OUT,
    UHCD,
)
from twin.sim.pathway.samu import FastSamu, Samu
from twin.sim.pathway.wards import FastWards, Wards

__all__ = [
    "ADMIT_ICU", "ADMIT_WARD", "AGE_ADMISSION_WEIGHT", "EPISODE_FIELDS", "HOME", "TRANSFER_OUT",
    "UHCD", "Policy", "Simulation", "ed_attributes",
]


class Simulation(
    FastBuild, FastEmergencyDepartments, FastSamu, FastWards,
    Build, EmergencyDepartments, Wards, Samu,
):  # fmt: skip
    """The fast model: the reference's construction and bed logic, hot paths replaced (every
    fast stage comes before every reference stage in the method order)."""
