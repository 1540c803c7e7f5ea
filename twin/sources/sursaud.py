"""SurSaUD daily emergency-department passages by département (Santé publique France).

Source file: ``sursaud-corona-quot-dep-YYYY-MM-DD-HHhMM.csv`` from data.gouv.fr ("Données
des urgences hospitalières et de SOS médecins relatives à l'épidémie de COVID-19"), ``;``
separated, one row per département x day x age class. The embedded default is the
format-identical synthetic replica written by :mod:`twin.synthetic.sursaud` (gzip, read the
same way); an analyst can drop the real file (plain or ``.gz``) in its place.

The early vintage (April 2020) is read too: ``sursaud-covid19-quotidien-YYYY-MM-DD-HHhMM-
departement.csv``, **``,`` separated**, same columns and classes; its national companion
``...-france.csv`` (column ``fra`` = ``FR``, counts written with decimals, ``48476.00``) is
checked and read by :func:`load_national`. The real April-2020 files are embedded in
``data/real/sursaud/``. The separator follows the vintage's name, so a file with the wrong
one is refused at its header.

Only all-cause passages are read: ``nbre_pass_tot`` and its sex split ``nbre_pass_tot_h`` /
``nbre_pass_tot_f``. The COVID-19 and SOS Médecins columns are known and skipped (the
synthetic replica leaves them empty).

The file mixes detail rows (age classes ``A`` <15, ``B`` 15-44, ``C`` 45-64, ``D`` 65-74,
``E`` 75+) with an all-ages row (class ``0``) per département and day. Summing both would
double-count, so they are never returned in the same table: :func:`load_ed_daily` gives the
detail rows, :func:`load_ed_daily_all_ages` the all-ages rows, and the class-0 rows are
checked against the sum of the details on the way in.

Forecasting needs complete, ordered daily series, so the loader fails loudly
(:class:`~twin.errors.DataError`, with file and line) on: an unknown département or age
class, an unreadable date, a non-numeric or negative count, more passages by sex than in
total, a duplicated (département, date, class), dates out of order within a département's
series, a day missing some age classes, and a gap in a département's daily series.

Two things the real files do are accepted, not errors. An empty ``nbre_pass_tot`` is missing
(Martinique, 972, has none in the April-2020 file; a few small départements have empty
days): it stays NaN, never 0, and then ``passages`` is float64 instead of int64. The
all-ages row is *not* checked against the sum of its classes: passages of unknown age make
it differ, both ways (April-2020 département file: up to 2 more; regional files: from 32
fewer to 96 more). The synthetic replica keeps the exact sum (tested on the replica).

Reading the embedded 6-year file (1.3 million rows) takes a few seconds; the parsed
result of a given file (path, size, modification time) is cached in memory and copied out.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import dep_sort_key, departements, is_dep, normalise_dep
from twin.paths import synthetic_dir
from twin.sources.tabular import LINE, TableSpec, read_table

DEP_PATTERNS = ("sursaud-corona-quot-dep-*.csv", "sursaud-corona-quot-dep-*.csv.gz")
EARLY_DEP_PATTERNS = ("sursaud-covid19-quotidien-*-departement.csv",
                      "sursaud-covid19-quotidien-*-departement.csv.gz")
NATIONAL_PATTERNS = ("sursaud-covid19-quotidien-*-france.csv",
                     "sursaud-covid19-quotidien-*-france.csv.gz")
#: The official column dictionary: recognised, its header checked (see :func:`check_file`).
METADATA_PATTERNS = ("metadonnee-urgenceshos-sosmedecin-covid19-quot*.csv",)
FILE_PATTERNS = (*DEP_PATTERNS, *EARLY_DEP_PATTERNS, *NATIONAL_PATTERNS, *METADATA_PATTERNS)

ALL_AGES = "0"
AGE_CLASSES = ("A", "B", "C", "D", "E")
AGE_CLASS_LABELS = {
    ALL_AGES: "all ages",
    "A": "under 15",
    "B": "15-44",
    "C": "45-64",
    "D": "65-74",
    "E": "75 and over",
}
DETAIL_COLUMNS = ("dep", "date", "age_class", "passages", "passages_m", "passages_f")
ALL_AGES_COLUMNS = ("dep", "date", "passages", "passages_m", "passages_f")

_COUNTS = {"nbre_pass_tot": "passages", "nbre_pass_tot_h": "passages_m",
           "nbre_pass_tot_f": "passages_f"}
_SKIPPED = (
    "nbre_pass_corona", "nbre_hospit_corona", "nbre_pass_corona_h", "nbre_pass_corona_f",
    "nbre_hospit_corona_h", "nbre_hospit_corona_f", "nbre_acte_corona", "nbre_acte_tot",
    "nbre_acte_corona_h", "nbre_acte_corona_f", "nbre_acte_tot_h", "nbre_acte_tot_f",
)
_MAX_LISTED_DATES = 10

SPEC = TableSpec(
    source="SurSaUD",
    sep=";",
    encoding="utf-8",
    columns={
        "dep": (),
        "date_de_passage": (),
        "sursaud_cl_age_corona": (),
        "nbre_pass_tot": (),
        "nbre_pass_tot_h": (),
        "nbre_pass_tot_f": (),
    },
    required=frozenset(
        {"dep", "date_de_passage", "sursaud_cl_age_corona", *_COUNTS}
    ),
    integers=frozenset(_COUNTS),
    ignored=frozenset(_SKIPPED),
    key=("dep", "date_de_passage", "sursaud_cl_age_corona"),
    code_checks={
        "dep": lambda v: is_dep(normalise_dep(v)),
        "sursaud_cl_age_corona": lambda v: v in AGE_CLASS_LABELS,
    },
    code_expectations={
        "dep": "one of the 101 département codes (01..95, 2A, 2B, 971..976)",
        "sursaud_cl_age_corona": "an age class 0, A, B, C, D or E",
    },
)
#: The early (April 2020) département vintage: same table, ``,`` separated.
EARLY_SPEC = replace(SPEC, sep=",")
#: The early national file: ``fra`` instead of ``dep``, counts written ``48476.00``.
NATIONAL_SPEC = replace(
    SPEC,
    source="SurSaUD national",
    sep=",",
    columns={"fra": (), **{c: () for c in SPEC.columns if c != "dep"}},
    required=frozenset({"fra", "date_de_passage", "sursaud_cl_age_corona", *_COUNTS}),
    key=("fra", "date_de_passage", "sursaud_cl_age_corona"),
    code_checks={"fra": lambda v: v == "FR",
                 "sursaud_cl_age_corona": SPEC.code_checks["sursaud_cl_age_corona"]},
    code_expectations={"fra": "FR",
                       "sursaud_cl_age_corona": SPEC.code_expectations["sursaud_cl_age_corona"]},
)
METADATA_SPEC = TableSpec(
    source="SurSaUD column dictionary",
    sep=";",
    encoding="utf-8-sig",
    columns={"Colonne": (), "Type": (), "Description_FR": (), "Description_EN": (),
             "Exemple": ()},
    required=frozenset({"Colonne", "Type", "Description_FR", "Description_EN", "Exemple"}),
    key=("Colonne",),
)
NATIONAL_COLUMNS = ("date", "age_class", "passages", "passages_m", "passages_f")


def find_file(folder: str | Path | None = None) -> Path:
    """The single SurSaUD département file in ``folder`` (default: data/synthetic/sursaud).

    Several snapshots in one folder are refused rather than silently picking one.
    """
    folder = Path(folder) if folder is not None else synthetic_dir() / "sursaud"
    patterns = (*DEP_PATTERNS, *EARLY_DEP_PATTERNS)
    matches = sorted({p for pat in patterns for p in folder.glob(pat) if p.is_file()})
    if not matches:
        raise DataError.single(
            folder, f"a SurSaUD file named like {' or '.join(patterns)}", "no such file"
        )
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise DataError.single(folder, "exactly one SurSaUD département file", names)
    return matches[0]


@overload
def load_ed_daily(
    folder: str | Path | None = None, include_all_ages: Literal[False] = False
) -> pd.DataFrame: ...
@overload
def load_ed_daily(
    folder: str | Path | None, include_all_ages: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
@overload
def load_ed_daily(
    folder: str | Path | None = None, *, include_all_ages: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def load_ed_daily(
    folder: str | Path | None = None, include_all_ages: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Daily ED passages per département and age class (detail rows only).

    Columns: ``dep`` (official code), ``date`` (datetime64), ``age_class`` (``A``..``E``),
    ``passages`` (int64, all-cause ``nbre_pass_tot``; float64 with NaN when the file leaves
    some empty, as the real April-2020 file does for Martinique), ``passages_m``,
    ``passages_f`` (nullable Int64; missing when the file leaves them empty). Sorted by
    official département order, date and class.

    With ``include_all_ages=True`` returns ``(detail, all_ages)``: the all-ages rows come as a
    second table (see :func:`load_ed_daily_all_ages`), never mixed with the detail rows.
    """
    detail, total = _parse(find_file(folder))
    if include_all_ages:
        return detail.copy(), total.copy()
    return detail.copy()


