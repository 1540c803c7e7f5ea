"""The indicators the dashboard offers: French labels, display units, and how to aggregate.

A results store carries every variable of the contract (``notes/store-format.md``) with its
own ``long_name_fr`` and ``units`` attributes; this catalogue adds what the store cannot
say: how a département value rolls up to a région (a sum for counts, a ratio of sums for an
occupancy rate, a weighted mean for a share or a mean time, nothing at all for a median),
how to show it (a share as a percentage), and which capacity goes with an occupancy.

Only catalogued variables that the store holds are offered, so a user can never ask for a
variable by a name that was not whitelisted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Aggregation = Literal["sum", "ratio", "weighted", "none"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: ``name`` is the store variable (or a ratio computed from two)."""

    name: str
    label: str
    unit: str
    aggregation: Aggregation = "sum"
    numerator: str | None = None
    denominator: str | None = None
    weight: str | None = None
    scale: float = 1.0  # display factor (shares shown as %)
    decimals: int = 1
    capacity: str | None = None  # variable drawn as a capacity line on the Territoire page
    thresholds: tuple[float, ...] = ()  # display units; offered on the Comparer page
    higher_is_worse: bool = True

    def needs(self) -> tuple[str, ...]:
        """Store variables read to compute this indicator at any level."""
        if self.aggregation == "ratio":
            return (str(self.numerator), str(self.denominator))
        if self.aggregation == "weighted":
            return (self.name, str(self.weight))
        return (self.name,)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("ed_passages", "Passages aux urgences", "patients/jour", decimals=0,
              higher_is_worse=False),
    Indicator("ed_los_over_4h_share", "Part des passages de plus de 4 h", "%", "weighted",
              weight="ed_passages", scale=100.0),
    Indicator("ed_los_over_8h_share", "Part des passages de plus de 8 h", "%", "weighted",
              weight="ed_passages", scale=100.0),
    Indicator("ed_boarding_hours", "Attente d'un lit aux urgences", "patients-heures/jour"),
    Indicator("ed_occupancy_mean", "Patients présents aux urgences (moyenne)", "patients"),
    Indicator("admissions_ward", "Hospitalisations MCO depuis les urgences", "patients/jour"),
    Indicator("admissions_icu", "Admissions en soins critiques depuis les urgences",
              "patients/jour"),
    Indicator("transfers_out", "Transferts sortants faute de lit", "patients/jour"),
    Indicator("refused", "Patients sans lit disponible dans la région", "patients/jour"),
    Indicator("electives_cancelled", "Hospitalisations programmées annulées", "patients/jour"),
    Indicator("plan_blanc_hours", "Heures de plan blanc", "heures/jour"),
    Indicator("ssr_blocked_hours", "Lits MCO bloqués en attente de SSR", "patients-heures/jour"),
    Indicator("mco_occupancy_rate", "Taux d'occupation des lits MCO", "%", "ratio",
              numerator="mco_occupied_mean", denominator="mco_capacity", scale=100.0,
              thresholds=(85.0, 90.0, 95.0, 100.0)),
    Indicator("icu_occupancy_rate", "Taux d'occupation des soins critiques", "%", "ratio",
              numerator="icu_occupied_mean", denominator="icu_capacity", scale=100.0,
              thresholds=(80.0, 90.0, 100.0)),
    Indicator("mco_occupied_mean", "Lits MCO occupés (moyenne)", "lits", decimals=0,
              capacity="mco_capacity"),
    Indicator("mco_occupied_peak", "Lits MCO occupés (pic)", "lits", decimals=0,
              capacity="mco_capacity"),
    Indicator("mco_capacity", "Lits MCO ouverts", "lits", decimals=0, higher_is_worse=False),
    Indicator("icu_occupied_mean", "Lits de soins critiques occupés (moyenne)", "lits",
              capacity="icu_capacity"),
    Indicator("icu_occupied_peak", "Lits de soins critiques occupés (pic)", "lits",
              capacity="icu_capacity"),
    Indicator("icu_capacity", "Lits de soins critiques ouverts", "lits", higher_is_worse=False),
    Indicator("ssr_occupied_mean", "Lits SSR occupés (moyenne)", "lits", decimals=0),
    Indicator("samu_calls", "Appels au SAMU (centre 15)", "appels/jour", decimals=0,
              higher_is_worse=False),
    Indicator("samu_answer_time_mean", "Délai moyen de décroché du SAMU", "secondes",
              "weighted", weight="samu_calls"),
    Indicator("samu_answer_time_p90", "Délai de décroché du SAMU (90e centile)", "secondes",
              "none"),
    Indicator("smur_missions", "Sorties primaires SMUR", "missions/jour"),
    Indicator("smur_response_median", "Délai médian d'intervention SMUR", "minutes", "none"),
    Indicator("closed_ed_redirected", "Patients réorientés (urgences fermées)",
              "patients/jour"),
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
        disabled = level == "reg" and ind.aggregation == "none"
        label = f"{ind.label} ({ind.unit})"
        if disabled:
            label += " — non agrégeable à la région"
        out.append({"label": label, "value": ind.name, "disabled": disabled})
    return out
