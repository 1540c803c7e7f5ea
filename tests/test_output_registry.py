"""The output registry is the one definition every output user reads, and it changes no
number: a short real run gives bit-identical Dataset, store values, comparison and dashboard
statistics to the recorded fixture.

History of the fixture: recorded at b6c6aa4, before the registry; the registry refactor (with
a handful of deliberate wording fixes and the dashboard's period peak = highest day) was
checked bit-identical against it at 695eea4 with the reference pathway model. It was then
re-recorded once for two deliberate model changes: the fast pathway model (#11, equal in law
to the reference, tests/sim/test_fast_pathway.py) and the SAMU stay-mark / ICU calibration fix
(#14). Re-record after an intended change with ``python -m tests.output_snapshot``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests import output_snapshot as snap
from twin import aggregation as agg
from twin.output_registry import (
    BY_NAME,
    OUTPUTS,
    STORE_OUTPUTS,
    NotPooled,
    Output,
    Ratio,
    Sum,
    Weighted,
    _check,
    summable_at,
)


@pytest.fixture(scope="module")
def snapshots() -> tuple[dict, dict]:
    before = json.loads(snap.FIXTURE.read_text(encoding="utf-8"))
    now = json.loads(snap.dumps(snap.snapshot()))
    return before, now


@pytest.mark.slow
@pytest.mark.parametrize("section", ["replication", "by_territory", "store"])
def test_values_and_metadata_are_bit_identical(snapshots, section):
    before, now = snapshots
    old, new = before[section], now[section]
    assert set(new) == set(old), "variables added or lost"
    for name in old:
        assert new[name]["dims"] == old[name]["dims"], name
        assert new[name]["values"] == old[name]["values"], f"{section} {name} values changed"
        for attr in set(old[name]["attrs"]) | set(new[name]["attrs"]):
            was, is_ = old[name]["attrs"].get(attr), new[name]["attrs"].get(attr)
            assert is_ == was, f"{section} {name}.{attr}: {was!r} -> {is_!r}"


@pytest.mark.slow
def test_comparison_and_dashboard_numbers_are_unchanged(snapshots):
    before, now = snapshots
    for key in ("columns", "keys", "numbers"):
        assert now["compare"][key] == before["compare"][key], key
    assert set(now["dashboard"]) == set(before["dashboard"])
    changed = {k for k, v in before["dashboard"].items() if now["dashboard"][k] != v}
    assert changed == set()


@pytest.mark.slow
def test_datasets_carry_the_registry_metadata(snapshots):
    _, now = snapshots
    for name, entry in now["replication"].items():
        if name in BY_NAME:
            o = BY_NAME[name]
            assert entry["dims"] == list(o.dims), name
            assert entry["attrs"] == {"description": o.description, "units": o.units}
    simulated = {o.name for o in OUTPUTS if o.simulated}
    assert simulated <= set(now["replication"])
    assert set(now["by_territory"]) - {"dep", "date", "discipline"} == set(
        summable_at("establishment")
    )
    for o in STORE_OUTPUTS:
        assert now["store"][o.name]["attrs"] == {
            "description": o.store_description, "long_name_fr": o.label_fr,
            "units": o.store_units,
        }  # fmt: skip


def test_by_territory_sums_no_quantile_and_no_share():
    names = summable_at("establishment")
    for n in names:
        assert isinstance(BY_NAME[n].aggregation, Sum)
    assert "ed_los_median" not in names and "ed_los_over_4h_share" not in names
    assert "samu_calls" not in names  # a département output is not summed from establishments


def test_dashboard_labels_and_units_come_from_the_registry():
    from dashboard.catalogue import INDICATORS

    for ind in INDICATORS:
        o = BY_NAME[ind.name]
        assert o.in_store and ind.label == o.label_fr
        assert ind.needs() == o.parts()
        assert (ind.unit == "%") == (o.store_units == "1")
    assert BY_NAME["icu_capacity"].label_fr == "Lits de réanimation ouverts (moyenne)"


def test_registry_refuses_duplicates_and_dangling_weights():
    a = Output("a", "1", "a", "A", "establishment")
    with pytest.raises(ValueError, match="twice"):
        _check((a, a))
    with pytest.raises(ValueError, match="'w' is not a summed"):
        _check((Output("s", "1", "s", "S", "establishment", Weighted("w")),))
    q = Output("q", "1", "q", "Q", "establishment", NotPooled())
    with pytest.raises(ValueError, match="'q' is not a summed"):
        _check((a, q, Output("r", "1", "r", "R", "establishment", Ratio("a", "q"))))


def test_ratio_weighting_and_period_reduction():
    num, den = np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.0, np.nan])
    np.testing.assert_array_equal(agg.ratio(num, den), [0.5, np.nan, np.nan])
    x, w = np.array([0.2, np.nan, 0.5]), np.array([10.0, 5.0, np.nan])
    xw, ww = agg.weighted_parts(x, w)
    # Only the complete pair counts: the pooled share is 0.2, not diluted by 5 passages.
    assert agg.ratio(xw.sum(), ww.sum()) == pytest.approx(0.2)
    days = np.array([[1.0, 5.0, np.nan], [np.nan, np.nan, np.nan]])
    np.testing.assert_array_equal(agg.over_time(BY_NAME["mco_occupied_peak"], days), [5, np.nan])
    np.testing.assert_array_equal(agg.over_time(BY_NAME["ed_passages"], days), [3, np.nan])


def test_summary_matches_numpy_on_finite_values():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(40, 3))
    v[0, 1] = np.nan
    mean, (p5, p95), n = agg.summary(v)
    for j in range(3):
        col = v[np.isfinite(v[:, j]), j]
        assert mean[j] == pytest.approx(col.mean())
        np.testing.assert_allclose([p5[j], p95[j]], np.quantile(col, [0.05, 0.95]))
    np.testing.assert_array_equal(n, [40, 39, 40])
