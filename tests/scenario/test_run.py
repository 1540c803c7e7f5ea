"""replicate(): blocks, seeds and common random numbers between a baseline and a variant."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.scenario.conftest import CORSE_BASE, ICU_2A
from twin.scenario import blocks, load_scenario, replicate

SHORT = CORSE_BASE.replace("days: 14\n  warmup_days: 2", "days: 5\n  warmup_days: 1")
VARIANT = SHORT.replace("name: corse", "name: corse-variant") + (
    "interventions:\n"
    "  - type: demand_shock\n    kind: epidemic\n    target: {departements: [\"2A\"]}\n"
    "    shape: {curve: plateau, peak_multiplier: 1.4}\n"
    "  - type: capacity_change\n    resource: icu\n    change: -20%\n"
    f'    target: {{establishments: ["{ICU_2A}"]}}\n    window: {{start: 2024-01-10}}\n'
)


def test_blocks_are_one_per_region_in_region_code_order(write):
    (run,) = load_scenario(
        write(SHORT.replace('regions: ["94"]', 'regions: ["94"]\n  departements: ["01", "59"]')),
        check_network=False,
    )
    assert blocks(run) == [("59",), ("01",), ("2A", "2B")]  # régions 32, 84, 94


@pytest.mark.slow
def test_baseline_and_variant_share_patients_outside_the_intervention(write):
    (base,) = load_scenario(write(SHORT, "base.yaml"))
    (variant,) = load_scenario(write(VARIANT, "variant.yaml"))
    (block,) = blocks(base)
    a = replicate(base, 1, block)
    b = replicate(variant, 1, block)
    assert a.attrs["seed_entropy"] == b.attrs["seed_entropy"] == "7"
    assert a.attrs["seed_spawn_key"] == b.attrs["seed_spawn_key"] == "(1,)"
    in_2b = a["dep"] == "2B"
    # Untouched département: exactly the same ED arrivals, day by day.
    xr.testing.assert_equal(a["ed_passages"].where(in_2b, drop=True),
                            b["ed_passages"].where(in_2b, drop=True))  # fmt: skip
    np.testing.assert_array_equal(
        a["samu_calls"].sel(territory="2B"), b["samu_calls"].sel(territory="2B")
    )
    # Shocked département: the same patients plus more (thinning), never fewer.
    in_2a = (a["dep"] == "2A") & (a["ed_passages"].sum("date") > 0)
    more = b["ed_passages"].where(in_2a, drop=True) - a["ed_passages"].where(in_2a, drop=True)
    assert float(more.min()) >= 0 and float(more.sum()) > 0
    # ICU −20 % from 10 January (12 beds → 10) at ICU_2A only.
    icu = b["icu_capacity"].sel(establishment=ICU_2A).to_numpy()
    assert icu.tolist() == [12.0, 10.0, 10.0, 10.0]  # 9 January (after warm-up), then cut
    np.testing.assert_array_equal(a["icu_capacity"].sel(establishment=ICU_2A), 12.0)


@pytest.mark.slow
def test_same_replication_same_dataset_and_replications_differ(write):
    (run,) = load_scenario(write(SHORT))
    (block,) = blocks(run)
    xr.testing.assert_identical(replicate(run, 2, block), replicate(run, 2, block))
    assert not replicate(run, 0, block)["ed_passages"].equals(
        replicate(run, 2, block)["ed_passages"]
    )


@pytest.mark.slow
def test_a_departements_draws_do_not_depend_on_the_block_it_is_simulated_in(write):
    (whole,) = load_scenario(write(SHORT, "whole.yaml"))
    alone_text = SHORT.replace('regions: ["94"]', 'departements: ["2B"]')
    (alone,) = load_scenario(write(alone_text, "alone.yaml"))
    a = replicate(whole, 1, ("2A", "2B"))
    b = replicate(alone, 1, ("2B",))
    np.testing.assert_array_equal(
        a["samu_calls"].sel(territory="2B"), b["samu_calls"].sel(territory="2B")
    )


def test_replicate_refuses_foreign_blocks_and_replications(write):
    (run,) = load_scenario(write(SHORT), check_network=False)
    with pytest.raises(ValueError, match="not in the scenario"):
        replicate(run, 0, ("59",))
    with pytest.raises(ValueError, match="outside"):
        replicate(run, 3, ("2A", "2B"))
