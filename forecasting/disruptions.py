"""Supply disruptions to test against the baseline stock projection: delay, quota, rupture.

A :class:`SupplyDisruption` is pure data — one product, one kind of disruption, a window of
days, optionally restricted to some sites or départements. The scenario layer builds them
from its YAML ``supply_disruption`` interventions (and ``twin shortages --disruption`` from
its own YAML file, :func:`forecasting.shortages.load_disruptions`); the shortage projection
turns them into delivery shifts and cuts (:func:`forecasting.shortages.disruption_effects`)
applied on the *same random numbers* as the baseline, so the difference between the two runs
is the effect of the disruption alone.

What each kind does to a delivery (a delivery is "due" on the day the supplier would have
delivered it without disruption):

* ``delay``: a delivery due in ``[start, end]`` arrives ``delay_days`` later;
* ``quota``: a delivery arriving in ``[start, end]`` brings only ``quota_share`` of the
  ordered quantity (the rest is cancelled, as a short delivery is in the ledger convention);
* ``rupture``: nothing is delivered in ``[start, end]``; deliveries due then arrive the day
  after ``end``.

Both ends of the window are included. Several disruptions of one product combine: the
longest postponement and the smallest quota win on each day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from numbers import Real
from typing import Literal

DisruptionKind = Literal["delay", "quota", "rupture"]
KINDS: tuple[str, ...] = ("delay", "quota", "rupture")


def _as_date(value: object, name: str) -> date:
    if isinstance(value, date):
        return value.date() if hasattr(value, "hour") else value  # datetime → date
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date (YYYY-MM-DD), not {value!r}")


@dataclass(frozen=True)
class SupplyDisruption:
    """A disruption of the supply of one product over a window of days.

    ``product``: a CIP13 or UCD code as written in the ledger, a CIS, or the sentinel
    medicine key used in the data (``amoxicilline_1g_cp``). ``sites``: FINESS codes of the
    sites affected (empty: every site); ``deps``: département codes (empty: every
    département); both restrict when given. ``delay_days`` only applies to ``delay`` and
    ``quota_share`` (fraction delivered, 0…1) only to ``quota``. Dates may be given as ISO
    strings; they are stored as :class:`datetime.date`.
    """

    product: str
    kind: DisruptionKind
    start: date
    end: date
    delay_days: int = 0
    quota_share: float = 1.0
    sites: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.product, str) or not self.product.strip():
            raise ValueError(f"product must be a non-empty code or name, not {self.product!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        set_(self, "start", _as_date(self.start, "start"))
        set_(self, "end", _as_date(self.end, "end"))
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if not isinstance(self.delay_days, Real) or isinstance(self.delay_days, bool) \
                or int(self.delay_days) != self.delay_days:
            raise ValueError(f"delay_days must be a whole number of days, not "
                             f"{self.delay_days!r}")
        if not isinstance(self.quota_share, Real) or isinstance(self.quota_share, bool):
            raise ValueError(f"quota_share must be a number within 0…1, not "
                             f"{self.quota_share!r}")
        set_(self, "delay_days", int(self.delay_days))
        set_(self, "quota_share", float(self.quota_share))
        if self.kind == "delay" and not 1 <= self.delay_days <= 365:
            raise ValueError(f"a delay needs delay_days from 1 to 365, not {self.delay_days}")
        if self.kind != "delay" and self.delay_days != 0:
            raise ValueError(f"delay_days only applies to kind 'delay', not {self.kind!r}")
        if not 0.0 <= self.quota_share <= 1.0:
            raise ValueError(f"quota_share must be within 0…1, not {self.quota_share}")
        if self.kind == "quota" and self.quota_share == 1.0:
            raise ValueError("a quota needs quota_share below 1 (1 would deliver everything)")
        if self.kind != "quota" and self.quota_share != 1.0:
            raise ValueError(f"quota_share only applies to kind 'quota', not {self.kind!r}")
        for name in ("sites", "deps"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            set_(self, name, tuple(str(v) for v in value))
