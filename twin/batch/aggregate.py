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
            values = _pooled(ds[v.name], ds[a.by], deps)
        elif isinstance(a, Ratio):
            values = ratio(
                summed[a.num].transpose("dep", "date").to_numpy(),
                summed[a.den].transpose("dep", "date").to_numpy(),
            )
        else:
            raise ValueError(f"{v.name}: a quantile cannot be summed to a département")
        out[k] = values
    return out.astype(np.float32)


def _pooled(x: xr.DataArray, weight: xr.DataArray, deps: tuple[str, ...]) -> np.ndarray:
    """Weighted mean per département and day, e.g. the passage-weighted ED share (NaN on a
    day without ED stays)."""
    xw, w = weighted_parts(x.values, weight.transpose(*x.dims).values)
    num = x.copy(data=xw).groupby("dep").sum().reindex(dep=list(deps), fill_value=0.0)
    den = x.copy(data=w).groupby("dep").sum().reindex(dep=list(deps), fill_value=0.0)
    return ratio(num.transpose("dep", "date").to_numpy(), den.transpose("dep", "date").to_numpy())
