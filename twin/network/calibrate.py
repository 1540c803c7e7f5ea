"""The territorial care network a replication simulates, calibrated from the embedded data.

A :class:`~twin.network.spec.CareNetwork` is plain, immutable data: the establishments of the chosen
départements (each real ED unit, ward, critical-care unit and follow-up-care unit from SAE),
the territories' demand curves, SAMU and SMUR resources and travel times. It is built once
(:func:`build_network`, pure) from the loaders' tidy tables
(:func:`~twin.network.inputs.load_inputs`, I/O), then
modified by scenarios with :func:`dataclasses.replace` and handed to the simulation.

Direct calibration (every figure comes from the year of data it reproduces):

* ED demand per département, day and age class is the daily SurSaUD series of that year
  (embedded replica: its annual totals equal SAE ``PASSU`` per département exactly), split
  between the département's ED units by raking (iterative proportional fitting) so that each
  unit receives its own SAE ``PASSU`` and each age class the département's SurSaUD total.
  Population by age class is carried so scenarios can scale demand per inhabitant.
* ED disposition shares per unit: admitted to a ward of the same establishment
  (``dtMCO`` + ``dtLS`` + ``dtHAD``), transferred out (``dtEXT``), short-stay unit
  (``SEJ_UHCD``), all divided by ``PASSU``; missing cells take the national share.
* Ward and critical-care beds are SAE ``LIT``; mean length of stay is patient-days over
  full-hospitalisation stays (``JOU``/``SEJHC``, ``JOU``/``SEJ``); admissions not coming from
  the ED are scheduled (weekday electives for surgery and medicine) or unscheduled
  (obstetrics, critical care) so that the total stays match SAE.
* SAMU calls are SAE ``APD`` (answered calls) of the département's SAMU centres; SMUR teams
  scale with SAE primary exits; regulators are staffed to the hourly call load.

Assumptions that no public file gives are the :class:`~twin.network.parameters.ModelParameters`
handed to :func:`build_network`, each declared once with its reason; the network records them.
Travel times use département centroids (no establishment coordinates are public in SAE):
between départements, centroid distance at ``road_speed_kmh`` with a detour factor;
within one, half the square root of its area.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from twin.geography import departements, deps_of
from twin.network.inputs import NetworkInputs, SaeTables
from twin.network.parameters import DEFAULT_PARAMETERS, ModelParameters
from twin.network.spec import (
    AGE_CLASSES,
    Capacities,
    CareNetwork,
    EDSpec,
    EstablishmentSpec,
    SamuCapacity,
    TerritorySpec,
    WardSpec,
)
from twin.profiles import HOUR_OF_DAY_SHARES
from twin.timeunit import HOURS_PER_DAY


def travel_hours(
    deps: list[str], geo: pd.DataFrame, parameters: ModelParameters = DEFAULT_PARAMETERS
) -> tuple[np.ndarray, np.ndarray]:
    """Between-département and within-département road travel times (hours)."""
    detour, speed = parameters.road_detour, parameters.road_speed_kmh
    g = geo.loc[deps]
    lat = np.radians(g["lat"].to_numpy())
    lon = np.radians(g["lon"].to_numpy())
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    km = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    # Mean distance from a random point of a disc of area A to its centre: 0.376 sqrt(A).
    within = 0.376 * np.sqrt(g["area_km2"].to_numpy()) * detour / speed
    hours = km * detour / speed
    np.fill_diagonal(hours, within)
    return hours, within


def _ratio(num: pd.Series, den: pd.Series, default: float) -> pd.Series:
    r = num / den.where(den > 0)
    return r.where(r.notna() & np.isfinite(r), default).clip(0, 1)


def _rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 200) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to row and column totals."""
    m = np.maximum(seed, 1e-12)
    cols = cols * rows.sum() / cols.sum()
    for _ in range(iters):
        m *= (rows / np.maximum(m.sum(axis=1), 1e-12))[:, None]
        m *= (cols / np.maximum(m.sum(axis=0), 1e-12))[None, :]
    return m


def _places_by_hour(
    daily_arrivals: float, treatment_mean_hours: float, target_utilisation: float
) -> tuple[int, ...]:
    """Treatment places per clock hour sized to the load present in that hour."""
    lam = daily_arrivals * np.asarray(HOUR_OF_DAY_SHARES)  # arrivals per hour
    span = max(1, round(treatment_mean_hours))
    present = np.array([lam[[(h - k) % 24 for k in range(span)]].mean() for h in range(24)])
    load = present * treatment_mean_hours
    return tuple(int(max(1, np.ceil(x / target_utilisation))) for x in load)


