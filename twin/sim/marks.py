"""The per-patient uniform marks: one named slot per decision (the common-random-numbers
contract).

Every arrival (:func:`twin.sim.demand.draw_arrivals`) carries :data:`N_MARKS` uniforms drawn
with it; each decision about that patient reads its own slot by name, through an inverse CDF,
so a baseline and a what-if see the same patients with the same attributes. A decision that
read a slot already used by another decision would correlate the two (see
:data:`SHARED_SLOTS`), so slots are given here, once, and the code reads them only by these
names (``tests/sim/test_marks.py`` checks it).

Slot 0 is the thinning acceptance mark; the age class is not a mark (it is the stream's
class, ``Arrivals.age_class``).
"""

from __future__ import annotations

N_MARKS = 9
"""Uniform marks per arrival (columns of ``Arrivals.marks``)."""
N_ELECTIVE_MARKS = 8
"""Marks drawn per scheduled admission (they have no arrival to thin and no ED: only the
stay slots are read)."""

ACCEPT = 0
"""Thinning: the candidate arrival is kept when ``ACCEPT * HEADROOM < multiplier``."""
ARM_SERVICE = 1
"""SAMU call: handling time by the regulation assistant (ARM), unit exponential."""
SSR_STAY = 1
"""Ward stay: length of stay in follow-up care (SSR) after an acute stay."""
TRIAGE = 2
"""ED: triage level (inverse CDF of ``TRIAGE_SHARES``)."""
REGULATION = 2
"""SAMU call: passed to a regulating doctor (``samu_doctor_share``)."""
TREATMENT = 3
"""ED: treatment time (log-normal)."""
DOCTOR_SERVICE = 3
"""SAMU call: regulating doctor's time, unit exponential."""
DISPOSITION = 4
"""ED: disposition (admission by age, transfer out, UHCD, home)."""
STAY = 5
"""Length of stay in the UHCD or in the bed the patient is admitted to (log-normal)."""
CALL_OUTCOME = 5
"""SAMU call: SMUR, ambulance to an ED or advice; rescaled to uniform before the patient's
:data:`STAY` reads it (``_rescaled_mark``)."""
ICU_ADMISSION = 6
"""ED admission: critical care rather than an MCO ward."""
WARD_DISCIPLINE = 6
"""ED admission to an MCO ward: which discipline (``ED_ADMISSION_DISCIPLINE``)."""
SSR_NEED = 7
"""Ward stay: discharged to follow-up care (SSR) rather than home."""
TRIAGE_DELAY = 8
"""ED: time from arrival to the end of triage by the triage nurse (IOA), log-normal."""

SHARED_SLOTS: dict[int, tuple[str, ...]] = {
    ARM_SERVICE: ("ARM_SERVICE", "SSR_STAY"),
    TRIAGE: ("TRIAGE", "REGULATION"),
    TREATMENT: ("TREATMENT", "DOCTOR_SERVICE"),
    STAY: ("STAY", "CALL_OUTCOME"),
    ICU_ADMISSION: ("ICU_ADMISSION", "WARD_DISCIPLINE"),
}
"""Slots read by two decisions, kept as they are because changing a slot changes every
result recorded so far. The SAMU pairs correlate a SAMU-brought patient's call with their
ED and ward path (``CALL_OUTCOME`` is rescaled to a uniform, so ``STAY`` is unbiased); the
ward discipline of an admitted patient is read from the upper part of the slot that chose
the ward over critical care, so the first discipline's share is lowered by the ICU share.
No new sharing may be added (``tests/sim/test_marks.py``)."""
