"""Real SurSaUD daily emergency-department passages by région (Santé publique France).

Source files: ``sursaud-covid-quot-reg-*.csv`` (named ``sursaud-corona-quot-reg-*`` before
November 2021) of the data.gouv.fr dataset "Données des urgences hospitalières et de SOS
médecins relatives à l'épidémie de COVID-19" (OSCOUR® network), ``;`` separated, one row per
région x day x age class. The embedded defaults are two real snapshots in ``data/real/sursaud/``
(2020-02-24 → 2022-02-05 and 2022-12-26 → 2024-06-30; nothing covers the days in between).

What the real files do, and how this loader keeps it (a real file is right by definition):

- ``reg`` is the INSEE région code as text, plus ``07`` and ``08``, which are not INSEE codes
  (tiny volumes, presumably Saint-Martin and Saint-Barthélemy, undocumented). They are checked
  as known codes, then dropped from the loaded table with a :class:`UserWarning` naming them.
- Two age-class schemes exist: the regional files use ``0`` all ages, ``1`` 0-4, ``2`` 5-14,
  ``3`` 15-44, ``4`` 45-64, ``5`` 65-74, ``6`` 75+; the early (2020) files use ``0``, ``A``
  <15, ``B`` 15-44, ``C`` 45-64, ``D`` 65-74, ``E`` 75+. Either is accepted, one per file.
- Class ``0`` is *not* always the sum of the other classes (passages of unknown age), so no
  such check is made.
- ``nbre_pass_tot`` is empty for Martinique (``02``) throughout 2020-2022 and on many days
  later, and now and then for other overseas régions: empty stays missing (NaN), never 0.
- The last days of a published snapshot are provisional: late-reporting EDs are added in the
  following days' snapshots. See :func:`provisional_days` for the rule used to flag them.

Located errors (:class:`~twin.errors.DataError`, file, line, column) for: a wrong separator,
a short or long line (truncated file), an unknown column, an unreadable date, a non-numeric,
fractional or negative count, an unknown région or age class, a file mixing the two age-class
schemes, a duplicated (région, date, class), more passages by sex than in total, a
(région, day) without every age class, and a gap in a région's daily series.

Reading one file takes well under a second; the parsed result of a file (path, size,
modification time) is cached in memory and copied out.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import is_reg, regions
from twin.paths import real_dir
from twin.sources.sursaud import check_dates_and_sexes
from twin.sources.tabular import LINE, TableSpec, read_table

FILE_PATTERNS = (
    "sursaud-covid-quot-reg*.csv",
    "sursaud-covid-quot-reg*.csv.gz",
    "sursaud-corona-quot-reg*.csv",
    "sursaud-corona-quot-reg*.csv.gz",
)

ALL_AGES = "0"
#: The regional scheme (files since mid-2020) and the early scheme (département files of 2020).
AGE_SCHEMES = {
    "regional": ("0", "1", "2", "3", "4", "5", "6"),
    "early": ("0", "A", "B", "C", "D", "E"),
}
AGE_CLASS_LABELS = {
    "0": "all ages", "1": "0-4", "2": "5-14", "3": "15-44", "4": "45-64", "5": "65-74",
    "6": "75 and over", "A": "under 15", "B": "15-44", "C": "45-64", "D": "65-74",
    "E": "75 and over",
}
#: Codes in the real files that are not INSEE régions: checked, then dropped with a warning.
NON_INSEE_REGS = {"07": "Saint-Martin (presumed)", "08": "Saint-Barthélemy (presumed)"}

COLUMNS = ("reg", "date", "age_class", "passages", "passages_m", "passages_f",
           "provisional", "snapshot")

#: Provisional rule: at most this many trailing days of a snapshot are looked at...
PROVISIONAL_MAX_DAYS = 3
#: ...and a trailing day is provisional while its all-région total is below this share of the
#: median of the same weekday over the previous four weeks.
PROVISIONAL_RATIO = 0.90

_COUNTS = {"nbre_pass_tot": "passages", "nbre_pass_tot_h": "passages_m",
           "nbre_pass_tot_f": "passages_f"}
_SKIPPED = (
    "nbre_pass_corona", "nbre_hospit_corona", "nbre_pass_corona_h", "nbre_pass_corona_f",
    "nbre_hospit_corona_h", "nbre_hospit_corona_f", "nbre_acte_corona", "nbre_acte_tot",
    "nbre_acte_corona_h", "nbre_acte_corona_f", "nbre_acte_tot_h", "nbre_acte_tot_f",
)
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _known_reg(code: str) -> bool:
    return is_reg(code) or code in NON_INSEE_REGS


SPEC = TableSpec(
    source="SurSaUD regional",
    sep=";",
    encoding="utf-8",
    columns={
        "reg": (),
        "date_de_passage": (),
        "sursaud_cl_age_corona": (),
        "nbre_pass_tot": (),
        "nbre_pass_tot_h": (),
        "nbre_pass_tot_f": (),
    },
    required=frozenset({"reg", "date_de_passage", "sursaud_cl_age_corona", *_COUNTS}),
    integers=frozenset(_COUNTS),
    ignored=frozenset(_SKIPPED),
    key=("reg", "date_de_passage", "sursaud_cl_age_corona"),
    code_checks={
        "reg": _known_reg,
        "sursaud_cl_age_corona": lambda v: v in AGE_CLASS_LABELS,
    },
    code_expectations={
        "reg": "one of the 18 INSEE région codes (01..06, 11..94) or 07/08",
        "sursaud_cl_age_corona": "an age class 0..6 (or 0, A..E in the early scheme)",
    },
)


def default_folder() -> Path:
    return real_dir() / "sursaud"


def find_regional_files(folder: str | Path | None = None) -> list[Path]:
    """The regional snapshots in ``folder`` (default ``data/real/sursaud``), oldest first.

    A snapshot's age is the latest ``YYYY-MM-DD`` in its name (the publisher names files by
    publication date, the embedded copies by covered period: either orders them), then the name.
    """
    folder = Path(folder) if folder is not None else default_folder()
    matches = sorted({p for pat in FILE_PATTERNS for p in folder.glob(pat) if p.is_file()},
                     key=_snapshot_key)
    if not matches:
        raise DataError.single(
            folder, f"a SurSaUD regional file named like {' or '.join(FILE_PATTERNS)}",
            "no such file",
        )
    return matches


def _snapshot_key(path: Path) -> tuple[str, str]:
    dates = _DATE_IN_NAME.findall(path.name)
    return (max(dates) if dates else "", path.name)


def _resolve(source: str | Path | Iterable[str | Path] | None) -> list[Path]:
    if source is None:
        return find_regional_files()
    if isinstance(source, (str, Path)):
        path = Path(source)
        return find_regional_files(path) if path.is_dir() else [path]
    paths = [Path(p) for p in source]
    if not paths:
        raise DataError.single("SurSaUD regional", "at least one file", "an empty list")
    return sorted(paths, key=_snapshot_key)


def load_ed_daily_regional(
    source: str | Path | Iterable[str | Path] | None = None, *, age_class: str | None = "0"
) -> pd.DataFrame:
    """Daily ED passages per région from one or several real snapshots.

    ``source``: a file, a folder (every regional file in it), a list of files, or ``None``
    (the embedded ``data/real/sursaud``). Snapshots are stacked oldest first; on a day two
    snapshots both cover, the later one wins (the publisher revises recent days). Days no
    snapshot covers have no row at all.

    ``age_class``: one class code (default ``"0"``, all ages) or ``None`` for every class.

    Columns (sorted by ``reg``, ``date``, then ``age_class``): ``reg`` (one of the 18 INSEE
    codes), ``date`` (datetime64[ns]), ``age_class``, ``passages``, ``passages_m``,
    ``passages_f`` (float64, NaN where the file leaves the cell empty: missing, never 0),
    ``provisional`` (bool, see :func:`provisional_days`), ``snapshot`` (file name).
    The non-INSEE codes ``07``/``08`` are dropped with a :class:`UserWarning`.
    """
    if age_class is not None and age_class not in AGE_CLASS_LABELS:
        known = ", ".join(AGE_CLASS_LABELS)
        raise ValueError(f"age_class must be one of {known} or None, got {age_class!r}")
    frames: list[pd.DataFrame] = []
    for path in _resolve(source):
        snap = _parse(path)
        if frames:
            later = set(snap["date"].unique())
            frames = [f[~f["date"].isin(later)] for f in frames]
        frames.append(snap)
    out = pd.concat(frames, ignore_index=True)
    dropped = sorted(set(out["reg"]) & set(NON_INSEE_REGS))
    if dropped:
        names = ", ".join(f"{c} ({NON_INSEE_REGS[c]})" for c in dropped)
        warnings.warn(
            f"SurSaUD regional: dropped codes {names}, which are not INSEE régions",
            UserWarning, stacklevel=2,
        )
        out = out[~out["reg"].isin(NON_INSEE_REGS)]
    if age_class is not None:
        out = out[out["age_class"] == age_class]
    out = out.sort_values(["reg", "date", "age_class"], kind="stable").reset_index(drop=True)
    return out[list(COLUMNS)].copy()


def national_series(df: pd.DataFrame) -> pd.DataFrame:
    """All-région daily totals of a :func:`load_ed_daily_regional` table (one age class).

    Columns ``date``, ``passages`` (sum of the régions' known values), ``complete`` (every
    région of the table has a value that day and the day is not provisional): a day with a
    missing région is a partial sum, to be used knowingly.
    """
    if df["age_class"].nunique() > 1:
        raise ValueError("national_series needs a table of one age class")
    n_regs = df["reg"].nunique()
    g = df.groupby("date", sort=True)
    out = pd.DataFrame({
        "passages": g["passages"].sum(min_count=1),
        "known": g["passages"].count(),
        "provisional": g["provisional"].any(),
    })
    out["complete"] = (out["known"] == n_regs) & ~out["provisional"]
    return out.reset_index()[["date", "passages", "complete"]]


def check_file(path: str | Path) -> None:
    """Validate one regional file; raise :class:`DataError` listing every problem."""
    _parse(Path(path))


def provisional_days(all_ages: pd.DataFrame) -> set[pd.Timestamp]:
    """Trailing days of one snapshot that look incomplete (the publisher still revises them).

    Rule: walking back from the snapshot's last day, at most :data:`PROVISIONAL_MAX_DAYS`
    days, a day is provisional while its all-ages total over the régions is below
    :data:`PROVISIONAL_RATIO` of the median of the same weekday over the four previous weeks
    (régions missing either day are left out of both sums). On the embedded files this flags
    2022-02-05 (84 % of the usual Saturday) and nothing in the 2024 file, which was cut months
    before its publication so its last days are final. A snapshot shorter than five weeks has
    no reference, and then its last :data:`PROVISIONAL_MAX_DAYS` days are all flagged.
    """
    wide = all_ages.pivot(index="date", columns="reg", values="passages").sort_index()
    days = list(wide.index)
    flagged: set[pd.Timestamp] = set()
    for day in days[::-1][:PROVISIONAL_MAX_DAYS]:
        refs = [day - np.timedelta64(7 * k, "D") for k in range(1, 5)]
        refs = [r for r in refs if r in wide.index]
        if len(refs) < 4:
            flagged.add(day)
            continue
        rows = wide.loc[[day, *refs]]
        known = rows.notna().all()
        totals = rows.loc[:, known].sum(axis=1)
        reference = float(np.median(totals.iloc[1:]))
        if reference > 0 and totals.iloc[0] < PROVISIONAL_RATIO * reference:
            flagged.add(day)
        else:
            break
    return flagged


def _parse(path: Path) -> pd.DataFrame:
    try:
        st = path.stat()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    return _parse_cached(str(path.resolve()), st.st_size, st.st_mtime_ns).copy()


@lru_cache(maxsize=8)
def _parse_cached(path_str: str, _size: int, _mtime_ns: int) -> pd.DataFrame:
    path = Path(path_str)
    df = read_table(path, SPEC)
    problems = ProblemCollector()
    df["date"] = pd.to_datetime(df["date_de_passage"], format="%Y-%m-%d", errors="coerce")
    check_dates_and_sexes(path, df, problems, "nbre_pass_tot")
    problems.raise_if_any()
    df = df[[LINE, "reg", "date", "sursaud_cl_age_corona", *_COUNTS]]
    df.columns = [LINE, "reg", "date", "age_class", *_COUNTS.values()]
    scheme = _check_scheme(path, df, problems)
    problems.raise_if_any()
    _check_classes_present(path, df, scheme, problems)
    _check_gaps(path, df, problems)
    problems.raise_if_any()
    out = df.drop(columns=LINE)
    out["provisional"] = False
    if len(out):
        flagged = provisional_days(out[out["age_class"] == ALL_AGES])
        out["provisional"] = out["date"].isin(flagged)
    out["snapshot"] = path.name
    for col in _COUNTS.values():
        out[col] = out[col].astype("float64")
    return out.sort_values(["reg", "date", "age_class"], kind="stable").reset_index(drop=True)


def _check_scheme(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> tuple[str, ...]:
    """The file's age-class scheme; a file mixing both is reported at its first odd line."""
    present = set(df["age_class"].unique())
    for scheme in AGE_SCHEMES.values():
        if present <= set(scheme):
            return scheme
    first = df["age_class"].iloc[0] if len(df) else ALL_AGES
    scheme = next((s for s in AGE_SCHEMES.values() if first in s[1:]), AGE_SCHEMES["regional"])
    odd = df.loc[~df["age_class"].isin(scheme)].iloc[0]
    problems.add(
        path, f"age classes of one scheme ({', '.join(scheme)}) throughout the file",
        f"class {odd['age_class']!r} of the other scheme", int(odd[LINE]), "sursaud_cl_age_corona",
    )
    return scheme


