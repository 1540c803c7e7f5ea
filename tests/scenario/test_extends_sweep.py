"""extends (merge, override by id, cycles), sweep expansion, intervals and the run table."""

from __future__ import annotations

import pytest

from tests.conftest import line_of
from tests.scenario.conftest import CORSE_BASE, ICU_2A, ICU_2B
from twin.errors import DataError
from twin.scenario import Overrides, check_scenario, load_scenario, override
from twin.scenario.resolve import run_table

ICU_CUT = f"""\
interventions:
  - id: icu-cut
    type: capacity_change
    resource: icu
    change: {{low: -30%, high: -10%}}
  - id: extra-beds
    type: capacity_change
    resource: medicine
    beds: {{low: 2, high: 6}}
    target: {{establishments: ["{ICU_2B}"]}}
"""


def test_extends_merges_mappings_replaces_values_and_appends_interventions(write):
    write(CORSE_BASE + ICU_CUT, "base.yaml")
    child = write(
        "name: child\ndescription: Variante.\nextends: base\nreplications: 5\n"
        "period:\n  days: 10\n"
        "policy:\n  plan_blanc_on: 0.95\n"
        "interventions:\n"
        "  - id: icu-cut\n    type: capacity_change\n    resource: icu\n    change: -50%\n"
        f'  - type: ed_closure\n    establishments: ["{ICU_2A}"]\n',
        "child.yaml",
    )
    s = check_scenario(child)
    assert s.name == "child" and s.extends == "base" and s.replications == 5
    assert s.period.days == 10 and s.period.start.isoformat() == "2024-01-08"  # merged
    assert s.period.warmup_days == 2 and s.seed == 7  # inherited
    assert s.policy.plan_blanc_on == 0.95 and s.policy.plan_blanc_off == 0.90
    kinds = [(i.type, i.id) for i in s.interventions]
    assert kinds == [
        ("capacity_change", "icu-cut"),
        ("capacity_change", "extra-beds"),
        ("ed_closure", None),
    ]
    assert s.interventions[0].change == -0.5  # replaced by id, in place


def test_errors_in_a_base_name_the_base_file_and_line(write):
    base = write(CORSE_BASE + "policy:\n  plan_blanc_on: lots\n", "base.yaml")
    child = write("name: child\ndescription: V.\nextends: base\n", "child.yaml")
    with pytest.raises(DataError) as exc:
        load_scenario(child)
    (prob,) = exc.value.problems
    assert prob.file == str(base) and prob.line == line_of(base, "plan_blanc_on")


