"""The variables of a batch results store: units, meaning and French label of each.

Every variable has dims ``(scenario, replication, dep, date)`` and is float32; the
département value is derived from the simulation's establishment and SAMU outputs by
:mod:`twin.batch.aggregate`. ``docs/reference-outputs.md`` documents the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoreVariable:
    name: str
    units: str
    description: str
    long_name_fr: str
    how: str
    """``sum`` (establishments summed), ``dep`` (département SAMU/SMUR output), ``pooled``
    (ED share pooled over the département's EDs), ``ratio`` (derived occupancy rate)."""


def _v(name: str, units: str, description: str, fr: str, how: str = "sum") -> StoreVariable:
    return StoreVariable(name, units, description, fr, how)


STORE_VARIABLES: tuple[StoreVariable, ...] = (
    _v("ed_passages", "patients/day", "ED arrivals (self-presentations and SAMU transports)",
       "Passages aux urgences"),
    _v("admissions_ward", "patients/day", "ED patients admitted to an MCO ward",
       "Hospitalisations en médecine-chirurgie-obstétrique depuis les urgences"),
    _v("admissions_icu", "patients/day", "ED patients admitted to critical care",
       "Admissions en réanimation depuis les urgences"),
    _v("ed_transfers_out", "patients/day", "ED patients transferred to another establishment",
       "Transferts depuis les urgences vers un autre établissement"),
    _v("uhcd_stays", "patients/day", "ED patients kept in the short-stay unit (UHCD)",
       "Séjours en UHCD"),
    _v("ed_boarding_hours", "patient-hours/day",
       "hours admitted patients waited in the ED for a bed",
       "Heures d'attente d'un lit aux urgences"),
    _v("ed_occupancy_mean", "patients",
       "mean patients in ED treatment places or waiting for one (summed over EDs)",
       "Patients présents aux urgences (moyenne)"),
    _v("transfers_out", "patients/day", "admitted patients transferred out for lack of a bed",
       "Transferts faute de lit (sortants)"),
    _v("transfers_in", "patients/day",
       "patients received by transfer for lack of a bed elsewhere",
       "Transferts faute de lit (entrants)"),
    _v("refused", "patients/day", "admitted patients for whom no bed was free in the région",
       "Patients sans lit disponible dans la région"),
    _v("electives_scheduled", "patients/day", "scheduled (elective) admissions planned",
       "Admissions programmées prévues"),
    _v("electives_cancelled", "patients/day",
       "scheduled admissions cancelled (plan blanc or no bed)",
       "Admissions programmées déprogrammées"),
    _v("plan_blanc_hours", "establishment-hours/day",
       "hours under the crisis plan (plan blanc), summed over establishments",
       "Heures de plan blanc (cumul des établissements)"),
    _v("ssr_blocked_hours", "patient-hours/day",
       "acute bed-hours held waiting for a follow-up care (SSR) bed",
       "Heures-lits bloquées en attente de SSR"),
    _v("mco_occupied_mean", "beds", "mean occupied MCO beds", "Lits MCO occupés (moyenne)"),
    _v("mco_occupied_peak", "beds",
       "sum over wards of each ward's daily peak (an upper bound of the département's peak)",
       "Lits MCO occupés (pic journalier, borne haute)"),
    _v("mco_capacity", "beds", "mean open MCO beds (including surge beds)",
       "Lits MCO ouverts (moyenne)"),
    _v("icu_occupied_mean", "beds", "mean occupied adult critical-care beds",
       "Lits de réanimation occupés (moyenne)"),
    _v("icu_occupied_peak", "beds",
       "sum over units of each critical-care unit's daily peak (upper bound)",
       "Lits de réanimation occupés (pic journalier, borne haute)"),
    _v("icu_capacity", "beds", "mean open adult critical-care beds",
       "Lits de réanimation ouverts (moyenne)"),
    _v("ssr_occupied_mean", "beds", "mean occupied follow-up care (SSR) beds",
       "Lits de SSR occupés (moyenne)"),
    _v("samu_calls", "calls/day", "calls received by the SAMU (centre 15)",
       "Appels au SAMU (centre 15)", "dep"),
    _v("samu_answer_time_mean", "seconds", "mean time to answer a SAMU call",
       "Délai moyen de décroché du SAMU", "dep"),
    _v("samu_answer_time_p90", "seconds", "90th percentile of SAMU answer time",
       "Délai de décroché du SAMU (90e centile)", "dep"),
    _v("smur_missions", "missions/day", "primary SMUR missions", "Sorties primaires SMUR",
       "dep"),
    _v("smur_response_median", "minutes",
       "median SMUR response time (dispatch request to arrival)",
       "Délai médian d'intervention SMUR", "dep"),
    _v("samu_ed_transports", "patients/day", "patients transported to an ED after a SAMU call",
       "Transports vers les urgences après appel au SAMU", "dep"),
    _v("closed_ed_redirected", "patients/day",
       "patients who found their ED closed and called the SAMU",
       "Patients réorientés par le SAMU (urgences fermées)", "dep"),
    _v("ed_los_over_4h_share", "1",
       "share of ED stays longer than 4 hours, pooled over the département's EDs",
       "Part des passages de plus de 4 h", "pooled"),
    _v("ed_los_over_8h_share", "1",
       "share of ED stays longer than 8 hours, pooled over the département's EDs",
       "Part des passages de plus de 8 h", "pooled"),
    _v("mco_occupancy_rate", "1", "mco_occupied_mean / mco_capacity",
       "Taux d'occupation des lits MCO", "ratio"),
    _v("icu_occupancy_rate", "1", "icu_occupied_mean / icu_capacity",
       "Taux d'occupation des lits de réanimation", "ratio"),
)  # fmt: skip

VARIABLE_NAMES: tuple[str, ...] = tuple(v.name for v in STORE_VARIABLES)
BY_NAME: dict[str, StoreVariable] = {v.name: v for v in STORE_VARIABLES}
RATIOS: dict[str, tuple[str, str]] = {
    "mco_occupancy_rate": ("mco_occupied_mean", "mco_capacity"),
    "icu_occupancy_rate": ("icu_occupied_mean", "icu_capacity"),
}
