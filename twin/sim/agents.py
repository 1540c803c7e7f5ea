"""The actors that decide, as Mesa agents driven by the SimPy clock.

SimPy owns time; a SimPy process calls :meth:`CareModel.step` every
:data:`DECISION_CADENCE_HOURS` hours (documented cadence), and each agent decides from the
state of the SimPy resources it owns:

* :class:`HospitalAgent` — crisis plan *plan blanc*: above ``plan_blanc_on`` occupancy of its
  acute beds it opens surge beds and cancels scheduled (elective) admissions; below
  ``plan_blanc_off`` (and after ``plan_blanc_min_hours``) it stands down. Surge beds are
  removed by lowering capacity, which never evicts a patient: occupied surge beds close as
  their patients leave.
* :class:`SamuAgent` — one per département's SAMU centre: keeps, at each decision, the
  ranking of EDs by free treatment capacity so ambulances are oriented to an ED with room
  within :data:`MAX_TRAVEL_HOURS`, and picks the receiving establishment of a transfer.
* :class:`TerritoryAgent` — population behaviour: the share of demand that goes to the ED
  rises when primary care (GP) access falls; it publishes the multiplier applied to
  self-presentations (read when arrivals are drawn, hence stable within a run).

Agents hold no random state of their own: ordering uses ``model.random`` seeded from the
replication's named stream, so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import mesa
import numpy as np

DECISION_CADENCE_HOURS = 1.0
MAX_TRAVEL_HOURS = 0.75
GP_ACCESS_ELASTICITY = 0.35
"""Relative rise of ED self-presentations per relative fall of GP access (e.g. access
-20 % gives +7 % ED demand); order of magnitude from French ED-use studies."""


class BedPool(Protocol):
    """What agents need from a SimPy-side capacity resource."""

    @property
    def capacity(self) -> int: ...

    @property
    def in_service(self) -> int: ...

    @property
    def waiting(self) -> int: ...

    def set_capacity(self, capacity: int) -> None: ...


class HospitalAgent(mesa.Agent):
    def __init__(
        self,
        model: CareModel,
        finess: str,
        wards: dict[str, BedPool],
        base_beds: dict[str, int],
        plan_blanc_on: float,
        plan_blanc_off: float,
        surge_share: float,
        plan_blanc_min_hours: float,
        enabled: bool = True,
    ) -> None:
        """Arguments named as the fields of :class:`twin.network.Policy` they come from."""
        super().__init__(model)
        self.finess = finess
        self.wards = wards
        self.base_beds = base_beds
        self.plan_blanc_on = plan_blanc_on
        self.plan_blanc_off = plan_blanc_off
        self.surge_share = surge_share
        self.plan_blanc_min_hours = plan_blanc_min_hours
        self.enabled = enabled and bool(wards)
        self.plan_blanc = False
        self.activated_at = -np.inf
        self.activations = 0
        self.hours_active = 0.0

    def occupancy(self) -> float:
        cap = sum(self.base_beds.values())
        if cap <= 0:
            return 0.0
        used = sum(w.in_service + w.waiting for w in self.wards.values())
        return used / cap

    def step(self) -> None:
        if not self.enabled:
            return
        now = self.model.now()
        occ = self.occupancy()
        if not self.plan_blanc and occ >= self.plan_blanc_on:
            self.plan_blanc = True
            self.activated_at = now
            self.activations += 1
            for disc, pool in self.wards.items():
                base = self.base_beds[disc]
                pool.set_capacity(base + int(np.ceil(base * self.surge_share)))
        elif (
            self.plan_blanc
            and occ <= self.plan_blanc_off
            and now - self.activated_at >= self.plan_blanc_min_hours
        ):
            self.plan_blanc = False
            for disc, pool in self.wards.items():
                pool.set_capacity(self.base_beds[disc])
        if self.plan_blanc:
            self.hours_active += DECISION_CADENCE_HOURS


class SamuAgent(mesa.Agent):
    def __init__(
        self,
        model: CareModel,
        dep_index: int,
        ed_candidates: Sequence[tuple[int, int]],
        free_capacity: Callable[[int], float],
        travel_hours: np.ndarray,
    ) -> None:
        """``ed_candidates``: (ED index, territory index) of every ED the centre may use."""
        super().__init__(model)
        self.dep_index = dep_index
        self.ed_candidates = list(ed_candidates)
        self.free_capacity = free_capacity
        self.travel_hours = travel_hours
        self.ranking: list[int] = [e for e, _ in self.ed_candidates]

    def step(self) -> None:
        scored = []
        for ed, dep in self.ed_candidates:
            travel = self.travel_hours[self.dep_index, dep]
            if travel > MAX_TRAVEL_HOURS and dep != self.dep_index:
                continue
            scored.append((-self.free_capacity(ed), travel, ed))
        scored.sort()
        self.ranking = [ed for _, _, ed in scored]

    def orient(self, open_eds: Callable[[int], bool], default: int) -> int:
        """The ED an ambulance goes to: the best-ranked open one, else ``default``."""
        for ed in self.ranking:
            if open_eds(ed):
                return ed
        return default


class TerritoryAgent(mesa.Agent):
    def __init__(self, model: CareModel, dep: str, gp_access: float) -> None:
        super().__init__(model)
        self.dep = dep
        self.gp_access = gp_access

    @property
    def ed_demand_multiplier(self) -> float:
        return 1.0 + GP_ACCESS_ELASTICITY * (1.0 - self.gp_access)

    def step(self) -> None:
        """Behaviour is constant within a run today; the hook exists for adaptive behaviour
        (e.g. avoidance of a saturated ED) without changing the cadence contract."""


class CareModel(mesa.Model):
    """Container of the deciding agents; time comes from the SimPy environment."""

    def __init__(self, env_now: Callable[[], float], seed_int: int) -> None:
        super().__init__(rng=seed_int)
        self._now = env_now

    def now(self) -> float:
        return self._now()

    def step(self) -> None:
        self.agents_by_type[SamuAgent].do("step") if SamuAgent in self.agents_by_type else None
        if HospitalAgent in self.agents_by_type:
            self.agents_by_type[HospitalAgent].shuffle_do("step")
