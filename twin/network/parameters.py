"""The model's assumptions and policy, each declared once: name (with its unit), default,
bounds and the reason for its value.

No public file gives these figures directly (they are documented in docs/model.md); each
default is the value the model was calibrated and validated with. Two frozen, validated
models carry them:

* :class:`ModelParameters` — assumptions the network is calibrated with *and* the simulation
  draws with (treatment times, staffing targets, shares). The network records the parameters
  it was calibrated with (:attr:`twin.network.CareNetwork.parameters`) and the simulation
  reads them from there, so the two cannot disagree. A scenario sets them in its
  ``parameters:`` block (validated and swept like any field).
* :class:`Policy` — behaviour of hospitals and the SAMU (crisis plan, boarding limit,
  orientation). It does not enter the calibration, and ``policy`` interventions change it per
  run, so it is handed to the simulation on its own. The same class is the scenario's
  ``policy:`` block, and its field names are the names the simulation and the agents use.

Both are pydantic models (``extra="forbid"``) so that the scenario schema embeds them directly
and a bad value gets the scenario's located error (file, line, field, expected vs found).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

Discipline = Literal["medicine", "surgery", "obstetrics"]
"""Ward disciplines (:data:`twin.network.DISCIPLINES`, in this order)."""

Share = Annotated[float, Field(ge=0, le=1)]
SHARE_SUM_TOLERANCE = 1e-9
"""How far from 1 a set of shares may sum (rounding of decimal values written in a file)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _sums_to_one(values: list[float] | tuple[float, ...], what: str) -> None:
    total = math.fsum(values)
    if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
        raise ValueError(f"{what} summing to 1 (their sum is {total:g})")


def _every_discipline(v: dict[str, float]) -> dict[str, float]:
    """The shares of every discipline, in :data:`Discipline` order (dicts compare and hash
    the same whatever the order they were written in)."""
    order = Discipline.__args__  # type: ignore[attr-defined]
    missing = [d for d in order if d not in v]
    if missing:
        raise ValueError(f"a share for every discipline {list(order)}, missing {missing}")
    return {d: v[d] for d in order}


