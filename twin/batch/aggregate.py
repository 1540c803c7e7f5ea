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

from twin.batch.variables import RATIOS, STORE_VARIABLES
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
    passages = ds["ed_passages"]
    out = np.full((len(STORE_VARIABLES), len(deps), len(dates)), np.nan, dtype=np.float64)
    for k, v in enumerate(STORE_VARIABLES):
        if v.how == "sum":
            values = summed[v.name].transpose("dep", "date").to_numpy()
        elif v.how == "dep":
            values = territory[v.name].transpose("territory", "date").to_numpy()
        elif v.how == "pooled":
            values = _pooled_share(ds[v.name], passages, deps)
        else:  # ratio
            num, den = RATIOS[v.name]
            n = summed[num].transpose("dep", "date").to_numpy()
            d = summed[den].transpose("dep", "date").to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(d > 0, n / d, np.nan)
        out[k] = values
    return out.astype(np.float32)


def _pooled_share(share: xr.DataArray, passages: xr.DataArray, deps: tuple[str, ...]):
    """Passage-weighted share per département and day (NaN on a day without ED stays)."""
    ok = share.notnull() & passages.notnull()
    weighted = (share.fillna(0.0) * passages.fillna(0.0)).where(ok, 0.0)
    weight = passages.fillna(0.0).where(ok, 0.0)
    num = weighted.groupby("dep").sum().reindex(dep=list(deps), fill_value=0.0)
    den = weight.groupby("dep").sum().reindex(dep=list(deps), fill_value=0.0)
    n = num.transpose("dep", "date").to_numpy()
    d = den.transpose("dep", "date").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d > 0, n / d, np.nan)
