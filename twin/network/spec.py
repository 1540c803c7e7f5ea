"""The care network as plain immutable data: what a replication simulates.

A :class:`CareNetwork` holds the establishments of the chosen départements (each real ED unit,
ward, critical-care unit and follow-up-care unit from SAE), the territories' demand curves,
SAMU and SMUR resources and travel times, and the :class:`~twin.network.parameters.ModelParameters`
it was calibrated with. It is built by :func:`twin.network.calibrate.build_network` and
modified by scenarios with :func:`dataclasses.replace`; nothing here reads a file or computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import get_args

import numpy as np

from twin.network.parameters import DEFAULT_PARAMETERS, Discipline, ModelParameters
from twin.timeunit import HOURS_PER_DAY

AGE_CLASSES = ("A", "B", "C", "D", "E")  # SurSaUD: <15, 15-44, 45-64, 65-74, 75+
DISCIPLINES: tuple[str, ...] = get_args(Discipline)
"""The ward disciplines, in order (declared once, as the key type of the parameters' shares)."""


@dataclass(frozen=True)
class WardSpec:
    """Beds of one discipline (or critical care, or SSR) in one establishment."""

    beds: int
    mean_los_hours: float
    scheduled_per_weekday: float = 0.0
    """Elective admissions per weekday (Mon-Fri), cancelled under a crisis plan."""
    unscheduled_per_day: float = 0.0
    """Direct admissions not coming from this model's ED (births, transfers in...)."""
    typical_occupied: float | None = None
    """Mean occupied beds observed (SAE patient-days / 365): the warm-start state."""


@dataclass(frozen=True)
class EDSpec:
    """One real ED unit (SAE ``URGENCES2`` row)."""

    unit_type: str
    annual_passages: float
    demand_share: np.ndarray
    """Share of each age class of the département's ED demand that comes to this unit."""
    age_mix: np.ndarray
    """Age-class distribution of this unit's own patients (sums to 1)."""
    admit_share: float
    transfer_share: float
    uhcd_share: float
    uhcd_beds: int
    uhcd_mean_los_hours: float
    treatment_places_by_hour: tuple[int, ...]
    open_hours: tuple[bool, ...] = (True,) * 24


@dataclass(frozen=True)
class EstablishmentSpec:
    finess: str
    name: str
    dep: str
    reg: str
    eds: tuple[EDSpec, ...]
    """ED units of the establishment (a general and a paediatric unit may share a FINESS)."""
    wards: dict[str, WardSpec]
    icu: WardSpec | None
    ssr: WardSpec | None
    smur_teams: int
    samu_centre: bool


@dataclass(frozen=True)
class TerritorySpec:
    """A département: its population, demand curves and SAMU centre."""

    dep: str
    reg: str
    population: np.ndarray
    """Inhabitants per age class (``AGE_CLASSES``)."""
    ed_demand_per_day: np.ndarray
    """Expected ED passages per day and age class, shape (days, 5)."""
    samu_calls_per_day: np.ndarray
    """Expected answered SAMU calls per day (excluding those that end in an ED transport)."""
    samu_ed_transport_share: float
    """Share of SAMU calls ending with a transport to an ED."""
    samu_smur_share: float
    """Share of SAMU calls ending with a SMUR dispatch (primary exit)."""
    samu_doctor_share: float
    """Share of calls passed to a regulating doctor."""
    arm_by_hour: tuple[int, ...]
    doctors_by_hour: tuple[int, ...]
    travel_hours_within: float
    gp_access: float = 1.0
    """Relative availability of primary care; below 1 shifts demand to the ED."""
    passages_scale: float = 1.0
    """SAE passages / SurSaUD passages of the source year: ``ed_demand_per_day`` is the
    SurSaUD daily series times this factor (SurSaUD follows OSCOUR, which covers about 86 %
    of SAE passages). A SurSaUD forecast times this factor is at the network's volume."""


@dataclass(frozen=True)
class CareNetwork:
    """The calibrated network of a territory for a period (:func:`twin.network.build_network`).
    Scenarios modify a copy with :func:`dataclasses.replace`."""

    start: date
    days: int
    territories: tuple[TerritorySpec, ...]
    establishments: tuple[EstablishmentSpec, ...]
    travel_hours: np.ndarray
    """Travel time between territories (index = position in ``territories``)."""
    source_year: int
    provenance: dict[str, str] = field(default_factory=dict)
    parameters: ModelParameters = DEFAULT_PARAMETERS
    """The model assumptions this network was calibrated with. The simulation reads its
    parameters from here (never from an argument of its own), so a run cannot use other
    assumptions than those its capacities were sized with; :func:`build_network` sets it."""

    @property
    def deps(self) -> tuple[str, ...]:
        return tuple(t.dep for t in self.territories)

    def hours(self) -> float:
        return self.days * HOURS_PER_DAY


@dataclass(frozen=True)
class SamuCapacity:
    """A département's SAMU and SMUR figures from the SAE (answered calls, exits, rosters)."""

    calls_year: float
    """Answered calls a year, at least the calls behind SAMU-brought ED passages."""
    smur_year: float
    """SMUR primary exits a year."""
    ambulance_year: float
    """ED passages a year brought by a SAMU ambulance (not a SMUR team)."""
    doctor_share: float
    """Medical regulation files / answered calls (not clipped)."""
    n_bases: int
    """SMUR bases of the département."""
    arm_by_hour: tuple[int, ...]
    doctors_by_hour: tuple[int, ...]


@dataclass(frozen=True)
class Capacities:
    """The establishments and base capacities of a territory, from the SAE tables alone (no
    demand series): what a scenario file is checked against (FINESS codes, resources held,
    capacity going negative), built with the same rules and parameters as the network, which
    :func:`twin.network.build_network` completes with the demand.

    Same names as :class:`CareNetwork` where they mean the same (``deps``,
    ``establishments``), so the scenario compiler resolves targets against either. The ED
    units' ``demand_share`` and ``age_mix`` are empty here: they come from the demand series.
    """

    deps: tuple[str, ...]
    establishments: tuple[EstablishmentSpec, ...]
    samu: dict[str, SamuCapacity]
    parameters: ModelParameters
