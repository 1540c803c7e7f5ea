"""BDPM (base de données publique des médicaments): availability snapshots and MITM list.

``CIS_CIP_Dispo_Spec.txt`` is the ANSM feed of shortages ("ruptures et tensions
d'approvisionnement"), republished in the BDPM download area. It is a *snapshot*: each day
it lists the notices open that day and nothing else, so a shortage history only exists if
snapshots are archived. The twin archives them weekly as ``CIS_CIP_Dispo_Spec_YYYYMMDD.txt``
(the date is the snapshot day) and :func:`load_availability_history` stacks them.

Format (all BDPM files): Windows-1252, tab-separated, **no header line**. Dispo_Spec columns:

1. ``CIS`` (8 digits), 2. ``CIP13`` (empty = the whole product, every presentation),
3. status code (1 rupture de stock, 2 tension d'approvisionnement, 3 arrêt de
commercialisation, 4 remise à disposition), 4. status label, 5. start date ``DD/MM/YYYY``,
6. date of the last update of the notice, 7. date back in stock (only for status 4),
8. link to the ANSM notice.

Column 6 is the notice's *last update* date in the BDPM documentation ("date mise à jour"),
not a forecast of the return date: published lines show it after the start and, for
remises à disposition, after the return date. It is loaded as ``updated``.

``CIS_MITM.txt`` lists the medicines of major therapeutic interest (MITM, which must hold two
months of safety stock): ``CIS``, ATC code, denomination, link to the BDPM page.
``CIS_bdpm.txt`` is the product master file (12 columns); only the identity columns are used.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.paths import real_dir, synthetic_dir
from twin.sources.tabular import LINE, TableSpec, read_table

SNAPSHOT_PREFIX = "CIS_CIP_Dispo_Spec"
FILE_PATTERNS = (
    "CIS_CIP_Dispo_Spec*.txt",
    "CIS_CIP_Dispo_Spec*.txt.gz",
    "CIS_MITM.txt",
    "CIS_MITM.txt.gz",
    "CIS_bdpm.txt",
    "CIS_bdpm.txt.gz",
)

STATUS_LABELS = {
    1: "Rupture de stock",
    2: "Tension d'approvisionnement",
    3: "Arrêt de commercialisation",
    4: "Remise à disposition",
}
ANSM_LINK = "https://ansm.sante.fr/disponibilites-des-produits-de-sante/medicaments"

_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_ATC_RE = re.compile(r"^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$")
_SNAPSHOT_RE = re.compile(r"^CIS_CIP_Dispo_Spec_(\d{8})\.txt(\.gz)?$", re.IGNORECASE)


def ean13_check_digit(first12: str) -> int:
    """EAN-13 check digit of a 12-digit prefix (CIP13 and UCD13 are EAN-13 codes)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"expected 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_cip13(code: str) -> bool:
    """13 digits whose last one is the EAN-13 check digit of the first twelve."""
    return (
        isinstance(code, str)
        and len(code) == 13
        and code.isdigit()
        and int(code[-1]) == ean13_check_digit(code[:12])
    )


def is_cis(code: str) -> bool:
    return isinstance(code, str) and len(code) == 8 and code.isdigit()


def is_date(text: str) -> bool:
    """``DD/MM/YYYY`` and a real calendar day."""
    if not _DATE_RE.match(text):
        return False
    try:
        datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def _optional(check):
    return lambda v: v == "" or check(v)


DISPO_SPEC = TableSpec(
    source="BDPM CIS_CIP_Dispo_Spec",
    sep="\t",
    encoding="cp1252",
    columns={
        "cis": (),
        "cip13": (),
        "status": (),
        "status_label": (),
        "start": (),
        "updated": (),
        "back_in_stock": (),
        "link": (),
    },
    required=frozenset({"cis", "cip13", "status", "status_label", "start"}),
    header=False,
    key=("cis", "cip13"),
    code_checks={
        "cis": is_cis,
        "cip13": _optional(is_valid_cip13),
        "status": lambda v: v in {"1", "2", "3", "4"},
        "start": is_date,
        "updated": _optional(is_date),
        "back_in_stock": _optional(is_date),
    },
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "cip13": "an empty cell or a CIP13 of 13 digits with a valid check digit",
        "status": "a status code 1 (rupture), 2 (tension), 3 (arrêt) or 4 (remise à disposition)",
        "start": "a date DD/MM/YYYY",
        "updated": "an empty cell or a date DD/MM/YYYY",
        "back_in_stock": "an empty cell or a date DD/MM/YYYY",
    },
)

MITM_SPEC = TableSpec(
    source="BDPM CIS_MITM",
    sep="\t",
    encoding="cp1252",
    columns={"cis": (), "atc": (), "denomination": (), "link": ()},
    required=frozenset({"cis", "atc", "denomination", "link"}),
    header=False,
    key=("cis",),
    code_checks={"cis": is_cis, "atc": lambda v: bool(_ATC_RE.match(v))},
    code_expectations={"cis": "a CIS code of 8 digits", "atc": "an ATC code such as J01CA04"},
)

