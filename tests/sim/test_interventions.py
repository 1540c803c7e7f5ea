"""Time-windowed interventions: windows, capacity composition, and their effect on a run."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.toy_network import two_ed_network
from twin.sim.interventions import (
    CapacityChange,
    EDClosure,
    Interventions,
    TimeWindow,
    change_points,
    hourly_capacity,
)
from twin.sim.replication import run_replication

NIGHTS = tuple(h >= 20 or h < 8 for h in range(24))


def test_window_mask_selects_night_hours_of_weekend_days_inside_the_window():
    # Day 0 is a Monday; the window covers days 2..9.
    w = TimeWindow(48.0, 240.0, hours_of_day=NIGHTS, weekdays=(False,) * 5 + (True, True))
    m = w.mask(14 * 24, first_weekday=0)
    active_days = sorted({int(h) // 24 for h in np.flatnonzero(m)})
    assert active_days == [5, 6]  # Saturday and Sunday of the first week only
    assert all(NIGHTS[h % 24] for h in np.flatnonzero(m))
    assert m.sum() == 2 * 12


def test_window_rejects_an_end_before_its_start_and_bad_flag_counts():
    with pytest.raises(ValueError, match="before it starts"):
        TimeWindow(10.0, 5.0)
    with pytest.raises(ValueError, match="24 flags"):
        TimeWindow(hours_of_day=(True,) * 23)


def test_capacity_changes_multiply_then_add_and_never_go_negative():
    base = np.full(48, 10)
    changes = [
        CapacityChange("icu", TimeWindow(0, 24), factor=0.8),
        CapacityChange("icu", TimeWindow(12, 36), factor=0.5, delta=-1),
        CapacityChange("icu", TimeWindow(40, 48), delta=-50),
    ]
    cap = hourly_capacity(base, changes, first_weekday=0)
    assert cap[0] == 8 and cap[12] == 3 and cap[30] == 4 and cap[38] == 10 and cap[45] == 0
    times, caps = change_points(cap)
    assert times[0] == 0.0 and all(cap[int(t)] == c for t, c in zip(times, caps, strict=True))
    assert len(times) == 5


def test_unknown_resource_is_rejected():
    with pytest.raises(ValueError, match="unknown resource"):
        CapacityChange("helicopters")


def test_icu_cut_lowers_capacity_only_in_its_window_and_keeps_the_same_patients():
    net = two_ed_network(days=10)
    cut = Interventions(
        capacity=(
            CapacityChange("icu", TimeWindow(3 * 24, 7 * 24), targets=("590000001",), factor=0.5),
        )
    )
    base = run_replication(net, 11)
    variant = run_replication(net, 11, interventions=cut)
    a = "590000001"
    cap_b = base.icu_capacity.sel(establishment=a).values
    cap_v = variant.icu_capacity.sel(establishment=a).values
    assert np.allclose(cap_v[3:7], cap_b[3:7] * 0.5)
    assert np.allclose(cap_v[:3], cap_b[:3]) and np.allclose(cap_v[7:], cap_b[7:])
    other = "590000002"
    assert np.allclose(
        variant.icu_capacity.sel(establishment=other), base.icu_capacity.sel(establishment=other)
    )
    # Common random numbers: self-presentations are the same patients in both runs.
    assert int(variant.ed_passages.sum()) == int(base.ed_passages.sum())


def test_ward_cut_moves_the_plan_blanc_base_and_raises_occupancy_pressure():
    net = two_ed_network(days=14, medicine_beds=90)
    cut = Interventions(capacity=(CapacityChange("medicine", TimeWindow(0, 14 * 24), factor=0.7),))
    base = run_replication(net, 5)
    variant = run_replication(net, 5, interventions=cut)
    # Open beds fall (surge beds may come back on top, but never above the uncut base).
    assert float(variant.mco_capacity.mean()) < float(base.mco_capacity.mean())
    assert float(variant.ed_boarding_hours.sum()) >= float(base.ed_boarding_hours.sum())
    assert float(variant.plan_blanc_hours.sum()) >= float(base.plan_blanc_hours.sum())


def test_full_closure_sends_every_patient_of_that_ed_through_the_samu():
    net = two_ed_network(days=6)
    closed = Interventions(ed_closures=(EDClosure("590000001", TimeWindow(2 * 24, 4 * 24)),))
    base = run_replication(net, 3)
    variant = run_replication(net, 3, interventions=closed)
    a, b = "590000001", "590000002"
    # Patients arriving during the closure found the door closed and called the SAMU ...
    redirected = variant.closed_ed_redirected.sum("territory").values
    assert redirected[:2].sum() == 0 and redirected[2:4].min() > 0 and redirected[4:].sum() == 0
    assert base.closed_ed_redirected.sum() == 0
    # ... and were oriented to an open ED: the neighbour receives more patients.
    pass_b = variant.ed_passages.sel(establishment=b).values[2:4].sum()
    assert pass_b > base.ed_passages.sel(establishment=b).values[2:4].sum()
    # The closed ED sees no new patient while closed (SAMU routes around it).
    assert variant.ed_passages.sel(establishment=a).values[2:4].sum() == 0


def test_ed_staff_shortage_at_night_lengthens_waits():
    net = two_ed_network(days=10)
    shortage = Interventions(
        capacity=(CapacityChange("ed_places", TimeWindow(hours_of_day=NIGHTS), factor=0.5),)
    )
    base = run_replication(net, 8, episodes=True)
    variant = run_replication(net, 8, episodes=True, interventions=shortage)

    def night_wait(ds):
        # Patients who arrived at night in the first 7 days (all have left by the end).
        t = ds.episode_arrival_hours.values
        keep = (t < 7 * 24) & np.asarray(NIGHTS)[(t % 24).astype(int)]
        return ds.episode_wait_hours.values[keep].mean()

    assert night_wait(variant) > night_wait(base)
    assert int(variant.ed_passages.sum()) == int(base.ed_passages.sum())
