"""The scenario language: frozen pydantic models of a what-if scenario file.

These models check each field on its own (types, units, codes that exist); checks that
relate fields to each other (a window inside the period, targets inside the territory, two
interventions that contradict each other) and to the care network (FINESS codes, capacity
that would go negative) live in :mod:`twin.scenario.checks`, which knows the YAML line of
every field. ``scenarios/schema.json`` is exported from :class:`Scenario`
(``python -m twin.scenario.schema``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, create_model

from twin.network.parameters import ModelParameters, Policy
from twin.scenario.values import (
    DepCode,
    Finess,
    Hours,
    Range,
    RegCode,
    Slug,
    UncertainInt,
    UncertainMultiplier,
    UncertainPercent,
    UncertainPositive,
    Weekday,
)
from twin.sim.interventions import ESTABLISHMENT_RESOURCES, RESOURCES, TERRITORY_RESOURCES
from twin.yamlio import PlausibleDate

Resource = Literal[
    "medicine", "surgery", "obstetrics", "icu", "ssr", "ed_places", "uhcd",
    "smur", "samu_arm", "samu_doctor",
]  # fmt: skip
assert set(Resource.__args__) == set(RESOURCES)  # type: ignore[attr-defined]

UNIT_OF_RESOURCE: dict[str, str] = {
    **{r: "beds" for r in ("medicine", "surgery", "obstetrics", "icu", "ssr", "uhcd")},
    "ed_places": "places",
    "smur": "teams",
    "samu_arm": "staff",
    "samu_doctor": "staff",
}
"""The key an absolute change of each resource is written with (``beds: +30``)."""
assert set(UNIT_OF_RESOURCE) == set(ESTABLISHMENT_RESOURCES + TERRITORY_RESOURCES)

STAFF_RESOURCES: dict[str, tuple[str, ...]] = {
    "nurses": ("ed_places", "uhcd", "medicine", "surgery", "obstetrics", "icu", "ssr"),
    "emergency_physicians": ("ed_places",),
    "regulation_assistants": ("samu_arm",),
    "regulating_physicians": ("samu_doctor",),
    "smur_crews": ("smur",),
}
"""The resources each kind of staff runs (a shortage lowers their capacity)."""

AGE_BANDS: tuple[str, ...] = ("0-14", "15-44", "45-64", "65-74", "75+")
"""The five ED age classes of SurSaUD (:data:`twin.network.AGE_CLASSES`), in order."""
AgeBand = Literal["0-14", "15-44", "45-64", "65-74", "75+"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- territory


class Territories(Strict):
    """Where the scenario runs: départements and/or régions, or ``all`` of France."""

    departements: tuple[DepCode, ...] = Field((), description='Département codes, e.g. "59".')
    regions: tuple[RegCode, ...] = Field((), description='Région codes (2016), e.g. "32".')
    all: StrictBool = Field(False, description="All 101 départements (also `territories: all`).")


def _all_to_mapping(v: Any) -> Any:
    return {"all": True} if v == "all" else v


class Target(Strict):
    """What an intervention applies to; empty means the whole scenario territory.

    Establishment resources (beds, ED places) are held by establishments; a
    département or région target means every establishment of it that holds the resource.
    SAMU and SMUR resources are held by a département's SAMU: target départements."""

    departements: tuple[DepCode, ...] = Field((), description="Département codes.")
    regions: tuple[RegCode, ...] = Field((), description="Région codes.")
    establishments: tuple[Finess, ...] = Field(
        (), description='FINESS codes of establishments (géographique), e.g. "800000226".'
    )

    def is_empty(self) -> bool:
        return not (self.departements or self.regions or self.establishments)


# --------------------------------------------------------------------------- time


