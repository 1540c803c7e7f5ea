"""SAE (Statistique annuelle des établissements de santé, DREES): capacity and activity.

Source files: the DREES "bases statistiques", one ``;``-separated ISO-8859-1 CSV per
bordereau and year, named ``NAME_YYYYr.csv`` (``r`` = "rectifiée"; some vintages use ``a``),
embedded byte-identically under ``data/real/sae/YYYY/``. Empty cells are missing values
(masked or not reported) and stay NaN all the way through: never read them as zero.

Six bordereaux are read; every table is keyed by the 9-character FINESS of the geographic
establishment (``FI``) and carries the official département and région codes taken from the
``ID`` register of the same year (every ``FI`` of every bordereau must be in it):

``ID`` (:func:`load_establishments`)
    One row per geographic establishment. ``dep`` uses ``9A``..``9F`` for the overseas
    départements and the commune code ``COMINSEE`` uses the same prefix (``9A101``); both are
    returned as official codes (``971``, ``97101``). ``stjr`` is the grouped legal status:
    ``1`` public, ``2`` private for-profit, ``3`` private not-for-profit — checked against
    ``catr``, whose prefix is ``PUB``/``PLU`` (lucratif)/``PNL`` (non lucratif) in every
    embedded year. ``dep`` is the physical location (it agrees with ``COMINSEE`` on every
    row); ``dep_diff`` ("diffusion") differs on a handful of legal-entity rows (six in 2023)
    that have no activity in the bordereaux read here, and is not used.

``URGENCES2`` (:func:`load_ed_units`)
    One row per emergency-department unit: a site ``FI`` and a unit type ``URG`` (``GEN``
    general, ``PED`` paediatric, ``AMU`` emergency "antenne" from the 2024 reform). The 2023
    file has 689 rows (618 sites), every one with ``PASSU`` > 0: that is the published count
    of 689 ED units, and ``PASSU`` sums to 20,893,055 passages.

    Admissions: ``dtHOSP`` is the number of passages followed by a hospitalisation anywhere,
    and equals ``dtMCO + dtLS + dtHAD + dtEXT`` (hospitalised in the establishment's acute
    wards, its other inpatient wards, at home, or in another establishment) on every row of
    2019–2021 and 2024 where both are filled, but one 2019 row. Paediatric units fill only
    ``dtHOSP`` (never the detail). In 2022 and 2023 ``dtHOSP`` is filled only for those
    paediatric units, so for the others ``admissions`` is *derived* as that sum (empty parts
    counted as none, the convention the identity confirms) and ``admissions_derived`` says so.
    ``transfers_out`` is ``dtEXT``: the passages followed by a hospitalisation in another
    establishment, one component of ``dtHOSP`` (230,034 in 2023, 1.1 % of passages).
    Paediatric units leave ``dt18``/``dt80`` empty (all their patients are minors): NaN.
    UHCD is the short-stay observation unit of the ED (``LIT_UHCD`` beds, ``JLI_UHCD``
    bed-days available, ``SEJ_UHCD`` stays, ``SEJ0_UHCD`` zero-night stays, ``JOU_UHCD`` days).

    The 2024 vintage dropped ``HMED``/``HIDE`` and added, among others, ``REG`` — a 1/2/3
    code, *not* a région (the région always comes from ``ID``) — and the opening columns
    ``OUV_*``/``AMPL_*`` (weekdays, Saturday, Sundays and holidays), returned as
    ``open_*`` (code, kept as text) and ``hours_*`` (hours); they are NaN for earlier years
    and almost all empty in 2024 itself.

``MCO`` (:func:`load_mco`)
    One row per establishment with medicine (``MED``), surgery (``CHI``) and obstetrics
    (``OBS``) columns plus their totals (``*_MCO``). The totals are never read (they would
    double count); the long table has one row per establishment and discipline that reports
    anything. 2023: 187,427 beds (118,728 medicine, 52,863 surgery, 15,836 obstetrics),
    exactly the published figure; the discipline sums of stays differ from the ``*_MCO``
    totals on one or two rows of some years (10,239,005 full-hospitalisation stays in 2023 vs
    10,239,054 in ``SEJHC_MCO``).

``REA`` (:func:`load_critical_care`)
    One row per establishment and unit code ``UNI``. Subtotal codes are excluded so that
    nothing is counted twice: ``SITOT`` (all intensive care; equals the sum of its parts on
    every row), and in 2024 ``SIADU``/``SIPED`` (adult/paediatric intensive care) and
    ``REAPEDREC`` ("of which" tertiary paediatric réanimation: beds only, no activity,
    meant to lie within ``REAENF`` — one Martinique row exceeds it; DREES leaves it out
    too). The 2024 critical-care reform renamed and split the unit codes; ``unit_type`` and
    ``drees_unit`` harmonise them. ``drees_unit`` follows the DREES
    critical-care bed series (:mod:`twin.sources.drees`), whose national totals the SAE rows
    reproduce exactly for every year and unit except 2021 ``REAADU`` (5,609 here, 5,600 in
    the DREES series) and the 2024 continuing-care units::

        UNI (2019-2023)  UNI (2024)                       drees_unit  unit_type
        REAADU           REAADU                           REAADU      reanimation_adult
        REAENF           REAENF                           REAENF      reanimation_paediatric
        USIC             USICADU                          USIC        intensive_care
        SIUNV            USINVADU                         SIUNV       intensive_care
        AUTSI            AUTSIADU USIHADU USIPADU         AUTSI       intensive_care
                         AUTSIPED USIHPED USIPPED         AUTSI       intensive_care
        SURVADU          (none)                           SURVADU     continuing_care_adult
        SURVENF          (none)                           SURVENF     continuing_care_paediatric

    (``USIH`` haematology, ``USIP`` polyvalent intensive care.) The 2024 file has no
    surveillance-continue rows at all (DREES's 2024 series takes them from elsewhere), so
    continuing care is absent from 2024: a break in the series, not a closure of beds.
    Neonatal intensive care is in the ``PERINAT`` bordereau, not read here. 2023: 5,224 adult
    réanimation beds (``REAADU``).

``SMURSAMU`` (:func:`load_samu_smur`)
    One row per establishment hosting a SMUR (mobile emergency team) and/or a SAMU
    (centre 15). ``SORTIES`` (SMUR exits) equals ``SORTER1`` (primary, by road) +
    ``SORTER2`` (secondary = inter-hospital, by road) + ``dtTIH`` (nurse-led inter-hospital
    transfers) + ``SORAER1`` + ``SORAER2`` (primary/secondary by air) + ``SORMAR`` (by sea)
    on every row of every embedded year, empty cells counted as none. SAMU rows carry
    ``APP`` calls received, ``APD`` calls answered (décrochés), ``DR`` regulation files and
    ``DRM`` medical regulation files. 2023 national sums: 36,598,371 calls received,
    31,333,685 answered, 20,720,534 regulation files, 16,261,017 medical regulation files,
    721,939 SMUR exits, 517,228 primary by road, 119,683 inter-hospital by road, and by air
    23,979 primary + 24,196 secondary = 48,175 (the published "24 k by air" matches either
    air column alone, not their sum, which the ``SORTIES`` identity shows both count).

``SSR`` (:func:`load_ssr`)
    Follow-up and rehabilitation care, one row per establishment and ``GDE`` level:
    ``SSR_TOT`` (total) = ``SSR_A`` (adults) + ``SSR_E`` (children), and the specialised
    "mention" rows ``SSR_A50``..``SSR_A62`` / ``SSR_E50``.. break ``SSR_A``/``SSR_E`` down
    (beds and days only, no stays). Only ``SSR_A`` and ``SSR_E`` are kept (``age_group``
    adult/paediatric): the finest level that carries stays and never overlaps. 2023: 101,367
    beds, 880,550 full-hospitalisation stays, 33.8 days per stay. ``SEJ3M`` exists
    2019–2022 only; ``JOUHP`` (not read) holds a ``-1`` in the 2021 file.

Validation (every loader and :func:`check_file`): the header must match the known columns
of its vintage (per-year map below; an unknown column or a missing read column is a
:class:`~twin.errors.DataError` naming file and column); the columns read are parsed as
non-negative numbers (counts as whole numbers); ``BOR``/``AN`` must match the file name;
``FI`` must be a 9-character FINESS, and a row whose ``FI`` is empty, says ``TOTAL`` or is
not 9 characters long is reported as an aggregate row among establishment rows, never
summed; codes (unit types, statuses, départements, régions) must be known; keys must be
unique; and every ``FI`` must be in the ``ID`` register, whose ``dep`` must be one of the
101 départements (``9E``, Saint-Pierre-et-Miquelon, is not one) consistent with ``reg``.
Columns that are known but not read are only required to be known.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import dep_to_reg, is_dep, is_reg, normalise_dep, normalise_reg
from twin.paths import real_dir
from twin.plausibility import BOUNDS
from twin.sources.tabular import LINE, TableSpec, read_table

BORDEREAUX = ("ID", "URGENCES2", "MCO", "REA", "SMURSAMU", "SSR")
FILE_PATTERNS: tuple[str, ...] = tuple(f"{b}_[0-9][0-9][0-9][0-9]*.csv" for b in BORDEREAUX)

STATUSES = {"1": "public", "2": "private_for_profit", "3": "private_non_profit"}
_STATUS_PREFIX = {"1": "PUB", "2": "PLU", "3": "PNL"}
ED_UNIT_TYPES = {"GEN": "general", "PED": "paediatric", "AMU": "emergency antenna (2024+)"}
DISCIPLINES = {"MED": "medicine", "CHI": "surgery", "OBS": "obstetrics"}
SSR_LEVELS = {"SSR_A": "adult", "SSR_E": "paediatric"}

# (unit_type, drees_unit) of each REA unit code that is a detail row; None = subtotal row.
REA_UNITS_2019: dict[str, tuple[str, str] | None] = {
    "REAADU": ("reanimation_adult", "REAADU"),
    "REAENF": ("reanimation_paediatric", "REAENF"),
    "USIC": ("intensive_care", "USIC"),
    "SIUNV": ("intensive_care", "SIUNV"),
    "AUTSI": ("intensive_care", "AUTSI"),
    "SURVADU": ("continuing_care_adult", "SURVADU"),
    "SURVENF": ("continuing_care_paediatric", "SURVENF"),
    "SITOT": None,
}
REA_UNITS_2024: dict[str, tuple[str, str] | None] = {
    "REAADU": ("reanimation_adult", "REAADU"),
    "REAENF": ("reanimation_paediatric", "REAENF"),
    "USICADU": ("intensive_care", "USIC"),
    "USINVADU": ("intensive_care", "SIUNV"),
    "AUTSIADU": ("intensive_care", "AUTSI"),
    "USIHADU": ("intensive_care", "AUTSI"),
    "USIPADU": ("intensive_care", "AUTSI"),
    "AUTSIPED": ("intensive_care", "AUTSI"),
    "USIHPED": ("intensive_care", "AUTSI"),
    "USIPPED": ("intensive_care", "AUTSI"),
    "REAPEDREC": None,
    "SITOT": None,
    "SIADU": None,
    "SIPED": None,
}
REFORM_YEAR = 2024

ESTABLISHMENT_COLUMNS = (
    "finess", "finess_ej", "name", "dep", "reg", "category", "category_group", "status",
    "legal_status", "municipality", "municipality_name",
)
ED_COLUMNS = (
    "finess", "dep", "reg", "unit_type", "passages", "passages_over80", "passages_under18",
    "admissions", "admissions_derived", "admissions_mco", "transfers_out", "uhcd_beds",
    "uhcd_bed_days", "uhcd_stays", "uhcd_zero_night_stays", "uhcd_days",
    "open_weekdays", "hours_weekdays", "open_saturday", "hours_saturday",
    "open_sundays_holidays", "hours_sundays_holidays",
)
MCO_COLUMNS = (
    "finess", "dep", "reg", "discipline", "beds", "bed_days", "stays_full",
    "stays_zero_night", "patient_days", "day_places", "day_stays",
)
CRITICAL_CARE_COLUMNS = (
    "finess", "dep", "reg", "unit_code", "unit_type", "drees_unit", "beds", "bed_days",
    "stays", "patient_days",
)
SAMU_SMUR_COLUMNS = (
    "finess", "dep", "reg", "has_smur", "has_samu", "smur_exits", "primary_road",
    "secondary_road", "paramedic_transfers", "air_primary", "air_secondary", "air", "sea",
    "calls_received", "calls_answered", "regulation_files", "medical_regulation_files",
)
SSR_COLUMNS = ("finess", "dep", "reg", "age_group", "beds", "bed_days", "stays", "days")

_FINESS = re.compile(r"^(?:[0-9]{2}|2[AB])[0-9]{7}$")
_COMMUNE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3}|9[A-F][0-9]{3})$")
_SSR_GDE = re.compile(r"^SSR_(?:TOT|A|E|[AE][0-9]{2})$")
_FILE_NAME = re.compile(
    r"^(" + "|".join(BORDEREAUX) + r")_([0-9]{4})[a-z]?\.csv$", re.IGNORECASE
)


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class _Col:
    """One header of one bordereau: read under ``name`` (or only known when ``name`` is
    None), of ``kind`` count (whole number), number, code or text, over ``since``..``until``.
    """

    raw: str
    name: str | None = None
    kind: str = "count"
    since: int | None = None
    until: int | None = None

    def in_vintage(self, year: int) -> bool:
        return (self.since is None or year >= self.since) and (
            self.until is None or year <= self.until
        )


def _known(names: str, since: int | None = None, until: int | None = None) -> list[_Col]:
    return [_Col(n, None, "text", since, until) for n in names.split()]


def _common() -> list[_Col]:
    """BOR/AN/FI are read everywhere to check them; the legal entity and the name come
    from the register, and RS only exists from 2020 on."""
    return [
        _Col("BOR", "bor", "code"),
        _Col("AN", "an", "code"),
        _Col("FI", "finess", "code"),
        _Col("FI_EJ", None, "code"),
        _Col("RS", None, "text", since=2020),
    ]


_ID_UNREAD = (
    "rscom grp espic mft ccr nat sir reg_diff dep_diff ARMT CHLEJ0 FIPRE ETAT_SAISIE FINRAT "
    "VAGUE PROVENANCE NUMVOI TYPVOI NOMVOI BP CPO LIBCOM COMPD FILIALE0 SIRTET RSTET "
    + " ".join(f"FIAUT{i} RSAUT{i}" for i in range(1, 8))
    + " DADS_C1 DADS_C2 DADS_C3 DADS_C4 DADS_D1 MODEJ TYPMD1 TYPMD2 TYPMD3 FIFU1 FIFU2 FIFU3 "
    "SCFU1 SCFU2 SCFU3 VAL RESPREG"
)

_LAYOUTS: dict[str, list[_Col]] = {
    "ID": [
        _Col("bor", "bor", "code"),
        _Col("an", "an", "code"),
        _Col("fi", "finess", "code"),
        _Col("fi_ej", "finess_ej", "code"),
        _Col("rs", "name", "text"),
        _Col("stj", "legal_status", "code"),
        _Col("stjr", "status", "code"),
        _Col("cat", "category", "code"),
        _Col("catr", "category_group", "code"),
        _Col("reg", "reg", "code"),
        _Col("dep", "dep", "code"),
        _Col("COMINSEE", "municipality", "code"),
        _Col("NOMCOM", "municipality_name", "text"),
        *_known(_ID_UNREAD),
    ],
    "URGENCES2": [
        *_common(),
        _Col("URG", "unit_type", "code"),
        _Col("PASSU", "passages"),
        _Col("dt80", "passages_over80"),
        _Col("dt18", "passages_under18"),
        _Col("dtMCO", "admissions_mco"),
        _Col("dtLS", "admissions_other_wards"),
        _Col("dtHAD", "admissions_home"),
        _Col("dtEXT", "transfers_out"),
        _Col("dtHOSP", "admissions_reported"),
        _Col("LIT_UHCD", "uhcd_beds"),
        _Col("JLI_UHCD", "uhcd_bed_days"),
        _Col("SEJ_UHCD", "uhcd_stays"),
        _Col("SEJ0_UHCD", "uhcd_zero_night_stays"),
        _Col("JOU_UHCD", "uhcd_days"),
        _Col("OUV_SEMAINE", "open_weekdays", "code", since=2024),
        _Col("AMPL_SEMAINE", "hours_weekdays", "number", since=2024),
        _Col("OUV_SAM", "open_saturday", "code", since=2024),
        _Col("AMPL_SAM", "hours_saturday", "number", since=2024),
        _Col("OUV_DIMFERIE", "open_sundays_holidays", "code", since=2024),
        _Col("AMPL_DIMFERIE", "hours_sundays_holidays", "number", since=2024),
        *_known(
            "SAO ACC dtMCO80 dtMCO18 dtLS80 dtLS18 dtHAD80 dtHAD18 dtEXT80 dtEXT18 STAP RMM"
        ),
        *_known("HMED HIDE", until=2023),
        *_known("GDE", since=2023, until=2023),
        *_known(
            "REG dtTRANS ACCSPE_PED ACCSPE_PSY ACCSPE_GER ACCSPE_AUT IMPL_SMUR_SITE CONVURG24 "
            "FICONV",
            since=2024,
        ),
    ],
    "MCO": [
        *_common(),
        *[
            _Col(f"{src}_{d}", f"{dst}_{d}")
            for d in DISCIPLINES
            for src, dst in (
                ("LIT", "beds"), ("JLI", "bed_days"), ("SEJHC", "stays_full"),
                ("SEJ0", "stays_zero_night"), ("JOU", "patient_days"),
                ("PLA", "day_places"), ("SEJHP", "day_stays"),
            )
        ],
        *_known(
            "LIT_MCO JLI_MCO SEJHC_MCO SEJ0_MCO JOU_MCO PLA_MCO SEJHP_MCO PLAN_MCO SEJN_MCO "
            "SEA_MCO PLAN_MED SEJN_MED SEA_MED PLAN_OBS SEJN_OBS"
        ),
        *_known(
            "PCAR PDER PEND PGAS PNEU PPED PPNE PRHU POPH DEND DNEU DPED DOPH ACTCLI_PM "
            "ACTCLI_SAG ACTTEC_PM ACTTEC_DEN ACTTEC_SAG ACTTEC_PNM",
            until=2022,
        ),
    ],
    "REA": [
        *_common(),
        _Col("UNI", "unit_code", "code"),
        _Col("LIT", "beds"),
        _Col("JLI", "bed_days"),
        _Col("SEJ", "stays"),
        _Col("JOU", "patient_days"),
        *_known("PAS PAS0 pctEXT IGC2med SEJ80"),
        *_known(
            " ".join(f"EFFPL_{p} EFFPA_{p} ETP_{p}" for p in
                     ("MED", "INFSP", "INFNS", "AID", "KINE", "APNM")),
            until=2021,
        ),
        *_known(
            " ".join(f"ETPSAL_{p} EFFLIB_{p}" for p in
                     ("MED", "INFSP", "INFNS", "AID", "KINE", "APNM")),
            since=2022,
        ),
        *_known("LIT_PROXI", since=2022, until=2023),
        *_known("UNIT", since=2024),
    ],
    "SMURSAMU": [
        *_common(),
        _Col("SMUR", "has_smur", "code"),
        _Col("SAMU", "has_samu", "code"),
        _Col("SORTIES", "smur_exits"),
        _Col("SORTER1", "primary_road"),
        _Col("SORTER2", "secondary_road"),
        _Col("dtTIH", "paramedic_transfers"),
        _Col("SORAER1", "air_primary"),
        _Col("SORAER2", "air_secondary"),
        _Col("SORMAR", "sea"),
        _Col("APP", "calls_received"),
        _Col("APD", "calls_answered"),
        _Col("DR", "regulation_files"),
        _Col("DRM", "medical_regulation_files"),
        *_known(
            "GEN SAIS PED ANT FIAUTOR ANTSAIS AMBLCE VEHLEG MOYAER MOYMAR SORTNM PATDC PATLSP "
            "PATTSP PATTRANM TRAN TRAN18 TRAN80 TRANSIEG TRANAUT APR15 APMIN DRMLIB NRML "
            "NBLIB NBSAL CAR SAMUSDIS"
        ),
        *_known("HMED HIDE HAMB HMR HMRAMU HMRAM ARM", until=2023),
        *_known(
            "DRMSAS REF REF_TERR REF_PED REF_PSY REF_GER REF_AUT NBINFLIB NBINFSAL NBMED NBINF",
            since=2024,
        ),
    ],
    "SSR": [
        *_common(),
        _Col("GDE", "level", "code"),
        _Col("LIT", "beds"),
        _Col("JLI", "bed_days"),
        _Col("SEJHC", "stays"),
        _Col("JOUHC", "days"),
        *_known("AUT PLA JOUHP"),
        *_known("SEJ3M", until=2022),
        *_known("EMSSR", since=2020),
    ],
}

# Unique key of each bordereau's rows (canonical names).
_KEYS: dict[str, tuple[str, ...]] = {
    "ID": ("finess",),
    "URGENCES2": ("finess", "unit_type"),
    "MCO": ("finess",),
    "REA": ("finess", "unit_code"),
    "SMURSAMU": ("finess",),
    "SSR": ("finess", "level"),
}


def _rea_units(year: int) -> dict[str, tuple[str, str] | None]:
    return REA_UNITS_2024 if year >= REFORM_YEAR else REA_UNITS_2019


def _code_checks(bordereau: str, year: int) -> dict[str, tuple[Callable[[str], bool], str]]:
    """Per-column validity of codes, with what a reader should have found instead."""
    flag = (lambda v: v in ("0", "1"), "0 or 1")
    checks: dict[str, dict[str, tuple[Callable[[str], bool], str]]] = {
        "ID": {
            "finess_ej": (_FINESS.match, "a 9-character FINESS of the legal entity"),
            "status": (lambda v: v in STATUSES, "a grouped legal status 1, 2 or 3"),
            "dep": (
                lambda v: is_dep(normalise_dep(v)),
                "one of the 101 départements (SAE spelling 01..95, 2A, 2B, 9A..9D, 9F)",
            ),
            "reg": (lambda v: is_reg(normalise_reg(v)), "one of the 18 région codes"),
            "municipality": (_COMMUNE.match, "a 5-character commune code (COG)"),
        },
        "URGENCES2": {
            "unit_type": (
                lambda v: v in ED_UNIT_TYPES, f"an ED unit type {'/'.join(ED_UNIT_TYPES)}"
            ),
        },
        "REA": {
            "unit_code": (
                lambda v: v in _rea_units(year),
                f"a {year} critical-care unit code ({', '.join(_rea_units(year))})",
            ),
        },
        "SMURSAMU": {"has_smur": flag, "has_samu": flag},
        "SSR": {"level": (_SSR_GDE.match, "an SSR level SSR_TOT, SSR_A, SSR_E or SSR_A50..")},
    }
    return checks.get(bordereau, {})


@lru_cache(maxsize=64)
def spec_for(bordereau: str, year: int) -> TableSpec:
    """The strict reading spec of one bordereau in the vintage of ``year``.

    Years outside 2019–2024 use the nearest embedded vintage's column rules, so a newer file
    with new columns fails loudly instead of being half-read.
    """
    cols = [c for c in _LAYOUTS[bordereau] if c.in_vintage(year)]
    read = [c for c in cols if c.name is not None]
    return TableSpec(
        source=f"SAE {bordereau} {year}",
        sep=";",
        encoding="latin-1",
        columns={c.name: (c.raw,) for c in read if c.name},
        required=frozenset(c.name for c in read if c.name),
        integers=frozenset(c.name for c in read if c.name and c.kind == "count"),
        decimals=frozenset(c.name for c in read if c.name and c.kind == "number"),
        ignored=frozenset(c.raw for c in cols if c.name is None),
        require_ignored=True,
        bounds={c.name: BOUNDS["sae.count"] for c in read if c.name and c.kind == "count"},
    )


# --------------------------------------------------------------------------- files


def _default_folder(folder: str | Path | None) -> Path:
    return Path(folder) if folder is not None else real_dir() / "sae"


def _candidates(folder: Path, year: int) -> list[Path]:
    """Files of ``folder`` and ``folder/YYYY`` (the real layout)."""
    out: list[Path] = []
    for d in (folder / str(year), folder):
        if d.is_dir():
            out.extend(p for p in d.iterdir() if p.is_file())
    return out


def find_file(bordereau: str, year: int, folder: str | Path | None = None) -> Path:
    """The file ``{bordereau}_{year}*.csv`` (any case) in ``folder`` or ``folder/YYYY``."""
    root = _default_folder(folder)
    pattern = f"{bordereau}_{year}*.csv".lower()
    matches = sorted(
        {p for p in _candidates(root, year) if fnmatch.fnmatch(p.name.lower(), pattern)}
    )
    if not matches:
        raise DataError.single(
            root, f"an SAE file {bordereau}_{year}r.csv (in the folder or its {year}/ folder)",
            "no such file",
        )
    if len(matches) > 1:
        raise DataError.single(
            root, f"exactly one SAE {bordereau} file for {year}",
            ", ".join(str(p) for p in matches),
        )
    return matches[0]


def available_years(
    folder: str | Path | None = None, *, bordereaux: Iterable[str] = BORDEREAUX
) -> list[int]:
    """Years for which every one of ``bordereaux`` (default: all six read here) is present.

    A year with only some files is left out, so a caller iterating over the result never
    meets a missing file; pass ``bordereaux=("ID", "URGENCES2")`` to ask for less.
    """
    root = _default_folder(folder)
    if not root.is_dir():
        raise DataError.single(root, "a folder of SAE files", "no such folder")
    wanted = {b.upper() for b in bordereaux}
    found: dict[int, set[str]] = {}
    # The same places find_file looks in: the folder itself and its YYYY/ sub-folders.
    dirs = [root, *(d for d in root.iterdir() if d.is_dir() and re.fullmatch(r"\d{4}", d.name))]
    for d in dirs:
        for p in d.iterdir():
            m = _FILE_NAME.match(p.name)
            if m and p.is_file() and (d == root or d.name == m.group(2)):
                found.setdefault(int(m.group(2)), set()).add(m.group(1).upper())
    return sorted(y for y, names in found.items() if wanted <= names)


def _identify(path: Path) -> tuple[str, int]:
    m = _FILE_NAME.match(path.name)
    if not m:
        names = ", ".join(f"{b}_YYYYr.csv" for b in BORDEREAUX)
        raise DataError.single(path, f"an SAE file named like {names}", repr(path.name))
    return m.group(1).upper(), int(m.group(2))


# --------------------------------------------------------------------------- reading


def _validate_rows(
    path: Path, df: pd.DataFrame, bordereau: str, year: int, problems: ProblemCollector
) -> None:
    """Row checks beyond the header and numbers.

    Aggregate rows are located first so that their other oddities (an empty ``BOR``, a
    ``TOTAL`` label in a code column) are reported as what they are, and skipped by the
    later checks. Establishment names are not searched for ``TOTAL``: a name is free text.
    """
    fi = df["finess"]
    codes = [c.name for c in _LAYOUTS[bordereau]
             if c.name and c.kind == "code" and c.in_vintage(year)]
    says_total = pd.concat(
        [df[c].str.upper().str.contains("TOTAL", regex=False) for c in codes], axis=1
    ).any(axis=1)
    aggregate = (fi == "") | (fi.str.len() != 9) | fi.str.upper().str.contains("TOT") | says_total
    for i in np.flatnonzero(aggregate.to_numpy()):
        problems.add(
            path, "one establishment per row (a 9-character FINESS in FI)",
            f"aggregate row among establishment rows (FI {fi.iloc[i]!r})",
            int(df[LINE].iloc[i]), "FI",
        )
    rows = ~aggregate
    malformed = rows & ~fi.str.match(_FINESS).astype(bool)
    for i in np.flatnonzero(malformed.to_numpy()):
        problems.add(
            path, "a FINESS (2 digits or 2A/2B, then 7 digits)", repr(fi.iloc[i]),
            int(df[LINE].iloc[i]), "FI",
        )
    rows &= ~malformed
    for col, expected in (("bor", bordereau), ("an", str(year))):
        bad = rows & (df[col].str.upper() != expected)
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.add(
                path, f"{expected!r} (the file name's {'bordereau' if col == 'bor' else 'year'})",
                repr(df[col].iloc[i]), int(df[LINE].iloc[i]), col.upper(),
            )
    raw_names = {c.name: c.raw for c in _LAYOUTS[bordereau] if c.name}
    for col, (check, expected) in _code_checks(bordereau, year).items():
        values = df[col]
        bad = rows & ~values.map(lambda v, c=check: bool(c(v)))
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.add(path, expected, repr(values.iloc[i]), int(df[LINE].iloc[i]),
                         raw_names[col])
        if int(bad.sum()) > 20:
            problems.add(path, expected, f"{int(bad.sum()) - 20} more such rows", None,
                         raw_names[col])
    key = list(_KEYS[bordereau])
    dup = rows & df.duplicated(subset=key, keep=False)
    first: dict[tuple, int] = {}
    for i in np.flatnonzero(dup.to_numpy()):
        k = tuple(df[c].iloc[i] for c in key)
        line = int(df[LINE].iloc[i])
        if k in first:
            problems.add(path, "one row per " + "/".join(key),
                         f"a duplicate of line {first[k]} for {dict(zip(key, k, strict=True))}",
                         line)
        else:
            first[k] = line


def _check_register(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> None:
    """``reg`` must be the région of ``dep`` and ``stjr`` agree with ``catr``'s prefix."""
    d2r = dep_to_reg()
    dep = df["dep"].map(normalise_dep)
    reg = df["reg"].map(normalise_reg)
    known = dep.map(is_dep)
    bad = known & (dep.map(d2r) != reg)
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        problems.add(path, f"the région of département {dep.iloc[i]} ({d2r[dep.iloc[i]]})",
                     repr(df["reg"].iloc[i]), int(df[LINE].iloc[i]), "reg")
    prefix = df["status"].map(_STATUS_PREFIX)
    bad = prefix.notna() & (df["category_group"].str[:3] != prefix)
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        problems.add(path, f"a catr starting with {prefix.iloc[i]} for stjr {df['status'].iloc[i]}",
                     repr(df["category_group"].iloc[i]), int(df[LINE].iloc[i]), "catr")


