"""The SurSaUD generator is deterministic and writes a reproducible gzip."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from twin.paths import real_dir
from twin.synthetic import sursaud


def test_largest_remainder_is_exact_and_proportional():
    x = np.array([0.0, 1.0, 2.5, 3.3, 10.0, 0.2])
    out = sursaud._largest_remainder(x, 171)
    assert out.sum() == 171
    assert out[0] == 0
    assert np.all(np.abs(out - x * 171 / x.sum()) < 1.0)
    assert np.array_equal(out, sursaud._largest_remainder(x, 171))


@pytest.mark.slow
def test_generate_twice_gives_identical_bytes(tmp_path: Path):
    first = sursaud.generate(real_dir(), tmp_path / "a")
    second = sursaud.generate(real_dir(), tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    assert first[0].name == "sursaud-corona-quot-dep-2024-12-31-19h00.csv.gz"
    raw = first[0].read_bytes()
    assert raw == second[0].read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert raw[3] & 0x08 == 0  # no stored file name
    with gzip.open(first[0], "rt") as fh:
        header = fh.readline().rstrip("\n")
        first_row = fh.readline().rstrip("\n").split(";")
    assert header == ";".join(sursaud.HEADER)
    assert first_row[:3] == ["01", "2019-01-01", "0"]
    assert len(first_row) == len(sursaud.HEADER)


def test_replica_regional_sums_match_the_real_regional_file():
    """On every (région, day) with a usable real value (covered, not empty, not
    provisional), the committed replica's départements sum exactly to the real regional
    all-ages passages; elsewhere the modelled days join the real level without a step."""
    import warnings

    import pandas as pd

    from twin.geography import dep_to_reg
    from twin.sources.sursaud import load_ed_daily_all_ages
    from twin.sources.sursaud_regional import load_ed_daily_regional

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        real = load_ed_daily_regional()
    total = load_ed_daily_all_ages()
    replica = total.groupby([total["dep"].map(dep_to_reg()).rename("reg"), "date"])[
        "passages"].sum()
    joined = real.join(replica.rename("replica"), on=["reg", "date"], how="inner")
    usable = joined["passages"].notna() & ~joined["provisional"]
    assert usable.sum() > 20_000  # 2020-02-24 .. 2024-06-30 less the gap, 18 régions
    diff = joined.loc[usable, "replica"] - joined.loc[usable, "passages"]
    assert (diff == 0).all(), joined.loc[usable][diff != 0].head()
    # Martinique's missing real days are modelled, at the level of its real days.
    mq = joined[(joined["reg"] == "02") & (joined["date"].dt.year == 2023)]
    known, missing = mq[mq["passages"].notna()], mq[mq["passages"].isna()]
    assert len(missing) > 100 and (missing["replica"] > 0).all()
    assert 0.8 < missing["replica"].mean() / known["replica"].mean() < 1.25
    # No step where the modelled 2022 gap meets the real series: the week before the first
    # real day (2022-12-26) within 15 % of the week after, nationally.
    nat = total.groupby("date")["passages"].sum()
    before = nat[pd.Timestamp("2022-12-19"):pd.Timestamp("2022-12-25")].mean()
    after = nat[pd.Timestamp("2022-12-26"):pd.Timestamp("2023-01-01")].mean()
    assert abs(after / before - 1) < 0.15
