"""What the pathway stages share: disposition codes, the per-ED-unit and per-establishment
records, the behavioural switches of a run (:class:`Policy`) and the inverse-CDF helpers.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from twin import network as nw
from twin.network import EstablishmentSpec
from twin.sim.agents import HospitalAgent
from twin.sim.resources import PriorityResource, Resource

EPISODE_FIELDS = 6
"""Per ED episode: arrival time, wait for first contact, ED length of stay, boarding hours,
disposition code, arrival mode (0 self-presentation, 1 SAMU transport, 2 SMUR)."""
# disposition codes
HOME, UHCD, TRANSFER_OUT, ADMIT_WARD, ADMIT_ICU = 0, 1, 2, 3, 4
AGE_ADMISSION_WEIGHT = np.array([0.45, 0.65, 1.0, 1.7, 2.6])
"""Relative admission propensity by age class (<15 .. 75+), rescaled per ED unit so that its
SAE admission share is kept: the elderly are admitted far more often."""
_TRIAGE_CUM = np.cumsum(nw.TRIAGE_SHARES)
_DISC = list(nw.DISCIPLINES)
_DISC_CUM = np.cumsum([nw.ED_ADMISSION_DISCIPLINE[d] for d in _DISC])
_VIA_CODE = {None: 0.0, "samu": 1.0, "smur": 2.0}
"""Arrival mode as recorded in the episode log."""
SETTLE_HOURS = 1e-6
"""The run stops this long after the horizon (the daily recorder fires exactly at it)."""


@dataclass
class Policy:
    """Behavioural switches of a run (scenarios set them)."""

    plan_blanc: bool = True
    plan_blanc_on: float = nw.PLAN_BLANC_ON
    plan_blanc_off: float = nw.PLAN_BLANC_OFF
    plan_blanc_surge_share: float = nw.PLAN_BLANC_SURGE_SHARE
    cancel_electives_in_plan_blanc: bool = True
    max_boarding_hours: float = nw.MAX_BOARDING_HOURS
    samu_orientation: bool = True


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
    admitted at :data:`twin.network.SMUR_ED_ADMIT_SHARE`, the unit keeps its SAE share."""
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
    counters: dict[str, np.ndarray] = field(default_factory=dict)
    """Daily counts keyed by output name (:mod:`twin.sim.counters`)."""


def normal_score(u: float) -> float:
    """Standard normal quantile of a uniform mark, clipped away from 0 and 1."""
    return ndtri(min(max(u, 1e-9), 1 - 1e-9))