def _read_checked(path: Path, bordereau: str, year: int) -> pd.DataFrame:
    """Read one file with its vintage's spec and every row check; never a partial table."""
    df = read_table(path, spec_for(bordereau, year))
    problems = ProblemCollector()
    _validate_rows(path, df, bordereau, year, problems)
    if bordereau == "ID":
        _check_register(path, df, problems)
    problems.raise_if_any()
    return df


@lru_cache(maxsize=32)
def _read_cached(path: str, size: int, mtime_ns: int, bordereau: str, year: int) -> pd.DataFrame:
    del size, mtime_ns  # part of the cache key only: an edited file is read again
    return _read_checked(Path(path), bordereau, year)


def _read(path: Path, bordereau: str, year: int) -> pd.DataFrame:
    try:
        st = path.stat()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    return _read_cached(str(path.resolve()), st.st_size, st.st_mtime_ns, bordereau, year).copy()


def _register_table(raw: pd.DataFrame) -> pd.DataFrame:
    def commune(code: str) -> str:
        # SAE writes overseas communes 9A101 for 97101: same rule as the département.
        return "97" + code[2:] if re.match(r"^9[A-F]", code) else code

    out = pd.DataFrame(
        {
            "finess": raw["finess"],
            "finess_ej": raw["finess_ej"],
            "name": raw["name"],
            "dep": raw["dep"].map(normalise_dep),
            "reg": raw["reg"].map(normalise_reg),
            "category": raw["category"],
            "category_group": raw["category_group"],
            "status": raw["status"].map(STATUSES),
            "legal_status": raw["legal_status"],
            "municipality": raw["municipality"].map(commune),
            "municipality_name": raw["municipality_name"],
        }
    )
    return out.sort_values("finess", kind="stable").reset_index(drop=True)