def load_ed_daily_all_ages(folder: str | Path | None = None) -> pd.DataFrame:
    """The all-ages rows (class ``0``): ``dep, date, passages, passages_m, passages_f``."""
    return _parse(find_file(folder))[1].copy()


def load_national(path: str | Path) -> pd.DataFrame:
    """The early national file (``...-france.csv``): ``date, age_class, passages,
    passages_m, passages_f`` (float64, NaN where empty), sorted by date and class."""
    path = Path(path)
    df = read_table(path, NATIONAL_SPEC)
    problems = ProblemCollector()
    df["date"] = _parse_dates(df["date_de_passage"])
    check_dates_and_sexes(path, df, problems)
    problems.raise_if_any()
    out = df[["date", "sursaud_cl_age_corona", *_COUNTS]]
    out.columns = list(NATIONAL_COLUMNS)
    return out.sort_values(["date", "age_class"], kind="stable").reset_index(drop=True)


def check_file(path: str | Path) -> None:
    """Validate one SurSaUD file; raise :class:`DataError` listing every problem.

    Département files are parsed in full; the national file through :func:`load_national`;
    the column dictionary (``metadonnee-...csv``) by its header and one row per column name.
    """
    path = Path(path)
    if _matches(path, NATIONAL_PATTERNS):
        load_national(path)
    elif _matches(path, METADATA_PATTERNS):
        _check_metadata(path)
    else:
        _parse(path)


