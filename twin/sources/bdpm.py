"""BDPM (base de données publique des médicaments): the five real files and the weekly archive.

The ANSM download area publishes, among others, five tab-separated files without a header
line (their formats, encodings and quirks are in :mod:`twin.sources.bdpm_formats`):

* ``CIS_bdpm.txt``: the product master file, one line per CIS (:func:`load_products`);
* ``CIS_CIP_bdpm.txt``: presentations (CIP7/CIP13, price, reimbursement rate)
  (:func:`load_presentations`);
* ``CIS_COMPO_bdpm.txt``: composition, substance by substance (:func:`load_composition`);
* ``CIS_MITM.txt``: the medicines of major therapeutic interest (MITM, which must hold two
  months of safety stock) with their ATC code (:func:`load_mitm`);
* ``CIS_CIP_Dispo_Spec.txt``: the ANSM availability notices ("ruptures et tensions
  d'approvisionnement") (:func:`load_notices`).

The real download of 27-28 January 2026 is embedded in ``data/real/bdpm/`` and is the default
of these five loaders.

``CIS_CIP_Dispo_Spec.txt`` is a *snapshot*: it lists the notices the ANSM currently shows (the
real one: 993 lines, starts from 2013 to 2026) and keeps no history of the statuses a notice
went through. A weekly shortage history only exists if snapshots are archived; the twin's
convention is ``CIS_CIP_Dispo_Spec_YYYYMMDD.txt`` (the date is the snapshot day), stacked by
:func:`load_availability_history`. No real archive is embedded: the default archive is the
**synthetic** weekly replica in ``data/synthetic/bdpm/``, which also holds the replica's own
``CIS_bdpm.txt`` and ``CIS_MITM.txt`` for its fictional sentinel products (read them with an
explicit ``folder``).

Dispo_Spec columns: 1. ``CIS`` (8 digits), 2. ``CIP13`` (empty = the whole product, every
presentation; filled on 34 of the 993 real lines), 3. status code (1 rupture de stock,
2 tension d'approvisionnement, 3 arrêt de commercialisation, 4 remise à disposition),
4. status label (in two cases in the real file: ``Tension d'approvisionnement`` and
``tension d'approvisionnement``), 5. start date ``DD/MM/YYYY``, 6. date of the last update of
the notice, 7. date back in stock (filled exactly for status 4), 8. link to the ANSM notice.
Column 6 is the notice's *last update* ("date mise à jour"), not a forecast of the return
date; it is loaded as ``updated`` (85 real lines have it before the start date).
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.paths import real_dir, synthetic_dir
from twin.sources.bdpm_formats import (
    ANSM_LINK,
    BDPM_PAGE,
    COMPOSITION_SPEC,
    DISPO_SPEC,
    MITM_SPEC,
    PRESENTATION_SPEC,
    PRODUCT_SPEC,
    check_bytes,
    ean13_check_digit,
    is_cis,
    is_date,
    is_valid_cip13,
    price_value,
    rate_value,
)
from twin.sources.tabular import LINE, TableSpec, read_table

__all__ = [
    "ANSM_LINK",
    "COMPOSITION_SPEC",
    "DISPO_SPEC",
    "FILE_PATTERNS",
    "MITM_SPEC",
    "PRESENTATION_SPEC",
    "PRODUCT_SPEC",
    "SNAPSHOT_PREFIX",
    "STATUS_LABELS",
    "archive_folder",
    "check_file",
    "ean13_check_digit",
    "is_cis",
    "is_date",
    "is_valid_cip13",
    "load_availability_history",
    "load_composition",
    "load_mitm",
    "load_notices",
    "load_presentations",
    "load_products",
    "provenance",
    "read_snapshot",
    "real_folder",
    "snapshot_date",
    "snapshot_files",
]

SNAPSHOT_PREFIX = "CIS_CIP_Dispo_Spec"
NOTICES_FILE = "CIS_CIP_Dispo_Spec.txt"
PRODUCTS_FILE = "CIS_bdpm.txt"
PRESENTATIONS_FILE = "CIS_CIP_bdpm.txt"
COMPOSITION_FILE = "CIS_COMPO_bdpm.txt"
MITM_FILE = "CIS_MITM.txt"

FILE_PATTERNS = (
    "CIS_CIP_Dispo_Spec*.txt",
    "CIS_CIP_Dispo_Spec*.txt.gz",
    "CIS_MITM.txt",
    "CIS_MITM.txt.gz",
    "CIS_bdpm.txt",
    "CIS_bdpm.txt.gz",
    "CIS_CIP_bdpm.txt",
    "CIS_CIP_bdpm.txt.gz",
    "CIS_COMPO_bdpm.txt",
    "CIS_COMPO_bdpm.txt.gz",
)

STATUS_LABELS = {
    1: "Rupture de stock",
    2: "Tension d'approvisionnement",
    3: "Arrêt de commercialisation",
    4: "Remise à disposition",
}

_SNAPSHOT_RE = re.compile(r"^CIS_CIP_Dispo_Spec_(\d{8})\.txt(\.gz)?$", re.IGNORECASE)


# --- where the files are -----------------------------------------------------------------


def real_folder() -> Path:
    """``data/real/bdpm``: the embedded real download (default of the five file loaders)."""
    return real_dir() / "bdpm"


def archive_folder(folder: str | Path | None = None) -> Path:
    """The folder of dated snapshots: ``folder`` if given, else the synthetic weekly replica
    ``data/synthetic/bdpm`` (no real archive is embedded; pass your own explicitly)."""
    return Path(folder) if folder is not None else synthetic_dir() / "bdpm"


def provenance(path: str | Path) -> str:
    """``"synthetic"`` for a file or folder inside ``data/synthetic``, else ``"real"``: the
    label a table carries in ``attrs["source"]`` so screens can say which numbers are real."""
    try:
        Path(path).resolve().relative_to(synthetic_dir().resolve())
    except ValueError:
        return "real"
    return "synthetic"


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DataError.single(path, "a readable file", reason) from None


def _read(path: Path, spec: TableSpec) -> tuple[pd.DataFrame, bytes]:
    """One file read strictly: its bytes checked for the published encoding, then its cells."""
    raw = _read_bytes(path)
    problems = ProblemCollector()
    check_bytes(path, raw, spec, problems)
    problems.raise_if_any()
    return read_table(path, spec, raw=raw), raw


def _dates(df: pd.DataFrame, col: str, path: Path, unit: str = "ns") -> pd.Series:
    """Validated ``DD/MM/YYYY`` cells as ``datetime64[unit]``, empty cells NaT.

    ``unit="s"`` holds any year (parsed through NumPy). A nanosecond column (the default,
    what the consumers compare with) refuses, located, a date it cannot hold (after 2262)
    rather than crashing or turning it into NaT: the cells are real calendar days already,
    so a non-empty cell that does not parse is out of range.
    """
    cells = df[col]
    filled = cells != ""
    if unit == "s":
        iso = (cells.str[6:10] + "-" + cells.str[3:5] + "-" + cells.str[0:2]).where(filled, "NaT")
        return pd.Series(np.array(iso.to_numpy(dtype=str), dtype="datetime64[s]"), index=df.index)
    parsed = pd.to_datetime(cells.where(filled), format="%d/%m/%Y", errors="coerce")
    problems = ProblemCollector()
    lo, hi = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    _add_mismatches(problems, path, df, parsed.isna() & filled,
                    f"a date between {lo:%d/%m/%Y} and {hi:%d/%m/%Y}", col, col)
    problems.raise_if_any()
    return parsed


def _add_mismatches(
    problems: ProblemCollector,
    path: Path,
    df: pd.DataFrame,
    bad: pd.Series,
    expected: str | Callable[[int], str],
    found_col: str,
    column: str,
    limit: int = 20,
) -> None:
    """Report the rows where ``bad`` holds (a rule across cells), each at its line, the first
    ``limit`` in full: what ``read_table`` does for single cells."""
    rows = np.flatnonzero(np.asarray(bad))
    for i in rows[:limit]:
        exp = expected(i) if callable(expected) else expected
        problems.add(path, exp, repr(df[found_col].iloc[i]), int(df[LINE].iloc[i]), column)
    if len(rows) > limit:
        exp = expected(rows[limit]) if callable(expected) else expected
        problems.add(path, exp, f"{len(rows) - limit} more such rows", None, column)


# --- availability notices ----------------------------------------------------------------


def _plain(text: str) -> str:
    """Lower case, no accents, straight apostrophes: labels are compared on this form
    because the feed writes them in two cases and has used both ' and ’ over time."""
    text = text.replace("\u2019", "'").strip().lower()
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_PLAIN_LABELS = {code: _plain(label) for code, label in STATUS_LABELS.items()}


