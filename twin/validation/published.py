"""Published figures that no calibration of the twin touched, with their sources.

The twin is calibrated on SAE annual volumes (passages, admissions, stays, patient-days,
beds, SMUR exits, SAMU calls). The length of ED stays, its split by disposition, the
boarding of admitted patients and the admission rate by age are *outputs* of assumed
treatment times, staffing rules and queues; they are compared here with what DREES
published. Adult critical-care occupancy is computed from the embedded SAE file itself
(patient-days / (beds × 365)) so its source is a file, not a quotation.
"""

from __future__ import annotations

from dataclasses import dataclass

ED_SURVEY = (
    "DREES, enquête nationale auprès des structures des urgences hospitalières (juin 2023), "
    "premiers résultats, Études et résultats (2024-2025) ; ordres de grandeur repris dans "
    "shared/reference/french-health-data.md"
)
def sae_icu_source(year: int) -> str:
    """Where the observed adult ICU occupancy of ``year`` comes from."""
    return (
        f"DREES, SAE {year} (data/real/sae/{year}), bordereau REA, unités REAADU : "
        "JOU / (LIT × 365)"
    )


@dataclass(frozen=True)
class Published:
    key: str
    label: str
    value: float
    units: str
    source: str
    note: str = ""


ED_LOS: tuple[Published, ...] = (
    Published(
        "median_all", "Durée médiane de passage (tous patients)", 3.0, "h", ED_SURVEY,
        "publié : « un peu plus de 3 h »",
    ),
    Published("over_8h_all", "Part des passages de plus de 8 h", 0.15, "part", ED_SURVEY),
    Published("median_home", "Durée médiane, patients rentrés à domicile", 2.5, "h", ED_SURVEY),
    Published(
        "median_admitted", "Durée médiane, patients hospitalisés", 5 + 20 / 60, "h", ED_SURVEY,
        "attente d'un lit (boarding) comprise",
    ),
)
"""ED length of stay (2023 survey)."""

ADMISSION_SHARE = Published(
    "admitted_share", "Part des passages suivis d'une hospitalisation", 0.20, "part", ED_SURVEY,
    "environ 20 % ; SAE dtHOSP / PASSU l'inclut (transferts compris)",
)