class Period(Strict):
    """The simulated days. Day 0 (``start``, 00:00) is hour 0 of the simulation; the first
    ``warmup_days`` days are simulated (the wards fill up) but left out of the results."""

    start: PlausibleDate = Field(description="First simulated day (YYYY-MM-DD), hour 0 of the run.")
    days: int = Field(ge=1, le=3660, strict=True, description="Simulated days, warm-up included.")
    warmup_days: int = Field(
        0, ge=0, strict=True, description="Leading days left out of the results."
    )

    @property
    def end(self) -> date:
        """Last simulated day (included)."""
        return self.start + timedelta(days=self.days - 1)


class Window(Strict):
    """When an intervention is active: calendar days from ``start`` to ``end`` (both
    included; default the whole period), optionally only some hours of day and weekdays."""

    start: PlausibleDate | None = Field(None, description="First day (default: period start).")
    end: PlausibleDate | None = Field(None, description="Last day, included (default: period end).")
    hours: Hours | None = Field(
        None,
        description='Clock hours "HH:00-HH:00", in quotes; wraps past midnight '
        '("20:00-08:00" is every night). Default: all day.',
    )
    weekdays: tuple[Weekday, ...] | None = Field(
        None, description="Days of the week (mon … sun). Default: every day."
    )

    def is_default(self) -> bool:
        return self.hours is None and self.weekdays is None


# --------------------------------------------------------------------------- demand


class Demand(Strict):
    """ED demand: the calibrated history (``baseline``) or a forecast made at ``origin``."""

    source: Literal["baseline", "forecast"] = Field(
        "baseline", description="`baseline` (history of the data year) or `forecast`."
    )
    origin: PlausibleDate | None = Field(
        None, description="Forecast origin (only data before it is used); <= period start."
    )
    quantile: Literal[0.025, 0.1, 0.5, 0.9, 0.975] = Field(
        0.5, description="Forecast quantile (0.5 = median; 0.9 = a stress test)."
    )
    method: Literal["prophet", "ets", "naive", "seasonal_naive"] = Field(
        "prophet", description="Forecasting method (forecasting.twin_demand)."
    )


def _demand_source(v: Any) -> Any:
    return {"source": v} if isinstance(v, str) else v


# --------------------------------------------------------------------------- policy


# The ``policy`` block is :class:`twin.network.Policy` itself (one definition per field, used
# unchanged by the simulation and its agents); ``parameters`` is :class:`ModelParameters`.


# --------------------------------------------------------------------------- interventions


class _Intervention(Strict):
    id: Slug | None = Field(
        None, description="Name to refer to it (sweep parameters, overriding in `extends`)."
    )
    description: str | None = Field(None, description="What it represents (in French).")


class CapacityChange(_Intervention):
    """Change a resource's capacity: relative (``change: -20%``) or absolute, written in
    the resource's unit (``beds: +30``, ``places: -2``, ``teams: +1``, ``staff: -1``).
    Several changes active at once multiply, then add; capacity never goes below 0."""

    type: Literal["capacity_change"]
    resource: Resource = Field(description="Which resource (see the resources table).")
    change: UncertainPercent | None = Field(None, description="Relative change, e.g. -20%.")
    beds: UncertainInt | None = Field(None, description="Beds added (+) or removed (-).")
    places: UncertainInt | None = Field(None, description="ED treatment places added/removed.")
    teams: UncertainInt | None = Field(None, description="SMUR teams added/removed.")
    staff: UncertainInt | None = Field(None, description="SAMU staff on duty added/removed.")
    window: Window = Field(default_factory=Window, description="When (default: whole period).")
    target: Target = Field(default_factory=Target, description="Where (default: everywhere).")

    def amount(self) -> tuple[str, float | int | Range]:
        """The one change given: (``change`` or the unit key, value)."""
        for key in ("change", "beds", "places", "teams", "staff"):
            v = getattr(self, key)
            if v is not None:
                return key, v
        raise ValueError("no change given")  # prevented by checks


