"""The scenario ``parameters`` block (issue 13, point 3): validated at the scenario boundary
with located messages, swept like any field, compiled into the ModelParameters the network is
calibrated with and the simulation draws with."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.conftest import line_of
from tests.scenario.conftest import CORSE_BASE
from twin.cli import main
from twin.errors import DataError
from twin.network import DEFAULT_PARAMETERS, ModelParameters
from twin.network.cache import network_for
from twin.scenario import blocks, check_scenario, load_scenario, replicate
from twin.scenario.run import block_network
from twin.sim.pathway import Simulation

SHORT = CORSE_BASE.replace("days: 14\n  warmup_days: 2", "days: 4\n  warmup_days: 1")

# (block appended to CORSE_BASE, field, expected ⊂, found ⊂, line needle)
BAD = [
    (
        "parameters:\n  triage_shares: [0.1, 0.06, 0.30, 0.48, 0.15]\n",
        "parameters.triage_shares",
        "five triage shares summing to 1 (their sum is 1.09)",
        "a list of 5 item(s)",
        "triage_shares:",
    ),
    (
        "parameters:\n  ed_admission_discipline: {medicine: 0.8, surgery: 0.2}\n",
        "parameters.ed_admission_discipline",
        "a share for every discipline ['medicine', 'surgery', 'obstetrics'], missing "
        "['obstetrics']",
        "a mapping {medicine, surgery}",
        "ed_admission_discipline:",
    ),
    (
        "parameters:\n  ed_treatment_median_hourz: 3\n",
        "parameters.ed_treatment_median_hourz",
        "one of the fields ed_treatment_median_hours",
        "unknown key 'ed_treatment_median_hourz' (did you mean 'ed_treatment_median_hours'?)",
        "ed_treatment_median_hourz:",
    ),
    (
        "parameters:\n  ed_target_utilisation: 1.4\n",
        "parameters.ed_target_utilisation",
        "at most 1",
        "the number 1.4",
        "ed_target_utilisation:",
    ),
    (
        "parameters:\n  ssr_discharge_share: {medicine: 0.1, surgery: 0.1, obstetrics: 0, "
        "geriatrics: 0.2}\n",
        "parameters.ssr_discharge_share.geriatrics",
        "one of 'medicine', 'surgery' or 'obstetrics'",
        '"geriatrics"',
        "ssr_discharge_share:",
    ),
]


@pytest.mark.parametrize(("extra", "field", "expected", "found", "needle"), BAD)
def test_a_bad_parameter_gives_one_located_message_and_exit_2(
    write, capsys, extra, field, expected, found, needle
):
    p = write(CORSE_BASE + extra)
    with pytest.raises(DataError) as err:
        check_scenario(p, check_network=False)
    (problem,) = err.value.problems
    text = str(problem)
    assert f"{p}:{line_of(p, needle)}: field {field}: expected " in text
    assert expected in text and found in text
    assert main(["scenario", "check", str(p)]) == 2
    assert f"field {field}" in capsys.readouterr().err


def test_explicit_defaults_equal_no_block_and_the_parameters_reach_the_network(write):
    (plain,) = load_scenario(write(SHORT, "plain.yaml"))
    explicit_text = SHORT + (
        "parameters:\n  ed_treatment_median_hours: 2.0\n"
        "  triage_shares: [0.01, 0.06, 0.30, 0.48, 0.15]\n"
        "  ssr_discharge_share: {obstetrics: 0, surgery: 0.08, medicine: 0.12}\n"
    )
    (explicit,) = load_scenario(write(explicit_text, "explicit.yaml"))
    assert explicit.scenario.parameters == DEFAULT_PARAMETERS
    (block,) = blocks(plain)
    xr.testing.assert_identical(replicate(plain, 1, block), replicate(explicit, 1, block))


def test_longer_ed_treatment_gives_longer_ed_stays_with_the_same_patients(write):
    (base,) = load_scenario(write(SHORT, "base.yaml"))
    slow_text = SHORT + "parameters:\n  ed_treatment_median_hours: 3.0\n"
    (slow,) = load_scenario(write(slow_text, "slow.yaml"))
    (block,) = blocks(base)
    net = block_network(slow, block)
    assert net.parameters.ed_treatment_median_hours == 3.0
    assert Simulation(net, np.random.SeedSequence(0)).parameters is net.parameters
    a, b = replicate(base, 0, block), replicate(slow, 0, block)
    # Common random numbers: the same calls and patients arrive in both runs (only the SAMU's
    # orientation of its patients to the least busy ED may differ).
    np.testing.assert_array_equal(a["samu_calls"], b["samu_calls"])
    total_a, total_b = float(a["ed_passages"].sum()), float(b["ed_passages"].sum())
    assert abs(total_b - total_a) <= 0.01 * total_a
    busy = a["ed_passages"].sum("date") > 0
    los_a = float(a["ed_los_median"].where(busy).mean())
    los_b = float(b["ed_los_median"].where(busy).mean())
    assert los_b > los_a + 0.5  # +1 h median treatment, more waiting: well over +30 min


def test_a_sweep_over_a_parameter_records_its_values_in_the_resolved_runs(write):
    text = SHORT + (
        "sweep:\n  parameters:\n    - parameter: parameters.ed_treatment_median_hours\n"
        "      values: [1.5, 2.5]\n"
    )
    runs = load_scenario(write(text), check_network=False)
    assert [r.scenario.parameters.ed_treatment_median_hours for r in runs] == [1.5, 2.5]
    assert [r.sweep_values for r in runs] == [
        {"parameters.ed_treatment_median_hours": 1.5},
        {"parameters.ed_treatment_median_hours": 2.5},
    ]
    dumped = [r.model_dump(mode="json")["scenario"]["parameters"] for r in runs]
    assert [d["ed_treatment_median_hours"] for d in dumped] == [1.5, 2.5]
    assert dumped[0]["los_sigma"] == DEFAULT_PARAMETERS.los_sigma


def test_calibration_sizes_fewer_ed_places_for_a_higher_target_utilisation():
    start = np.datetime64("2024-01-08").astype(object)
    deps = ("2A", "2B")
    busy = ModelParameters(ed_target_utilisation=0.9)
    base, tight = network_for(2023, deps, start, 2), network_for(2023, deps, start, 2, busy)
    assert tight.parameters == busy and base.parameters == DEFAULT_PARAMETERS

    def places(net) -> np.ndarray:
        return np.array(
            [sum(u.treatment_places_by_hour) for e in net.establishments for u in e.eds]
        )

    p_base, p_tight = places(base), places(tight)
    assert (p_tight <= p_base).all() and p_tight.sum() < p_base.sum()
    # Nothing else of the calibration depends on this parameter.
    assert [e.wards for e in base.establishments] == [e.wards for e in tight.establishments]
