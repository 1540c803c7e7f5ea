"""The scenario library: every file is valid, French-described, comparable with its
baseline, and runs on a short horizon (issue 4, point 2: every scenario file runs in CI)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from twin.paths import scenarios_dir
from twin.scenario import Overrides, blocks, check_scenario, load_scenario, replicate
from twin.scenario import model as m

LIBRARY = sorted(scenarios_dir().glob("*.yaml"))
SHORT_DAYS = 3


def test_the_library_has_a_baseline_and_at_least_eight_what_ifs():
    names = {p.stem for p in LIBRARY}
    assert "baseline" in names
    what_ifs = [p for p in LIBRARY if not p.stem.startswith("baseline")]
    assert len(what_ifs) >= 8
    kinds = {i.type for p in what_ifs for i in check_scenario(p, check_network=False).interventions}
    assert kinds == set(m.INTERVENTION_TYPES)  # every intervention type is exemplified


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_library_scenarios_are_named_after_their_file_described_in_french_and_share_the_seed(
    path,
):
    s = check_scenario(path, check_network=False)
    baseline = check_scenario(scenarios_dir() / "baseline.yaml", check_network=False)
    assert s.name == path.stem
    assert any(w in s.description.lower() for w in (" les ", " des ", " de la ", " du "))
    assert s.seed == baseline.seed  # common random numbers with the baseline
    assert s.territories == baseline.territories and s.data_year == baseline.data_year
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


def _short(s: m.Scenario) -> Overrides:
    """Three days from the first intervention window (so interventions act), 1 replication."""
    starts = [
        i.window.start
        for i in s.interventions
        if getattr(i, "window", None) is not None and i.window.start is not None
    ]
    start = min(starts) if starts else s.period.start
    start = min(start, s.period.end - timedelta(days=SHORT_DAYS - 1))
    return Overrides(
        replications=1, start=start, days=SHORT_DAYS, warmup_days=0, clip_windows=True
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_every_library_scenario_runs_on_a_short_horizon(path):
    runs = load_scenario(path, overrides=_short(check_scenario(path, check_network=False)))
    for run in (runs[0], runs[-1]):  # a sweep's first and last variants
        for block in blocks(run):
            ds = replicate(run, 0, block)
            assert ds.sizes["date"] == SHORT_DAYS
            assert float(ds["ed_passages"].sum()) > 0
            assert ds.attrs["scenario"] == run.name and ds.attrs["replication"] == 0
