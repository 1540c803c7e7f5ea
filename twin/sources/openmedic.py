"""Open Medic: medicines dispensed in community pharmacies and reimbursed, by year.

The Assurance Maladie publishes one file per year, ``OPEN_MEDIC_YYYY.CSV`` (``;``-separated,
Latin-1/Windows-1252, decimal comma; some vintages also write ``.`` as thousands separator
in the money columns, so both spellings are read). Header::

    ATC1;l_ATC1;ATC2;L_ATC2;ATC3;L_ATC3;ATC4;L_ATC4;ATC5;L_ATC5;CIP13;l_cip13;TOP_GEN;GEN_NUM;
    age;sexe;BEN_REG;PSP_SPE;BOITES;REM;BSE

One row per presentation (CIP13) × beneficiary age band (``age``: 0 = 0-19, 20 = 20-59,
60 = 60+, 99 unknown) × sex (1 men, 2 women, 9 unknown) × region of residence
(``BEN_REG``) × prescriber specialty (``PSP_SPE``). ``BOITES`` boxes, ``REM`` amount
reimbursed (€), ``BSE`` reimbursement base (€).

Region codes are those of SNDS open data, not the COG: the 2016 mainland régions, except
that Corse is merged into ``93`` ("Provence-Alpes-Côte d'Azur et Corse"), ``5`` for all
overseas régions together ("Régions et Départements d'outre-mer") and ``99`` unknown. ``94``
is accepted in case a vintage separates Corse.

**Statistical secrecy.** Rows with fewer than 10 boxes are not published as such: the
publisher folds them into the "unknown" row of the same presentation and prescriber
(``age`` 99, ``sexe`` 9, ``BEN_REG`` 99), so national totals are conserved but the detail
is lost. The loaders keep those rows and flag them ``folded`` (any of age/sex/region
unknown): sum them into national totals, never spread them over a breakdown.

The monthly file ``open_medic_mensuel_region.csv`` is a **synthetic extension** of the twin
(no such public file exists: Medic'AM is monthly but national). Same conventions, with a
``mois`` column ``YYYYMM``, by presentation and ``BEN_REG`` only; its 12 months add up
exactly (boxes and cents) to the annual file's totals per presentation and region,
folded ``99`` rows included.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.paths import real_dir, synthetic_dir
from twin.sources.bdpm import is_valid_cip13
from twin.sources.tabular import LINE, TableSpec, read_table

MONTHLY_FILE = "open_medic_mensuel_region.csv"
FILE_PATTERNS = ("OPEN_MEDIC_*.CSV", "OPEN_MEDIC_*.CSV.gz", MONTHLY_FILE, MONTHLY_FILE + ".gz")

AGE_CODES = {"0": "0-19", "20": "20-59", "60": "60+", "99": "unknown"}
SEX_CODES = {"1": "men", "2": "women", "9": "unknown"}
BEN_REG_LABELS = {
    "5": "Régions et Départements d'outre-mer",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur et Corse",
    "94": "Corse",
    "99": "Inconnue",
}
UNKNOWN = {"age": "99", "sex": "9", "reg": "99"}
# PSP_SPE codes used by the replica (SNDS practitioner specialty nomenclature; 90 groups the
# salaried prescribers, mostly public hospitals). Real files hold many more; any 1-2 digit
# code is accepted.
PSP_SPE_LABELS = {
    "1": "Médecine générale libérale",
    "3": "Pathologie cardio-vasculaire",
    "12": "Pédiatrie",
    "13": "Pneumologie",
    "42": "Endocrinologie et métabolismes",
    "90": "Prescripteurs salariés",
    "99": "Valeur inconnue",
}
# Deps of each BEN_REG code (COG région → SNDS code), for scaling by population.
COG_TO_BEN_REG = {"01": "5", "02": "5", "03": "5", "04": "5", "06": "5", "94": "93"}

_ATC_LEVEL_RE = {
    1: re.compile(r"^[A-Z]$"),
    2: re.compile(r"^[A-Z]\d\d$"),
    3: re.compile(r"^[A-Z]\d\d[A-Z]$"),
    4: re.compile(r"^[A-Z]\d\d[A-Z][A-Z]$"),
    5: re.compile(r"^[A-Z]\d\d[A-Z][A-Z]\d\d$"),
}
_YEAR_RE = re.compile(r"^OPEN_MEDIC_(\d{4})\.CSV(\.GZ)?$", re.IGNORECASE)


def _atc_columns() -> dict[str, tuple[str, ...]]:
    cols: dict[str, tuple[str, ...]] = {}
    for level in range(1, 6):
        cols[f"atc{level}"] = ()
        cols[f"l_atc{level}"] = ()
    return cols


_CODE_CHECKS = {
    "cip13": is_valid_cip13,
    "age": lambda v: v in AGE_CODES,
    "sexe": lambda v: v in SEX_CODES,
    "ben_reg": lambda v: v in BEN_REG_LABELS,
    "psp_spe": lambda v: v.isdigit() and len(v) <= 2,
    "top_gen": lambda v: v in {"0", "1"},
    **{f"atc{lv}": (lambda v, r=rx: bool(r.match(v))) for lv, rx in _ATC_LEVEL_RE.items()},
}
_CODE_EXPECTATIONS = {
    "cip13": "a CIP13 of 13 digits with a valid check digit",
    "age": "an Open Medic age code 0, 20, 60 or 99",
    "sexe": "a sex code 1, 2 or 9",
    "ben_reg": "an Open Medic BEN_REG code (" + ", ".join(BEN_REG_LABELS) + ")",
    "psp_spe": "a prescriber specialty code of 1 or 2 digits",
    "top_gen": "0 or 1",
    **{f"atc{lv}": f"an ATC level-{lv} code" for lv in _ATC_LEVEL_RE},
}

ANNUAL_SPEC = TableSpec(
    source="Open Medic",
    sep=";",
    encoding="cp1252",
    columns={
        **_atc_columns(),
        "cip13": (),
        "l_cip13": (),
        "top_gen": (),
        "gen_num": (),
        "age": (),
        "sexe": (),
        "ben_reg": (),
        "psp_spe": (),
        "boites": (),
        "rem": (),
        "bse": (),
    },
    required=frozenset(
        {"atc5", "cip13", "age", "sexe", "ben_reg", "psp_spe", "boites", "rem", "bse"}
    ),
    integers=frozenset({"boites", "gen_num"}),
    decimals=frozenset({"rem", "bse"}),
    decimal_mark=",",
    thousands_mark=".",
    key=("cip13", "age", "sexe", "ben_reg", "psp_spe"),
    code_checks=_CODE_CHECKS,
    code_expectations=_CODE_EXPECTATIONS,
)

MONTHLY_SPEC = TableSpec(
    source="Open Medic monthly (synthetic extension)",
    sep=";",
    encoding="cp1252",
    columns={
        "mois": (),
        "atc5": (),
        "l_atc5": (),
        "cip13": (),
        "l_cip13": (),
        "ben_reg": (),
        "boites": (),
        "rem": (),
        "bse": (),
    },
    required=frozenset({"mois", "atc5", "cip13", "ben_reg", "boites", "rem", "bse"}),
    integers=frozenset({"boites"}),
    decimals=frozenset({"rem", "bse"}),
    decimal_mark=",",
    thousands_mark=".",
    key=("mois", "cip13", "ben_reg"),
    code_checks={
        "mois": lambda v: len(v) == 6 and v.isdigit() and 1 <= int(v[4:]) <= 12,
        "cip13": is_valid_cip13,
        "ben_reg": lambda v: v in BEN_REG_LABELS,
        "atc5": lambda v: bool(_ATC_LEVEL_RE[5].match(v)),
    },
    code_expectations={
        "mois": "a month YYYYMM",
        "cip13": _CODE_EXPECTATIONS["cip13"],
        "ben_reg": _CODE_EXPECTATIONS["ben_reg"],
        "atc5": _CODE_EXPECTATIONS["atc5"],
    },
)


def file_year(path: Path) -> int:
    m = _YEAR_RE.match(path.name)
    if not m:
        raise DataError.single(path, "a file name OPEN_MEDIC_YYYY.CSV", repr(path.name))
    return int(m.group(1))


def _check_missing(path: Path, df: pd.DataFrame, cols: list[str], problems: ProblemCollector):
    for col in cols:
        empty = df[col].isna() if df[col].dtype.kind == "f" else df[col] == ""
        for i in np.flatnonzero(empty.to_numpy())[:20]:
            problems.add(path, "a value", "an empty cell", int(df[LINE].iloc[i]), col)


def read_annual(path: str | Path) -> pd.DataFrame:
    """One ``OPEN_MEDIC_YYYY.CSV`` validated; raw canonical columns plus ``_line``."""
    path = Path(path)
    file_year(path)
    df = read_table(path, ANNUAL_SPEC)
    problems = ProblemCollector()
    _check_missing(path, df, ["boites", "rem", "bse"], problems)
    present = [lv for lv in range(1, 6) if f"atc{lv}" in df.columns]
    for lo, hi in itertools.pairwise(present):
        pairs = zip(df[f"atc{hi}"], df[f"atc{lo}"], strict=True)
        bad = pd.Series([not h.startswith(parent) for h, parent in pairs], index=df.index)
        for i in np.flatnonzero(bad.to_numpy())[:20]:
            problems.add(
                path,
                f"an ATC{hi} code inside ATC{lo} {df[f'atc{lo}'].iloc[i]!r}",
                repr(df[f"atc{hi}"].iloc[i]),
                int(df[LINE].iloc[i]),
                f"atc{hi}",
            )
    problems.raise_if_any()
    return df


def read_monthly(path: str | Path) -> pd.DataFrame:
    """The monthly regional extension validated; raw canonical columns plus ``_line``."""
    path = Path(path)
    df = read_table(path, MONTHLY_SPEC)
    problems = ProblemCollector()
    _check_missing(path, df, ["boites", "rem", "bse"], problems)
    problems.raise_if_any()
    return df


def default_folder(folder: str | Path | None = None) -> Path:
    """An explicit folder, else ``data/real/openmedic`` when it holds Open Medic files,
    else the synthetic replica."""
    if folder is not None:
        return Path(folder)
    real = real_dir() / "openmedic"
    if real.is_dir() and any(_YEAR_RE.match(p.name) for p in real.iterdir()):
        return real
    return synthetic_dir() / "openmedic"


def annual_files(folder: str | Path | None = None) -> dict[int, Path]:
    root = default_folder(folder)
    if not root.is_dir():
        return {}
    found = {}
    for p in root.iterdir():
        m = _YEAR_RE.match(p.name)
        if m:
            found[int(m.group(1))] = p
    return found


def _is_folded(age: pd.Series, sex: pd.Series, reg: pd.Series) -> pd.Series:
    return (age == UNKNOWN["age"]) | (sex == UNKNOWN["sex"]) | (reg == UNKNOWN["reg"])


def load_dispensing(
    years: list[int] | tuple[int, ...] | None = None, folder: str | Path | None = None
) -> pd.DataFrame:
    """Annual dispensing, tidy: ``year``, ``cip13``, ``label``, ``atc5``, ``age`` (0, 20, 60,
    99), ``sex`` (1, 2, 9), ``reg`` (BEN_REG code), ``prescriber`` (PSP_SPE),
    ``boxes`` (int), ``reimbursed_eur``, ``base_eur``, ``folded``.

    ``folded`` rows carry the small cells the publisher moved to age/sex/region unknown: they
    belong in totals, never in a breakdown by age, sex or region. Codes stay strings.
    """
    files = annual_files(folder)
    wanted = sorted(files) if years is None else sorted(set(years))
    missing = [y for y in wanted if y not in files]
    if missing or not wanted:
        root = default_folder(folder)
        raise DataError.single(
            root,
            "OPEN_MEDIC_YYYY.CSV for " + (", ".join(map(str, missing)) or "at least one year"),
            "no such file (present: " + (", ".join(map(str, sorted(files))) or "none") + ")",
        )
    problems = ProblemCollector()
    frames = []
    for y in wanted:
        try:
            df = read_annual(files[y])
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        frames.append(
            pd.DataFrame(
                {
                    "year": np.int64(y),
                    "cip13": df["cip13"],
                    "label": df.get("l_cip13", ""),
                    "atc5": df["atc5"],
                    "age": df["age"],
                    "sex": df["sexe"],
                    "reg": df["ben_reg"],
                    "prescriber": df["psp_spe"],
                    "boxes": df["boites"].astype(np.int64),
                    "reimbursed_eur": df["rem"],
                    "base_eur": df["bse"],
                    "folded": _is_folded(df["age"], df["sexe"], df["ben_reg"]),
                }
            )
        )
    problems.raise_if_any()
    return pd.concat(frames, ignore_index=True)


def load_monthly(folder: str | Path | None = None) -> pd.DataFrame:
    """The monthly regional extension, tidy: ``month`` (first day), ``year``, ``cip13``,
    ``label``, ``atc5``, ``reg``, ``boxes``, ``reimbursed_eur``, ``base_eur``, ``folded``
    (region 99: the annual file's folded small cells, spread over the months)."""
    root = Path(folder) if folder is not None else default_folder(None)
    path = root / MONTHLY_FILE
    if not path.exists() and (root / (MONTHLY_FILE + ".gz")).exists():
        path = root / (MONTHLY_FILE + ".gz")
    df = read_monthly(path)
    month = pd.to_datetime(df["mois"], format="%Y%m")
    return pd.DataFrame(
        {
            "month": month,
            "year": month.dt.year.astype(np.int64),
            "cip13": df["cip13"],
            "label": df.get("l_cip13", ""),
            "atc5": df["atc5"],
            "reg": df["ben_reg"],
            "boxes": df["boites"].astype(np.int64),
            "reimbursed_eur": df["rem"],
            "base_eur": df["bse"],
            "folded": df["ben_reg"] == UNKNOWN["reg"],
        }
    )


def check_file(path: str | Path) -> None:
    """Validate one Open Medic file (annual or the monthly extension); raise DataError."""
    path = Path(path)
    if path.name.lower().startswith(MONTHLY_FILE[:-4].lower()):
        read_monthly(path)
    else:
        read_annual(path)
