"""Bad scenarios: one clear message naming file, line, field, expected and found; the CLI
exits 2 without a traceback (issue 4, point 6)."""

from __future__ import annotations

import pytest

from tests.conftest import line_of
from tests.scenario.conftest import CORSE_BASE, ICU_2A, SSR_ONLY
from twin.cli import main
from twin.errors import DataError
from twin.scenario import check_scenario, load_scenario

# (name, text appended to CORSE_BASE or full text, field, expected ⊂, found ⊂, line needle)
CASES = [
    (
        "unknown top-level key",
        "replicatons: 5\n",
        "replicatons",
        "one of the fields name, description",
        "unknown key 'replicatons' (did you mean 'replications'?)",
        "replicatons:",
    ),
    (
        "unknown nested key",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        "    windw: {start: 2024-01-10}\n",
        "interventions[0].windw",
        "one of the fields id, description, type, resource, change",
        "unknown key 'windw' (did you mean 'window'?)",
        "windw:",
    ),
    (
        "wrong type",
        "demand: {source: baseline}\npolicy:\n  plan_blanc_on: high\n",
        "policy.plan_blanc_on",
        "a number",
        '"high"',
        "plan_blanc_on:",
    ),
    (
        "wrong type of a count",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    beds: 2.5\n"
        f'    target: {{establishments: ["{ICU_2A}"]}}\n',
        "interventions[0].beds",
        "a whole number",
        "the number 2.5",
        "beds:",
    ),
    (
        "percentage written as a bare number",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20\n",
        "interventions[0].change",
        "a percentage such as -20%",
        "the number -20",
        "change:",
    ),
    (
        "unknown région code",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        '    target: {regions: ["99"]}\n',
        "interventions[0].target.regions[0]",
        "an official région code",
        '"99"',
        'regions: ["99"]',
    ),
    (
        "département outside the territory",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        '    target: {departements: ["59"]}\n',
        "interventions[0].target.departements[0]",
        "a département of the scenario's territory (2A, 2B)",
        '"59"',
        'departements: ["59"]',
    ),
    (
        "unquoted département code",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        "    target: {departements: [59]}\n",
        "interventions[0].target.departements[0]",
        'a département code in quotes, such as "59"',
        "the number 59 (unquoted): quote it",
        "departements: [59]",
    ),
    (
        "unknown FINESS",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        '    target: {establishments: ["2A9999999"]}\n',
        "interventions[0].target.establishments[0]",
        "the FINESS code of an establishment",
        '"2A9999999"',
        "establishments:",
    ),
    (
        "establishment without the resource",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        f'    target: {{establishments: ["{SSR_ONLY}"]}}\n',
        "interventions[0].target.establishments[0]",
        "an establishment that has icu",
        "has none",
        "establishments:",
    ),
    (
        "window outside the period",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        "    window:\n      start: 2024-01-10\n      end: 2024-02-15\n",
        "interventions[0].window.end",
        "a date within the period 2024-01-08 … 2024-01-21",
        "2024-02-15",
        "end: 2024-02-15",
    ),
    (
        "negative capacity (absolute)",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    beds: -20\n"
        f'    target: {{establishments: ["{ICU_2A}"]}}\n',
        "interventions[0]",
        "a change that leaves a capacity >= 0",
        f"icu of {ICU_2A} (CH ND LA MISERICORDE) at -8",
        "- type: capacity_change",
    ),
    (
        "negative capacity (relative)",
        "interventions:\n  - type: capacity_change\n    resource: icu\n    change: -120%\n",
        "interventions[0].change",
        "a change of at least -100%",
        "-120%",
        "change: -120%",
    ),
    (
        "negative capacity at the low end of an interval",
        "interventions:\n  - type: capacity_change\n    resource: icu\n"
        "    beds: {low: -13, high: -2}\n"
        f'    target: {{establishments: ["{ICU_2A}"]}}\n',
        "interventions[0]",
        "a change that leaves a capacity >= 0",
        "at -1",
        "- type: capacity_change",
    ),
    (
        "overlapping contradictory interventions",
        "interventions:\n"
        "  - type: capacity_change\n    resource: icu\n    change: -20%\n"
        "    window: {start: 2024-01-10, end: 2024-01-15}\n"
        "  - id: plus-4\n    type: capacity_change\n    resource: icu\n    beds: +4\n"
        "    window: {start: 2024-01-14, end: 2024-01-20}\n"
        f'    target: {{establishments: ["{ICU_2A}"]}}\n',
        "interventions[1]",
        "one capacity_change per resource and holder at a time (interventions[0], line 12",
        "an overlapping change from 2024-01-14 00:00",
        "- id: plus-4",
    ),
    (
        "unit not matching the resource",
        "interventions:\n  - type: capacity_change\n    resource: ed_places\n    beds: +2\n",
        "interventions[0].beds",
        "places: (the unit of ed_places) or change:",
        "beds:",
        "beds: +2",
    ),
    (
        "unknown intervention type",
        "interventions:\n  - type: capacity_cut\n    resource: icu\n",
        "interventions[0].type",
        "type: one of 'capacity_change', 'staff_shortage'",
        "type 'capacity_cut'",
        "type: capacity_cut",
    ),
    (
        "YAML 1.1 boolean trap",
        "policy:\n  plan_blanc: no\n",
        "policy.plan_blanc",
        "the boolean true/false",
        "unquoted no, which YAML 1.1 reads as the boolean false",
        "plan_blanc: no",
    ),
    (
        "YAML 1.1 leading-zero trap",
        "interventions:\n  - type: demand_shock\n    kind: epidemic\n"
        "    target: {departements: [01]}\n"
        "    shape: {curve: plateau, peak_multiplier: 1.2}\n",
        "interventions[0].target.departements[0]",
        'a quoted code ("01")',
        "unquoted 01",
        "departements: [01]",
    ),
    (
        "YAML 1.1 sexagesimal trap",
        "interventions:\n  - type: ed_closure\n    establishments: [\"2B0005359\"]\n"
        "    closure: custom\n    window: {hours: 20:00-08:00}\n",
        None,  # the scalar 20:00-08:00 is text; 20:00 alone is the trap
        None,
        None,
        None,
    ),
    (
        "malformed YAML",
        "interventions:\n  - type: capacity_change\n    resource: [icu\n",
        None,
        "well-formed YAML",
        "flow sequence",
        None,
    ),
    (
        "missing field",
        "interventions:\n  - type: demand_shock\n    kind: heatwave\n",
        "interventions[0].shape",
        "a value for shape",
        "nothing (the field is missing)",
        "- type: demand_shock",
    ),
    (
        "warm-up longer than the period",
        "period:\n  start: 2024-01-08\n  days: 3\n  warmup_days: 3\n",
        "period.warmup_days",
        "fewer warm-up days than simulated days (3)",
        "3",
        "warmup_days: 3",
    ),
]
CASES = [c for c in CASES if c[2] is not None or c[3] is not None]


