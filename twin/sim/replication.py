"""One replication: a pure function of a calibrated network and a seed, returning a Dataset.

``run_replication(network, seed)`` builds the SimPy/Mesa simulation
(:mod:`twin.sim.pathway`), runs it for ``network.days`` days, and returns an
``xarray.Dataset`` of daily indicators per establishment and per département, with units and
descriptions in each variable's attrs. The first ``warmup_days`` days are simulated but
dropped from the outputs. Nothing is read from or written to disk, no global random state
is touched: the same inputs give an identical Dataset on any machine or worker.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import version

import numpy as np
import xarray as xr

from twin.network import DISCIPLINES, CareNetwork
from twin.output_registry import OUTPUTS, summable_at
from twin.sim import pathway as pw
from twin.sim import pathway_reference
from twin.sim.clock import HOURS_PER_DAY, TIME_UNIT, day_dates
from twin.sim.interventions import Interventions
from twin.sim.resources import PeriodicRecorder


def run_replication(
    network: CareNetwork,
    seed: np.random.SeedSequence | int,
    *,
    warmup_days: int = 0,
    policy: pw.Policy | None = None,
    demand_multiplier: dict[str, np.ndarray] | None = None,
    initial_occupancy: str | dict[tuple[str, str], int] = "sae",
    episodes: bool = False,
    interventions: Interventions | None = None,
    reference: bool = False,
) -> xr.Dataset:
    """Simulate ``network`` once; ``warmup_days`` (≤ network.days) are excluded from outputs.

    ``demand_multiplier`` maps a département code to a (days, 5) array scaling its ED
    demand per day and age class (epidemic waves, heatwaves); ``initial_occupancy`` is
    ``"sae"`` (typical occupancy from SAE), ``"empty"``, or explicit occupied beds per
    (FINESS, ward) with ward in ``medicine``/``surgery``/``obstetrics``/``icu``/``ssr``.
    With ``episodes=True`` the Dataset carries a flat ED episode log (dimension
    ``episode``) for drill-down. ``interventions`` change capacities and close EDs in time
    windows (:mod:`twin.sim.interventions`); the patients drawn do not depend on them.
    ``reference=True`` runs the per-patient-process model the fast one is checked against
    (:mod:`twin.sim.pathway_reference`), same inputs and outputs.
    """
    if isinstance(seed, int):
        seed = np.random.SeedSequence(seed)
    if not 0 <= warmup_days < network.days:
        raise ValueError(f"warmup_days must be in [0, {network.days}), got {warmup_days}")
    model = pathway_reference.Simulation if reference else pw.Simulation
    sim = model(
        network, seed, policy, demand_multiplier, initial_occupancy, interventions
    )
    pools = (
        [("mco", e.index, d, r) for e in sim.ests for d, r in e.wards.items()]
        + [("icu", e.index, None, e.icu) for e in sim.ests if e.icu is not None]
        + [("ssr", e.index, None, e.ssr) for e in sim.ests if e.ssr is not None]
        + [("ed", u.est, None, u.places) for u in sim.eds]
    )
    recorder = PeriodicRecorder(
        sim.env, [r for *_, r in pools], period_hours=HOURS_PER_DAY, start_hours=0.0
    )
    sim.run()
    ds = _assemble(sim, recorder, pools, episodes)
    ds = ds.isel(date=slice(warmup_days, None))
    ds.attrs.update(
        {
            "time_unit": TIME_UNIT,
            "start": str(network.start + timedelta(days=warmup_days)),
            "simulated_from": str(network.start),
            "warmup_days": warmup_days,
            "seed_entropy": str(seed.entropy),
            "seed_spawn_key": str(tuple(seed.spawn_key)),
            "source_year": network.source_year,
            "versions": f"simpy {version('simpy')}; mesa {version('mesa')}; numpy {np.__version__}",
        }
    )
    return ds


def _daily_quantiles(t: np.ndarray, x: np.ndarray, days: int, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of ``x`` per day of ``t`` (hours); NaN for days without observations."""
    out = np.full((len(qs), days), np.nan)
    if t.size == 0:
        return out
    day = np.minimum((t // HOURS_PER_DAY).astype(np.int64), days - 1)
    order = np.argsort(day, kind="stable")
    day, x = day[order], x[order]
    bounds = np.searchsorted(day, np.arange(days + 1))
    for k in range(days):
        a, b = bounds[k], bounds[k + 1]
        if b > a:
            out[:, k] = np.quantile(x[a:b], qs)
    return out


def _daily_mean(t: np.ndarray, x: np.ndarray, days: int) -> np.ndarray:
    """Mean of ``x`` per day of ``t`` (hours), a share for a boolean ``x``; NaN for days
    without observations."""
    day = np.minimum((t // HOURS_PER_DAY).astype(np.int64), days - 1)
    n = np.bincount(day, minlength=days).astype(float)
    k = np.bincount(day, weights=x.astype(float), minlength=days)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, k / n, np.nan)


_POOL_OUTPUTS: dict[str, dict[str, str]] = {
    "mco": {
        "mco_occupied_mean": "mean_in_service",
        "mco_occupied_peak": "peak_in_service",
        "mco_capacity": "mean_capacity",
    },
    "icu": {
        "icu_occupied_mean": "mean_in_service",
        "icu_occupied_peak": "peak_in_service",
        "icu_capacity": "mean_capacity",
    },
    "ssr": {"ssr_occupied_mean": "mean_in_service"},
}
"""Bed outputs (0 without such beds) read from the daily recorder of each pool, summed over
an establishment's pools of the kind; the ED occupancy (NaN without an ED) is apart."""


def _assemble(sim, recorder, pools, episodes) -> xr.Dataset:
    net = sim.net
    days = sim.days
    n_est = len(sim.ests)
    est_ids = [e.spec.finess for e in sim.ests]
    dates = day_dates(days, net.start)
    arrays = recorder.arrays()
    data: dict[str, np.ndarray] = {
        o.name: np.full((n_est, days), np.nan)
        for o in OUTPUTS
        if o.simulated and o.dims == ("establishment", "date")
    }
    for outputs in _POOL_OUTPUTS.values():
        for k in outputs:
            data[k][:] = 0.0
    mco_by_disc = np.zeros((n_est, len(DISCIPLINES), days))
    for j, (kind, est_i, disc, _) in enumerate(pools):
        if kind == "ed":
            occ = arrays["mean_in_service"][j] + arrays["mean_waiting"][j]
            prev = data["ed_occupancy_mean"][est_i]
            data["ed_occupancy_mean"][est_i] = np.where(np.isnan(prev), 0.0, prev) + occ
            continue
        for k, field in _POOL_OUTPUTS[kind].items():
            data[k][est_i] += arrays[field][j]
        if kind == "mco":
            mco_by_disc[est_i, DISCIPLINES.index(disc)] = arrays["mean_in_service"][j]
    episode_parts = []
    units_of: dict[int, list] = {}
    for u in sim.eds:
        units_of.setdefault(u.est, []).append(u)
    for i, units in units_of.items():
        # Establishment-level figures pool all its ED units (general and paediatric).
        rec = np.concatenate(
            [np.frombuffer(u.rec, dtype=np.float64).reshape(-1, pw.EPISODE_FIELDS) for u in units]
        )
        t_arr, wait, los = rec[:, 0], rec[:, 1], rec[:, 2]
        data["ed_passages"][i] = np.sum([u.arrivals_by_day for u in units], axis=0)
        q = _daily_quantiles(t_arr, wait * 60.0, days, (0.5, 0.9))
        data["ed_wait_first_contact_median"][i], data["ed_wait_first_contact_p90"][i] = q
        data["ed_los_median"][i] = _daily_quantiles(t_arr, los, days, (0.5,))[0]
        data["ed_los_over_4h_share"][i] = _daily_mean(t_arr, los > 4.0, days)
        data["ed_los_over_8h_share"][i] = _daily_mean(t_arr, los > 8.0, days)
        if episodes:
            episode_parts.append((i, rec))
    for e in sim.ests:
        for name, daily in e.counters.items():
            data[name][e.index] = daily
    coords = {
        "establishment": est_ids,
        "date": dates,
        "discipline": list(DISCIPLINES),
        "dep": ("establishment", [e.spec.dep for e in sim.ests]),
        "reg": ("establishment", [e.spec.reg for e in sim.ests]),
        "name": ("establishment", [e.spec.name for e in sim.ests]),
        "territory": [t.dep for t in net.territories],
    }
    ds = xr.Dataset(
        {k: (("establishment", "date"), v) for k, v in data.items()},
        coords=coords,
    )
    ds["mco_occupied_by_discipline"] = (("establishment", "discipline", "date"), mco_by_disc)
    beds = np.array(
        [[e.spec.wards[d].beds if d in e.spec.wards else 0 for d in DISCIPLINES] for e in sim.ests]
    )
    ds["mco_beds"] = (("establishment", "discipline"), beds.astype(float))
    ds["icu_beds"] = (
        ("establishment",),
        np.array([e.spec.icu.beds if e.spec.icu else 0 for e in sim.ests], float),
    )
    ds["ed_in_system_end"] = (("establishment",), _ed_in_system(sim, n_est))
    # département-level SAMU / SMUR
    n_dep = len(net.territories)
    dep_vars = dict(sim.dep_counters)
    answer_mean = np.full((n_dep, days), np.nan)
    answer_p90 = np.full((n_dep, days), np.nan)
    smur_med = np.full((n_dep, days), np.nan)
    for d in range(n_dep):
        r = np.frombuffer(sim.samu_rec[d], dtype=np.float64).reshape(-1, 2)
        if len(r):
            answer_p90[d] = _daily_quantiles(r[:, 0], r[:, 1] * 3600.0, days, (0.9,))[0]
            answer_mean[d] = _daily_mean(r[:, 0], r[:, 1], days) * 3600.0
        s = np.frombuffer(sim.smur_rec[d], dtype=np.float64).reshape(-1, 2)
        if len(s):
            smur_med[d] = _daily_quantiles(s[:, 0], s[:, 1] * 60.0, days, (0.5,))[0]
    dep_vars.update(
        samu_answer_time_mean=answer_mean,
        samu_answer_time_p90=answer_p90,
        smur_response_median=smur_med,
    )
    for k, v in dep_vars.items():
        ds[k] = (("territory", "date"), v)
    for o in OUTPUTS:
        if o.simulated:
            ds[o.name].attrs.update(units=o.units, description=o.description)
    if episodes and episode_parts:
        est_idx = np.concatenate([np.full(len(r), i) for i, r in episode_parts])
        rec = np.concatenate([r for _, r in episode_parts])
        ds = ds.assign(
            episode_establishment=("episode", np.asarray(est_ids)[est_idx]),
            episode_arrival_hours=("episode", rec[:, 0]),
            episode_wait_hours=("episode", rec[:, 1]),
            episode_los_hours=("episode", rec[:, 2]),
            episode_boarding_hours=("episode", rec[:, 3]),
            episode_disposition=("episode", rec[:, 4].astype(np.int8)),
            episode_arrival_mode=("episode", rec[:, 5].astype(np.int8)),
        )
        ds["episode_arrival_mode"].attrs["flag_meanings"] = "self_presentation samu_transport smur"
        ds["episode_disposition"].attrs["flag_meanings"] = (
            "home uhcd transfer_out admit_ward admit_icu"
        )
    return ds


def _ed_in_system(sim, n_est: int) -> np.ndarray:
    out = np.zeros(n_est)
    for u in sim.eds:
        out[u.est] += u.in_ed
    return out


def by_territory(ds: xr.Dataset, level: str = "dep") -> xr.Dataset:
    """Sum establishment-level counts and bed occupancies to ``dep`` or ``reg``.

    Only the outputs the registry declares summable are summed: quantiles (medians, p90)
    cannot be pooled, and shares need weights (see :func:`twin.batch.aggregate`); use the
    episode log for pooled quantiles at a territorial level.
    """
    summable = [k for k in summable_at("establishment") if k in ds.data_vars]
    return ds[summable].groupby(level).sum()