def _staff_by_hour(
    calls_per_day: float, minutes: float, target_utilisation: float, minimum: int = 1
) -> tuple[int, ...]:
    """SAMU staff per clock hour sized to the hourly call load."""
    load = calls_per_day * np.asarray(HOUR_OF_DAY_SHARES) * minutes / 60.0
    return tuple(int(max(minimum, np.ceil(x / target_utilisation))) for x in load)


def _age_population(pop: pd.DataFrame, dep: str) -> np.ndarray:
    """INSEE bands (0-19, 20-39, 40-59, 60-74, 75+) apportioned to SurSaUD age classes,
    assuming a uniform spread within each band (a stated approximation)."""
    p = pop[pop["dep"] == dep].groupby("age_band")["population"].sum()
    b = {k: float(p.get(k, 0.0)) for k in ("0-19", "20-39", "40-59", "60-74", "75+")}
    a = b["0-19"] * 15 / 20
    bb = b["0-19"] * 5 / 20 + b["20-39"] + b["40-59"] * 5 / 20
    c = b["40-59"] * 15 / 20 + b["60-74"] * 5 / 15
    d = b["60-74"] * 10 / 15
    return np.array([a, bb, c, d, b["75+"]])


def _ed_table(ed: pd.DataFrame) -> pd.DataFrame:
    """The ED units with their admission, transfer and short-stay shares of passages
    (missing cells take the national share of the tables given)."""
    # SAE "admissions" (dtHOSP, or dtMCO+dtLS+dtHAD+dtEXT where dtHOSP is empty) includes
    # transfers to another establishment (dtEXT), which the model handles separately.
    admitted = (ed["admissions"] - ed["transfers_out"].fillna(0)).clip(lower=0)
    nat_admit = float(admitted.sum() / ed["passages"].sum())
    nat_transfer = float(ed["transfers_out"].sum() / ed["passages"].sum())
    nat_uhcd = float(ed["uhcd_stays"].sum() / ed["passages"].sum())
    return ed.assign(
        admit_share=_ratio(admitted, ed["passages"], nat_admit),
        transfer_share=_ratio(ed["transfers_out"], ed["passages"], nat_transfer),
        uhcd_share=_ratio(ed["uhcd_stays"], ed["passages"], nat_uhcd),
    )


def _units_of(ed: pd.DataFrame, dep: str) -> pd.DataFrame:
    """The département's ED units with passages, in table order."""
    return ed[(ed["dep"] == dep) & (ed["passages"] > 0)].reset_index(drop=True)


def _samu_capacity(ss: pd.DataFrame, units: pd.DataFrame, p: ModelParameters) -> SamuCapacity:
    """SAMU and SMUR of a département (``ss``: its SAE SAMU/SMUR rows)."""
    calls_year = float(ss["calls_answered_estimate"].sum()) if len(ss) else 0.0
    n_bases = int(ss["has_smur"].fillna(False).astype(bool).sum()) if len(ss) else 0
    total_ed_year = float(units["passages"].sum()) if len(units) else 0.0
    smur_year = float(ss["primary_road"].sum()) if len(ss) else 0.0
    # SAE passages include patients brought by the SAMU's ambulances and SMUR teams.
    ambulance_year = max(p.samu_ambulance_share_of_ed * total_ed_year - smur_year, 0.0)
    calls_year = max(calls_year, ambulance_year + smur_year, 1.0)
    doctor_share = float(ss["medical_regulation_files"].sum()) / calls_year if len(ss) else 0.5
    return SamuCapacity(
        calls_year=calls_year,
        smur_year=smur_year,
        ambulance_year=ambulance_year,
        doctor_share=doctor_share,
        n_bases=n_bases,
        arm_by_hour=_staff_by_hour(
            calls_year / 365.0 * 1.15,
            p.samu_arm_minutes,
            p.samu_target_utilisation,
            p.samu_min_arm,
        ),
        doctors_by_hour=_staff_by_hour(
            calls_year / 365.0 * 1.15 * doctor_share,
            p.samu_doctor_minutes,
            p.samu_target_utilisation,
        ),
    )


_NOT_CALIBRATED = np.zeros(0)
"""An ED unit's demand share and age mix before the demand series is read (empty)."""