def _text(extra: str) -> str:
    if extra.startswith("period:"):
        base = CORSE_BASE.replace(
            "period:\n  start: 2024-01-08\n  days: 14\n  warmup_days: 2\n", ""
        )
        return base + extra
    return CORSE_BASE + extra


@pytest.mark.parametrize(
    ("field", "expected", "found", "needle", "extra"),
    [pytest.param(c[2], c[3], c[4], c[5], c[1], id=c[0]) for c in CASES],
)
def test_bad_scenario_gives_one_clear_located_message(
    write, capsys, field, expected, found, needle, extra
):
    p = write(_text(extra))
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    problems = exc.value.problems
    assert len(problems) == 1, exc.value.message()
    (prob,) = problems
    assert prob.file == str(p)
    assert expected in prob.expected, prob
    assert found in prob.found, prob
    if field is not None:
        assert prob.column == field, prob
    if needle is not None:
        assert prob.line == line_of(p, needle), prob
    # The CLI prints the same message and exits 2, without a traceback.
    assert main(["scenario", "check", str(p)]) == 2
    err = capsys.readouterr().err
    assert str(prob) in err and "Traceback" not in err
    assert err.startswith(f"error: {p}:")


def test_a_sexagesimal_time_alone_is_a_trap(write):
    p = write(
        CORSE_BASE
        + "interventions:\n  - type: ed_closure\n    establishments: [\"2B0005359\"]\n"
        + "    closure: nights\n    window: {hours: 20:00}\n"
    )
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert "base-60" in prob.found and prob.column == "interventions[0].window.hours"


def test_an_unquoted_hours_range_that_yaml_reads_as_text_is_accepted_if_well_formed(write):
    p = write(
        CORSE_BASE
        + "interventions:\n  - type: ed_closure\n    establishments: [\"2B0005359\"]\n"
        + "    closure: custom\n    window: {hours: 20:00-08:00}\n"
    )
    s = check_scenario(p)
    assert s.interventions[0].window.hours == "20:00-08:00"


def test_hours_not_on_the_hour_are_refused(write):
    p = write(
        CORSE_BASE
        + "interventions:\n  - type: ed_closure\n    establishments: [\"2B0005359\"]\n"
        + '    closure: custom\n    window: {hours: "18:30-08:00"}\n'
    )
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert "HH:00-HH:00" in prob.expected and prob.found == '"18:30-08:00"'


def test_several_problems_are_reported_together(write):
    p = write(CORSE_BASE + "replicatons: 5\npolicy:\n  plan_blanc_on: high\n")
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    assert {x.column for x in exc.value.problems} == {"replicatons", "policy.plan_blanc_on"}


def test_the_cli_checks_good_files_and_reports_bad_ones_with_status_2(write, capsys):
    good = write(CORSE_BASE, "good.yaml")
    bad = write(CORSE_BASE + "seed: 8\n", "bad.yaml")
    assert main(["scenario", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "good.yaml: OK" in out and "2A, 2B" in out and "réplications : 3" in out
    assert main(["scenario", "check", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "good.yaml: OK" in captured.out
    assert f"{bad}:11: field seed: expected each key once" in captured.err
