"""Hospital pharmacy (PUI) stock ledgers: the daily stock movements of one or more sites.

A hospital pharmacy information system (PUI: pharmacie à usage intérieur) can export, for
each site and product, one line per day with the opening stock, what was received, what was
dispensed to the wards, the closing stock and what is on order. The shortage early-warning
module (:mod:`forecasting.shortages`) reads such an export; this module defines the format
and validates it strictly, because a projection started from a wrong stock is worse than no
projection at all.

Format (``mouvements_stock_*.csv``, optionally gzipped): UTF-8 (a byte-order mark is
tolerated), ``;`` separator, decimal comma, one header line::

    date;finess;produit;type_code;stock_debut;recu;dispense;stock_fin;commande;en_commande;date_livraison_prevue
    01/01/2021;750100125;3400939990019;CIP13;412;0;13;399;0;0;

========================= ==============================================================
``date``                  the day, ``JJ/MM/AAAA``
``finess``                FINESS of the site (établissement géographique, 9 characters);
                          it must exist in the SAE establishment register
``produit``               the product code: a CIP13 (box) or a UCD (unité commune de
                          dispensation, UCD13 ``34008…`` or UCD7)
``type_code``             ``CIP13`` or ``UCD``: says which code ``produit`` is, and so the
                          unit of every quantity on the line (boxes, or dispensing units)
``stock_debut``           stock at the start of the day (≥ 0)
``recu``                  quantity received that day (≥ 0)
``dispense``              quantity dispensed that day (≥ 0)
``stock_fin``             stock at the end of the day; must equal
                          ``stock_debut + recu − dispense`` (conservation) and the next
                          day's ``stock_debut``
``commande``              quantity ordered that day (≥ 0, 0 = no order)
``en_commande``           quantity still on order at the end of the day (≥ 0)
``date_livraison_prevue`` announced delivery date of the oldest open order, ``JJ/MM/AAAA``
                          or empty
========================= ==============================================================

Order bookkeeping convention: a delivery closes the oldest open order (first in, first out);
a short delivery cancels the remainder (reliquat annulé) and a refused order closes with
``recu`` 0. The closure shows as a drop of ``en_commande``, which therefore can only grow
through ``commande``: ``en_commande ≤ previous en_commande + commande``. The lead-time
history (order → delivery) is rebuilt from these columns by :mod:`forecasting.ledger`.

Every (site, product) series must be daily without gaps, in date order, one line per day;
a site records a product under one code only. Products must be in the sentinel table
(``data/reference/sentinelles.csv``, :mod:`twin.sentinels`, by CIP13 or UCD) or in a user
product file ``referentiel_produits*.csv`` (UTF-8, ``;``)::

    produit;type_code;libelle;cis;atc;mitm;unites_par_boite
    3400930000001;CIP13;MON PRODUIT 10 MG CPR B/30;60000001;C03CA01;1;1

(``cis`` may be empty; ``mitm`` is 0/1; ``unites_par_boite`` is how many ledger units make
one box — 1 for CIP13 lines, the pack size for UCD lines — used to add up sites that count
differently.) Every problem found is reported with file, line, column, expected and found,
all at once (:class:`~twin.errors.DataError`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import normalise_dep, normalise_reg
from twin.paths import real_dir, synthetic_dir
from twin.plausibility import BOUNDS
from twin.sentinels import sentinels
from twin.sources import sae
from twin.sources.bdpm import ean13_check_digit, is_valid_cip13
from twin.sources.tabular import LINE, TableSpec, read_table

FILE_PATTERNS = (
    "mouvements_stock_*.csv",
    "mouvements_stock_*.csv.gz",
    "referentiel_produits*.csv",
)
SYNTHETIC_LEDGER = "mouvements_stock_pui_2021-2025.csv.gz"
HEADER = (
    "date",
    "finess",
    "produit",
    "type_code",
    "stock_debut",
    "recu",
    "dispense",
    "stock_fin",
    "commande",
    "en_commande",
    "date_livraison_prevue",
)
TYPE_CODES = ("CIP13", "UCD")
QUANTITIES = ("stock_debut", "recu", "dispense", "stock_fin", "commande", "en_commande")
MAX_PER_CHECK = 20  # located problems reported per kind of check, then a count
TOLERANCE = 1e-6  # quantities may carry a decimal comma; compare with a small tolerance

_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_FINESS_RE = re.compile(r"^[0-9]{2}[0-9AB][0-9]{6}$")


def _is_date(text: str) -> bool:
    if not _DATE_RE.match(text):
        return False
    try:
        datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def is_ucd(code: str) -> bool:
    """A UCD13 (``34008`` + UCD7 + EAN-13 check digit) or a bare 7-digit UCD."""
    if len(code) == 7 and code.isdigit():
        return True
    return (
        len(code) == 13
        and code.isdigit()
        and code.startswith("34008")
        and int(code[-1]) == ean13_check_digit(code[:12])
    )


def ucd13(code: str) -> str:
    """The 13-digit form of a UCD code: ``34008`` + UCD7 + EAN-13 check digit."""
    if len(code) == 7:
        first12 = "34008" + code
        return first12 + str(ean13_check_digit(first12))
    return code


LEDGER_SPEC = TableSpec(
    source="stock ledger (mouvements de stock PUI)",
    sep=";",
    encoding="utf-8",
    columns={
        "date": ("date_mouvement", "jour"),
        "finess": ("finess_et", "finess_geo"),
        "produit": ("code_produit",),
        "type_code": ("type_produit",),
        "stock_debut": ("stock_initial",),
        "recu": ("quantite_recue", "entrees"),
        "dispense": ("quantite_dispensee", "sorties"),
        "stock_fin": ("stock_final",),
        "commande": ("quantite_commandee",),
        "en_commande": ("reste_a_livrer",),
        "date_livraison_prevue": ("livraison_prevue",),
    },
    required=frozenset(HEADER),
    decimals=frozenset(QUANTITIES),
    decimal_mark=",",
    allow_negative=frozenset({"stock_debut", "stock_fin"}),  # reported below, in words
    bounds={q: BOUNDS["ledger.quantity"] for q in QUANTITIES},
    key=("finess", "produit", "date"),
    code_checks={
        "date": _is_date,
        "finess": lambda v: bool(_FINESS_RE.match(v)),
        "type_code": lambda v: v in TYPE_CODES,
        "date_livraison_prevue": lambda v: v == "" or _is_date(v),
    },
    code_expectations={
        "date": "a date JJ/MM/AAAA",
        "finess": "a FINESS code of 9 characters",
        "type_code": "a code type CIP13 or UCD",
        "date_livraison_prevue": "an empty cell or a date JJ/MM/AAAA",
    },
)

PRODUCT_FILE_SPEC = TableSpec(
    source="product file (referentiel_produits)",
    sep=";",
    encoding="utf-8",
    columns={
        "produit": ("code_produit",),
        "type_code": ("type_produit",),
        "libelle": ("label",),
        "cis": (),
        "atc": ("atc5",),
        "mitm": (),
        "unites_par_boite": ("conditionnement",),
    },
    required=frozenset({"produit", "type_code", "libelle", "mitm", "unites_par_boite"}),
    decimals=frozenset({"unites_par_boite"}),
    decimal_mark=",",
    key=("type_code", "produit"),
    code_checks={
        "type_code": lambda v: v in TYPE_CODES,
        "cis": lambda v: v == "" or (len(v) == 8 and v.isdigit()),
        "mitm": lambda v: v in {"0", "1"},
    },
    code_expectations={
        "type_code": "a code type CIP13 or UCD",
        "cis": "an empty cell or a CIS of 8 digits",
        "mitm": "0 or 1",
    },
)


@dataclass(frozen=True)
class ProductRef:
    """One product code a ledger may use, and what the forecasts need to know about it.

    ``key`` identifies the product across codes (a sentinel key, or the user's CIS/code), so a
    site counting insulin in pens (UCD) and one counting in boxes (CIP13) are the same
    product; ``units_per_box`` converts the ledger unit to boxes for territorial totals.
    """

    key: str
    code: str
    type_code: str
    label: str
    cis: str
    atc5: str
    mitm: bool
    units_per_box: float

    @property
    def unit(self) -> str:
        return "boîte" if self.type_code == "CIP13" else "UCD"


def sentinel_catalogue() -> dict[tuple[str, str], ProductRef]:
    """The sentinel products by (type_code, code): each CIP13, and each UCD when known."""
    out: dict[tuple[str, str], ProductRef] = {}
    for p in sentinels():
        common = {"key": p.key, "label": p.label, "cis": p.cis, "atc5": p.atc5, "mitm": p.mitm}
        out[("CIP13", p.cip13)] = ProductRef(
            code=p.cip13, type_code="CIP13", units_per_box=1.0, **common
        )
        if p.ucd:
            out[("UCD", p.ucd)] = ProductRef(
                code=p.ucd, type_code="UCD", units_per_box=float(p.pack_size), **common
            )
    return out


def read_product_file(path: str | Path) -> dict[tuple[str, str], ProductRef]:
    """A user product file (see the module docstring), validated; by (type_code, code)."""
    path = Path(path)
    df = read_table(path, PRODUCT_FILE_SPEC)
    problems = ProblemCollector()
    out: dict[tuple[str, str], ProductRef] = {}
    for rec in df.to_dict("records"):
        line = int(rec[LINE])
        code, kind = str(rec["produit"]), str(rec["type_code"])
        if kind == "CIP13" and not is_valid_cip13(code):
            problems.add(path, "a CIP13 of 13 digits with a valid check digit", repr(code), line,
                         "produit")
            continue
        if kind == "UCD" and not is_ucd(code):
            problems.add(path, "a UCD code (13 digits 34008… or 7 digits)", repr(code), line,
                         "produit")
            continue
        per_box = float(rec["unites_par_boite"])
        if not per_box > 0:
            problems.add(path, "a positive number of units per box", repr(per_box), line,
                         "unites_par_boite")
            continue
        cis = str(rec.get("cis", "") or "")
        code = ucd13(code) if kind == "UCD" else code
        out[(kind, code)] = ProductRef(
            key=cis or code,
            code=code,
            type_code=kind,
            label=str(rec["libelle"]),
            cis=cis,
            atc5=str(rec.get("atc", "") or ""),
            mitm=rec["mitm"] == "1",
            units_per_box=per_box,
        )
    problems.raise_if_any()
    return out


# --- sites: SAE establishments ---------------------------------------------------------------

_SAE_ID_SPEC = TableSpec(
    source="SAE ID (establishments)",
    sep=";",
    encoding="latin-1",
    columns={"fi": ("FI",), "rs": ("RS",), "dep": ("DEP",), "reg": ("REG",), "an": ("AN",)},
    required=frozenset({"fi", "rs", "dep", "reg"}),
    allow_unknown_columns=True,
)


@cache
def _sae_id_files(root: Path) -> tuple[Path, ...]:
    return tuple(sorted(root.glob("*/ID_*r.csv")))


def load_sites(folder: str | Path | None = None) -> pd.DataFrame:
    """Known hospital sites: ``finess``, ``name``, ``dep``, ``reg`` (one row per FINESS).

    Uses :func:`twin.sources.sae.load_establishments` when that loader exists; otherwise
    reads the ``ID_YYYYr.csv`` files of the SAE folder. Every year is read (a site closed
    since is still a valid code in an old ledger), keeping the most recent name and place.
    """
    root = Path(folder) if folder is not None else real_dir() / "sae"
    return _load_sites(root, folder is None).copy()


@cache
def _load_sites(root: Path, use_sae_loader: bool) -> pd.DataFrame:
    files = _sae_id_files(root)
    if not files:
        raise DataError.single(root, "SAE establishment files */ID_YYYYr.csv", "none found")
    if use_sae_loader:
        try:
            frames = []
            for f in files:
                year = int(f.stem.split("_")[1][:4])
                est = sae.load_establishments(year)
                frames.append(est[["finess", "name", "dep", "reg"]].assign(year=year))
            return _latest_site_rows(pd.concat(frames, ignore_index=True))
        except (ImportError, AttributeError, KeyError, TypeError, DataError):
            pass  # fall back on the minimal reader below
    frames = []
    for f in files:
        df = read_table(f, _SAE_ID_SPEC)
        year = int(f.stem.split("_")[1][:4])
        frames.append(
            pd.DataFrame(
                {
                    "finess": df["fi"].str.zfill(9),
                    "name": df["rs"],
                    "dep": df["dep"].map(normalise_dep),
                    "reg": df["reg"].map(normalise_reg),
                    "year": year,
                }
            )
        )
    return _latest_site_rows(pd.concat(frames, ignore_index=True))


def _latest_site_rows(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values(["finess", "year"], kind="stable")
    last = df.drop_duplicates("finess", keep="last").drop(columns="year")
    return last.reset_index(drop=True)


# --- the ledger -------------------------------------------------------------------------------


def _add_limited(problems: ProblemCollector, path: Path, rows: pd.DataFrame, column: str,
                 expected, found) -> None:
    """Report up to MAX_PER_CHECK located problems (expected/found callables of a row)."""
    for _, row in rows.head(MAX_PER_CHECK).iterrows():
        problems.add(path, expected(row), found(row), int(row[LINE]), column)
    if len(rows) > MAX_PER_CHECK:
        problems.add(path, expected(rows.iloc[0]), f"{len(rows) - MAX_PER_CHECK} more such rows",
                     None, column)


def _fmt(x: float) -> str:
    """A quantity as the file writes it (decimal comma, no trailing zeros)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def read_ledger(
    path: str | Path,
    products: dict[tuple[str, str], ProductRef] | None = None,
    sites: pd.DataFrame | None = None,
    raw: bytes | None = None,
) -> pd.DataFrame:
    """Read and validate one ledger file; return one row per (site, product, day).

    Columns: ``date`` (datetime), ``finess``, ``produit`` (code as written, UCD on 13 digits),
    ``type_code``, ``product`` (product key), ``unit``, ``units_per_box``, ``mitm``, ``cis``,
    the six quantities (float), ``date_livraison_prevue`` (datetime or NaT), and the site's
    ``dep`` and ``reg``. ``products`` defaults to the sentinel table, ``sites`` to the SAE
    register. Raises :class:`DataError` with every problem located.
    """
    path = Path(path)
    catalogue = products if products is not None else sentinel_catalogue()
    site_table = sites if sites is not None else load_sites()
    df = read_table(path, LEDGER_SPEC, raw=raw)
    problems = ProblemCollector()

    # Product codes: consistent with their type, then known.
    kind, code = df["type_code"], df["produit"]
    is_cip = kind == "CIP13"
    valid = pd.Series(False, index=df.index)
    for value in code.unique():
        rows = code == value
        valid |= rows & ((is_cip & is_valid_cip13(value)) | (~is_cip & is_ucd(value)))
    bad = df[~valid]
    _add_limited(
        problems, path, bad, "produit",
        lambda r: (
            "a CIP13 of 13 digits with a valid check digit" if r["type_code"] == "CIP13"
            else "a UCD code (13 digits 34008… with a valid check digit, or 7 digits)"
        ),
        lambda r: repr(r["produit"]),
    )
    df.loc[valid & ~is_cip, "produit"] = df.loc[valid & ~is_cip, "produit"].map(ucd13)
    keys = list(zip(df["type_code"], df["produit"], strict=True))
    known = pd.Series([k in catalogue for k in keys], index=df.index)
    unknown = df[valid & ~known]
    _add_limited(
        problems, path, unknown, "produit",
        lambda r: f"a {r['type_code']} code of the sentinel table or of the product file",
        lambda r: f"unknown product {r['produit']!r}",
    )

    # Sites: in the SAE register.
    site_ok = df["finess"].isin(set(site_table["finess"]))
    _add_limited(
        problems, path, df[~site_ok & df["finess"].str.len().eq(9)], "finess",
        lambda r: "the FINESS of an establishment of the SAE register",
        lambda r: f"unknown FINESS {r['finess']!r}",
    )

    # Negative stocks (the reader let them through to say it in words here).
    for col in ("stock_debut", "stock_fin"):
        _add_limited(
            problems, path, df[df[col] < 0], col,
            lambda r: "a stock ≥ 0 (a negative stock means a movement is missing)",
            lambda r, c=col: _fmt(r[c]),
        )
    problems.raise_if_any()

    df["date"] = pd.to_datetime(df["date"], format="%d/%m/%Y")
    df["date_livraison_prevue"] = pd.to_datetime(
        df["date_livraison_prevue"].where(df["date_livraison_prevue"] != ""), format="%d/%m/%Y"
    )
    refs = [catalogue[k] for k in zip(df["type_code"], df["produit"], strict=True)]
    df["product"] = [r.key for r in refs]

    # One code per (site, product key).
    codes = df.groupby(["finess", "product"])["produit"].transform("nunique")
    multi = df[codes > 1].drop_duplicates(["finess", "produit"]).iloc[1:]
    _add_limited(
        problems, path, multi, "produit",
        lambda r: f"one code per product and site for {r['product']} at {r['finess']}",
        lambda r: f"a second code {r['produit']!r}",
    )

    # Conservation within the day.
    expect_fin = df["stock_debut"] + df["recu"] - df["dispense"]
    off = (df["stock_fin"] - expect_fin).abs() > TOLERANCE * np.maximum(1.0, expect_fin.abs())
    rows = df[off].assign(_exp=expect_fin[off])
    _add_limited(
        problems, path, rows, "stock_fin",
        lambda r: f"stock_debut + recu − dispense = {_fmt(r['_exp'])}",
        lambda r: _fmt(r["stock_fin"]),
    )

    # Series checks, in file order within each (site, product).
    g = df.groupby(["finess", "produit"], sort=False)
    prev_date = g["date"].shift()
    prev_fin = g["stock_fin"].shift()
    prev_line = g[LINE].shift()
    prev_cmd = g["en_commande"].shift()
    step = (df["date"] - prev_date).dt.days
    back = df[step <= 0].assign(_prev=prev_date[step <= 0], _pl=prev_line[step <= 0])
    _add_limited(
        problems, path, back, "date",
        lambda r: (
            f"a date after {pd.Timestamp(r['_prev']):%d/%m/%Y} "
            f"(line {int(r['_pl'])}, same site and product):"
            " dates in increasing order"
        ),
        lambda r: f"{r['date']:%d/%m/%Y}",
    )
    gap = df[step > 1].assign(_prev=prev_date[step > 1], _n=step[step > 1] - 1)
    _add_limited(
        problems, path, gap, "date",
        lambda r: f"the next day {pd.Timestamp(r['_prev']) + pd.Timedelta(1, 'D'):%d/%m/%Y}"
        " (one line a day)",
        lambda r: f"{r['date']:%d/%m/%Y}: {int(r['_n'])} day(s) missing",
    )
    cont = prev_fin.notna() & (step == 1) & (
        (df["stock_debut"] - prev_fin).abs() > TOLERANCE * np.maximum(1.0, prev_fin.abs())
    )
    _add_limited(
        problems, path, df[cont].assign(_pf=prev_fin[cont], _pl=prev_line[cont]), "stock_debut",
        lambda r: f"the previous day's stock_fin {_fmt(r['_pf'])} (line {int(r['_pl'])})",
        lambda r: _fmt(r["stock_debut"]),
    )
    grows = (step == 1) & (df["en_commande"] > prev_cmd + df["commande"] + TOLERANCE)
    _add_limited(
        problems, path, df[grows].assign(_max=(prev_cmd + df["commande"])[grows]), "en_commande",
        lambda r: f"at most previous en_commande + commande = {_fmt(r['_max'])}",
        lambda r: _fmt(r["en_commande"]),
    )
    problems.raise_if_any()

    sites_idx = site_table.set_index("finess")
    out = pd.DataFrame(
        {
            "date": df["date"],
            "finess": df["finess"],
            "produit": df["produit"],
            "type_code": df["type_code"],
            "product": df["product"],
            "unit": [r.unit for r in refs],
            "units_per_box": np.array([r.units_per_box for r in refs], dtype=float),
            "mitm": np.array([r.mitm for r in refs], dtype=bool),
            "cis": [r.cis for r in refs],
        }
    )
    for col in QUANTITIES:
        out[col] = df[col].to_numpy(dtype=float)
    out["date_livraison_prevue"] = df["date_livraison_prevue"]
    out["dep"] = df["finess"].map(sites_idx["dep"]).to_numpy()
    out["reg"] = df["finess"].map(sites_idx["reg"]).to_numpy()
    return out.sort_values(["finess", "product", "date"], kind="stable", ignore_index=True)


def default_ledger_path() -> Path:
    """A user's ledger in ``data/real/ledger`` when there is one, else the synthetic one."""
    real = real_dir() / "ledger"
    if real.is_dir():
        found = sorted(real.glob("mouvements_stock_*.csv*"))
        if found:
            return found[-1]
    return synthetic_dir() / "ledger" / SYNTHETIC_LEDGER


def load_ledger(
    path: str | Path | None = None,
    product_file: str | Path | None = None,
    sites: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The validated ledger (see :func:`read_ledger`); the embedded one by default. A user
    product file adds its codes to the sentinel table."""
    catalogue = sentinel_catalogue()
    if product_file is not None:
        catalogue.update(read_product_file(product_file))
    return read_ledger(path if path is not None else default_ledger_path(), catalogue, sites)


def check_file(path: str | Path) -> None:
    """Validate one ledger or product file (kind chosen by its name); raise DataError."""
    path = Path(path)
    name = path.name.lower()
    if name.startswith("referentiel_produits"):
        read_product_file(path)
    elif name.startswith("mouvements_stock_"):
        read_ledger(path)
    else:
        raise DataError.single(path, "a ledger file name (" + ", ".join(FILE_PATTERNS) + ")",
                               path.name)