def _ed_spec(u: pd.Series, p: ModelParameters) -> EDSpec:
    """One ED unit from its SAE row, without its share of the demand series."""
    treat_mean = p.ed_treatment_median_hours * np.exp(p.ed_treatment_sigma**2 / 2)
    uhcd_days = u.get("uhcd_days", np.nan)
    uhcd_los = (
        float(uhcd_days / u["uhcd_stays"] * HOURS_PER_DAY)
        if pd.notna(uhcd_days) and u["uhcd_stays"] > 0
        else 18.0
    )
    mean_daily = u["passages"] / 365.0
    return EDSpec(
        unit_type=str(u["unit_type"]),
        annual_passages=float(u["passages"]),
        demand_share=_NOT_CALIBRATED,
        age_mix=_NOT_CALIBRATED,
        admit_share=float(u["admit_share"]),
        transfer_share=float(u["transfer_share"]),
        uhcd_share=float(u["uhcd_share"]),
        uhcd_beds=int(u["uhcd_beds"]) if pd.notna(u["uhcd_beds"]) else 0,
        uhcd_mean_los_hours=float(np.clip(uhcd_los, 2.0, 48.0)),
        treatment_places_by_hour=_places_by_hour(mean_daily, treat_mean, p.ed_target_utilisation),
    )


def build_capacities(
    tables: SaeTables,
    territories: list[str],
    parameters: ModelParameters = DEFAULT_PARAMETERS,
) -> Capacities:
    """The establishments (ED units, wards, critical care, SSR, SMUR teams) and SAMU rosters
    of ``territories`` from the SAE tables alone, sized with ``parameters``: the part of the
    calibration that needs no demand series (a scenario file is checked against it), and the
    first step of :func:`build_network`."""
    p = parameters
    deps = deps_of(territories)
    ed = _ed_table(tables.ed_units)
    samu: dict[str, SamuCapacity] = {}
    ests: dict[str, dict] = {}
    for dep in deps:
        units = _units_of(ed, dep)
        samu[dep] = _samu_capacity(tables.samu_smur[tables.samu_smur["dep"] == dep], units, p)
        for _, u in units.iterrows():
            rec = ests.setdefault(u["finess"], _empty_est(u, dep))
            rec["eds"] += (_ed_spec(u, p),)
    _add_beds(tables, deps, ests, p)
    establishments = tuple(
        EstablishmentSpec(**rec)
        for _, rec in sorted(ests.items())
        if rec["eds"] or rec["wards"] or rec["icu"] or rec["ssr"] or rec["smur_teams"]
    )
    return Capacities(tuple(deps), establishments, samu, p)


