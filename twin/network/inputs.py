"""The input side of the care network: the tidy tables it is calibrated from, read from the
embedded data (SAE, SurSaUD, INSEE population, département geometry). All the I/O of
:mod:`twin.network` is here; :mod:`twin.network.calibrate` is pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import shape

from twin.geography import departements
from twin.paths import synthetic_dir
from twin.sources import insee, sae, sursaud


@dataclass(frozen=True)
class NetworkInputs:
    """The tidy tables a network is calibrated from (see :func:`load_inputs`)."""

    year: int
    establishments: pd.DataFrame
    ed_units: pd.DataFrame
    mco: pd.DataFrame
    critical_care: pd.DataFrame
    ssr: pd.DataFrame
    samu_smur: pd.DataFrame
    population: pd.DataFrame
    ed_daily: pd.DataFrame
    geo: pd.DataFrame


def load_inputs(year: int, deps: list[str] | None = None) -> NetworkInputs:
    """Read every table the network needs for ``year`` from the embedded data (I/O here)."""
    deps = deps or list(departements().index)

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["dep"].isin(deps)].reset_index(drop=True)

    pop = insee.load_population()
    pop_year = year if year in set(pop["year"]) else int(pop["year"].max())
    daily = sursaud.load_ed_daily()
    return NetworkInputs(
        year=year,
        establishments=keep(sae.load_establishments(year)),
        ed_units=keep(sae.load_ed_units(year)),
        mco=keep(sae.load_mco(year)),
        critical_care=keep(sae.load_critical_care(year)),
        ssr=keep(sae.load_ssr(year)),
        samu_smur=keep(sae.load_samu_smur(year)),
        population=keep(pop[pop["year"] == pop_year]),
        ed_daily=keep(daily),
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


def default_network_path() -> Path:
    """The folder of the embedded data the network is read from."""
    return synthetic_dir()
