"""Compiling scenarios into simulation inputs: hours, targets, demand curves, policy."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.scenario.conftest import CORSE_BASE, ED_CALVI, ICU_2A, ICU_2B
from twin.network.cache import network_for
from twin.scenario import (
    check_scenario,
    compile_demand,
    compile_interventions,
    compile_policy,
    supply_disruptions,
)

CORSE = ("2A", "2B")
START = date(2024, 1, 8)  # a Monday


@pytest.fixture(scope="module")
def corse():
    return network_for(2023, CORSE, START, 14)


def _load(write, interventions: str, **kw):
    return check_scenario(write(CORSE_BASE + "interventions:\n" + interventions), **kw)


def test_a_night_closure_maps_to_20h_08h_of_the_window_days_from_hour_0(write, corse):
    s = _load(
        write,
        f'  - type: ed_closure\n    establishments: ["{ED_CALVI}"]\n    closure: nights\n'
        "    window: {start: 2024-01-10, end: 2024-01-11}\n",
    )
    iv = compile_interventions(s, corse)
    (c,) = iv.ed_closures
    assert c.finess == ED_CALVI and c.unit_type is None
    closed = np.flatnonzero(c.window.mask(14 * 24, START.weekday()))
    # 10 January is day 2 (hours 48..71), 11 January day 3 (72..95).
    expected = [*range(48, 56), *range(68, 80), *range(92, 96)]
    assert closed.tolist() == expected
    assert not iv.capacity


def test_a_weekend_closure_closes_saturdays_and_sundays_only(write, corse):
    s = _load(write, f'  - type: ed_closure\n    establishments: ["{ED_CALVI}"]\n'
                     "    closure: weekends\n")  # fmt: skip
    (c,) = compile_interventions(s, corse).ed_closures
    days = sorted({int(h) // 24 for h in np.flatnonzero(c.window.mask(14 * 24, 0))})
    assert days == [5, 6, 12, 13]  # 13-14 and 20-21 January


def test_icu_minus_20_percent_applies_to_exactly_the_icus_of_the_target(write, corse):
    with_icu = {e.finess: e.dep for e in corse.establishments if e.icu is not None}
    assert with_icu == {ICU_2A: "2A", ICU_2B: "2B"}
    s = _load(write, "  - type: capacity_change\n    resource: icu\n    change: -20%\n"
                     '    target: {departements: ["2A"]}\n'
                     "    window: {start: 2024-01-15}\n")  # fmt: skip
    (c,) = compile_interventions(s, corse).capacity
    assert c.resource == "icu" and c.targets == (ICU_2A,)
    assert c.factor == pytest.approx(0.8) and c.delta == 0
    assert c.window.start_hour == 7 * 24 and c.window.end_hour == 14 * 24
    everywhere = _load(write, "  - type: capacity_change\n    resource: icu\n    change: -20%\n")
    (c,) = compile_interventions(everywhere, corse).capacity
    assert set(c.targets) == set(with_icu)


def test_compiling_for_a_block_keeps_only_that_blocks_part(write, corse):
    s = _load(
        write,
        "  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        '    target: {departements: ["2A"]}\n'
        f'  - type: ed_closure\n    establishments: ["{ED_CALVI}"]\n',
    )
    only_2a = network_for(2023, ("2A",), START, 14)
    iv = compile_interventions(s, only_2a)
    assert [c.targets for c in iv.capacity] == [(ICU_2A,)] and iv.ed_closures == ()
    only_2b = network_for(2023, ("2B",), START, 14)
    iv = compile_interventions(s, only_2b)
    assert iv.capacity == () and [c.finess for c in iv.ed_closures] == [ED_CALVI]


def test_absolute_changes_and_samu_resources_target_the_right_holders(write, corse):
    s = _load(
        write,
        "  - type: capacity_change\n    resource: medicine\n    beds: +30\n"
        f'    target: {{establishments: ["{ICU_2B}"]}}\n'
        "  - type: capacity_change\n    resource: smur\n    teams: +1\n"
        '    target: {departements: ["2A"]}\n'
        "  - type: capacity_change\n    resource: samu_arm\n    staff: -1\n"
        '    window: {hours: "00:00-06:00", weekdays: [sun]}\n',
    )
    beds, smur, arm = compile_interventions(s, corse).capacity
    assert (beds.resource, beds.targets, beds.delta, beds.factor) == (
        "medicine", (ICU_2B,), 30, 1.0
    )
    assert (smur.targets, smur.delta) == (("2A",), 1)
    assert arm.targets == CORSE and arm.delta == -1
    assert arm.window.hours_of_day == tuple(h < 6 for h in range(24))
    assert arm.window.weekdays == (False,) * 6 + (True,)


def test_a_nurse_shortage_lowers_every_resource_nurses_run(write, corse):
    s = _load(write, "  - type: staff_shortage\n    staff: nurses\n    change: -20%\n"
                     '    window: {hours: "20:00-08:00"}\n')  # fmt: skip
    changes = compile_interventions(s, corse).capacity
    resources = [c.resource for c in changes]
    assert resources == ["ed_places", "uhcd", "medicine", "surgery", "obstetrics", "icu", "ssr"]
    assert all(c.factor == pytest.approx(0.8) for c in changes)
    eds = {e.finess for e in corse.establishments if e.eds}
    assert set(changes[0].targets) == eds
    assert changes[0].window.hours_of_day == tuple(h >= 20 or h < 8 for h in range(24))


def test_demand_shocks_follow_their_shape_on_their_ages_and_territory(write, corse):
    s = _load(
        write,
        "  - type: demand_shock\n    kind: epidemic\n    ages: [\"0-14\"]\n"
        '    target: {departements: ["2B"]}\n'
        "    shape: {curve: gaussian, peak: 2024-01-12, width_days: 2, peak_multiplier: 1.5}\n"
        "  - type: demand_shock\n    kind: heatwave\n    ages: [\"75+\"]\n"
        "    window: {start: 2024-01-15, end: 2024-01-17}\n"
        "    shape: {curve: plateau, peak_multiplier: 1.2}\n",
    )
    mult = compile_demand(s, corse)
    assert set(mult) == set(CORSE) and mult["2A"].shape == (14, 5)
    kids = mult["2B"][:, 0]
    assert int(np.argmax(kids)) == 4 and kids[4] == pytest.approx(1.5)
    assert kids[6] == pytest.approx(1 + 0.5 * np.exp(-0.5))  # one width from the peak
    assert np.all(mult["2A"][:, 0] == 1.0) and np.all(mult["2B"][:, 1:4] == 1.0)
    for dep in CORSE:
        old = mult[dep][:, 4]
        assert np.flatnonzero(old != 1.0).tolist() == [7, 8, 9]
        assert old[7:10] == pytest.approx([1.2] * 3)
    assert compile_demand(check_scenario(write(CORSE_BASE, "plain.yaml")), corse) is None


def test_policy_block_then_policy_interventions_map_onto_the_simulation_policy(write):
    s = check_scenario(
        write(
            CORSE_BASE
            + "policy:\n  plan_blanc_on: 0.96\n  cancel_electives: false\n"
            + "interventions:\n  - type: policy\n    plan_blanc_off: 0.85\n    surge_share: 0.2\n"
        )
    )
    p = compile_policy(s)
    assert (p.plan_blanc_on, p.plan_blanc_off, p.surge_share) == (0.96, 0.85, 0.2)
    assert p.cancel_electives is False and p.samu_orientation is True


def test_supply_disruptions_are_handed_over_as_shortage_module_objects(write):
    from forecasting.disruptions import SupplyDisruption

    s = check_scenario(
        write(
            CORSE_BASE + "interventions:\n  - type: supply_disruption\n"
            "    product: amoxicilline_1g_cp\n    kind: quota\n    quota_share: 0.5\n"
            '    window: {start: 2024-01-10, end: 2024-01-12}\n    target: {regions: ["94"]}\n'
        )
    )
    (d,) = supply_disruptions(s)
    assert d == SupplyDisruption(
        "amoxicilline_1g_cp", "quota", date(2024, 1, 10), date(2024, 1, 12),
        quota_share=0.5, deps=CORSE,
    )  # fmt: skip
    bad = write(
        CORSE_BASE + "interventions:\n  - type: supply_disruption\n"
        "    product: amoxicilline_1g_cp\n    kind: delay\n",
        "bad.yaml",
    )
    from twin.errors import DataError

    with pytest.raises(DataError) as exc:
        check_scenario(bad)
    assert "delay_days from 1 to 365" in exc.value.problems[0].found