def test_extends_cycles_and_unknown_bases_are_refused(write):
    write("name: a\ndescription: A.\nextends: b\n", "a.yaml")
    b = write("name: b\ndescription: B.\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(DataError) as exc:
        load_scenario(b)
    (prob,) = exc.value.problems
    assert "cycle" in prob.found and "a.yaml" in prob.found and prob.column == "extends"
    c = write("name: c\ndescription: C.\nextends: nowhere\n", "c.yaml")
    with pytest.raises(DataError) as exc:
        load_scenario(c)
    (prob,) = exc.value.problems
    assert prob.found == '"nowhere"' and "a scenario of the same folder (a, b)" in prob.expected


def test_a_variant_must_name_itself(write):
    write(CORSE_BASE, "base.yaml")
    child = write("extends: base\ndescription: V.\n", "child.yaml")
    with pytest.raises(DataError) as exc:
        load_scenario(child)
    assert "its own name" in exc.value.problems[0].expected


def test_run_table_replication_0_is_central_and_draws_stay_in_their_interval(write):
    (run,) = load_scenario(
        write(CORSE_BASE.replace("replications: 3", "replications: 40") + ICU_CUT)
    )
    table = run.run_table
    assert len(table) == 40
    assert table[0] == {
        "interventions.icu-cut.change": pytest.approx(-0.2),
        "interventions.extra-beds.beds": 4,
    }
    changes = [row["interventions.icu-cut.change"] for row in table[1:]]
    beds = [row["interventions.extra-beds.beds"] for row in table[1:]]
    assert all(-0.3 <= c <= -0.1 for c in changes) and len(set(changes)) == 39
    assert set(beds) <= {2, 3, 4, 5, 6} and len(set(beds)) >= 4
    assert all(isinstance(b, int) for b in beds)
    assert run.uncertain == {
        "interventions.icu-cut.change": (-0.3, -0.1),
        "interventions.extra-beds.beds": (2, 6),
    }


def test_run_table_is_deterministic_prefix_stable_and_seed_dependent(write):
    s = check_scenario(write(CORSE_BASE + ICU_CUT), check_network=False)
    assert run_table(s, 10) == run_table(s, 10)
    assert run_table(s, 10)[:4] == run_table(s, 4)  # more replications keep the draws
    other = override(s, Overrides(replications=10), check_network=False)
    assert run_table(other) == run_table(s, 10)
    reseeded = s.model_copy(update={"seed": 8})
    assert run_table(reseeded, 5)[0] == run_table(s, 5)[0]  # central run
    assert run_table(reseeded, 5)[1:] != run_table(s, 5)[1:]


def test_a_draw_does_not_depend_on_the_other_uncertain_inputs(write):
    only_icu = ICU_CUT.split("  - id: extra-beds")[0]
    a = run_table(check_scenario(write(CORSE_BASE + ICU_CUT, "a.yaml"), check_network=False))
    b = run_table(check_scenario(write(CORSE_BASE + only_icu, "b.yaml"), check_network=False))
    assert [r["interventions.icu-cut.change"] for r in a] == [
        r["interventions.icu-cut.change"] for r in b
    ]


def test_realise_puts_each_replication_draw_in_the_scenario(write):
    (run,) = load_scenario(write(CORSE_BASE + ICU_CUT))
    for r in range(run.replications):
        sc = run.realise(r)
        assert sc.interventions[0].change == run.run_table[r]["interventions.icu-cut.change"]
        assert sc.interventions[1].beds == run.run_table[r]["interventions.extra-beds.beds"]
    assert run.scenario.interventions[0].change.low == -0.3  # the resolved keeps intervals


def test_resolved_scenario_round_trips_through_json(write):
    from twin.scenario.resolve import ResolvedScenario

    (run,) = load_scenario(write(CORSE_BASE + ICU_CUT))
    dumped = run.model_dump(mode="json")
    import json

    again = ResolvedScenario.model_validate(json.loads(json.dumps(dumped)))
    assert again.run_table == run.run_table and again.scenario == run.scenario
    assert dumped["scenario"]["interventions"][0]["change"] == {"low": "-30%", "high": "-10%"}


SWEEP = """\
interventions:
  - id: icu-cut
    type: capacity_change
    resource: icu
    change: -20%
sweep:
  parameters:
    - parameter: interventions.icu-cut.change
      values: ["-10%", "-20%", "-30%"]
    - parameter: policy.plan_blanc_on
      label: pb
      values: [0.95, 0.98]
"""


def test_sweep_expands_a_named_grid_with_the_values_set(write):
    runs = load_scenario(write(CORSE_BASE + SWEEP))
    assert [r.name for r in runs] == [
        "corse--change=-10%--pb=0.95",
        "corse--change=-10%--pb=0.98",
        "corse--change=-20%--pb=0.95",
        "corse--change=-20%--pb=0.98",
        "corse--change=-30%--pb=0.95",
        "corse--change=-30%--pb=0.98",
    ]
    assert {r.family for r in runs} == {"corse"}
    assert [r.scenario.interventions[0].change for r in runs[::2]] == pytest.approx(
        [-0.1, -0.2, -0.3]
    )
    assert [r.scenario.policy.plan_blanc_on for r in runs[:2]] == [0.95, 0.98]
    assert runs[3].sweep_values == {
        "interventions.icu-cut.change": "-20%",
        "policy.plan_blanc_on": 0.98,
    }
    assert all(r.scenario.sweep is None and r.scenario.seed == 7 for r in runs)


def test_a_bad_sweep_value_names_the_line_of_the_value(write):
    p = write(CORSE_BASE + SWEEP.replace('"-30%"', '"-130%"'))
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert prob.line == line_of(p, "-130%") and "at least -100%" in prob.expected


def test_a_sweep_of_an_unknown_path_or_of_the_seed_is_refused(write):
    p = write(CORSE_BASE + SWEEP.replace("policy.plan_blanc_on", "policy.plan_blanc_at"))
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert "no 'plan_blanc_at' there" in prob.found and prob.line == line_of(p, "plan_blanc_at")
    p = write(CORSE_BASE + SWEEP.replace("policy.plan_blanc_on", "seed"), "seed.yaml")
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    assert "other than name" in exc.value.problems[0].expected


def test_overrides_clip_windows_to_a_short_horizon(write):
    from datetime import date

    s = check_scenario(
        write(
            CORSE_BASE
            + "interventions:\n"
            + "  - type: capacity_change\n    resource: icu\n    change: -20%\n"
            + "    window: {start: 2024-01-12, end: 2024-01-20}\n"
            + "  - type: capacity_change\n    resource: ssr\n    change: -20%\n"
            + "    window: {start: 2024-01-18, end: 2024-01-20}\n"
        )
    )
    short = override(
        s, Overrides(start=date(2024, 1, 10), days=3, warmup_days=0, clip_windows=True)
    )
    assert len(short.interventions) == 1
    w = short.interventions[0].window
    assert (w.start, w.end) == (date(2024, 1, 12), date(2024, 1, 12))
    with pytest.raises(DataError) as exc:
        override(s, Overrides(days=3, warmup_days=0))
    assert "a date within the period" in exc.value.problems[0].expected
