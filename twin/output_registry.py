"""Every output of the twin, defined once: name, units, meaning, French label, how it adds up.

The replication's Dataset attributes (:mod:`twin.sim.replication`), the summing to
territories (``by_territory``), the batch store's variables and their département values
(:mod:`twin.batch.variables`, :mod:`twin.batch.aggregate`), the région figures of
``twin compare``, the dashboard's indicators (:mod:`dashboard.catalogue`) and the table of
``docs/reference-outputs.md`` (generated: ``python -m twin.output_reference``) all read this
table, so a name, a unit or a label cannot differ from one place to another.

(``twin/outputs.py`` is another module: safe writing of output files.)

An output is simulated at one **level**: per establishment (ED and wards) or per département
(the SAMU/SMUR). Its **aggregation** says how values of several establishments or
départements combine into a larger territory: added up (counts, beds), a mean weighted by
another output (a share of passages, a mean answer time per call), a ratio of two summed
outputs (occupancy rates, derived, never simulated), or not at all (medians and 90th
percentiles cannot be pooled from their parts). **Over time** says how daily values reduce
to one number for a period: their mean, or their highest day for peaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["establishment", "departement"]
OverTime = Literal["mean", "max"]


@dataclass(frozen=True)
class Sum:
    """Territory value = sum of its parts (counts per day, beds)."""


@dataclass(frozen=True)
class Weighted:
    """Territory value = mean of its parts weighted by the output ``by`` (e.g. passages)."""

    by: str


@dataclass(frozen=True)
class Ratio:
    """Derived output ``num / den`` of two summed outputs (NaN where ``den`` is 0)."""

    num: str
    den: str


@dataclass(frozen=True)
class NotPooled:
    """A quantile (median, 90th percentile): meaningful only where it was computed."""


Aggregation = Sum | Weighted | Ratio | NotPooled


@dataclass(frozen=True)
class Output:
    """One output. ``units`` and ``description`` describe the simulated value (one
    establishment, or one département for SAMU outputs); ``dep_units`` and
    ``dep_description``, when given, describe the département value of the results store
    where summing establishments changes its meaning (a sum of peaks is an upper bound)."""

    name: str
    units: str
    description: str
    label_fr: str
    level: Level
    aggregation: Aggregation = field(default_factory=Sum)
    over_time: OverTime = "mean"
    in_store: bool = True
    dims: tuple[str, ...] = ("establishment", "date")
    dep_units: str | None = None
    dep_description: str | None = None
    counted: bool = False
    """The pathway adds to it event by event in a daily counter named after it
    (:mod:`twin.sim.counters`); the replication copies the counter as it is."""

    @property
    def simulated(self) -> bool:
        """Whether the replication outputs it (ratios are derived from two outputs)."""
        return not isinstance(self.aggregation, Ratio)

    @property
    def store_units(self) -> str:
        return self.dep_units or self.units

    @property
    def store_description(self) -> str:
        return self.dep_description or self.description

    @property
    def regional(self) -> bool:
        """Whether a value above the département (a région) can be computed."""
        return not isinstance(self.aggregation, NotPooled)

    def parts(self) -> tuple[str, ...]:
        """Outputs read to compute this one at a larger territory."""
        a = self.aggregation
        if isinstance(a, Ratio):
            return (a.num, a.den)
        if isinstance(a, Weighted):
            return (self.name, a.by)
        return (self.name,)


_EST = "establishment"
_DEP = "departement"
_SAMU = ("territory", "date")

OUTPUTS: tuple[Output, ...] = (
    # The results store's variables, in the store's order.
    Output("ed_passages", "patients/day", "ED arrivals (self-presentations and SAMU transports)",
           "Passages aux urgences", _EST),
    Output("admissions_ward", "patients/day", "ED patients admitted to an MCO ward",
           "Hospitalisations MCO depuis les urgences", _EST, counted=True),
    Output("admissions_icu", "patients/day", "ED patients admitted to critical care",
           "Admissions en réanimation depuis les urgences", _EST, counted=True),
    Output("ed_transfers_out", "patients/day",
           "ED patients transferred to another establishment (SAE dtEXT)",
           "Transferts depuis les urgences vers un autre établissement", _EST, counted=True),
    Output("uhcd_stays", "patients/day", "ED patients kept in the short-stay unit (UHCD)",
           "Séjours en UHCD", _EST, counted=True),
    Output("ed_boarding_hours", "patient-hours/day",
           "hours admitted patients waited in the ED for a bed",
           "Heures d'attente d'un lit aux urgences", _EST, counted=True),
    Output("ed_occupancy_mean", "patients",
           "mean patients in ED treatment places or waiting for one (summed over EDs)",
           "Patients présents aux urgences (moyenne)", _EST),
    Output("transfers_out", "patients/day", "admitted patients transferred out for lack of a bed",
           "Transferts faute de lit (sortants)", _EST, counted=True),
    Output("transfers_in", "patients/day",
           "patients received by transfer for lack of a bed elsewhere",
           "Transferts faute de lit (entrants)", _EST, counted=True),
    Output("refused", "patients/day", "admitted patients for whom no bed was free in the région",
           "Patients sans lit disponible dans la région", _EST, counted=True),
    Output("electives_scheduled", "patients/day", "scheduled (elective) admissions planned",
           "Admissions programmées prévues", _EST, counted=True),
    Output("electives_cancelled", "patients/day",
           "scheduled admissions cancelled (plan blanc or no bed)",
           "Admissions programmées déprogrammées", _EST, counted=True),
    Output("plan_blanc_hours", "hours/day", "hours under the crisis plan (plan blanc)",
           "Heures de plan blanc (cumul des établissements)", _EST,
           dep_units="establishment-hours/day",
           dep_description="hours under the crisis plan (plan blanc), summed over establishments",
           counted=True),
    Output("ssr_blocked_hours", "patient-hours/day",
           "acute bed-hours held waiting for a follow-up care (SSR) bed",
           "Heures-lits bloquées en attente de SSR", _EST, counted=True),
    Output("mco_occupied_mean", "beds", "mean occupied MCO beds", "Lits MCO occupés (moyenne)",
           _EST),
    Output("mco_occupied_peak", "beds",
           "sum over disciplines of each ward's daily peak (upper bound of the establishment peak)",
           "Lits MCO occupés (pic journalier, borne haute)", _EST, over_time="max",
           dep_description="sum over wards of each ward's daily peak (an upper bound of the "
           "département's peak)"),
    Output("mco_capacity", "beds", "mean open MCO beds (including surge beds)",
           "Lits MCO ouverts (moyenne)", _EST),
    Output("icu_occupied_mean", "beds", "mean occupied adult critical-care beds",
           "Lits de réanimation occupés (moyenne)", _EST),
    Output("icu_occupied_peak", "beds", "peak occupied adult critical-care beds",
           "Lits de réanimation occupés (pic journalier, borne haute)", _EST, over_time="max",
           dep_description="sum over units of each critical-care unit's daily peak (upper bound)"),
    Output("icu_capacity", "beds", "mean open adult critical-care beds",
           "Lits de réanimation ouverts (moyenne)", _EST),
    Output("ssr_occupied_mean", "beds", "mean occupied follow-up care (SSR) beds",
           "Lits de SSR occupés (moyenne)", _EST),
    Output("samu_calls", "calls/day", "calls received by the SAMU (centre 15)",
           "Appels au SAMU (centre 15)", _DEP, dims=_SAMU, counted=True),
    Output("samu_answer_time_mean", "seconds", "mean time to answer a SAMU call",
           "Délai moyen de décroché du SAMU", _DEP, Weighted("samu_calls"), dims=_SAMU),
    Output("samu_answer_time_p90", "seconds", "90th percentile of SAMU answer time",
           "Délai de décroché du SAMU (90e centile)", _DEP, NotPooled(), dims=_SAMU),
    Output("smur_missions", "missions/day", "primary SMUR missions", "Sorties primaires SMUR",
           _DEP, dims=_SAMU, counted=True),
    Output("smur_response_median", "minutes",
           "median SMUR response time (dispatch request to arrival)",
           "Délai médian d'intervention SMUR", _DEP, NotPooled(), dims=_SAMU),
    Output("samu_ed_transports", "patients/day", "patients transported to an ED after a SAMU call",
           "Transports vers les urgences après appel au SAMU", _DEP, dims=_SAMU, counted=True),
    Output("closed_ed_redirected", "patients/day",
           "patients who found their ED closed and called the SAMU",
           "Patients réorientés par le SAMU (urgences fermées)", _DEP, dims=_SAMU, counted=True),
    Output("ed_los_over_4h_share", "1", "share of ED stays longer than 4 hours",
           "Part des passages de plus de 4 h", _EST, Weighted("ed_passages"),
           dep_description="share of ED stays longer than 4 hours, pooled over the "
           "département's EDs"),
    Output("ed_los_over_8h_share", "1", "share of ED stays longer than 8 hours",
           "Part des passages de plus de 8 h", _EST, Weighted("ed_passages"),
           dep_description="share of ED stays longer than 8 hours, pooled over the "
           "département's EDs"),
    Output("mco_occupancy_rate", "1", "mco_occupied_mean / mco_capacity",
           "Taux d'occupation des lits MCO", _EST, Ratio("mco_occupied_mean", "mco_capacity")),
    Output("icu_occupancy_rate", "1", "icu_occupied_mean / icu_capacity",
           "Taux d'occupation des lits de réanimation", _EST,
           Ratio("icu_occupied_mean", "icu_capacity")),
    # Replication outputs that the results store does not keep.
    Output("ed_wait_first_contact_median", "minutes",
           "median time from arrival to first medical contact",
           "Délai médian avant le premier contact médical", _EST, NotPooled(), in_store=False),
    Output("ed_wait_first_contact_p90", "minutes",
           "90th percentile of time to first medical contact",
           "Délai avant le premier contact médical (90e centile)", _EST, NotPooled(),
           in_store=False),
    Output("ed_los_median", "hours", "median ED length of stay (arrival to leaving the ED)",
           "Durée médiane de passage aux urgences", _EST, NotPooled(), in_store=False),
    Output("mco_occupied_by_discipline", "beds", "mean occupied MCO beds by discipline",
           "Lits MCO occupés par discipline (moyenne)", _EST, in_store=False,
           dims=("establishment", "discipline", "date")),
    Output("mco_beds", "beds", "MCO beds (SAE LIT) by discipline",
           "Lits MCO installés (SAE) par discipline", _EST, in_store=False,
           dims=("establishment", "discipline")),
    Output("icu_beds", "beds", "adult critical-care beds (SAE REAADU LIT)",
           "Lits de réanimation adulte installés (SAE)", _EST, in_store=False,
           dims=("establishment",)),
    Output("ed_in_system_end", "patients", "patients in the ED at the end of the run",
           "Patients aux urgences en fin de simulation", _EST, in_store=False,
           dims=("establishment",)),
)  # fmt: skip

BY_NAME: dict[str, Output] = {o.name: o for o in OUTPUTS}
STORE_OUTPUTS: tuple[Output, ...] = tuple(o for o in OUTPUTS if o.in_store)
RATIOS: dict[str, Ratio] = {o.name: o.aggregation for o in OUTPUTS
                            if isinstance(o.aggregation, Ratio)}  # fmt: skip


def summable_at(level: Level) -> tuple[str, ...]:
    """Outputs simulated at ``level`` whose territory value is a plain sum."""
    return tuple(
        o.name for o in OUTPUTS if o.level == level and isinstance(o.aggregation, Sum)
    )


def _check(outputs: tuple[Output, ...]) -> None:
    """Names unique; every weight, numerator and denominator a summed output of the same
    level (what the pooling code relies on)."""
    by: dict[str, Output] = {}
    for o in outputs:
        if o.name in by:
            raise ValueError(f"output {o.name!r} registered twice")
        by[o.name] = o
    for o in outputs:
        refs = o.parts() if isinstance(o.aggregation, Ratio) else o.parts()[1:]
        for part in refs:  # a weight, or a ratio's two parts
            ref = by.get(part)
            if ref is None or ref.level != o.level or not isinstance(ref.aggregation, Sum):
                raise ValueError(f"output {o.name!r}: {part!r} is not a summed {o.level} output")


_check(OUTPUTS)
