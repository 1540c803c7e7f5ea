"""What the pathway stages share: disposition codes, the per-ED-unit and per-establishment
records and the inverse-CDF helpers. The run's assumptions and behavioural switches are
:class:`twin.network.ModelParameters` (``network.parameters``) and :class:`twin.network.Policy`.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from twin.network import DISCIPLINES, EDSpec, EstablishmentSpec
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
_DISC = list(DISCIPLINES)
_VIA_CODE = {None: 0.0, "samu": 1.0, "smur": 2.0}
"""Arrival mode as recorded in the episode log."""
SETTLE_HOURS = 1e-6
"""The run stops this long after the horizon (the daily recorder fires exactly at it)."""


@dataclass
class EDUnit:
    index: int
    est: int
    dep_index: int
    places: PriorityResource
    uhcd: Resource | None
    spec: EDSpec
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
