"""The synthetic PUI ledger generator: sites, consumption scaling, disruptions, determinism."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.ledger import Panel, match_orders
from twin.paths import real_dir
from twin.rng import stream
from twin.sources.ledger import load_sites
from twin.sources.openmedic import load_monthly
from twin.synthetic import ledger as gen
from twin.synthetic.bdpm import SENTINEL_EPISODES
from twin.synthetic.medicines import PRODUCTS_BY_KEY

DAYS = pd.date_range(gen.START, gen.END, freq="D")


@pytest.fixture(scope="module")
def sites() -> list[gen.Site]:
    return gen.select_sites(real_dir())


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    m = load_monthly()
    return m[~m["folded"]]


def test_sites_are_large_real_hospitals_of_eight_regions(sites):
    assert len(sites) == 24
    assert {s.reg for s in sites} == set(gen.SITE_REGIONS)
    known = set(load_sites()["finess"])
    assert all(s.finess in known for s in sites)
    assert all(s.beds >= 500 and 0 < s.share < 0.1 for s in sites)
    deps = pd.Series([s.dep for s in sites])
    assert (deps.value_counts() >= 2).any()  # some share a département: transfers possible


def test_consumption_is_the_stated_share_of_regional_city_dispensing(sites, monthly):
    specs = gen.series_specs(sites[:2], monthly, DAYS)
    year = DAYS.year == 2023
    for spec in specs:
        m = monthly[(monthly["cip13"] == spec.product.cip13) & (monthly["reg"] == spec.site.reg)
                    & (monthly["year"] == 2023)]
        per_box = spec.product.pack_size if spec.type_code == "UCD" else 1
        expected = m["boxes"].sum() * gen.HOSPITAL_FRACTION * spec.site.share * per_box
        assert spec.mean_demand[year].sum() == pytest.approx(expected, rel=0.02)


def _spec(episodes=(), mean=20.0, key="amoxicilline_1g_cp") -> gen.SeriesSpec:
    site = gen.Site("750100125", "TEST", "75", "11", 1000, 0.03)
    return gen.SeriesSpec(site, PRODUCTS_BY_KEY[key], "CIP13", PRODUCTS_BY_KEY[key].cip13,
                          np.full(len(DAYS), mean), tuple(episodes))


def _panel(arrays: dict[str, np.ndarray]) -> Panel:
    series = pd.DataFrame({"finess": ["750100125"], "product": ["p"]})
    return Panel(DAYS, series, {k: v[None, :].astype(float) for k, v in arrays.items()
                                if k != "expected_day"})


def test_simulation_is_deterministic_and_conserves_stock():
    spec = _spec(SENTINEL_EPISODES)
    a, book_a = gen.simulate_series(spec, gen.START, stream(1, "t"), 3)
    b, book_b = gen.simulate_series(spec, gen.START, stream(1, "t"), 3)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    np.testing.assert_array_equal(book_a, book_b)
    np.testing.assert_array_equal(a["stock_fin"], a["stock_debut"] + a["recu"] - a["dispense"])
    np.testing.assert_array_equal(a["stock_debut"][1:], a["stock_fin"][:-1])
    assert (a["stock_fin"] >= 0).all()


def test_bdpm_episodes_cause_the_stock_outs():
    key = "amoxicilline_500mg5ml_susp"
    episodes = [e for e in SENTINEL_EPISODES if e.product_key == key]
    inside = np.zeros(len(DAYS), dtype=bool)
    for e in episodes:  # notice − 7 days … back in stock + 30 days
        lo = (e.start - gen.START).days - 7
        hi = (e.back_in_stock - gen.START).days + 30
        inside[max(0, lo) : hi] = True
    zero_with = np.zeros(len(DAYS))
    zero_without = np.zeros(len(DAYS))
    for seed in range(8):  # eight sites' worth: exposure and safety stock vary by site
        with_ep, _ = gen.simulate_series(_spec(episodes, key=key), gen.START,
                                         stream(seed, "t"), 3)
        without, _ = gen.simulate_series(_spec((), key=key), gen.START, stream(seed, "t"), 3)
        zero_with += with_ep["stock_fin"] == 0
        zero_without += without["stock_fin"] == 0
    assert zero_with.sum() > 50 + 5 * zero_without.sum()
    assert zero_with[inside].sum() >= 0.9 * zero_with.sum()


def test_match_orders_recovers_the_true_order_book():
    arrays, book = gen.simulate_series(_spec(SENTINEL_EPISODES[:12]), gen.START,
                                       stream(3, "t"), 4)
    orders = match_orders(_panel(arrays))
    assert len(orders) == len(book) > 30
    np.testing.assert_array_equal(orders["order_day"], book[:, 0])
    np.testing.assert_array_equal(orders["qty"], book[:, 1])
    np.testing.assert_array_equal(orders["close_day"], book[:, 2])
    closed = book[:, 2] >= 0
    np.testing.assert_array_equal(orders["delivered"][closed], book[closed, 3])
    assert (orders["fill"] < 1).any()  # quota'd deliveries are present and recovered


def test_ledger_text_is_the_documented_format(sites, monthly):
    days = pd.date_range(date(2021, 1, 1), periods=5, freq="D")
    specs = gen.series_specs(sites[:1], monthly, days)
    text = gen.ledger_text(gen.simulate_ledger(specs, days)).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ";".join(gen.HEADER)
    assert len(lines) == 1 + 5 * 12
    first = lines[1].split(";")
    assert first[0] == "01/01/2021" and len(first) == 11 and first[3] in ("CIP13", "UCD")
