"""The sentinel medicines: the reference list of the products the twin follows.

``data/reference/sentinelles.csv`` names each sentinel presentation once (a stable ``key``,
its CIS, its CIP13 box, its UCD when hospitals order it by unit, pack size, ATC code, MITM
flag and Open Medic label). The loaders (:mod:`twin.sources.ledger`), the forecasts
(:mod:`forecasting.demand`, :mod:`forecasting.shortages`) and the synthetic replicas all read
the products from here, so a CIS in a BDPM snapshot, a CIP13 in an Open Medic row and a
forecast series always mean the same product, and no model code has to import the
synthetic-data generator to learn what it follows.

The identifiers are **synthetic but format-valid** (CIS ``6999xxxx``, CIP13 ``34009`` +
``39990xx`` + EAN-13 check digit, fictional laboratories): the real product each one stands
for is in ``data/reference/sentinelles_cis_reels.csv`` (:mod:`forecasting.notices`). The
generator :mod:`twin.synthetic.medicines` adds the demand facts it needs to write the
replicas; a test checks that its products and this table agree field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from twin.errors import DataError
from twin.paths import reference_dir

FILE = "sentinelles.csv"
COLUMNS = ("key", "cis", "cip13", "ucd", "pack_size", "atc5", "mitm", "label")


@dataclass(frozen=True)
class Sentinel:
    """One sentinel presentation (one CIS with one CIP13 box)."""

    key: str
    cis: str
    cip13: str
    ucd: str | None  # hospital unit code, when the product is ordered by unit
    pack_size: int  # units per box (a UCD line counts units, a CIP13 line boxes)
    atc5: str
    mitm: bool  # médicament d'intérêt thérapeutique majeur
    label: str  # Open Medic ``l_cip13`` spelling


@cache
def sentinels() -> tuple[Sentinel, ...]:
    """The sentinel products, in the order of the reference file."""
    path = reference_dir() / FILE
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError.single(str(path), f"columns {', '.join(COLUMNS)}",
                               f"missing {', '.join(missing)}")
    return tuple(
        Sentinel(key=r.key, cis=r.cis, cip13=r.cip13, ucd=r.ucd or None,
                 pack_size=int(r.pack_size), atc5=r.atc5, mitm=r.mitm == "oui", label=r.label)
        for r in table.itertuples(index=False)
    )


def by_key() -> dict[str, Sentinel]:
    return {s.key: s for s in sentinels()}
