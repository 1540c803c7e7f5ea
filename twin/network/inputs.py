"""The input side of the care network: the tidy tables it is calibrated from, read from the
embedded data (SAE, SurSaUD, INSEE population, département geometry). All the I/O of
:mod:`twin.network` is here; :mod:`twin.network.calibrate` is pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache

import numpy as np
import pandas as pd
from shapely.geometry import shape

from twin.geography import departements
from twin.paths import synthetic_dir
from twin.sources import insee, sae, sursaud


@dataclass(frozen=True)
class SaeTables:
    """The SAE tables of a territory: its establishments and their capacities, without any
    demand series (what a scenario file is checked against: :func:`load_sae_tables`)."""

    year: int
    establishments: pd.DataFrame
    ed_units: pd.DataFrame
    mco: pd.DataFrame
    critical_care: pd.DataFrame
    ssr: pd.DataFrame
    samu_smur: pd.DataFrame


@dataclass(frozen=True)
class NetworkInputs(SaeTables):
    """The tidy tables a network is calibrated from (see :func:`load_inputs`): the SAE tables
    plus population, the daily SurSaUD ED series (most of the reading time) and geometry."""

    population: pd.DataFrame
    ed_daily: pd.DataFrame
    geo: pd.DataFrame


def _keep(df: pd.DataFrame, deps: list[str]) -> pd.DataFrame:
    return df[df["dep"].isin(deps)].reset_index(drop=True)


def with_calls_estimate(samu_smur: pd.DataFrame) -> pd.DataFrame:
    """``samu_smur`` (the national SAE SAMU/SMUR table) plus ``calls_answered_estimate`` and
    its ``calls_answered_source``.

    A few SAMU centres leave answered calls (``APD``) empty, or write 0, while reporting calls
    received (``APP``) or regulation files (``DR``): in SAE 2023 Ariège, Haute-Corse and
    Loir-et-Cher (empty); Haute-Corse writes 0 in 2020, 2021 and 2024 with over 40,000
    regulation files. Summed as they are, their département would get no calls beyond the
    patients the SAE passages imply (Haute-Corse: 15 calls a day instead of about 170), so
    the estimate takes the other reported figure times the national ratio of answered calls
    to it, over the centres reporting both (received first, regulation files next). The
    reported ``calls_answered`` is left as it is: validation compares with what SAE says,
    never with an estimate."""
    out = samu_smur.copy()
    answered = out["calls_answered"]
    other_activity = (out["calls_received"].fillna(0) > 0) | (out["regulation_files"].fillna(0) > 0)
    usable = answered.notna() & ~((answered == 0) & other_activity)
    estimate = answered.where(usable).astype(float)
    source = pd.Series(np.where(usable, "reported", "missing"), index=out.index)
    for column, label in (("calls_received", "calls received"),
                          ("regulation_files", "regulation files")):
        reported = out[column].notna() & (out[column] > 0)
        both = usable & reported
        ratio = answered[both].sum() / out.loc[both, column].sum() if both.any() else np.nan
        fill = estimate.isna() & reported & np.isfinite(ratio)
        estimate[fill] = out.loc[fill, column] * ratio
        source[fill] = f"{label} × national ratio {ratio:.3f}"
    out["calls_answered_estimate"] = estimate
    out["calls_answered_source"] = source
    return out


def load_sae_tables(year: int, deps: list[str] | None = None) -> SaeTables:
    """Read the SAE tables of ``deps`` for ``year`` from the embedded data (I/O here)."""
    deps = deps or list(departements().index)
    return SaeTables(
        year=year,
        establishments=_keep(sae.load_establishments(year), deps),
        ed_units=_keep(sae.load_ed_units(year), deps),
        mco=_keep(sae.load_mco(year), deps),
        critical_care=_keep(sae.load_critical_care(year), deps),
        ssr=_keep(sae.load_ssr(year), deps),
        samu_smur=_keep(with_calls_estimate(sae.load_samu_smur(year)), deps),
    )


def load_inputs(
    year: int, deps: list[str] | None = None, sae_tables: SaeTables | None = None
) -> NetworkInputs:
    """Read every table the network needs for ``year`` from the embedded data (I/O here);
    ``sae_tables``: those of the same year and départements, already read."""
    deps = deps or list(departements().index)
    tables = sae_tables or load_sae_tables(year, deps)
    pop = insee.load_population()
    pop_year = year if year in set(pop["year"]) else int(pop["year"].max())
    daily = sursaud.load_ed_daily()
    return NetworkInputs(
        **{f.name: getattr(tables, f.name) for f in fields(SaeTables)},
        population=_keep(pop[pop["year"] == pop_year], deps),
        ed_daily=_keep(daily, deps),
        geo=dep_geometry(),
    )


@cache
def dep_geometry() -> pd.DataFrame:
    """Centroid (lon, lat) and area (km²) of each département from the embedded web map."""
    path = synthetic_dir() / "geo" / "departements.geojson"
    rows = []
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geom = shape(f["geometry"])
        c = geom.centroid
        km_per_deg_lat = 111.2
        km_per_deg_lon = 111.2 * np.cos(np.radians(c.y))
        rows.append(
            (f["properties"]["code"], c.x, c.y, geom.area * km_per_deg_lat * km_per_deg_lon)
        )
    return pd.DataFrame(rows, columns=["dep", "lon", "lat", "area_km2"]).set_index("dep")
