"""Official geographic codes: the 101 départements and 18 régions (COG, 2016 régions).

Every table in the twin is keyed by these codes as strings (``"01"``, ``"2A"``, ``"971"``).
Publishers spell them differently (SAE writes ``9A``…``9F`` for overseas départements, some
exports drop the leading zero); :func:`normalise_dep` maps every known spelling to the
official code and leaves anything else untouched so that validation can report it.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from twin.paths import reference_dir

# SAE "dep" codes for overseas départements (9E, Saint-Pierre-et-Miquelon, is not one of the 101).
SAE_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}
OVERSEAS_DEPS = ("971", "972", "973", "974", "976")
OVERSEAS_REGS = ("01", "02", "03", "04", "06")


def normalise_dep(code: str) -> str:
    """Map a publisher's spelling of a département code to the official COG code."""
    c = str(code).strip().upper()
    if c in SAE_OVERSEAS:
        return SAE_OVERSEAS[c]
    if c.isdigit() and len(c) == 1:
        return "0" + c
    return c


def normalise_reg(code: str) -> str:
    c = str(code).strip()
    if c.isdigit() and len(c) == 1:
        return "0" + c
    return c


@cache
def departements() -> pd.DataFrame:
    """The 101 départements: ``dep``, ``reg``, ``nom`` (index ``dep``)."""
    df = pd.read_csv(reference_dir() / "departements.csv", dtype=str, keep_default_na=False)
    return df.set_index("dep", drop=False)


@cache
def regions() -> pd.DataFrame:
    """The 18 régions: ``reg``, ``nom`` (index ``reg``)."""
    df = pd.read_csv(reference_dir() / "regions.csv", dtype=str, keep_default_na=False)
    return df.set_index("reg", drop=False)


def is_dep(code: str) -> bool:
    return code in departements().index


def is_reg(code: str) -> bool:
    return code in regions().index


def dep_to_reg() -> dict[str, str]:
    return departements()["reg"].to_dict()


def deps_of(territories: list[str] | tuple[str, ...]) -> list[str]:
    """Expand a mix of département codes, région codes (``"R32"`` or ``"32"`` when it is not
    also a département) and ``"all"`` into a sorted list of département codes."""
    deps = departements()
    out: set[str] = set()
    for t in territories:
        t = str(t).strip()
        if t.lower() in ("all", "france", "fr"):
            out.update(deps.index)
        elif t.upper().startswith("R") and normalise_reg(t[1:]) in regions().index:
            out.update(deps.index[deps["reg"] == normalise_reg(t[1:])])
        elif normalise_dep(t) in deps.index:
            out.add(normalise_dep(t))
        elif normalise_reg(t) in regions().index:
            out.update(deps.index[deps["reg"] == normalise_reg(t)])
        else:
            raise KeyError(t)
    return sorted(out, key=dep_sort_key)


def dep_sort_key(code: str) -> tuple[int, str]:
    """Official order: 01…19, 2A, 2B, 21…95, 971…976."""
    if code in ("2A", "2B"):
        return (20, code)
    return (int(code), "") if code.isdigit() else (10**6, code)