def _matches(path: Path, patterns: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return any(fnmatch.fnmatch(name, pat.lower()) for pat in patterns)


def _check_metadata(path: Path) -> None:
    """The dictionary's first line is a title (``Métadonnées ...;;;;``), then the header."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    title, sep, rest = raw.partition(b"\n")
    first = title.decode("utf-8-sig", errors="replace")
    if not sep or not first.startswith("Métadonnées"):
        raise DataError.single(path, "a title line starting 'Métadonnées'", repr(first[:60]), 1)
    try:
        read_table(path, METADATA_SPEC, raw=rest)
    except DataError as exc:
        # Located on the file's lines: the title line was cut off above.
        raise DataError([
            replace(p, line=p.line + 1 if p.line is not None else None) for p in exc.problems
        ]) from None


def _parse(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        st = path.stat()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    return _parse_cached(str(path.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=2)
def _parse_cached(path_str: str, _size: int, _mtime_ns: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = Path(path_str)
    df = read_table(path, EARLY_SPEC if _matches(path, EARLY_DEP_PATTERNS) else SPEC)
    problems = ProblemCollector()

    df["dep"] = _normalise_deps(df["dep"])
    df["date"] = _parse_dates(df["date_de_passage"])
    check_dates_and_sexes(path, df, problems)
    problems.raise_if_any()

    # Select, then rename in place: ``rename`` would copy the million rows once more.
    df = df[[LINE, "dep", "date", "sursaud_cl_age_corona", *_COUNTS]]
    df.columns = [LINE, "dep", "date", "age_class", *_COUNTS.values()]
    _check_order(path, df, problems)
    _check_classes_present(path, df, problems)
    _check_gaps(path, df, problems)
    problems.raise_if_any()
    codes = _row_codes(df)
    return _tidy(df) if codes is None else _tidy_by_codes(df, codes)


def check_dates_and_sexes(path: Path, df: pd.DataFrame, problems: ProblemCollector,
                          column: str | None = None) -> None:
    """Unreadable dates; more passages by sex than in total (where all three are known).

    Shared by the département and regional loaders (same columns); ``column`` names the
    field in the sex-split message where the caller's contract names one.
    """
    for _, row in df.loc[df["date"].isna()].head(20).iterrows():
        problems.add(path, "a date YYYY-MM-DD", repr(row["date_de_passage"]), int(row[LINE]),
                     "date_de_passage")
    by_sex = df["nbre_pass_tot_h"].fillna(0) + df["nbre_pass_tot_f"].fillna(0)
    for _, row in df.loc[by_sex > df["nbre_pass_tot"]].head(20).iterrows():
        problems.add(
            path, "nbre_pass_tot_h + nbre_pass_tot_f <= nbre_pass_tot",
            f"{row['nbre_pass_tot_h']:.0f} + {row['nbre_pass_tot_f']:.0f} > "
            f"{row['nbre_pass_tot']:.0f}", int(row[LINE]), column,
        )


@dataclass(frozen=True)
class _Codes:
    """Each row's département, day and class as small integers, for the final sort.

    A three-column sort of a million rows on strings is the slow part of tidying; on these
    codes it is one integer sort. Codes follow the output order: ``dep`` is the rank in
    official order, ``day`` counts days from the file's first date, ``cls`` is 0 for all
    ages then 1..5 for A..E.
    """

    dep: np.ndarray
    day: np.ndarray
    cls: np.ndarray
    n_deps: int
    n_days: int

    def pair(self) -> np.ndarray:
        """One integer per (département, day)."""
        return self.dep * self.n_days + self.day




def _row_codes(df: pd.DataFrame) -> _Codes | None:
    """The rows' codes, or ``None`` when they would not be exact (then :func:`_tidy` sorts):
    a département or class outside the official lists, or a date that is not a plain day.
    """
    order = sorted(departements().index, key=dep_sort_key)
    dep = _map_codes(df["dep"], {d: i for i, d in enumerate(order)})
    cls = _map_codes(df["age_class"], {c: i for i, c in enumerate(sorted(AGE_CLASS_LABELS))})
    if dep is None or cls is None or len(df) == 0:
        return None
    dates = df["date"].to_numpy()
    days = dates.astype("datetime64[D]")
    if (days != dates).any():
        return None
    day = days.astype(np.int64)
    day -= day.min()
    return _Codes(dep, day, cls, len(order), int(day.max()) + 1)


def _map_codes(values: pd.Series, mapping: dict[str, int]) -> np.ndarray | None:
    """``values`` mapped to their integer codes, or ``None`` if one is not in ``mapping``."""
    index, uniques = pd.factorize(values)
    if (index < 0).any() or not all(u in mapping for u in uniques):
        return None
    lookup = np.array([mapping[u] for u in uniques], dtype=np.int64)
    return lookup[index]


def _normalise_deps(spelled: pd.Series) -> pd.Series:
    """Official département codes, normalising each distinct spelling once."""
    index, uniques = pd.factorize(spelled)
    if (index < 0).any():
        return spelled.map({c: normalise_dep(c) for c in spelled.unique()})
    official = np.array([normalise_dep(c) for c in uniques], dtype=object)
    return pd.Series(official[index], index=spelled.index)


def _parse_dates(text: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` strings as datetimes, NaT where unreadable.

    A six-year file repeats about 2,000 dates over a million rows: parsing each distinct
    string once and spreading the results is several times faster than parsing every row.
    """
    index, uniques = pd.factorize(text)
    if (index < 0).any():
        return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    parsed = pd.to_datetime(uniques, format="%Y-%m-%d", errors="coerce")
    return pd.Series(parsed.take(index), index=text.index)


def _check_order(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> None:
    """Within each (département, class) series, dates must increase down the file."""
    s = df.sort_values(["dep", "age_class", LINE], kind="stable")
    same = s["dep"].eq(s["dep"].shift()) & s["age_class"].eq(s["age_class"].shift())
    back = same & (s["date"] <= s["date"].shift())
    for _, row in s.loc[back].head(20).iterrows():
        problems.add(
            path, f"dates in increasing order for département {row['dep']}",
            f"{row['date']:%Y-%m-%d} after a later date", int(row[LINE]), "date_de_passage",
        )


def _check_classes_present(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> None:
    """Every (département, date) must have the all-ages row and the five classes."""
    n = df.groupby(["dep", "date"], sort=False)["age_class"].transform("size")
    incomplete = df.loc[n < len(AGE_CLASS_LABELS)]
    for (dep, day), grp in list(incomplete.groupby(["dep", "date"], sort=True))[:20]:
        missing = sorted(set(AGE_CLASS_LABELS) - set(grp["age_class"]))
        problems.add(
            path, f"age classes {', '.join(AGE_CLASS_LABELS)} for département {dep} "
            f"on {day:%Y-%m-%d}", f"class(es) {', '.join(missing)} missing",
            int(grp[LINE].min()),
        )


def _check_gaps(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> None:
    """Each département's series must be daily without gaps from its first to last date."""
    for dep, dates in df.groupby("dep", sort=False)["date"]:
        uniq = dates.drop_duplicates()
        span = (uniq.max() - uniq.min()).days + 1
        if span == len(uniq):
            continue
        missing = pd.date_range(uniq.min(), uniq.max(), freq="D").difference(
            pd.DatetimeIndex(uniq)
        )
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:_MAX_LISTED_DATES])
        more = f" and {len(missing) - _MAX_LISTED_DATES} more" if len(
            missing) > _MAX_LISTED_DATES else ""
        problems.add(
            path, f"one row per day for département {dep} (a daily series without gaps)",
            f"{len(missing)} missing date(s): {shown}{more}",
        )


def _tidy_by_codes(df: pd.DataFrame, codes: _Codes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What :func:`_tidy` returns, sorted by one stable integer sort on the codes.

    The codes follow official département order, date and class order, so sorting their
    combination equals :func:`_tidy`'s stable sort on the three columns.
    """
    key = codes.pair() * len(AGE_CLASS_LABELS) + codes.cls
    order = np.argsort(key, kind="stable")
    is_total = (codes.cls == 0)[order]
    detail = _take(df, order[~is_total], DETAIL_COLUMNS)
    total = _take(df, order[is_total], ALL_AGES_COLUMNS)
    return detail, total


def _take(df: pd.DataFrame, rows: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows ``rows`` of ``columns`` with the output dtypes of :func:`_tidy`.

    The arrays are new, so the frame can hold them without another copy (the loaders copy
    the cached tables out anyway).
    """
    data = {}
    for col in columns:
        values = df[col].to_numpy()[rows]
        if col == "passages":
            values = _ints_unless_missing(values)
        elif col in ("passages_m", "passages_f"):
            values = _nullable_ints(values)
        data[col] = values
    return pd.DataFrame(data, copy=False)


def _ints_unless_missing(values: np.ndarray) -> np.ndarray:
    """Counts as int64, or kept float64 (NaN = missing) when the file left some empty."""
    values = values.astype(np.float64)
    return values if np.isnan(values).any() else values.astype(np.int64)


def _nullable_ints(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole-number floats as ``Int64``, NaN as missing (as ``round().astype("Int64")``)."""
    missing = np.isnan(values)
    ints = np.where(missing, 0, np.round(values)).astype(np.int64)
    return pd.arrays.IntegerArray(ints, missing)


def _tidy(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = sorted(departements().index, key=dep_sort_key)
    out = df.drop(columns=LINE).copy()
    out["passages"] = _ints_unless_missing(out["passages"].to_numpy())
    for col in ("passages_m", "passages_f"):
        out[col] = out[col].round().astype("Int64")
    rank = out["dep"].map({d: i for i, d in enumerate(order)})
    out = out.assign(_rank=rank).sort_values(["_rank", "date", "age_class"], kind="stable")
    out = out.drop(columns="_rank").reset_index(drop=True)
    is_total = out["age_class"] == ALL_AGES
    detail = out.loc[~is_total, list(DETAIL_COLUMNS)].reset_index(drop=True)
    total = out.loc[is_total, list(ALL_AGES_COLUMNS)].reset_index(drop=True)
    return detail, total