PRODUCT_SPEC = TableSpec(
    source="BDPM CIS_bdpm",
    sep="\t",
    encoding="cp1252",
    columns={
        "cis": (),
        "denomination": (),
        "form": (),
        "routes": (),
        "amm_status": (),
        "procedure": (),
        "commercial_status": (),
        "amm_date": (),
        "bdm_status": (),
        "eu_number": (),
        "holder": (),
        "surveillance": (),
    },
    required=frozenset({"cis", "denomination"}),
    header=False,
    key=("cis",),
    code_checks={"cis": is_cis, "amm_date": _optional(is_date)},
    code_expectations={"cis": "a CIS code of 8 digits", "amm_date": "a date DD/MM/YYYY"},
)


def _plain(text: str) -> str:
    """Lower case, no accents, straight apostrophes: labels are compared on this form
    because the feed has used both ' and ’ over time."""
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


def read_snapshot(path: str | Path) -> pd.DataFrame:
    """One availability snapshot, validated: codes, dates, status and label agreement.

    Returns ``cis``, ``cip13`` (None = whole product), ``status`` (int), ``status_label``,
    ``start``, ``updated``, ``back_in_stock`` (datetimes, NaT when empty) and ``_line``.
    """
    path = Path(path)
    snapshot_date(path)  # a malformed date in the name is an error too
    df = read_table(path, DISPO_SPEC)
    problems = ProblemCollector()
    plain = df["status_label"].map(_plain)
    expected = df["status"].astype(int).map(_PLAIN_LABELS)
    for i in np.flatnonzero((plain != expected).to_numpy())[:20]:
        code = int(df["status"].iloc[i])
        problems.add(
            path,
            f"the label {STATUS_LABELS[code]!r} for status {code}",
            repr(df["status_label"].iloc[i]),
            int(df[LINE].iloc[i]),
            "status_label",
        )
    problems.raise_if_any()
    out = pd.DataFrame(
        {
            LINE: df[LINE],
            "cis": df["cis"],
            "cip13": df["cip13"].where(df["cip13"] != "", None),
            "status": df["status"].astype(int),
            "status_label": df["status_label"],
        }
    )
    for col in ("start", "updated", "back_in_stock"):
        out[col] = pd.to_datetime(df[col].where(df[col] != ""), format="%d/%m/%Y")
    return out


def _default_folder(folder: str | Path | None) -> Path:
    """An explicit folder, else ``data/real/bdpm`` when it holds BDPM files, else the
    synthetic replica: a user's real archive replaces the replica just by being there."""
    if folder is not None:
        return Path(folder)
    real = real_dir() / "bdpm"
    if real.is_dir() and any(real.glob(f"{SNAPSHOT_PREFIX}*")):
        return real
    return synthetic_dir() / "bdpm"


def snapshot_files(folder: str | Path | None = None) -> list[Path]:
    """The dated snapshots in a folder, oldest first."""
    root = _default_folder(folder)
    files = [p for p in root.iterdir() if _SNAPSHOT_RE.match(p.name)] if root.is_dir() else []
    return sorted(files, key=lambda p: p.name[len(SNAPSHOT_PREFIX) + 1 : len(SNAPSHOT_PREFIX) + 9])


def load_availability_history(folder: str | Path | None = None) -> pd.DataFrame:
    """Every archived snapshot stacked: one row per (snapshot_date, notice line).

    Columns ``snapshot_date``, ``cis``, ``cip13`` (None = whole product), ``status`` (1-4),
    ``status_label``, ``start``, ``updated``, ``back_in_stock``. Only dated snapshots are read
    (the undated live ``CIS_CIP_Dispo_Spec.txt`` has no day to place it at). Raises
    :class:`DataError` listing the problems of every file at once.
    """
    files = snapshot_files(folder)
    if not files:
        root = _default_folder(folder)
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
    return pd.concat(frames, ignore_index=True)


def load_mitm(folder: str | Path | None = None) -> pd.DataFrame:
    """The MITM list: ``cis``, ``atc``, ``denomination``, ``link``."""
    path = _default_folder(folder) / "CIS_MITM.txt"
    return read_table(path, MITM_SPEC).drop(columns=LINE)


def load_products(folder: str | Path | None = None) -> pd.DataFrame:
    """``CIS_bdpm.txt``: the product identity columns (CIS, denomination, form, routes,
    statuses, AMM date, holder)."""
    path = _default_folder(folder) / "CIS_bdpm.txt"
    return read_table(path, PRODUCT_SPEC).drop(columns=LINE)


def check_file(path: str | Path) -> None:
    """Validate one BDPM file (kind chosen by its name); raise DataError on any problem."""
    path = Path(path)
    name = path.name.lower()
    if name.startswith(SNAPSHOT_PREFIX.lower()):
        read_snapshot(path)
    elif name.startswith("cis_mitm"):
        read_table(path, MITM_SPEC)
    elif name.startswith("cis_bdpm"):
        read_table(path, PRODUCT_SPEC)
    else:
        known = ", ".join(FILE_PATTERNS)
        raise DataError.single(path, f"a BDPM file name ({known})", path.name)