def build_network(
    inputs: NetworkInputs,
    territories: list[str],
    start: date,
    days: int,
    parameters: ModelParameters = DEFAULT_PARAMETERS,
) -> CareNetwork:
    """Calibrate the network of ``territories`` (département or région codes, or ``all``)
    for ``days`` days from ``start`` with the model assumptions ``parameters`` (recorded in
    the network): the capacities (:func:`build_capacities`), then the demand. Demand for a
    day outside the data's years repeats the same weekday of the source year (364-day shift),
    keeping weekly and seasonal shape."""
    p = parameters
    capacities = build_capacities(inputs, territories, p)
    deps = list(capacities.deps)
    dep_info = departements()
    hours_matrix, within = travel_hours(deps, inputs.geo, p)
    ed = _ed_table(inputs.ed_units)

    daily = inputs.ed_daily
    day_index = pd.date_range(start, periods=days, freq="D")
    source_days = _source_days(day_index, daily["date"])

    territories_out: list[TerritorySpec] = []
    unit_demand: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    """Per establishment, (demand share, age mix) of each of its ED units, in order."""
    for i, dep in enumerate(deps):
        d = daily[daily["dep"] == dep].pivot_table(
            index="date", columns="age_class", values="passages", aggfunc="sum"
        )
        d = d.reindex(columns=list(AGE_CLASSES)).fillna(0.0)
        units = _units_of(ed, dep)
        # SurSaUD gives the daily shape; the SAE gives the volume. The SurSaUD series follows
        # the real OSCOUR regional series (about 86 % of SAE passages in 2023), so it is
        # scaled to the SAE passages of the département's units for the source year.
        sursaud_year = float(d[d.index.year == inputs.year].to_numpy().sum())
        sae_year = float(units["passages"].sum()) if len(units) else 0.0
        passages_scale = sae_year / sursaud_year if sursaud_year > 0 and sae_year > 0 else 1.0
        d = d * passages_scale
        demand = d.reindex(source_days).to_numpy(dtype=float)
        year_rows = d[d.index.year == inputs.year]
        age_totals = year_rows.sum().to_numpy(dtype=float)
        if len(units):
            seed = np.tile(age_totals / max(age_totals.sum(), 1.0), (len(units), 1))
            child = units["passages_under18"].fillna(0) / units["passages"]
            old = units["passages_over80"].fillna(0) / units["passages"]
            ped = units["unit_type"].eq("PED").to_numpy()
            seed[:, 0] *= np.where(ped, 50.0, 0.5 + child.to_numpy() * 5)
            seed[:, 4] *= 0.5 + old.to_numpy() * 5
            seed[ped, 1:] *= np.array([0.2, 0.01, 0.01, 0.01])
            shares = _rake(seed, units["passages"].to_numpy(float), age_totals)
            shares = shares / np.maximum(shares.sum(axis=0, keepdims=True), 1e-12)
        for k, u in units.iterrows():
            age_mix = shares[k] * age_totals / max(float(shares[k] @ age_totals), 1e-12)
            unit_demand.setdefault(u["finess"], []).append((shares[k].copy(), age_mix))
        # SAMU and SMUR of the département
        s = capacities.samu[dep]
        season = demand.sum(axis=1) / max(year_rows.to_numpy().sum() / max(len(year_rows), 1), 1.0)
        calls_per_day = s.calls_year / 365.0 * season
        territories_out.append(
            TerritorySpec(
                dep=dep,
                reg=str(dep_info.loc[dep, "reg"]),
                population=_age_population(inputs.population, dep),
                ed_demand_per_day=demand * (1.0 - p.samu_ambulance_share_of_ed),
                samu_calls_per_day=calls_per_day,
                samu_ed_transport_share=s.ambulance_year / s.calls_year,
                samu_smur_share=s.smur_year / s.calls_year,
                samu_doctor_share=float(np.clip(s.doctor_share, 0.0, 1.0)),
                arm_by_hour=s.arm_by_hour,
                doctors_by_hour=s.doctors_by_hour,
                travel_hours_within=float(within[i] / np.sqrt(max(s.n_bases, 1))),
                passages_scale=passages_scale,
            )
        )
    establishments = tuple(
        replace(
            e,
            eds=tuple(
                replace(u, demand_share=share, age_mix=mix)
                for u, (share, mix) in zip(e.eds, unit_demand.get(e.finess, []), strict=True)
            ),
        )
        if e.eds
        else e
        for e in capacities.establishments
    )
    return CareNetwork(
        start=start,
        days=days,
        territories=tuple(territories_out),
        establishments=establishments,
        travel_hours=hours_matrix,
        source_year=inputs.year,
        provenance={"sae_year": str(inputs.year), "ed_daily": "SurSaUD (data/synthetic)"},
        parameters=p,
    )


def _source_days(day_index: pd.DatetimeIndex, available: pd.Series) -> pd.DatetimeIndex:
    """Map each simulated day to a day with data: itself if present, else the same weekday
    52 weeks earlier or later, repeatedly."""
    have = set(pd.DatetimeIndex(available.unique()))
    lo, hi = min(have), max(have)
    out = []
    for d in day_index:
        s = d
        while s not in have:
            s = s - timedelta(days=364) if s > hi else s + timedelta(days=364)
            if s < lo - timedelta(days=400) or s > hi + timedelta(days=400):
                raise ValueError(f"no demand data near {d.date()}")
        out.append(s)
    return pd.DatetimeIndex(out)


def _empty_est(row: pd.Series, dep: str) -> dict:
    return {
        "finess": row["finess"],
        "name": str(row.get("name", row["finess"])),
        "dep": dep,
        "reg": str(departements().loc[dep, "reg"]),
        "eds": (),
        "wards": {},
        "icu": None,
        "ssr": None,
        "smur_teams": 0,
        "samu_centre": False,
    }