def _join_register(
    path: Path, df: pd.DataFrame, register: pd.DataFrame, register_path: Path
) -> pd.DataFrame:
    """Attach ``dep``/``reg`` from ID; a FINESS missing from ID is an error, not a drop."""
    geo = register.set_index("finess")[["dep", "reg"]]
    missing = ~df["finess"].isin(geo.index)
    if missing.any():
        problems = ProblemCollector()
        for i in np.flatnonzero(missing.to_numpy()):
            problems.add(
                path, f"an establishment listed in the register {register_path.name}",
                f"FI {df['finess'].iloc[i]!r}, absent from it", int(df[LINE].iloc[i]), "FI",
            )
        problems.raise_if_any()
    out = df.copy()
    out.insert(1, "dep", geo["dep"].reindex(out["finess"]).to_numpy())
    out.insert(2, "reg", geo["reg"].reindex(out["finess"]).to_numpy())
    return out


def _load(bordereau: str, year: int, folder: str | Path | None) -> pd.DataFrame:
    """One bordereau's checked rows joined to the same year's register."""
    path = find_file(bordereau, year, folder)
    df = _read(path, bordereau, year)
    id_path = find_file("ID", year, folder)
    register = _register_table(_read(id_path, "ID", year))
    return _join_register(path, df, register, id_path)


