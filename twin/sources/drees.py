"""DREES critical-care bed series by geography, establishment status and unit type.

Source file: ``lits_soins_critiques.csv`` as embedded (published by DREES on
data.drees as ``lits-de-reanimation-de-soins-intensifs-et-de-surveillance-continue-en-
france*.csv``; Licence Ouverte). It is built from the SAE ``REA`` bordereau, harmonised by
DREES across the 2024 critical-care reform so that one unit code means one thing every year.

Layout: ``id_geo;statut_etab;annee;uni;nb_lit``, ``;``-separated, UTF-8 with a byte-order
mark, CRLF. ``id_geo`` glues code and name (``01_Ain``, ``976_Mayotte``) and also carries two
aggregate geographies: ``00_FR`` (France, 101 départements) and ``00_MET`` (metropolitan
France, 96 départements).

What the embedded file holds (inspected, 15,141 rows): 103 geographies × 3 statuses
(``1_Public``, ``2_Prive_BL`` private for-profit, ``3_Prive_BNL`` private not-for-profit)
× 7 years (2013, 2019–2024) × 7 unit types — a complete grid, no empty cells, every value a
whole number of beds. There are **no région rows and no all-status rows**: the loader
therefore never yields ``geo_level == "region"``; région figures must be summed from the
département rows (:func:`load_departement_beds` carries ``reg`` for that). An ``id_geo`` of
any other shape is reported, not guessed at, because a région code such as ``11`` would be
indistinguishable from the département ``11`` (Aude).

Aggregate rows sit beside detail rows and are kept apart by ``geo_level``
(``france``, ``metropole``, ``departement``): never sum across levels. :func:`check_consistency`
recomputes both aggregates from the départements; in the embedded file they agree exactly
for every status × year × unit (0 mismatches), so any difference is reported as an error.

Unit types (``uni``, SAE codes): ``REAADU`` adult intensive care (réanimation), ``REAENF``
paediatric intensive care, ``USIC`` cardiac intensive care, ``SIUNV`` neurovascular intensive
care, ``AUTSI`` other intensive care, ``SURVADU``/``SURVENF`` adult/paediatric continuous
monitoring (surveillance continue). France 2023 ``REAADU`` = 5,224 beds, matching the SAE
2023 check figure. 2024 shows the reform: ``AUTSI`` jumps (2,194 → 3,854) while ``SURVADU``
falls (6,993 → 5,805); compare those two series across 2023/2024 with care.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import OVERSEAS_DEPS, dep_sort_key, dep_to_reg, departements, normalise_dep
from twin.paths import real_dir
from twin.sources.tabular import LINE, TableSpec, read_table

FILE_PATTERNS = (
    "lits_soins_critiques*.csv",
    "lits-de-reanimation-de-soins-intensifs-et-de-surveillance-continue*.csv",
)

STATUSES = {
    "1_Public": "public",
    "2_Prive_BL": "privé à but lucratif",
    "3_Prive_BNL": "privé à but non lucratif",
}
UNIT_TYPES = {
    "REAADU": "réanimation adulte",
    "REAENF": "réanimation pédiatrique",
    "USIC": "soins intensifs de cardiologie",
    "SIUNV": "soins intensifs neuro-vasculaires",
    "AUTSI": "autres soins intensifs",
    "SURVADU": "surveillance continue adulte",
    "SURVENF": "surveillance continue pédiatrique",
}
AGGREGATE_GEOS = {
    "00_FR": ("france", "FR", "France"),
    "00_MET": ("metropole", "MET", "France métropolitaine"),
}
GEO_LEVELS = ("france", "metropole", "departement")
COLUMNS = ("geo_level", "geo_code", "geo_name", "status", "year", "unit_type", "beds")

_ID_GEO = re.compile(r"^([0-9]{2,3}|2[AB])_(.+)$")

SPEC = TableSpec(
    source="DREES critical-care beds",
    sep=";",
    encoding="utf-8-sig",
    columns={
        "id_geo": (),
        "status": ("statut_etab",),
        "year": ("annee", "année"),
        "unit_type": ("uni",),
        "beds": ("nb_lit", "nb_lits"),
    },
    required=frozenset({"id_geo", "status", "year", "unit_type", "beds"}),
    integers=frozenset({"year"}),
    decimals=frozenset({"beds"}),
    key=("id_geo", "status", "year", "unit_type"),
    code_checks={
        "id_geo": lambda v: v in AGGREGATE_GEOS or _split_geo(v) is not None,
        "status": lambda v: v in STATUSES,
        "unit_type": lambda v: v in UNIT_TYPES,
    },
    code_expectations={
        "id_geo": "'00_FR', '00_MET' or an official département code and name like '01_Ain'",
        "status": f"an establishment status among {', '.join(STATUSES)}",
        "unit_type": f"a unit type among {', '.join(UNIT_TYPES)}",
    },
)


def _fold(name: str) -> str:
    """Name compared without case, accents or punctuation (publishers differ on those)."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", flat.lower())


def _split_geo(id_geo: str) -> tuple[str, str] | None:
    """``(dep, name)`` for a département id_geo whose name agrees with its code."""
    m = _ID_GEO.match(id_geo)
    if not m:
        return None
    code = normalise_dep(m.group(1))
    deps = departements()
    if code not in deps.index or _fold(deps.at[code, "nom"]) != _fold(m.group(2)):
        return None
    return code, m.group(2)


