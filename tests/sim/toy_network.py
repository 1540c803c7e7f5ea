"""Small hand-built care networks for pathway tests (no data files needed)."""

from __future__ import annotations

from datetime import date

import numpy as np

from twin import network as nw

HOURS = 24.0


def ed(passages_per_day: float, places: int = 6, admit: float = 0.2, uhcd_beds: int = 10,
       share=None, open_hours=(True,) * 24) -> nw.EDSpec:
    return nw.EDSpec(
        unit_type="GEN",
        annual_passages=passages_per_day * 365,
        demand_share=np.asarray(share if share is not None else [1.0] * 5, dtype=float),
        age_mix=np.array([0.15, 0.3, 0.25, 0.12, 0.18]),
        admit_share=admit,
        transfer_share=0.02,
        uhcd_share=0.08,
        uhcd_beds=uhcd_beds,
        uhcd_mean_los_hours=16.0,
        treatment_places_by_hour=(places,) * 24,
        open_hours=tuple(open_hours),
    )


def establishment(finess: str, dep: str, ed_spec=None, medicine_beds=60, surgery_beds=30,
                  icu_beds=8, ssr_beds=80, scheduled=3.0) -> nw.EstablishmentSpec:
    wards = {}
    if medicine_beds:
        wards["medicine"] = nw.WardSpec(medicine_beds, 5.0 * HOURS, scheduled, 0.0)
    if surgery_beds:
        wards["surgery"] = nw.WardSpec(surgery_beds, 3.0 * HOURS, scheduled, 0.0)
    return nw.EstablishmentSpec(
        finess=finess,
        name=f"Hôpital {finess}",
        dep=dep,
        reg="32",
        eds=(ed_spec,) if ed_spec is not None else (),
        wards=wards,
        icu=nw.WardSpec(icu_beds, 6.5 * HOURS, 0.0, 0.5) if icu_beds else None,
        ssr=nw.WardSpec(ssr_beds, 30 * HOURS) if ssr_beds else None,
        smur_teams=1,
        samu_centre=True,
    )


def territory(dep: str, days: int, ed_per_day: float, calls_per_day: float = 150.0):
    demand = np.tile(np.array([0.15, 0.3, 0.25, 0.12, 0.18]) * ed_per_day, (days, 1))
    return nw.TerritorySpec(
        dep=dep,
        reg="32",
        population=np.array([1e5, 2e5, 2e5, 1e5, 0.8e5]),
        ed_demand_per_day=demand,
        samu_calls_per_day=np.full(days, calls_per_day),
        samu_ed_transport_share=0.05,
        samu_smur_share=0.01,
        samu_doctor_share=0.5,
        arm_by_hour=(3,) * 24,
        doctors_by_hour=(2,) * 24,
        travel_hours_within=0.4,
    )


def two_ed_network(days: int = 28, ed_per_day: float = 120.0, medicine_beds: int = 90,
                   open_a=(True,) * 24, places: int = 12) -> nw.CareNetwork:
    """One département, two EDs sharing demand 60/40, each in a hospital with wards."""
    t = territory("59", days, ed_per_day)
    a = establishment("590000001", "59", ed(ed_per_day * 0.6, places, share=[0.6] * 5,
                      open_hours=open_a), medicine_beds=medicine_beds)
    b = establishment("590000002", "59", ed(ed_per_day * 0.4, places, share=[0.4] * 5),
                      medicine_beds=medicine_beds)
    return nw.CareNetwork(
        start=date(2023, 1, 2),
        days=days,
        territories=(t,),
        establishments=(a, b),
        travel_hours=np.array([[0.4]]),
        source_year=2023,
    )
