"""How values combine over a period: a rate is the ratio of the period's totals."""

from __future__ import annotations

import numpy as np
import pytest

from twin.aggregation import over_period, weighted_parts
from twin.output_registry import BY_NAME


def test_period_occupancy_weighs_each_open_bed_day_once():
    # 10 beds full for 3 days, then 2 beds left, both occupied, for 3 days: 36 of 36 bed-days
    # occupied is 100 %; so is every day. Then make the small days half empty: 30 + 3 = 33
    # occupied of 36 open bed-days (91.7 %), whereas a mean of daily rates says 75 %.
    occupied = np.array([10.0, 10, 10, 1, 1, 1])
    capacity = np.array([10.0, 10, 10, 2, 2, 2])
    rate = over_period(BY_NAME["icu_occupancy_rate"], {"num": occupied, "den": capacity})
    assert rate == pytest.approx(33 / 36)
    assert np.mean(occupied / capacity) == pytest.approx(0.75)  # what it must not be


def test_pooled_share_weighs_days_by_passages_and_skips_days_without_one():
    share = np.array([0.5, 0.1, np.nan])
    passages = np.array([10.0, 90.0, 0.0])
    xw, w = weighted_parts(share, passages)
    value = over_period(BY_NAME["ed_los_over_4h_share"], {"xw": xw, "w": w})
    assert value == pytest.approx((5 + 9) / 100)


def test_counts_take_the_mean_day_and_peaks_the_highest_day():
    days = np.array([[1.0, 5.0, 3.0]])
    assert over_period(BY_NAME["ed_passages"], {"x": days}) == pytest.approx([3.0])
    assert over_period(BY_NAME["icu_occupied_peak"], {"x": days}) == pytest.approx([5.0])


def test_no_open_bed_over_the_period_gives_no_rate():
    rate = over_period(BY_NAME["mco_occupancy_rate"], {"num": np.zeros(3), "den": np.zeros(3)})
    assert np.isnan(rate)