def _check_classes_present(
    path: Path, df: pd.DataFrame, scheme: tuple[str, ...], problems: ProblemCollector
) -> None:
    """Every (région, day) has a row for each class of the file's scheme."""
    n = df.groupby(["reg", "date"], sort=False)["age_class"].transform("size")
    incomplete = df.loc[n < len(scheme)]
    for (reg, day), grp in list(incomplete.groupby(["reg", "date"], sort=True))[:20]:
        missing = sorted(set(scheme) - set(grp["age_class"]))
        problems.add(
            path, f"age classes {', '.join(scheme)} for région {reg} on {day:%Y-%m-%d}",
            f"class(es) {', '.join(missing)} missing", int(grp[LINE].max()),
            "sursaud_cl_age_corona",
        )


def _check_gaps(path: Path, df: pd.DataFrame, problems: ProblemCollector) -> None:
    """Within one snapshot each région's series is daily, without gaps."""
    for reg, dates in df.groupby("reg", sort=True)["date"]:
        uniq = pd.DatetimeIndex(dates.drop_duplicates())
        if (uniq.max() - uniq.min()).days + 1 == len(uniq):
            continue
        missing = pd.date_range(uniq.min(), uniq.max(), freq="D").difference(uniq)
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        problems.add(
            path, f"one row per day for région {reg} (a daily series without gaps)",
            f"{len(missing)} missing date(s): {shown}{more}",
        )


def region_names() -> dict[str, str]:
    """INSEE région code -> name, for labels."""
    return regions()["nom"].to_dict()