def snapshot_date(path: Path) -> pd.Timestamp | None:
    """The archive date in ``CIS_CIP_Dispo_Spec_YYYYMMDD.txt``; None for the undated live file."""
    m = _SNAPSHOT_RE.match(path.name)
    if not m:
        return None
    try:
        return pd.Timestamp(datetime.strptime(m.group(1), "%Y%m%d"))
    except ValueError:
        raise DataError.single(
            path, "a file name CIS_CIP_Dispo_Spec_YYYYMMDD.txt with a real date", path.name
        ) from None


def _notices(path: Path) -> tuple[pd.DataFrame, bytes]:
    """A Dispo_Spec file validated (cells, then status/label and return-date agreement)."""
    snapshot_date(path)  # a malformed date in the name is an error too
    df, raw = _read(path, DISPO_SPEC)
    problems = ProblemCollector()
    status = df["status"].astype(int)
    labels = df["status_label"]
    plain = labels.map({label: _plain(label) for label in labels.unique()})  # a few labels
    _add_mismatches(
        problems, path, df, plain != status.map(_PLAIN_LABELS),
        lambda i: f"the label {STATUS_LABELS[int(status.iloc[i])]!r} for status "
        f"{int(status.iloc[i])}",
        "status_label", "status_label",
    )
    # The return date is the remise à disposition's own date: filled exactly on status 4.
    filled = df["back_in_stock"] != ""
    _add_mismatches(
        problems, path, df, filled & (status != 4),
        "an empty cell (a return date only for status 4, remise à disposition)",
        "back_in_stock", "back_in_stock",
    )
    _add_mismatches(
        problems, path, df, ~filled & (status == 4),
        "a return date DD/MM/YYYY for status 4 (remise à disposition)",
        "back_in_stock", "back_in_stock",
    )
    problems.raise_if_any()
    out = pd.DataFrame(
        {
            LINE: df[LINE],
            "cis": df["cis"],
            "cip13": df["cip13"].where(df["cip13"] != "", None),
            "status": status,
            "status_label": df["status_label"],
        }
    )
    for col in ("start", "updated", "back_in_stock"):
        out[col] = _dates(df, col, path)
    out["link"] = df["link"]
    return out, raw


