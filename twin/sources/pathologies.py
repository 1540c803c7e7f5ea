"""Data pathologies (Cartographie des pathologies, Assurance Maladie): patients by condition.

``effectifs.csv`` (data.ameli.fr export: ``;``-separated, decimal point, UTF-8; a Latin-1
copy re-saved by a spreadsheet is read too) has one row per year × condition × 5-year age
class × sex × territory::

    annee;patho_niv1;patho_niv2;patho_niv3;top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;
    Niveau prioritaire;libelle_classe_age;libelle_sexe;tri

``top`` is the technical code of the condition (``DIA_CAT_CAT``…), ``patho_niv1..3`` its
group, subgroup and detailed subgroup (empty below the level that exists). ``Ntop`` is the
number of patients cared for the condition, ``Npop`` the reference population: people who
received at least one reimbursed care that year (the cartography's population, close to
but not the INSEE population), ``prev`` = 100 × Ntop / Npop, in percent.

Aggregate rows sit beside detail rows: ``cla_age_5`` ``tsage`` (all ages), ``sexe`` 9 (both
sexes), ``dept`` 999 with a région code (the région) or with ``region`` 99 (France). Never
sum across levels: :func:`load_prevalence` flags them.

**Secrecy.** Small counts are masked: ``Ntop`` (and ``prev``) are **empty**, never 0, when
fewer than 11 patients (1–10) — and also when there are none, since the published minimum
is 10. Counts are rounded to the ten. Loaded as ``n_patients`` NaN with
``n_patients_masked`` True; a masked cell is never read as zero.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import dep_to_reg, is_dep, is_reg, normalise_dep, normalise_reg
from twin.paths import real_dir, synthetic_dir
from twin.sources.tabular import LINE, TableSpec, read_table

FILE_NAME = "effectifs.csv"
FILE_PATTERNS = (FILE_NAME, FILE_NAME + ".gz")

AGE_CLASSES = (
    "00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
    "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89",
    "90-94", "95et+",
)  # fmt: skip
ALL_AGES = "tsage"
ALL_SEXES = "9"
ALL_DEPS = "999"
ALL_REGS = "99"
MASK_MAX = 10  # Ntop of 1..MASK_MAX is published as an empty cell


def normalise_age_class(code: str) -> str:
    """``0-4`` and ``00-04`` are both seen; ``95+`` / ``95 et +`` for the last class."""
    c = code.strip().replace(" ", "")
    if c.lower() in ("tsage", ALL_AGES):
        return ALL_AGES
    if c.startswith("95"):
        return "95et+"
    if "-" in c:
        lo, hi = c.split("-", 1)
        if lo.isdigit() and hi.isdigit():
            return f"{int(lo):02d}-{int(hi):02d}"
    return c


def _is_region(v: str) -> bool:
    return v == ALL_REGS or is_reg(normalise_reg(v))


def _is_dept(v: str) -> bool:
    return v == ALL_DEPS or is_dep(normalise_dep(v))


_AGE_SET = {*AGE_CLASSES, ALL_AGES}

_SPEC_BASE = dict(
    source="Data pathologies",
    sep=";",
    columns={
        "annee": (),
        "patho_niv1": (),
        "patho_niv2": (),
        "patho_niv3": (),
        "top": (),
        "cla_age_5": (),
        "sexe": (),
        "region": (),
        "dept": (),
        "ntop": (),
        "npop": (),
        "prev": (),
        "niveau_prioritaire": ("Niveau prioritaire",),
        "libelle_classe_age": (),
        "libelle_sexe": (),
        "tri": (),
    },
    required=frozenset(
        {"annee", "patho_niv1", "top", "cla_age_5", "sexe", "region", "dept", "ntop", "npop"}
    ),
    integers=frozenset({"annee", "ntop", "npop"}),
    decimals=frozenset({"prev"}),
    decimal_mark=".",
    key=("annee", "top", "cla_age_5", "sexe", "region", "dept"),
    code_checks={
        "cla_age_5": lambda v: normalise_age_class(v) in _AGE_SET,
        "sexe": lambda v: v in {"1", "2", "9"},
        "region": _is_region,
        "dept": _is_dept,
        "top": lambda v: v != "",
    },
    code_expectations={
        "cla_age_5": "a 5-year age class (00-04 … 95et+) or tsage",
        "sexe": "a sex code 1, 2 or 9",
        "region": "an official région code or 99 (all régions)",
        "dept": "an official département code or 999 (all départements)",
        "top": "a condition code (top)",
    },
)
SPEC_UTF8 = TableSpec(encoding="utf-8", **_SPEC_BASE)  # type: ignore[arg-type]
SPEC_LATIN1 = TableSpec(encoding="latin-1", **_SPEC_BASE)  # type: ignore[arg-type]


def _raw(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as exc:
        raise DataError.single(path, "a readable file", str(exc)) from None


def read_effectifs(path: str | Path) -> pd.DataFrame:
    """One ``effectifs.csv`` (or ``.gz``) validated; canonical columns plus ``_line``.

    The encoding is chosen from the bytes: UTF-8 when they decode as UTF-8 (the publisher's
    export), else Latin-1 (a spreadsheet re-save). Beyond the codes, checks that a
    département row carries its own région, that ``prev`` lies in 0–100 and is empty
    whenever ``Ntop`` is, and that ``Ntop`` never exceeds ``Npop``.
    """
    path = Path(path)
    raw = _raw(path)
    try:
        raw.decode("utf-8")
        spec = SPEC_UTF8
    except UnicodeDecodeError:
        spec = SPEC_LATIN1
    df = read_table(path, spec, raw=raw)
    problems = ProblemCollector()
    line = df[LINE].to_numpy()
    for col in ("annee", "npop"):
        for i in np.flatnonzero(df[col].isna().to_numpy())[:20]:
            problems.add(path, "a value", "an empty cell", int(line[i]), col)
    dep = df["dept"].map(normalise_dep)
    reg = df["region"].map(normalise_reg)
    detail_dep = dep != ALL_DEPS
    owner = dep.map(dep_to_reg())
    bad = detail_dep & (owner != reg)
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        problems.add(
            path,
            f"région {owner.iloc[i]} for département {dep.iloc[i]}",
            repr(df["region"].iloc[i]),
            int(line[i]),
            "region",
        )
    prev = df["prev"] if "prev" in df else pd.Series(np.nan, index=df.index)
    out_of_range = (prev < 0) | (prev > 100)
    for i in np.flatnonzero(out_of_range.to_numpy())[:20]:
        problems.add(
            path, "a prevalence in percent (0-100)", repr(prev.iloc[i]), int(line[i]), "prev"
        )
    orphan = df["ntop"].isna() & prev.notna()
    for i in np.flatnonzero(orphan.to_numpy())[:20]:
        problems.add(
            path, "an empty prev when Ntop is masked", repr(prev.iloc[i]), int(line[i]), "prev"
        )
    over = df["ntop"] > df["npop"]
    for i in np.flatnonzero(over.to_numpy())[:20]:
        problems.add(
            path,
            f"Ntop at most Npop ({df['npop'].iloc[i]:.0f})",
            f"{df['ntop'].iloc[i]:.0f}",
            int(line[i]),
            "ntop",
        )
    problems.raise_if_any()
    df["dept"] = dep
    df["region"] = reg
    df["cla_age_5"] = df["cla_age_5"].map(normalise_age_class)
    return df


def _default_path(folder: str | Path | None) -> Path:
    """``effectifs.csv`` or ``effectifs.csv.gz`` in the folder; without a folder, the real
    copy in ``data/real/pathologies`` when present, else the synthetic replica."""
    roots = [Path(folder)] if folder is not None else [
        real_dir() / "pathologies",
        synthetic_dir() / "pathologies",
    ]
    for root in roots:
        for name in FILE_PATTERNS:
            if (root / name).is_file():
                return root / name
    raise DataError.single(roots[-1], f"a file {FILE_NAME} or {FILE_NAME}.gz", "none")


def load_prevalence(
    folder: str | Path | None = None, aggregates: bool | None = None
) -> pd.DataFrame:
    """Patients by condition, tidy.

    Columns: ``year``, ``top``, ``condition_1``/``_2``/``_3`` (None below the existing
    level), ``age_class`` (``00-04`` … ``95et+``, ``tsage``), ``sex`` (1, 2, 9), ``dep``
    (``999`` = all), ``reg`` (``99`` = all), ``n_patients`` (float, NaN when masked),
    ``n_patients_masked``, ``n_pop``, ``prevalence`` (percent, NaN when masked),
    ``geo_level`` (dep / reg / france) and ``aggregate`` (any of all ages, both sexes, or a
    région / France row). ``aggregates=False`` keeps only detail rows, ``True`` only
    aggregate rows, None (default) both, flagged.
    """
    df = read_effectifs(_default_path(folder))

    def level(col: str) -> pd.Series:
        return df[col].where(df[col] != "", None) if col in df else pd.Series(None, index=df.index)

    geo = np.where(
        df["dept"] != ALL_DEPS, "dep", np.where(df["region"] != ALL_REGS, "reg", "france")
    )
    out = pd.DataFrame(
        {
            "year": df["annee"].astype(np.int64),
            "top": df["top"],
            "condition_1": level("patho_niv1"),
            "condition_2": level("patho_niv2"),
            "condition_3": level("patho_niv3"),
            "age_class": df["cla_age_5"],
            "sex": df["sexe"],
            "dep": df["dept"],
            "reg": df["region"],
            "n_patients": df["ntop"],
            "n_patients_masked": df["ntop"].isna(),
            "n_pop": df["npop"],
            "prevalence": df.get("prev", np.nan),
            "geo_level": geo,
        }
    )
    out["aggregate"] = (
        (out["age_class"] == ALL_AGES) | (out["sex"] == ALL_SEXES) | (out["geo_level"] != "dep")
    )
    if aggregates is not None:
        out = out[out["aggregate"] == aggregates].reset_index(drop=True)
    return out


def check_file(path: str | Path) -> None:
    """Validate one ``effectifs.csv`` (plain or gzip); raise DataError on any problem."""
    read_effectifs(path)