class ModelParameters(_Frozen):
    """Model assumptions: the care network is calibrated with them and the simulation draws
    with them (same values for both: the network records them)."""

    ed_treatment_median_hours: float = Field(
        2.0, gt=0, le=24,
        description="Median time a patient occupies an ED treatment place (examination, "
        "tests, decision). With waits and boarding this yields the published median ED stay "
        "of just over 3 h.",
    )  # fmt: skip
    ed_treatment_sigma: float = Field(
        0.65, ge=0, le=3,
        description="Log-normal shape of ED treatment time (long right tail: imaging, "
        "specialist advice).",
    )  # fmt: skip
    ed_admitted_treatment_factor: float = Field(
        2.0, gt=0, le=10,
        description="Admitted patients need longer work-up before the admission decision "
        "(published median ED stay: 2 h 30 for patients going home, 5 h 20 for admitted ones).",
    )  # fmt: skip
    ed_triage_median_minutes: float = Field(
        10.0, gt=0, le=240,
        description="Registration and nurse triage (IOA) before the wait for a doctor; part "
        "of the time to first medical contact. Log-normal with shape `ed_triage_sigma`.",
    )  # fmt: skip
    ed_triage_sigma: float = Field(
        0.6, ge=0, le=3, description="Log-normal shape of the triage (IOA) time."
    )
    smur_ed_admit_share: Share = Field(
        0.6,
        description="Patients brought by a SMUR team are mostly admitted; other patients' "
        "admission probability is lowered so that each ED keeps its SAE admission share.",
    )
    ed_target_utilisation: float = Field(
        0.78, gt=0, le=1,
        description="Staffing rule: ED treatment places per hour sized for this utilisation "
        "of the hourly load (calibration).",
    )  # fmt: skip
    triage_shares: tuple[Share, Share, Share, Share, Share] = Field(
        (0.01, 0.06, 0.30, 0.48, 0.15),
        description="Share of ED patients per triage level 1 (vital) to 5 (non urgent), "
        "FRENCH-scale magnitudes; five shares summing to 1.",
    )
    ed_admission_discipline: dict[Discipline, Share] = Field(
        default_factory=lambda: {"medicine": 0.78, "surgery": 0.19, "obstetrics": 0.03},
        description="Discipline of ward admissions from the ED (mostly medicine: geriatrics, "
        "cardiology...); one share per discipline, summing to 1.",
    )
    ed_icu_share_of_admissions: Share = Field(
        0.025,
        description="Share of ED admissions that need adult critical care (SAE `REAADU`) "
        "instead of a ward bed. Bounded by the data: with every ED's critical-care patients "
        "counted (including those of EDs without a unit, and SMUR patients at three times the "
        "rate), 2.5 % keeps the expected inflow within 3 % of SAE 2023 stays (4 % exceeded "
        "them by 15 % and left 142 of 317 units with no room for any admission not coming "
        "from an ED).",
    )
    ssr_discharge_share: dict[Discipline, Share] = Field(
        default_factory=lambda: {"medicine": 0.12, "surgery": 0.08, "obstetrics": 0.0},
        description="Share of ward discharges that need a follow-up care (SSR) bed before "
        "going home, per discipline.",
    )
    samu_ambulance_share_of_ed: float = Field(
        0.10, ge=0, lt=1,
        description="Share of ED passages brought in after a SAMU call (ambulance or SMUR).",
    )  # fmt: skip
    samu_arm_minutes: float = Field(
        2.5, gt=0, le=60,
        description="Mean handling time of a call by a medical regulation assistant (ARM).",
    )  # fmt: skip
    samu_doctor_minutes: float = Field(
        5.0, gt=0, le=120,
        description="Mean handling time of a medical regulation by a regulating doctor.",
    )  # fmt: skip
    samu_target_utilisation: float = Field(
        0.75, gt=0, le=1,
        description="Staffing rule: SAMU assistants and doctors per hour sized for this "
        "utilisation of the hourly call load (calibration).",
    )  # fmt: skip
    samu_min_arm: StrictInt = Field(
        2, ge=1, le=50,
        description="A SAMU centre never has fewer than this many regulation assistants on "
        "duty.",
    )  # fmt: skip
    smur_exits_per_team_year: float = Field(
        1500.0, gt=0, le=100_000,
        description="Teams staffed per SMUR base: one per this many primary exits a year "
        "(at least one).",
    )  # fmt: skip
    smur_on_scene_hours: float = Field(
        0.75, ge=0, le=24, description="Time a SMUR team spends on scene before transport."
    )
    road_speed_kmh: float = Field(
        60.0, gt=0, le=200,
        description="Mean road speed between and within départements (travel times use "
        "département centroids: no establishment coordinates are public in SAE).",
    )  # fmt: skip
    road_detour: float = Field(
        1.3, ge=1, le=5, description="Road distance / straight-line distance."
    )
    los_sigma: float = Field(
        0.8, ge=0, le=3,
        description="Log-normal shape of ward and critical-care lengths of stay (coefficient "
        "of variation ~0.9).",
    )  # fmt: skip

    @field_validator("triage_shares")
    @classmethod
    def _triage_sums_to_one(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        _sums_to_one(v, "five triage shares")
        return v

    @field_validator("ed_admission_discipline")
    @classmethod
    def _admission_disciplines(cls, v: dict[str, float]) -> dict[str, float]:
        v = _every_discipline(v)
        _sums_to_one(list(v.values()), "admission shares of the disciplines")
        return v

    @field_validator("ssr_discharge_share")
    @classmethod
    def _ssr_disciplines(cls, v: dict[str, float]) -> dict[str, float]:
        return _every_discipline(v)

    def __hash__(self) -> int:
        # Frozen, but two fields are dicts: hash the canonical JSON (cache keys of networks).
        return hash(self.model_dump_json())


DEFAULT_PARAMETERS = ModelParameters()
"""The assumptions the model was calibrated and validated with."""


class Policy(_Frozen):
    """Behaviour of hospitals and the SAMU (the scenario's ``policy`` block; ``policy``
    interventions change it for a whole run). The simulation and its agents use these names."""

    plan_blanc: StrictBool = Field(True, description="Hospitals may trigger their crisis plan.")
    plan_blanc_on: float = Field(
        0.98, gt=0, le=1.5,
        description="Occupancy share (occupied + waiting beds / beds) that triggers it.",
    )  # fmt: skip
    plan_blanc_off: float = Field(
        0.90, gt=0, le=1.5,
        description="Occupancy share below which it stands down (hysteresis avoids flapping).",
    )  # fmt: skip
    surge_share: float = Field(
        0.10, ge=0, le=1,
        description="Surge beds opened under the plan, as a share of the ward's beds.",
    )  # fmt: skip
    plan_blanc_min_hours: float = Field(
        24.0, ge=0, le=8760,
        description="A crisis plan, once triggered, stays active at least this long (hours).",
    )  # fmt: skip
    cancel_electives: StrictBool = Field(
        True, description="Elective deprogramming: cancel scheduled admissions under the plan."
    )
    max_boarding_hours: float = Field(
        12.0, gt=0, le=168,
        description="Hours an admitted patient waits in the ED for a bed before the SAMU "
        "organises a transfer to another establishment.",
    )  # fmt: skip
    samu_orientation: StrictBool = Field(
        True, description="The SAMU orients patients to the least busy open ED of the région."
    )