def _nan_codes(s: pd.Series) -> pd.Series:
    """Empty code cells become NaN, like empty numbers, so missing is one thing."""
    return s.where(s != "", np.nan).astype(object)


# --------------------------------------------------------------------------- public loaders


def load_establishments(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """The ``ID`` register: one row per geographic establishment, official codes.

    Columns :data:`ESTABLISHMENT_COLUMNS`; ``status`` is ``public``, ``private_for_profit``
    or ``private_non_profit``; ``category``/``category_group``/``legal_status`` are the raw
    SAE codes (``cat``, ``catr``, ``stj``).
    """
    path = find_file("ID", year, folder)
    return _register_table(_read(path, "ID", year))


def load_ed_units(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """``URGENCES2``: one row per ED unit (site × unit type), columns :data:`ED_COLUMNS`.

    ``admissions`` is ``dtHOSP`` when filled, else the sum of its parts (see the module
    docstring; ``admissions_derived`` flags those rows).
    """
    df = _load("URGENCES2", year, folder)
    parts = df[["admissions_mco", "admissions_other_wards", "admissions_home", "transfers_out"]]
    derived_value = parts.sum(axis=1, min_count=1)
    reported = df["admissions_reported"]
    df["admissions"] = reported.fillna(derived_value)
    df["admissions_derived"] = reported.isna() & derived_value.notna()
    for col in ("open_weekdays", "open_saturday", "open_sundays_holidays"):
        df[col] = _nan_codes(df[col]) if col in df else pd.Series(np.nan, df.index, object)
    for col in ("hours_weekdays", "hours_saturday", "hours_sundays_holidays"):
        if col not in df:
            df[col] = np.nan
    out = df[list(ED_COLUMNS)].sort_values(["finess", "unit_type"], kind="stable")
    return out.reset_index(drop=True)


def load_mco(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """``MCO`` as a long table (one row per establishment × discipline reporting anything),
    columns :data:`MCO_COLUMNS`; the ``*_MCO`` totals are never read."""
    df = _load("MCO", year, folder)
    measures = MCO_COLUMNS[4:]
    frames = []
    for code, discipline in DISCIPLINES.items():
        part = df[["finess", "dep", "reg"]].copy()
        part["discipline"] = discipline
        for m in measures:
            part[m] = df[f"{m}_{code}"]
        frames.append(part[part[list(measures)].notna().any(axis=1)])
    out = pd.concat(frames, ignore_index=True)
    rank = out["discipline"].map({d: i for i, d in enumerate(DISCIPLINES.values())})
    out = out.assign(_rank=rank).sort_values(["finess", "_rank"], kind="stable")
    return out[list(MCO_COLUMNS)].reset_index(drop=True)


def load_critical_care(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """``REA`` detail units (subtotals excluded), columns :data:`CRITICAL_CARE_COLUMNS`,
    harmonised across the 2024 reform by ``unit_type`` and ``drees_unit``."""
    df = _load("REA", year, folder)
    units = _rea_units(year)
    df = df[df["unit_code"].map(lambda u: units[u] is not None)].copy()
    df["unit_type"] = df["unit_code"].map(lambda u: units[u][0])  # type: ignore[index]
    df["drees_unit"] = df["unit_code"].map(lambda u: units[u][1])  # type: ignore[index]
    out = df[list(CRITICAL_CARE_COLUMNS)].sort_values(["finess", "unit_code"], kind="stable")
    return out.reset_index(drop=True)


def load_samu_smur(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """``SMURSAMU``: one row per establishment with a SMUR and/or a SAMU, columns
    :data:`SAMU_SMUR_COLUMNS`; ``air`` = primary + secondary air exits."""
    df = _load("SMURSAMU", year, folder)
    df["has_smur"] = df["has_smur"] == "1"
    df["has_samu"] = df["has_samu"] == "1"
    df["air"] = df[["air_primary", "air_secondary"]].sum(axis=1, min_count=1)
    out = df[list(SAMU_SMUR_COLUMNS)].sort_values("finess", kind="stable")
    return out.reset_index(drop=True)


def load_ssr(year: int, folder: str | Path | None = None) -> pd.DataFrame:
    """``SSR`` full hospitalisation at the adult/paediatric level only (no total, no
    mention rows), columns :data:`SSR_COLUMNS`."""
    df = _load("SSR", year, folder)
    df = df[df["level"].isin(list(SSR_LEVELS))].copy()
    df["age_group"] = df["level"].map(SSR_LEVELS)
    out = df[list(SSR_COLUMNS)].sort_values(["finess", "age_group"], kind="stable")
    return out.reset_index(drop=True)


def check_file(path: str | Path) -> None:
    """Validate one SAE file; bordereau and year come from its name.

    Beside the file's own checks, the establishments of a non-``ID`` file are looked up in
    the same year's ``ID`` register when it sits in the same folder (the real layout).
    """
    path = Path(path)
    bordereau, year = _identify(path)
    df = _read_checked(path, bordereau, year)
    if bordereau == "ID":
        return
    pattern = f"id_{year}*.csv"
    siblings = sorted(p for p in path.parent.iterdir()
                      if p.is_file() and fnmatch.fnmatch(p.name.lower(), pattern))
    if len(siblings) == 1:
        register = _register_table(_read(siblings[0], "ID", year))
        _join_register(path, df, register, siblings[0])


LOADERS: Mapping[str, Callable[..., pd.DataFrame]] = {
    "ID": load_establishments,
    "URGENCES2": load_ed_units,
    "MCO": load_mco,
    "REA": load_critical_care,
    "SMURSAMU": load_samu_smur,
    "SSR": load_ssr,
}
