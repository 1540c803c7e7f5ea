"""National capacity picture by région, straight from the loaders' tidy tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from twin.geography import dep_to_reg, regions
from twin.sources import insee, sae

SUMMARY_COLUMNS = {
    "population": "Population",
    "ed_passages": "Passages urg.",
    "ed_units": "Services urg.",
    "mco_beds": "Lits MCO",
    "icu_adult_beds": "Lits réa adultes",
}


def national_summary(
    year: int = 2023, sae_folder: Path | None = None, insee_folder: Path | None = None
) -> pd.DataFrame:
    """One row per région (official code, sorted) plus a ``France`` total row last.

    The population is taken on 1 January of ``year`` (or the latest year available).
    """
    pop = insee.load_population(folder=insee_folder)
    pop_year = year if year in set(pop["year"]) else int(pop["year"].max())
    pop = pop[pop["year"] == pop_year]
    reg_of = regions()
    d2r = dep_to_reg()
    population = pop.groupby(pop["dep"].map(d2r))["population"].sum()

    ed = sae.load_ed_units(year, folder=sae_folder)
    ed_passages = ed.groupby("reg")["passages"].sum()
    ed_units = ed[ed["passages"] > 0].groupby("reg").size()
    mco = sae.load_mco(year, folder=sae_folder)
    mco_beds = mco.groupby("reg")["beds"].sum()
    cc = sae.load_critical_care(year, folder=sae_folder)
    icu = cc[cc["unit_code"] == "REAADU"].groupby("reg")["beds"].sum()

    table = pd.DataFrame(
        {
            "population": population,
            "ed_passages": ed_passages,
            "ed_units": ed_units,
            "mco_beds": mco_beds,
            "icu_adult_beds": icu,
        }
    ).reindex(reg_of.index)
    table = table.fillna(0).astype("int64")
    table.insert(0, "nom", reg_of["nom"])
    total = table.drop(columns="nom").sum()
    table.loc["FR"] = ["France", *total.to_list()]
    table.index.name = "reg"
    table.attrs["year"] = year
    table.attrs["population_year"] = pop_year
    return table


def _fr(n: int) -> str:
    """French thousands separator (narrow no-break space)."""
    return f"{n:,}".replace(",", "\u202f")


def format_summary(table: pd.DataFrame) -> str:
    year = table.attrs.get("year")
    pop_year = table.attrs.get("population_year")
    head = (
        f"Capacités et activité par région — SAE {year}, population INSEE au 1er janvier {pop_year}"
    )
    cols = list(SUMMARY_COLUMNS)
    widths = {c: max(len(SUMMARY_COLUMNS[c]), *(len(_fr(v)) for v in table[c])) for c in cols}
    name_w = max(len("Région"), *(len(n) for n in table["nom"]))
    lines = [head, ""]
    lines.append(
        f"{'Code':<4} {'Région':<{name_w}} "
        + " ".join(f"{SUMMARY_COLUMNS[c]:>{widths[c]}}" for c in cols)
    )
    for code, row in table.iterrows():
        if code == "FR":
            lines.append("-" * len(lines[-1]))
        lines.append(
            f"{code:<4} {row['nom']:<{name_w}} "
            + " ".join(f"{_fr(int(row[c])):>{widths[c]}}" for c in cols)
        )
    return "\n".join(lines)
