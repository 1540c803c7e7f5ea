"""The per-patient uniform marks: one named slot per decision (the common-random-numbers
contract).

Every arrival (:func:`twin.sim.demand.draw_arrivals`) carries :data:`N_MARKS` uniforms drawn
with it; each decision about that patient reads its own slot by name, through an inverse CDF,
so a baseline and a what-if see the same patients with the same attributes. A decision that
read a slot already used by another decision would correlate the two, so slots are given
here, once, no two decisions share one, and the code reads them only by these names
(``tests/sim/test_marks.py`` checks both).

Until December 2026 five slots were shared by two decisions each (a SAMU call's handling
time with the patient's SSR stay, its regulation with the ED triage level, the doctor's time
with the ED treatment time, the call outcome with the length of stay — then rescaled — and
the ward discipline with the critical-care choice, which lowered medicine's share of ward
admissions from 78 % to 77.4 %); each decision now has its own slot.

Slot 0 is the thinning acceptance mark; the age class is not a mark (it is the stream's
class, ``Arrivals.age_class``).
"""

from __future__ import annotations

N_MARKS = 14
"""Uniform marks per arrival (columns of ``Arrivals.marks``)."""
N_ELECTIVE_MARKS = 10
"""Marks drawn per scheduled admission (they have no arrival to thin and no ED: only the
stay slots, all below 10, are read)."""

ACCEPT = 0
"""Thinning: the candidate arrival is kept when ``ACCEPT * HEADROOM < multiplier``."""
ARM_SERVICE = 1
"""SAMU call: handling time by the regulation assistant (ARM), unit exponential."""
TRIAGE = 2
"""ED: triage level (inverse CDF of ``ModelParameters.triage_shares``)."""
TREATMENT = 3
"""ED: treatment time (log-normal)."""
DISPOSITION = 4
"""ED: disposition (admission by age, transfer out, UHCD, home)."""
STAY = 5
"""Length of stay in the UHCD or in the bed the patient is admitted to (log-normal)."""
ICU_ADMISSION = 6
"""ED admission: critical care rather than an MCO ward."""
SSR_NEED = 7
"""Ward stay: discharged to follow-up care (SSR) rather than home."""
TRIAGE_DELAY = 8
"""ED: time from arrival to the end of triage by the triage nurse (IOA), log-normal."""
SSR_STAY = 9
"""Ward stay: length of stay in follow-up care (SSR) after an acute stay."""
REGULATION = 10
"""SAMU call: passed to a regulating doctor (``samu_doctor_share``)."""
DOCTOR_SERVICE = 11
"""SAMU call: regulating doctor's time, unit exponential."""
CALL_OUTCOME = 12
"""SAMU call: SMUR, ambulance to an ED or advice."""
WARD_DISCIPLINE = 13
"""ED admission to an MCO ward: which discipline (``ModelParameters.ed_admission_discipline``)."""
