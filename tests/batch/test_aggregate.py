"""Département figures of a replication: conservation of the establishment sums, pooled ED
shares weighted by passages, occupancy rates from summed beds."""

from __future__ import annotations

import numpy as np
import pytest

from twin.batch.aggregate import department_values
from twin.batch.variables import STORE_VARIABLES, VARIABLE_NAMES
from twin.output_registry import Sum

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replication(plan):
    from twin.scenario import replicate

    block = plan.blocks[0]
    return replicate(plan.scenarios[0], 1, block), block


def _var(values, name):
    return values[VARIABLE_NAMES.index(name)]


def test_additive_variables_conserve_the_establishment_totals(replication, plan):
    ds, block = replication
    values = department_values(ds, block, plan.dates)
    assert values.dtype == np.float32
    assert values.shape == (len(STORE_VARIABLES), len(block), len(plan.dates))
    for v in STORE_VARIABLES:
        if v.level != "establishment" or not isinstance(v.aggregation, Sum):
            continue
        for k, dep in enumerate(block):
            est = ds[v.name].where(ds["dep"] == dep, drop=True)
            expected = est.sum("establishment", skipna=True).values
            got = values[VARIABLE_NAMES.index(v.name), k]
            np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=v.name)
    # Département SAMU figures are taken as they are.
    np.testing.assert_allclose(
        _var(values, "samu_calls"), ds["samu_calls"].sel(territory=list(block)).values
    )


def test_pooled_share_is_the_share_of_all_the_departements_patients(replication, plan):
    ds, block = replication
    values = department_values(ds, block, plan.dates)
    share = _var(values, "ed_los_over_4h_share")
    for k, dep in enumerate(block):
        s = ds["ed_los_over_4h_share"].where(ds["dep"] == dep, drop=True)
        n = ds["ed_passages"].where(ds["dep"] == dep, drop=True)
        ok = s.notnull() & n.notnull()
        expected = (s * n).where(ok).sum("establishment") / n.where(ok).sum("establishment")
        np.testing.assert_allclose(share[k], expected.values, rtol=1e-6)
        # A pooled share lies between the smallest and largest ED share of the day.
        assert (share[k] >= s.min("establishment").values - 1e-6).all()
        assert (share[k] <= s.max("establishment").values + 1e-6).all()


def test_occupancy_rate_is_occupied_over_open_beds(replication, plan):
    ds, block = replication
    values = department_values(ds, block, plan.dates)
    rate = _var(values, "icu_occupancy_rate")
    occ, cap = _var(values, "icu_occupied_mean"), _var(values, "icu_capacity")
    np.testing.assert_allclose(rate, occ / cap, rtol=1e-6)
    assert ((rate >= 0) & (rate <= 1 + 1e-6)).all()


def test_a_replication_of_other_days_is_refused(replication, plan):
    ds, block = replication
    with pytest.raises(ValueError, match="differ from the store"):
        department_values(ds, block, plan.dates + np.timedelta64(1, "D"))