def read_snapshot(path: str | Path) -> pd.DataFrame:
    """One availability snapshot, validated: codes, dates, status and label agreement.

    Returns ``cis``, ``cip13`` (None = whole product), ``status`` (int), ``status_label``,
    ``start``, ``updated``, ``back_in_stock`` (datetimes, NaT when empty) and ``_line``.
    """
    out, _ = _notices(Path(path))
    return out.drop(columns="link")


def load_notices(path: str | Path | None = None) -> pd.DataFrame:
    """The live ANSM notices file ``CIS_CIP_Dispo_Spec.txt`` (default: the embedded real one).

    Columns ``cis``, ``cip13`` (None = whole product), ``status`` (1 rupture, 2 tension,
    3 arrêt, 4 remise à disposition), ``status_label`` (as written), ``start``, ``updated``,
    ``back_in_stock`` (NaT when empty), ``link``, ``_line``. Several notices for one product
    are all kept (a tension then its remise à disposition, two tensions): they are distinct
    facts. Lines repeated byte for byte (17 in the real file) are the same fact published
    twice and are dropped, the first kept; ``attrs["duplicates_dropped"]`` counts them.
    ``attrs["source"]`` says ``"real"`` or ``"synthetic"``, ``attrs["file"]`` the path.
    """
    path = Path(path) if path is not None else real_folder() / NOTICES_FILE
    out, raw = _notices(path)
    lines = raw.split(b"\n")
    text = pd.Series([lines[n - 1].rstrip(b"\r") for n in out[LINE]], index=out.index)
    repeated = text.duplicated(keep="first")
    out = out[~repeated.to_numpy()].reset_index(drop=True)
    out.attrs.update(
        source=provenance(path), file=str(path), duplicates_dropped=int(repeated.sum())
    )
    return out


