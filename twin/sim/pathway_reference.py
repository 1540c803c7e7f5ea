"""Patients through SAMU, emergency departments, wards, critical care and follow-up care:
the per-patient-process model, kept as the *reference* of the fast model.

:mod:`twin.sim.pathway` (the model every command runs) puts its fast stages over the same
reference stages, replacing the hot paths (ED treatment, SAMU call-taking and regulation)
by NumPy blocks and event callbacks; construction, beds, transfers, stays and the agents are
shared. This class combines the reference stages alone: it
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
marks drawn with their arrival (:mod:`twin.sim.demand`), one named slot per decision
(:mod:`twin.sim.marks`), turned into triage, treatment time, disposition and length of
stay by inverse CDFs, so a baseline and a what-if see the
same patients with the same attributes (common random numbers).
"""

from __future__ import annotations

from twin.sim.pathway.build import Build
from twin.sim.pathway.ed import EmergencyDepartments
from twin.sim.pathway.samu import Samu
from twin.sim.pathway.wards import Wards

__all__ = ["Simulation"]


class Simulation(Build, EmergencyDepartments, Wards, Samu):
    """Builds and runs one replication; :func:`twin.sim.replication.run_replication` wraps it
    (the care stages live in :mod:`twin.sim.pathway`'s modules)."""