def _add_beds(
    inputs: SaeTables, deps: list[str], ests: dict[str, dict], p: ModelParameters
) -> None:
    names = inputs.establishments.set_index("finess")["name"].to_dict()
    ed_admits: dict[tuple[str, str], float] = {}
    for finess, rec in ests.items():
        for e in rec["eds"]:
            adm = e.annual_passages * e.admit_share * (1 - p.ed_icu_share_of_admissions)
            for disc, share in p.ed_admission_discipline.items():
                ed_admits[(finess, disc)] = ed_admits.get((finess, disc), 0.0) + adm * share
    mco = inputs.mco[inputs.mco["dep"].isin(deps)]
    for _, r in mco.iterrows():
        beds = int(r["beds"]) if pd.notna(r["beds"]) else 0
        stays = float(r["stays_full"]) if pd.notna(r["stays_full"]) else 0.0
        pdays = float(r["patient_days"]) if pd.notna(r["patient_days"]) else 0.0
        if beds <= 0 or stays <= 0 or pdays <= 0:
            continue
        rec = ests.setdefault(r["finess"], _empty_est(r, r["dep"]))
        rec["name"] = names.get(r["finess"], rec["name"])
        other = max(stays - ed_admits.get((r["finess"], r["discipline"]), 0.0), 0.0)
        scheduled = other / 250.0 if r["discipline"] != "obstetrics" else 0.0
        unscheduled = other / 365.0 if r["discipline"] == "obstetrics" else 0.0
        rec["wards"][r["discipline"]] = WardSpec(
            beds=beds,
            mean_los_hours=pdays / stays * HOURS_PER_DAY,
            scheduled_per_weekday=scheduled,
            unscheduled_per_day=unscheduled,
            typical_occupied=pdays / 365.0,
        )
    cc = inputs.critical_care
    icu = cc[cc["dep"].isin(deps) & (cc["unit_code"] == "REAADU")]
    icu_stays: dict[str, float] = {}
    for finess, rec, spec, stays in _pooled_units(icu, "patient_days", ests, names):
        rec["icu"] = spec
        icu_stays[finess] = stays
    _add_icu_direct_admissions(ests, icu_stays, _smur_share_of_passages(inputs, deps), p)
    ssr = inputs.ssr[inputs.ssr["dep"].isin(deps)]
    ssr_stays_per_day: dict[str, float] = {}
    for finess, rec, spec, stays in _pooled_units(ssr, "days", ests, names):
        rec["ssr"] = spec
        ssr_stays_per_day[finess] = stays / 365.0
    ss = inputs.samu_smur[inputs.samu_smur["dep"].isin(deps)]
    for _, r in ss.iterrows():
        has_smur = bool(r["has_smur"]) if pd.notna(r["has_smur"]) else False
        has_samu = bool(r["has_samu"]) if pd.notna(r["has_samu"]) else False
        if not (has_smur or has_samu):
            continue
        rec = ests.setdefault(r["finess"], _empty_est(r, r["dep"]))
        rec["name"] = names.get(r["finess"], rec["name"])
        exits = float(r["primary_road"]) if pd.notna(r["primary_road"]) else 0.0
        if has_smur:
            rec["smur_teams"] = max(1, round(exits / p.smur_exits_per_team_year))
        rec["samu_centre"] = has_samu
    _add_ssr_direct_admissions(ests, ssr_stays_per_day, p)


def _pooled_units(
    units: pd.DataFrame, days_column: str, ests: dict[str, dict], names: dict[str, str]
) -> Iterator[tuple[str, dict, WardSpec, float]]:
    """Per establishment, its units of one kind (critical care, SSR) pooled into one bed pool:
    (FINESS, its record, the pool, stays a year), for those with beds, stays and days."""
    for finess, g in units.groupby("finess"):
        beds = int(g["beds"].sum())
        stays = float(g["stays"].sum())
        pdays = float(g[days_column].sum())
        if beds <= 0 or stays <= 0 or pdays <= 0:
            continue
        rec = ests.setdefault(finess, _empty_est(g.iloc[0], g.iloc[0]["dep"]))
        rec["name"] = names.get(finess, rec["name"])
        spec = WardSpec(
            beds=beds, mean_los_hours=pdays / stays * HOURS_PER_DAY, typical_occupied=pdays / 365.0
        )
        yield finess, rec, spec, stays


def _smur_share_of_passages(inputs: SaeTables, deps: list[str]) -> dict[str, float]:
    """Per département: SMUR primary exits / ED passages (the share of ED patients brought by
    a SMUR team, as the simulation derives it from the territory's SAMU calls)."""
    smur = inputs.samu_smur.groupby("dep")["primary_road"].sum(min_count=1)
    passages = inputs.ed_units.groupby("dep")["passages"].sum(min_count=1)
    share = (smur / passages.where(passages > 0)).reindex(deps)
    return share.where(share.notna() & np.isfinite(share), 0.0).clip(0, 1).to_dict()