def snapshot_files(folder: str | Path | None = None) -> list[Path]:
    """The dated snapshots in a folder (default: the synthetic archive), oldest first."""
    root = archive_folder(folder)
    files = [p for p in root.iterdir() if _SNAPSHOT_RE.match(p.name)] if root.is_dir() else []
    return sorted(files, key=lambda p: p.name[len(SNAPSHOT_PREFIX) + 1 : len(SNAPSHOT_PREFIX) + 9])


def load_availability_history(folder: str | Path | None = None) -> pd.DataFrame:
    """Every archived snapshot stacked: one row per (snapshot_date, notice line).

    Columns ``snapshot_date``, ``cis``, ``cip13`` (None = whole product), ``status`` (1-4),
    ``status_label``, ``start``, ``updated``, ``back_in_stock``. Only dated snapshots are read
    (the undated live ``CIS_CIP_Dispo_Spec.txt`` has no day to place it at: see
    :func:`load_notices`). The default folder is the synthetic weekly replica
    (``attrs["source"]`` says so). Raises :class:`DataError` listing the problems of every
    file at once.
    """
    root = archive_folder(folder)
    files = snapshot_files(root)
    if not files:
        raise DataError.single(
            root, f"archived snapshots {SNAPSHOT_PREFIX}_YYYYMMDD.txt", "none in this folder"
        )
    problems = ProblemCollector()
    frames = []
    for f in files:
        try:
            df = read_snapshot(f)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        df.insert(0, "snapshot_date", snapshot_date(f))
        frames.append(df.drop(columns=LINE))
    problems.raise_if_any()
    # Column by column: pd.concat special-cases all-NaT columns (a snapshot without any
    # remise à disposition) through a deprecated NumPy path.
    out = pd.DataFrame(
        {col: np.concatenate([f[col].to_numpy() for f in frames]) for col in frames[0].columns}
    )
    out.attrs.update(source=provenance(root), folder=str(root))
    return out


# --- products, presentations, composition, MITM ------------------------------------------


def _file(folder: str | Path | None, name: str) -> Path:
    return (Path(folder) if folder is not None else real_folder()) / name


def _mitm(path: Path) -> pd.DataFrame:
    df, _ = _read(path, MITM_SPEC)
    problems = ProblemCollector()
    _add_mismatches(
        problems, path, df, df["link"] != BDPM_PAGE + df["cis"],
        lambda i: f"the BDPM page of the line's CIS ({BDPM_PAGE}{df['cis'].iloc[i]})",
        "link", "link",
    )
    problems.raise_if_any()
    return df


def load_mitm(folder: str | Path | None = None) -> pd.DataFrame:
    """``CIS_MITM.txt``, the MITM list: ``cis``, ``atc``, ``denomination``, ``link``
    (default: the real list, 8,107 CIS)."""
    path = _file(folder, MITM_FILE)
    out = _mitm(path).drop(columns=LINE)
    out.attrs.update(source=provenance(path), file=str(path))
    return out


def load_products(folder: str | Path | None = None) -> pd.DataFrame:
    """``CIS_bdpm.txt``, one row per CIS (default: the real file, 15,799 products).

    ``cis``, ``denomination``, ``form``, ``routes`` (``;``-separated), ``amm_status``,
    ``procedure``, ``commercial_status``, ``amm_date`` (datetime), ``bdm_status`` (empty,
    ``Warning disponibilité`` or ``Alerte``), ``eu_number``, ``holder``, ``surveillance``
    (bool: reinforced surveillance).
    """
    path = _file(folder, PRODUCTS_FILE)
    df, _ = _read(path, PRODUCT_SPEC)
    out = df.drop(columns=LINE)
    out["amm_date"] = _dates(df, "amm_date", path)
    out["surveillance"] = df["surveillance"] == "Oui"
    out.attrs.update(source=provenance(path), file=str(path))
    return out


