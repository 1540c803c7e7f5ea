"""Forecasts feed the twin: a what-if that starts from the expected coming season.

The simulation draws ED walk-in arrivals of each département from
``TerritorySpec.ed_demand_per_day`` (days x 5 age classes), built from the historical SurSaUD
series, times an optional ``demand_multiplier`` handed to
:func:`twin.sim.replication.run_replication`. :func:`forecast_demand_multiplier` computes
that multiplier from a forecast made at an origin, so a scenario with ``demand: forecast``
simulates the demand an analyst would have expected on that day rather than last year's.

**What the multiplier is (stated).** ``ed_demand_per_day`` holds the *walk-in* share of ED
passages only: the network removes the share brought by the SAMU
(``ModelParameters.samu_ambulance_share_of_ed``, 10 % by default, recorded in the
network), which the simulation generates from
SAMU calls instead. The forecast is of *all* passages (SurSaUD ``nbre_pass_tot``). So the
multiplier compares like with like::

    multiplier[d, a] = forecast[d, a] / (ed_demand_per_day[d, a] / (1 − SAMU share))

i.e. ``multiplier × ed_demand_per_day = (1 − SAMU share) × forecast``: walk-ins follow the
forecast, and a forecast equal to the history gives a multiplier of exactly 1. (SAMU calls
keep their own calibrated curve.) Where the baseline is 0 (a day with no passage of an age
class in a small département) no multiplier can reproduce the forecast; it is set to 1 and
the forecast of that cell is lost to the simulation — :func:`demand_multiplier` returns the
share lost so a caller can warn.

**Quantiles.** The forecast is per (département, age class, day) at the requested quantile
(0.025, 0.1, 0.5, 0.9 or 0.975). A high quantile stresses every cell at once, so the
département's daily total is more extreme than its own 90 % quantile: that is what a stress
test wants, and is stated here rather than hidden.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecasting.demand import AGE_CLASSES, expected_daily_passages

if TYPE_CHECKING:
    from distributed import Client

    from twin.network import CareNetwork


def forecast_passages(
    network: CareNetwork,
    origin: date,
    quantile: float = 0.5,
    *,
    seed: int = 0,
    method: str = "prophet",
    folder: str | Path | None = None,
    client: Client | None = None,
) -> dict[str, np.ndarray]:
    """Forecast all-cause ED passages, ``{dep: (network.days, 5)}``, for the network's days.

    Only SurSaUD data strictly before ``origin`` is used; the forecast runs from ``origin``
    through the last simulated day and the network's days are kept. ``origin`` must not be
    after ``network.start`` (the forecast would then use data from inside the simulated
    period). Reads the SurSaUD file of ``folder`` (default: the embedded one).
    """
    origin = _as_date(origin)
    if origin > network.start:
        raise ValueError(f"forecast origin {origin} is after the simulation start "
                         f"{network.start}: the forecast would use data from the simulated days")
    lead = (network.start - origin).days
    table = expected_daily_passages(list(network.deps), origin.isoformat(), lead + network.days,
                                    quantile, method=method, seed=seed, folder=folder,
                                    client=client)
    days = pd.date_range(network.start, periods=network.days, freq="D")
    out = {}
    for dep, grp in table.groupby("dep", sort=False):
        wide = grp.pivot(index="date", columns="age_class", values="passages")
        out[str(dep)] = wide.reindex(index=days, columns=list(AGE_CLASSES)).to_numpy(float)
    return out


def demand_multiplier(
    network: CareNetwork,
    passages: Mapping[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Multipliers turning the network's walk-in baseline into the forecast (pure).

    ``passages``: ``{dep: (days, 5)}`` all-cause ED passages. Returns the multipliers and,
    per département, the share of the forecast that a zero baseline makes unreachable
    (see the module docstring).
    """
    walk_in = 1.0 - network.parameters.samu_ambulance_share_of_ed
    mult, lost = {}, {}
    for t in network.territories:
        fc = np.asarray(passages[t.dep], dtype=float)
        # The network's demand is at SAE level; SurSaUD forecasts are at OSCOUR level
        # (about 86 % of SAE): bring the baseline back to the forecast's level.
        base = np.asarray(t.ed_demand_per_day, dtype=float) / walk_in / t.passages_scale
        if fc.shape != base.shape:
            raise ValueError(f"forecast for {t.dep} has shape {fc.shape}, the network's "
                             f"baseline {base.shape}")
        if not np.isfinite(fc).all():
            raise ValueError(f"forecast for {t.dep} has missing days")
        ok = base > 0
        mult[t.dep] = np.where(ok, fc / np.where(ok, base, 1.0), 1.0)
        total = fc.sum()
        lost[t.dep] = float(fc[~ok].sum() / total) if total > 0 else 0.0
    return mult, lost


def forecast_demand_multiplier(
    network: CareNetwork,
    origin: date,
    quantile: float = 0.5,
    *,
    seed: int = 0,
    method: str = "prophet",
    folder: str | Path | None = None,
    client: Client | None = None,
) -> dict[str, np.ndarray]:
    """Per département of ``network``, a ``(network.days, 5)`` demand multiplier from a
    forecast made at ``origin``, for ``run_replication(..., demand_multiplier=...)``.

    ``forecast ED passages (day, age class, at quantile) / baseline passages`` where the
    baseline is ``TerritorySpec.ed_demand_per_day`` scaled back to all passages (see the
    module docstring: multiplied back, ``multiplier × ed_demand_per_day`` is the walk-in
    share of the forecast). ``method`` defaults to Prophet (``ets``, ``naive`` and
    ``seasonal_naive`` are cheaper); short histories fall back to a baseline with a
    :class:`~forecasting.engine.ShortSeriesWarning`. Same ``seed`` → same multipliers,
    whatever the départements asked for alongside.
    """
    passages = forecast_passages(network, origin, quantile, seed=seed, method=method,
                                 folder=folder, client=client)
    mult, lost = demand_multiplier(network, passages)
    worst = max(lost.items(), key=lambda kv: kv[1], default=("", 0.0))
    if worst[1] > 0.005:
        warnings.warn(f"département {worst[0]}: {100 * worst[1]:.1f} % of the forecast falls "
                      "on days and age classes with no baseline demand and cannot be "
                      "simulated", UserWarning, stacklevel=2)
    return mult


def _as_date(value: object) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value.date() if hasattr(value, "hour") else value
    return date.fromisoformat(str(value))