def find_file(folder: Path | None = None) -> Path:
    """The single DREES critical-care file in ``folder`` (default: the embedded copy)."""
    folder = Path(folder) if folder is not None else real_dir() / "drees"
    matches = sorted({p for pat in FILE_PATTERNS for p in folder.glob(pat) if p.is_file()})
    if not matches:
        raise DataError.single(
            folder, f"a DREES file named like {' or '.join(FILE_PATTERNS)}", "no such file"
        )
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise DataError.single(folder, "exactly one DREES critical-care file", names)
    return matches[0]


def read_file(path: str | Path) -> pd.DataFrame:
    """Read, tidy and check one file: every level, plus ``_line`` for error reports."""
    path = Path(path)
    raw = read_table(path, SPEC)
    levels, codes, names = [], [], []
    for id_geo in raw["id_geo"]:
        if id_geo in AGGREGATE_GEOS:
            level, code, name = AGGREGATE_GEOS[id_geo]
        else:
            split = _split_geo(id_geo)
            assert split is not None  # read_table already rejected every other shape
            level, (code, name) = "departement", split
        levels.append(level)
        codes.append(code)
        names.append(name)
    df = pd.DataFrame(
        {
            "geo_level": levels,
            "geo_code": codes,
            "geo_name": names,
            "status": raw["status"].to_numpy(),
            "year": raw["year"].astype(np.int64).to_numpy(),
            "unit_type": raw["unit_type"].to_numpy(),
            "beds": raw["beds"].to_numpy(dtype=np.float64),
            LINE: raw[LINE].to_numpy(),
        }
    )
    check_consistency(df, path)
    return df


def load_critical_care_beds(folder: Path | None = None) -> pd.DataFrame:
    """Every row of the file, aggregates included, distinguished by ``geo_level``.

    Columns: ``geo_level, geo_code, geo_name, status, year, unit_type, beds, _line``.
    ``geo_code`` is ``FR``, ``MET`` or the official département code. Missing ``beds``
    would stay NaN (the embedded file has none).
    """
    return read_file(find_file(folder))


def load_departement_beds(folder: Path | None = None) -> pd.DataFrame:
    """Only the département detail rows: ``dep, reg, status, year, unit_type, beds``.

    This is the table to aggregate (by région, status, unit…): it holds no total row.
    """
    df = load_critical_care_beds(folder)
    return departement_rows(df)


def departement_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Keep the département rows of a :func:`load_critical_care_beds` table, sorted."""
    dep = df[df["geo_level"] == "departement"]
    out = pd.DataFrame(
        {
            "dep": dep["geo_code"].to_numpy(),
            "reg": dep["geo_code"].map(dep_to_reg()).to_numpy(),
            "status": dep["status"].to_numpy(),
            "year": dep["year"].to_numpy(),
            "unit_type": dep["unit_type"].to_numpy(),
            "beds": dep["beds"].to_numpy(),
        }
    )
    rank = {c: i for i, c in enumerate(sorted(departements().index, key=dep_sort_key))}
    out["_rank"] = out["dep"].map(rank)
    out = out.sort_values(["year", "_rank", "status", "unit_type"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def check_consistency(df: pd.DataFrame, file: str | Path = "DREES critical-care beds") -> None:
    """Départements must be complete and sum to the France and metropolitan rows.

    Completeness first: a missing département row would otherwise pass the sum check
    whenever its beds are zero, and would silently lower the total when they are not.
    """
    problems = ProblemCollector()
    keys = ["status", "year", "unit_type"]
    dep = df[df["geo_level"] == "departement"]
    all_deps = set(departements().index)
    present = dep.groupby(keys)["geo_code"].agg(set)
    for key, codes in present.items():
        missing = sorted(all_deps - codes, key=dep_sort_key)
        if missing:
            where = dict(zip(keys, key, strict=True))
            problems.add(
                file,
                f"a row for each of the 101 départements for {where}",
                f"none for {', '.join(missing[:10])}" + (" …" if len(missing) > 10 else ""),
            )
    members = {
        "france": dep,
        "metropole": dep[~dep["geo_code"].isin(OVERSEAS_DEPS)],
    }
    for level, detail in members.items():
        agg = df[df["geo_level"] == level]
        if agg.empty:
            continue
        summed = detail.groupby(keys)["beds"].sum(min_count=1).rename("expected")
        both = agg.join(summed, on=keys)
        differ = ~(
            (both["expected"].isna() & both["beds"].isna())
            | ((both["expected"] - both["beds"]).abs() < 1e-6)
        )
        for _, row in both[differ].iterrows():
            problems.add(
                file,
                f"{row['geo_code']} {row['unit_type']} {row['status']} {row['year']} beds "
                f"= sum of its départements ({row['expected']:g})",
                f"{row['beds']:g}",
                int(row[LINE]) if LINE in both.columns else None,
                "nb_lit",
            )
    problems.raise_if_any()


def check_file(path: str | Path) -> None:
    """Validate one DREES critical-care file; raise DataError listing every problem."""
    read_file(path)