def _presentations(path: Path) -> pd.DataFrame:
    df, _ = _read(path, PRESENTATION_SPEC)
    problems = ProblemCollector()
    # A CIP13 is 34009 + the CIP7 + the check digit (every real line).
    _add_mismatches(
        problems, path, df, df["cip13"].str[5:12] != df["cip7"],
        lambda i: f"the CIP13 of CIP7 {df['cip7'].iloc[i]!r} (34009 + CIP7 + check digit)",
        "cip13", "cip13",
    )
    problems.raise_if_any()
    return df


def load_presentations(folder: str | Path | None = None) -> pd.DataFrame:
    """``CIS_CIP_bdpm.txt``, one row per presentation (default: the real file, 20,875 rows).

    ``cis``, ``cip7``, ``label``, ``presentation_status``, ``commercial_state``,
    ``commercialisation_date`` (``datetime64[s]``: the real file has a 29/11/2924, beyond
    the nanosecond range), ``cip13``, ``collectivities`` (bool), ``reimbursement_rate`` (per
    cent, NaN when empty), ``price_eur``, ``price_with_fee_eur``, ``fee_eur`` (euros, NaN
    when empty; the three are filled together with the rate, on 13,170 real lines),
    ``reimbursement_indications``. ``price_eur + 1.02`` is ``price_with_fee_eur`` on most
    lines, but not always ``price_eur + fee_eur``: nothing is derived from that.
    """
    path = _file(folder, PRESENTATIONS_FILE)
    df = _presentations(path)
    out = df.drop(columns=LINE)
    out["commercialisation_date"] = _dates(df, "commercialisation_date", path, unit="s")
    out["collectivities"] = df["collectivities"] == "oui"
    for col, value in (
        ("reimbursement_rate", rate_value),
        ("price_eur", price_value),
        ("price_with_fee_eur", price_value),
        ("fee_eur", price_value),
    ):
        cells = df[col].where(df[col] != "")  # empty stays missing, never 0
        out[col] = cells.map(value, na_action="ignore").astype("float64")
    out.attrs.update(source=provenance(path), file=str(path))
    return out


def load_composition(folder: str | Path | None = None) -> pd.DataFrame:
    """``CIS_COMPO_bdpm.txt``, one row per substance line (default: the real file, 32,449).

    ``cis``, ``element`` (pharmaceutical element, e.g. ``comprimé``), ``substance_code``
    (str, e.g. ``05319``), ``substance``, ``dosage``, ``dosage_reference`` (both may be
    empty), ``nature`` (``SA`` substance active, ``FT`` fraction thérapeutique),
    ``link_number`` (int: links an ``SA`` to its ``FT``).
    """
    path = _file(folder, COMPOSITION_FILE)
    df, _ = _read(path, COMPOSITION_SPEC)
    out = df.drop(columns=LINE)
    out["link_number"] = df["link_number"].astype("int64")
    out.attrs.update(source=provenance(path), file=str(path))
    return out


def check_file(path: str | Path) -> None:
    """Validate one BDPM file (kind chosen by its name); raise DataError on any problem."""
    path = Path(path)
    name = path.name.lower()
    if name.startswith(SNAPSHOT_PREFIX.lower()):
        _notices(path)
    elif name.startswith("cis_mitm"):
        _mitm(path)
    elif name.startswith("cis_bdpm"):
        _read(path, PRODUCT_SPEC)
    elif name.startswith("cis_cip_bdpm"):
        _presentations(path)
    elif name.startswith("cis_compo_bdpm"):
        _read(path, COMPOSITION_SPEC)
    else:
        known = ", ".join(FILE_PATTERNS)
        raise DataError.single(path, f"a BDPM file name ({known})", path.name)