class StaffShortage(_Intervention):
    """Fewer staff: a capacity multiplier (``change: -20%``) on the resources that staff
    run, by hour of day and weekday through the window."""

    type: Literal["staff_shortage"]
    staff: Literal[
        "nurses", "emergency_physicians", "regulation_assistants", "regulating_physicians",
        "smur_crews",
    ] = Field(description="Who is missing (sets the default resources).")  # fmt: skip
    resources: tuple[Resource, ...] | None = Field(
        None, description="Resources affected (default: those this staff runs)."
    )
    change: UncertainPercent = Field(description="Capacity change, e.g. -20% (at most 0%).")
    window: Window = Field(default_factory=Window, description="When.")
    target: Target = Field(default_factory=Target, description="Where.")

    def affected(self) -> tuple[str, ...]:
        return self.resources or STAFF_RESOURCES[self.staff]


class EDClosure(_Intervention):
    """Close emergency departments; their patients call the SAMU (centre 15), which
    regulates them to an open ED."""

    type: Literal["ed_closure"]
    establishments: tuple[Finess, ...] = Field(
        min_length=1, description="FINESS codes of the establishments whose ED closes."
    )
    unit: Literal["all", "GEN", "PED"] = Field(
        "all", description="Which ED unit: general (GEN), paediatric (PED) or all."
    )
    closure: Literal["full", "nights", "weekends", "custom"] = Field(
        "full",
        description="full (all day), nights (window.hours, default 20:00-08:00), weekends "
        "(sat, sun), custom (window.hours / window.weekdays).",
    )
    window: Window = Field(default_factory=Window, description="When.")


class Shape(Strict):
    """The demand multiplier over time: 1 + (peak_multiplier - 1) × curve(day), where the
    curve rises to 1 at ``peak``: ``gaussian`` (``width_days`` = standard deviation),
    ``triangular`` (``width_days`` = days from zero to the peak), or ``plateau`` (1 over
    the whole window)."""

    curve: Literal["gaussian", "triangular", "plateau"] = Field(description="Curve family.")
    peak: PlausibleDate | None = Field(None, description="Day of the peak (gaussian, triangular).")
    width_days: UncertainPositive | None = Field(None, description="Width in days.")
    peak_multiplier: UncertainMultiplier = Field(
        description="Demand multiplier at the peak (1.3 = +30 %; at most 3)."
    )


class DemandShock(_Intervention):
    """More (or fewer) ED patients of some age bands: an epidemic wave or a heatwave.
    Shocks active the same day multiply. Daily resolution (no hours or weekdays)."""

    type: Literal["demand_shock"]
    kind: Literal["epidemic", "heatwave", "other"] = Field(description="What causes it.")
    ages: tuple[AgeBand, ...] = Field(AGE_BANDS, description="Age bands affected.")
    shape: Shape = Field(description="Shape of the multiplier over time.")
    window: Window = Field(default_factory=Window, description="Days it may act on.")
    target: Target = Field(default_factory=Target, description="Départements or régions.")


class _PolicyChange(_Intervention):
    """Change the behaviour of hospitals or the SAMU for the whole run (the simulation's
    policy is not time-varying). Fields as in ``policy``; unset fields keep its value."""

    def settings(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in self.model_dump(exclude={"type", "id", "description"}).items()
            if v is not None
        }


def _optional_policy_fields() -> dict[str, Any]:
    """Every :class:`Policy` field, optional (unset keeps the run's policy), with the same
    type and bounds (for ``pydantic.create_model``)."""
    return {
        name: (
            Annotated[f.annotation, *f.metadata] | None,  # type: ignore[name-defined]
            Field(None, description=f"As `policy.{name}`."),
        )
        for name, f in Policy.model_fields.items()
    }


PolicyChange = create_model(  # every field of Policy, optional, with its type and bounds
    "PolicyChange",
    __base__=_PolicyChange,
    __doc__=_PolicyChange.__doc__,
    __module__=__name__,
    type=(Literal["policy"], ...),
    **_optional_policy_fields(),
)


