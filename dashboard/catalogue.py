"""The indicators the dashboard offers: which outputs, and how to show them.

What an indicator *is* — its French label, units, and how a département value rolls up to a
région (a sum for counts, a ratio of sums for an occupancy rate, a weighted mean for a share
or a mean time, nothing at all for a median) — comes from the output registry
(:mod:`twin.output_registry`), the same table the results store and ``twin compare`` use.
This catalogue adds only presentation: the display scale (a share as a percentage),
decimals, which capacity goes with an occupancy, the thresholds offered, and whether higher
is worse.

Only catalogued variables that the store holds are offered, so a user can never ask for a
variable by a name that was not whitelisted here.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.output_registry import BY_NAME as OUTPUTS
from twin.output_registry import Output

UNITS_FR: dict[str, str] = {
    "1": "%",
    "patients/day": "patients/jour",
    "patient-hours/day": "patients-heures/jour",
    "establishment-hours/day": "heures/jour",
    "patients": "patients",
    "beds": "lits",
    "calls/day": "appels/jour",
    "missions/day": "missions/jour",
    "seconds": "secondes",
    "minutes": "minutes",
}
"""Display units of the store's units (a share is shown scaled to %)."""


@dataclass(frozen=True)
class Indicator:
    """One indicator: ``name`` is a store variable of the output registry."""

    name: str
    scale: float = 1.0  # display factor (shares shown as %)
    decimals: int = 1
    capacity: str | None = None  # variable drawn as a capacity line on the Territoire page
    thresholds: tuple[float, ...] = ()  # display units; offered on the Comparer page
    higher_is_worse: bool = True

    @property
    def output(self) -> Output:
        return OUTPUTS[self.name]

    @property
    def label(self) -> str:
        return self.output.label_fr

    @property
    def unit(self) -> str:
        return UNITS_FR[self.output.store_units]

    def needs(self) -> tuple[str, ...]:
        """Store variables read to compute this indicator at any level."""
        return self.output.parts()


_PCT = 100.0
INDICATORS: tuple[Indicator, ...] = (
    Indicator("ed_passages", decimals=0, higher_is_worse=False),
    Indicator("ed_los_over_4h_share", scale=_PCT),
    Indicator("ed_los_over_8h_share", scale=_PCT),
    Indicator("ed_boarding_hours"),
    Indicator("ed_occupancy_mean"),
    Indicator("admissions_ward"),
    Indicator("admissions_icu"),
    Indicator("transfers_out"),
    Indicator("refused"),
    Indicator("electives_cancelled"),
    Indicator("plan_blanc_hours"),
    Indicator("ssr_blocked_hours"),
    Indicator("mco_occupancy_rate", scale=_PCT, thresholds=(85.0, 90.0, 95.0, 100.0)),
    Indicator("icu_occupancy_rate", scale=_PCT, thresholds=(80.0, 90.0, 100.0)),
    Indicator("mco_occupied_mean", decimals=0, capacity="mco_capacity"),
    Indicator("mco_occupied_peak", decimals=0, capacity="mco_capacity"),
    Indicator("mco_capacity", decimals=0, higher_is_worse=False),
    Indicator("icu_occupied_mean", capacity="icu_capacity"),
    Indicator("icu_occupied_peak", capacity="icu_capacity"),
    Indicator("icu_capacity", higher_is_worse=False),
    Indicator("ssr_occupied_mean", decimals=0),
    Indicator("samu_calls", decimals=0, higher_is_worse=False),
    Indicator("samu_answer_time_mean"),
    Indicator("samu_answer_time_p90"),
    Indicator("smur_missions"),
    Indicator("smur_response_median"),
    Indicator("closed_ed_redirected"),
)

BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}

STATISTICS: dict[str, str] = {
    "mean": "Moyenne",
    "p5": "5e centile (P5)",
    "p95": "95e centile (P95)",
    "diff": "Écart au scénario de référence",
    "diff_pct": "Écart relatif au scénario de référence (%)",
}

LEVELS: dict[str, str] = {"dep": "Départements", "reg": "Régions"}


def available(variables: set[str]) -> list[Indicator]:
    """The catalogued indicators computable from a store holding ``variables``."""
    return [i for i in INDICATORS if set(i.needs()) <= variables]


def options(variables: set[str], level: str = "dep") -> list[dict[str, object]]:
    """Dropdown options; indicators without a régional aggregate are disabled at that level."""
    out = []
    for ind in available(variables):
        disabled = level == "reg" and not ind.output.regional
        label = f"{ind.label} ({ind.unit})"
        if disabled:
            label += " — non agrégeable à la région"
        out.append({"label": label, "value": ind.name, "disabled": disabled})
    return out