def ed_icu_admissions_per_year(
    ed: EDSpec, smur_share: float, parameters: ModelParameters = DEFAULT_PARAMETERS
) -> float:
    """Expected critical-care admissions a year from one ED unit, as the simulation draws
    them: a SMUR patient is admitted with probability at least ``smur_ed_admit_share``
    and then goes to critical care three times as often as other admitted patients, whose
    admission probability is lowered so that the unit keeps its SAE admission share."""
    admitted_smur = smur_share * max(ed.admit_share, parameters.smur_ed_admit_share)
    admitted_other = max(ed.admit_share - admitted_smur, 0.0)
    icu_share = parameters.ed_icu_share_of_admissions
    return ed.annual_passages * (admitted_other * icu_share + admitted_smur * 3.0 * icu_share)


def _add_icu_direct_admissions(
    ests: dict[str, dict],
    stays: dict[str, float],
    smur_share: dict[str, float],
    p: ModelParameters,
) -> None:
    """Critical-care stays not coming from this model's EDs arrive directly (transfers in,
    post-operative, wards): SAE stays minus every ED's expected critical-care admissions that
    will land there. An ED of an establishment without adult critical care sends its patients
    to another unit (the simulation's bed search: same département, else same région), so
    that flow is spread over the units of the département, else of the région, in proportion
    to their beds, and subtracted from their direct admissions. Counting only a unit's own ED
    (as before) sent about 30 % more patients than SAE stays to the units."""
    own: dict[str, float] = {}
    orphan_dep: dict[str, float] = {}
    for finess, rec in ests.items():
        share = smur_share.get(rec["dep"], 0.0)
        flow = sum(ed_icu_admissions_per_year(e, share, p) for e in rec["eds"])
        if rec["icu"] is not None:
            own[finess] = flow
        elif flow > 0:
            orphan_dep[rec["dep"]] = orphan_dep.get(rec["dep"], 0.0) + flow
    units = [(f, r) for f, r in ests.items() if r["icu"] is not None]
    received = dict.fromkeys(own, 0.0)
    for dep, flow in orphan_dep.items():
        targets = [(f, r) for f, r in units if r["dep"] == dep]
        if not targets:
            reg = next(r["reg"] for r in ests.values() if r["dep"] == dep)
            targets = [(f, r) for f, r in units if r["reg"] == reg]
        beds = sum(r["icu"].beds for _, r in targets)
        for f, r in targets:
            received[f] += flow * r["icu"].beds / beds
    for finess, rec in units:
        w = rec["icu"]
        direct = max(stays[finess] - own[finess] - received[finess], 0.0)
        rec["icu"] = WardSpec(
            beds=w.beds,
            mean_los_hours=w.mean_los_hours,
            unscheduled_per_day=direct / 365.0,
            typical_occupied=w.typical_occupied,
        )


def _add_ssr_direct_admissions(
    ests: dict[str, dict], stays_per_day: dict[str, float], p: ModelParameters
) -> None:
    """SSR stays not coming from this model's MCO discharges arrive directly (from home, from
    other hospitals): per département, SAE SSR stays minus the expected MCO → SSR flow,
    spread over its SSR establishments in proportion to their beds."""
    by_dep: dict[str, list[dict]] = {}
    inflow: dict[str, float] = {}
    for rec in ests.values():
        by_dep.setdefault(rec["dep"], []).append(rec)
        for disc, w in rec["wards"].items():
            daily = w.scheduled_per_weekday * 5 / 7 + w.unscheduled_per_day
            for e in rec["eds"]:
                daily += (
                    e.annual_passages
                    * e.admit_share
                    * (1 - p.ed_icu_share_of_admissions)
                    * p.ed_admission_discipline[disc]
                    / 365.0
                )
            inflow[rec["dep"]] = (
                inflow.get(rec["dep"], 0.0) + daily * p.ssr_discharge_share[disc]
            )
    for dep, recs in by_dep.items():
        ssr = [r for r in recs if r["ssr"] is not None]
        beds = sum(r["ssr"].beds for r in ssr)
        if not beds:
            continue
        total = sum(stays_per_day.get(r["finess"], 0.0) for r in ssr)
        direct = max(total - inflow.get(dep, 0.0), 0.0)
        for r in ssr:
            w = r["ssr"]
            r["ssr"] = WardSpec(
                beds=w.beds,
                mean_los_hours=w.mean_los_hours,
                unscheduled_per_day=direct * w.beds / beds,
                typical_occupied=w.typical_occupied,
            )
