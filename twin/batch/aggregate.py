"""A replication's establishment-level Dataset → the store's département figures (pure).

Runs on the worker, so that only a small ``(variables, départements, days)`` float32 array
travels back to the single writer. Additive establishment variables are summed per
département (:func:`twin.sim.replication.by_territory`); the SAMU/SMUR variables already are
per département; ED length-of-stay shares are pooled over the département's EDs weighting
each ED's daily share by its passages (the share of all the département's patients, not a
mean of shares); occupancy rates are the ratio of the summed occupied and open beds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.aggregation import ratio, weighted_parts
from twin.batch.variables import STORE_VARIABLES
from twin.output_registry import Ratio, Sum, Weighted
from twin.sim.replication import by_territory


def department_values(ds: xr.Dataset, deps: tuple[str, ...], dates: pd.DatetimeIndex) -> np.ndarray:
    """``(len(STORE_VARIABLES), len(deps), len(dates))`` float32 array in store order.

    Raises ``ValueError`` when the Dataset's days are not ``dates`` (a task computed for
    another period than its store's).
    """
    got = pd.DatetimeIndex(ds["date"].values).astype("datetime64[ns]")
    if not got.equals(dates):
        raise ValueError(
            f"replication dates {got[0].date()}..{got[-1].date()} ({len(got)} days) differ "
            f"from the store's {dates[0].date()}..{dates[-1].date()} ({len(dates)} days)"
        )
    summed = by_territory(ds, "dep").reindex(dep=list(deps), fill_value=0.0)
    territory = ds.reindex(territory=list(deps))
    out = np.full((len(STORE_VARIABLES), len(deps), len(dates)), np.nan, dtype=np.float64)
    for k, v in enumerate(STORE_VARIABLES):
        a = v.aggregation
        if v.level == "departement":
            values = territory[v.name].transpose("territory", "date").to_numpy()
        elif isinstance(a, Sum):
            values = summed[v.name].transpose("dep", "date").to_numpy()
        elif isinstance(a, Weighted):
            pooled = pooled_by(ds[v.name], ds[a.by], "dep").reindex(dep=list(deps))
            values = pooled.transpose("dep", "date").to_numpy()
        elif isinstance(a, Ratio):
            values = ratio(
                summed[a.num].transpose("dep", "date").to_numpy(),
                summed[a.den].transpose("dep", "date").to_numpy(),
            )
        else:
            raise ValueError(f"{v.name}: a quantile cannot be summed to a département")
        out[k] = values
    return out.astype(np.float32)


def pooled_by(x: xr.DataArray, weight: xr.DataArray, group: str) -> xr.DataArray:
    """Mean of ``x`` weighted by ``weight`` over the members of each ``group`` (a coordinate:
    establishments to ``dep``, départements to ``reg``), e.g. the passage-weighted ED share;
    NaN where the group has no weight (a day without ED stays)."""
    xw, w = weighted_parts(x.values, weight.transpose(*x.dims).values)
    num = x.copy(data=xw).groupby(group).sum()
    den = x.copy(data=w).groupby(group).sum()
    return den.copy(data=ratio(num.values, den.values))
