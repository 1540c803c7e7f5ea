"""The full care pathway on small hand-built networks: reproducibility, conservation,
Little's law on every resource, and directional properties under common random numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr

from tests.sim.toy_network import ed, establishment, two_ed_network
from twin.sim import pathway as pw
from twin.sim.replication import run_replication
from twin.sim.resources import window

SEEDS = (11, 12, 13, 14)
NO_PLAN = pw.Policy(plan_blanc=False)


def test_same_seed_gives_identical_dataset_and_other_seeds_differ():
    net = two_ed_network(days=14, places=12)
    a = run_replication(net, 5, warmup_days=2)
    b = run_replication(net, 5, warmup_days=2)
    xr.testing.assert_identical(a, b)
    c = run_replication(net, 6, warmup_days=2)
    assert not a["ed_passages"].equals(c["ed_passages"])


def test_dataset_has_units_and_descriptions():
    ds = run_replication(two_ed_network(days=7, places=12), 1)
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units"), name
        assert var.attrs.get("description"), name
    assert ds.attrs["time_unit"] == "hour"
    assert ds.sizes["date"] == 7


def test_warmup_days_are_excluded():
    net = two_ed_network(days=10, places=12)
    full = run_replication(net, 3)
    cut = run_replication(net, 3, warmup_days=4)
    assert cut.sizes["date"] == 6
    xr.testing.assert_identical(full["ed_passages"].isel(date=slice(4, None)), cut["ed_passages"])


def test_conservation_arrivals_equal_departures_plus_present():
    net = two_ed_network(days=21, places=12)
    sim = pw.Simulation(net, np.random.SeedSequence(9))
    snaps = []

    def watcher():
        while True:
            yield sim.env.timeout(7.3)
            for u in sim.eds:
                snaps.append((u.arrivals, u.departures, u.in_ed))

    sim.env.process(watcher())
    sim.run()
    assert snaps
    for arrivals, departures, present in snaps:
        assert arrivals == departures + present
    for r in _all_resources(sim):
        s = r.snapshot()
        assert s.arrivals == s.departures + s.reneged + s.in_service + s.waiting


def _all_resources(sim):
    out = []
    for e in sim.ests:
        out.extend(e.wards.values())
        out.extend(x for x in (e.icu, e.ssr) if x is not None)
    for u in sim.eds:
        out.append(u.places)
        if u.uhcd is not None:
            out.append(u.uhcd)
    out.extend(sim.arm)
    out.extend(sim.doctors)
    out.extend(x for x in sim.smur if x is not None)
    return out


@pytest.mark.slow
def test_littles_law_holds_on_every_short_stay_resource():
    net = two_ed_network(days=120, places=12)
    sim = pw.Simulation(net, np.random.SeedSequence(21), initial_occupancy="empty")
    resources = _all_resources(sim)
    start = [r.snapshot(reset_peaks=False) for r in resources]
    sim.run()
    checked = 0
    for r, s0 in zip(resources, start, strict=True):
        w = window(s0, r.snapshot(reset_peaks=False))
        if w.arrivals < 500 or w.mean_time_in_system > 0.05 * net.hours():
            continue  # too few patients, or stays too long for the boundary effect to vanish
        mean_in_system, lam_w = w.littles_law()
        assert mean_in_system == pytest.approx(lam_w, rel=0.03), r.name
        checked += 1
    assert checked >= 6


def test_more_beds_never_raise_mean_boarding():
    base, more = [], []
    for seed in SEEDS:
        a = run_replication(two_ed_network(days=28, places=12, medicine_beds=72), seed,
                            policy=NO_PLAN)
        b = run_replication(two_ed_network(days=28, places=12, medicine_beds=95), seed,
                            policy=NO_PLAN)
        base.append(float(a["ed_boarding_hours"].sum()))
        more.append(float(b["ed_boarding_hours"].sum()))
    assert np.mean(more) < np.mean(base)
    assert all(m <= b + 1e-9 for m, b in zip(more, base, strict=True))


def test_more_ed_arrivals_never_lower_occupancy():
    net = two_ed_network(days=21, places=12)
    surge = {"59": np.full((net.days, 5), 1.3)}
    for seed in SEEDS[:3]:
        a = run_replication(net, seed, policy=NO_PLAN)
        b = run_replication(net, seed, policy=NO_PLAN, demand_multiplier=surge)
        assert float(b["ed_passages"].sum()) > float(a["ed_passages"].sum())
        assert float(b["mco_occupied_mean"].mean()) >= float(a["mco_occupied_mean"].mean())
        assert float(b["ed_occupancy_mean"].mean()) >= float(a["ed_occupancy_mean"].mean())


def test_common_random_numbers_keep_baseline_patients_in_a_demand_surge():
    net = two_ed_network(days=7, places=18)
    surge = {"59": np.full((net.days, 5), 1.5)}
    a = run_replication(net, 4, policy=NO_PLAN, episodes=True)
    b = run_replication(net, 4, policy=NO_PLAN, demand_multiplier=surge, episodes=True)

    def self_presentations(ds, before_hours):
        t = ds["episode_arrival_hours"].values
        keep = (ds["episode_arrival_mode"].values == 0) & (t < before_hours)
        return set(np.round(t[keep], 9))

    # Patients who arrived early enough to have left the ED in both runs: every baseline
    # self-presentation is still there in the surge (SAMU transports are excluded: their
    # arrival depends on SMUR availability, which the surge legitimately changes).
    base = self_presentations(a, 4 * 24.0)
    surge = self_presentations(b, 7 * 24.0)
    assert base and base <= surge
    assert len(self_presentations(b, 4 * 24.0)) > 1.3 * len(base)


def test_closing_an_ed_at_night_raises_the_neighbours_load():
    night_closed = tuple(8 <= h < 20 for h in range(24))
    for seed in SEEDS[:3]:
        a = run_replication(two_ed_network(days=21, places=12), seed, policy=NO_PLAN)
        b = run_replication(two_ed_network(days=21, places=12, open_a=night_closed), seed,
                            policy=NO_PLAN)
        neighbour = "590000002"
        assert float(b["ed_passages"].sel(establishment=neighbour).sum()) > float(
            a["ed_passages"].sel(establishment=neighbour).sum()
        )
        assert float(b["closed_ed_redirected"].sum()) > 0
        assert float(a["closed_ed_redirected"].sum()) == 0


def test_plan_blanc_triggers_under_pressure_and_cancels_electives():
    net = two_ed_network(days=28, places=12, medicine_beds=45)
    on = run_replication(net, 2)
    off = run_replication(net, 2, policy=NO_PLAN)
    assert float(on["plan_blanc_hours"].sum()) > 0
    assert float(off["plan_blanc_hours"].sum()) == 0
    assert float(on["mco_capacity"].max()) > float(off["mco_capacity"].max())


def test_warm_start_sets_initial_occupancy():
    net = two_ed_network(days=3, places=12)
    occupied = {("590000001", "medicine"): 50, ("590000002", "medicine"): 0}
    sim = pw.Simulation(net, np.random.SeedSequence(1), initial_occupancy=occupied)
    sim._warm_start()
    ests = {e.spec.finess: e for e in sim.ests}
    assert ests["590000001"].wards["medicine"].in_service == 50
    assert ests["590000002"].wards["medicine"].in_service == 0
    assert ests["590000001"].wards["surgery"].in_service == 0


def test_an_establishment_without_ed_still_receives_transfers():
    net = two_ed_network(days=21, places=12, medicine_beds=30)
    extra = establishment("590000003", "59", None, medicine_beds=120, scheduled=0.0)
    net = dataclasses.replace(net, establishments=(*net.establishments, extra))
    ds = run_replication(net, 3, policy=NO_PLAN)
    assert float(ds["transfers_in"].sel(establishment="590000003").sum()) > 0
    assert float(ds["ed_passages"].sel(establishment="590000003").sum()) == 0
    assert ed(10).admit_share == pytest.approx(0.2)