class SupplyDisruption(_Intervention):
    """A medicine or consumable supply disruption, handed to the shortage projection
    (:class:`forecasting.disruptions.SupplyDisruption`); it does not change the care
    simulation."""

    type: Literal["supply_disruption"]
    product: str = Field(
        min_length=1, description='CIP13/UCD/CIS code or sentinel key ("amoxicilline_1g_cp").'
    )
    kind: Literal["delay", "quota", "rupture"] = Field(description="What happens to deliveries.")
    delay_days: int = Field(0, ge=0, le=365, strict=True, description="Days late (kind: delay).")
    quota_share: float = Field(1.0, ge=0, le=1, description="Share delivered (kind: quota).")
    window: Window = Field(default_factory=Window, description="Days (start and end).")
    target: Target = Field(default_factory=Target, description="Sites (FINESS) / départements.")


Intervention = Annotated[
    CapacityChange | StaffShortage | EDClosure | DemandShock | PolicyChange | SupplyDisruption,
    Field(discriminator="type"),
]
INTERVENTION_TYPES: dict[str, type[_Intervention]] = {
    "capacity_change": CapacityChange,
    "staff_shortage": StaffShortage,
    "ed_closure": EDClosure,
    "demand_shock": DemandShock,
    "policy": PolicyChange,
    "supply_disruption": SupplyDisruption,
}

# --------------------------------------------------------------------------- sweep

SweepValue = str | int | float | bool


class SweepParameter(Strict):
    """One swept parameter: a dotted path into the scenario and the values it takes."""

    parameter: str = Field(
        min_length=1,
        description="Dotted path, e.g. `policy.plan_blanc_on` or "
        "`interventions.icu-cut.change` (an intervention by id or index).",
    )
    values: tuple[SweepValue, ...] = Field(min_length=1, description="Values, as in the file.")
    label: Slug | None = Field(None, description="Short name in variant names (default: last key).")


class Sweep(Strict):
    """A grid over one or two parameters: one named scenario per combination."""

    parameters: tuple[SweepParameter, ...] = Field(
        min_length=1, max_length=2, description="One or two swept parameters (grid)."
    )


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    """A what-if scenario: where, when, how many replications, and what changes."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"title": "Scénario du jumeau numérique (twin scenario)"},
    )

    name: Slug = Field(description="Short lowercase name, unique in a batch (labels results).")
    description: str = Field(min_length=1, description="What the scenario represents (French).")
    extends: str | None = Field(
        None,
        description="Base scenario (a name or a .yaml path in the same folder) whose fields "
        "this file overrides.",
    )
    data_year: int = Field(
        2023, ge=2019, le=2024, strict=True, description="SAE year of the care network."
    )
    territories: Annotated[
        Territories,
        BeforeValidator(_all_to_mapping, json_schema_input_type=Literal["all"] | Territories),
    ] = Field(description="Départements and régions simulated (or `all`).")
    period: Period = Field(description="Simulated days.")
    replications: int = Field(
        10, ge=1, le=100_000, strict=True, description="Monte-Carlo replications."
    )
    seed: int = Field(
        ge=0,
        strict=True,
        description="Master seed. Keep the baseline's: the same seed gives the same patients "
        "(common random numbers), so differences come from the interventions.",
    )
    demand: Annotated[
        Demand,
        BeforeValidator(
            _demand_source, json_schema_input_type=Literal["baseline", "forecast"] | Demand
        ),
    ] = Field(default_factory=Demand, description="ED demand source.")
    policy: Policy = Field(default_factory=Policy, description="Hospital and SAMU behaviour.")
    parameters: ModelParameters = Field(
        default_factory=ModelParameters,
        description="Model assumptions (treatment times, staffing targets, shares); the "
        "network is calibrated and the patients simulated with them. Unset fields keep the "
        "calibrated defaults.",
    )
    interventions: tuple[Intervention, ...] = Field((), description="What changes, when, where.")
    sweep: Sweep | None = Field(None, description="Expand into a family of scenarios.")
