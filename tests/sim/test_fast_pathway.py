"""The fast pathway model (twin.sim.pathway) against the per-patient-process reference
(twin.sim.pathway_reference): the same patients along the same paths on a shared seed, and
outputs statistically indistinguishable over independent seeds on a real région."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats

from tests.sim.toy_network import two_ed_network
from twin.sim import pathway as pw
from twin.sim.interventions import CapacityChange, EDClosure, Interventions, TimeWindow
from twin.sim.replication import run_replication

NIGHT = tuple(h < 8 or h >= 20 for h in range(24))


def _relative_gaps(a, b) -> dict[str, float]:
    gaps = {}
    for k in a.data_vars:
        x, y = a[k].values, b[k].values
        assert np.array_equal(np.isnan(x), np.isnan(y)), k
        scale = max(float(np.nansum(np.abs(x))), 1e-12)
        gaps[k] = float(np.nansum(np.abs(x - y))) / scale
    return gaps


def test_vectorised_ed_attributes_equal_the_reference_scalar_ones():
    net = two_ed_network(days=3, places=12)
    sim = pw.Simulation(net, np.random.SeedSequence(2))
    rng = np.random.default_rng(5)
    marks = rng.random((3000, 9))
    ages = rng.integers(0, 5, 3000)
    for unit in sim.eds:
        triage, disp, treat, delay = pw.ed_attributes(
            unit, ages, marks, sim.parameters, sim._triage_cum
        )
        for i in range(0, 3000, 7):
            want = sim._ed_attributes(unit, int(ages[i]), marks[i], None)
            assert (triage[i], disp[i]) == want[:2]
            assert treat[i] == pytest.approx(want[2], rel=1e-13)
            assert delay[i] == pytest.approx(want[3], rel=1e-13)
        assert set(np.unique(disp)) == {pw.HOME, pw.UHCD, pw.TRANSFER_OUT, pw.ADMIT_WARD,
                                        pw.ADMIT_ICU}


def test_same_seed_follows_the_reference_path_with_closures_and_a_thin_samu():
    """The queue recursion is exact and the marks are the same, so on one seed the fast
    model sees the same patients take the same paths: every output agrees with the
    reference up to floating-point summation order. The night closure sends patients
    through the SAMU; halving the ARM roster on some days makes the call queue bind."""
    interventions = Interventions(
        capacity=(
            CapacityChange("samu_arm", TimeWindow(48.0, 120.0), factor=0.4),
            CapacityChange("samu_doctor", TimeWindow(24.0, 96.0), delta=-1),
            CapacityChange("ed_places", TimeWindow(72.0, 200.0), targets=("590000002",),
                           factor=0.5),
        ),
        ed_closures=(EDClosure("590000001", TimeWindow(hours_of_day=NIGHT)),),
    )
    net = two_ed_network(days=14, places=12)
    for seed in (3, 4):
        ref = run_replication(net, seed, interventions=interventions, reference=True,
                              episodes=True)
        fast = run_replication(net, seed, interventions=interventions, episodes=True)
        assert float(ref["closed_ed_redirected"].sum()) > 100
        assert float(ref["samu_answer_time_p90"].max()) > 60  # the call queue did bind
        gaps = _relative_gaps(ref.drop_dims("episode"), fast.drop_dims("episode"))
        assert max(gaps.values()) < 1e-9, {k: g for k, g in gaps.items() if g >= 1e-9}
        assert ref.sizes["episode"] == fast.sizes["episode"]
        np.testing.assert_allclose(np.sort(ref["episode_los_hours"].values),
                                   np.sort(fast["episode_los_hours"].values), atol=1e-9)


def _lag1(runs: list[np.ndarray]) -> float:
    """Lag-1 autocorrelation of daily values, pooled over runs (deviations from each run's
    own mean)."""
    num = den = 0.0
    for x in runs:
        d = x - x.mean()
        num += float(np.sum(d[1:] * d[:-1]))
        den += float(np.sum(d * d))
    return num / den if den > 0 else 0.0


@pytest.fixture(scope="module")
def corse():
    from twin.geography import deps_of
    from twin.network import build_network, load_inputs

    deps = deps_of(["R94"])
    return build_network(load_inputs(2023, deps), deps, date(2023, 1, 1), 21)


@pytest.mark.slow
def test_outputs_are_statistically_indistinguishable_on_a_real_region(corse):
    """Independent seeds (1-4 reference, 5-8 fast), Corse, 21 days (3 of warm-up). Per
    variable: Welch's t-test on the four per-seed means of the daily régional values, and,
    for variables whose daily values are close to independent (lag-1 autocorrelation within
    a run below 0.5: ED and SAMU flows, waits, counts — not bed stocks, whose days are
    nearly the same sample and would make KS over-reject), a two-sample Kolmogorov-Smirnov
    test on the pooled daily values (72 per model). Each must have p > 0.001 (about 40
    variables: a family-wise false-alarm rate near 4 % per test kind)."""
    ref = [run_replication(corse, s, warmup_days=3, reference=True) for s in (1, 2, 3, 4)]
    fast = [run_replication(corse, s, warmup_days=3) for s in (5, 6, 7, 8)]
    checked = ks = 0
    for k in ref[0].data_vars:
        if "date" not in ref[0][k].dims:
            continue
        other = [d for d in ref[0][k].dims if d != "date"]

        def daily(ds, k=k, other=other):
            v = ds[k].mean(other, skipna=True).values if other else ds[k].values
            return v[np.isfinite(v)]

        a = [daily(d) for d in ref]
        b = [daily(d) for d in fast]
        pooled_a, pooled_b = np.concatenate(a), np.concatenate(b)
        if pooled_a.size == 0 or np.ptp(np.concatenate([pooled_a, pooled_b])) == 0:
            assert np.array_equal(np.unique(pooled_a), np.unique(pooled_b)), k
            continue
        ma, mb = [x.mean() for x in a], [x.mean() for x in b]
        if np.std(ma) + np.std(mb) > 0:
            assert stats.ttest_ind(ma, mb, equal_var=False).pvalue > 1e-3, k
        if _lag1(a + b) < 0.5:
            assert stats.ks_2samp(pooled_a, pooled_b).pvalue > 1e-3, k
            ks += 1
        checked += 1
    assert checked >= 25 and ks >= 12
