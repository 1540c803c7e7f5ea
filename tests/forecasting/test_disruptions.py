"""The supply-disruption record handed over by the scenario layer: pure, frozen, checked."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from forecasting.disruptions import SupplyDisruption


def test_fields_defaults_and_date_strings():
    d = SupplyDisruption("3400930000001", "rupture", "2024-01-01", date(2024, 2, 1))
    assert (d.start, d.end) == (date(2024, 1, 1), date(2024, 2, 1))
    assert (d.delay_days, d.quota_share, d.sites, d.deps) == (0, 1.0, (), ())
    q = SupplyDisruption("amoxicilline_1g_cp", "quota", datetime(2024, 1, 1, 8),
                         "2024-01-31", quota_share=0.25, sites=["750100125"], deps=("13",))
    assert q.start == date(2024, 1, 1) and type(q.start) is date
    assert q.sites == ("750100125",) and q.deps == ("13",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.kind = "delay"  # type: ignore[misc]
    assert SupplyDisruption("x", "delay", "2024-01-01", "2024-01-01", delay_days=7).delay_days == 7


@pytest.mark.parametrize(("fields", "message"), [
    (dict(kind="strike"), "kind must be one of"),
    (dict(kind="rupture", end="2023-12-31"), "is before start"),
    (dict(kind="rupture", start="01/01/2024"), "start must be a date"),
    (dict(kind="delay"), "a delay needs delay_days"),
    (dict(kind="delay", delay_days=2.5), "whole number"),
    (dict(kind="delay", delay_days=None), "whole number"),
    (dict(kind="quota", quota_share=None), "quota_share must be a number"),
    (dict(kind="rupture", delay_days=3), "delay_days only applies"),
    (dict(kind="quota"), "a quota needs quota_share below 1"),
    (dict(kind="quota", quota_share=1.5), "within 0…1"),
    (dict(kind="rupture", quota_share=0.5), "quota_share only applies"),
    (dict(kind="rupture", product=" "), "product must be"),
])
def test_inconsistent_disruptions_are_refused(fields, message):
    base = dict(product="x", start="2024-01-01", end="2024-02-01")
    with pytest.raises(ValueError, match=message):
        SupplyDisruption(**{**base, **fields})
