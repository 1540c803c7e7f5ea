"""Medicine replicas: product master table, ground truth, cross-source coherence, determinism."""

from __future__ import annotations

import csv
import gzip
import itertools
from datetime import date
from pathlib import Path

import pytest

from twin.paths import real_dir
from twin.sources import bdpm as bdpm_source
from twin.sources import openmedic as om_source
from twin.synthetic import bdpm, openmedic, pathologies
from twin.synthetic.medicines import SENTINEL_PRODUCTS, products_table


def test_sentinel_products_are_format_valid_and_consistent():
    assert 10 <= len(SENTINEL_PRODUCTS) <= 15
    cis = [p.cis for p in SENTINEL_PRODUCTS]
    cips = [p.cip13 for p in SENTINEL_PRODUCTS]
    assert len(set(cis)) == len(cis) and len(set(cips)) == len(cips)
    for p in SENTINEL_PRODUCTS:
        assert bdpm_source.is_cis(p.cis)
        assert bdpm_source.is_valid_cip13(p.cip13) and p.cip13.startswith("34009")
        assert p.ucd is None or bdpm_source.is_valid_cip13(p.ucd)
        codes = [p.atc_code(level) for level in range(1, 6)]
        assert [len(c) for c in codes] == [1, 3, 4, 5, 7]
        assert all(b.startswith(a) for a, b in itertools.pairwise(codes))
        assert abs(sum(p.prescribers.values()) - 1) < 1e-9
    table = products_table()
    assert list(table["cip13"]) == cips and {"atc1", "atc5_label", "mitm"} <= set(table.columns)


def test_volumes_have_realistic_magnitudes():
    by_atc: dict[str, int] = {}
    for p in SENTINEL_PRODUCTS:
        by_atc[p.atc5] = by_atc.get(p.atc5, 0) + p.annual_boxes
    assert by_atc["N02BE01"] >= 100_000_000  # paracetamol: hundreds of millions
    assert by_atc["J01CA04"] + by_atc["J01CR02"] >= 10_000_000  # amoxicillin: tens of M
    for atc in ("A10AE04", "A10AB05"):  # insulins: millions
        assert 1_000_000 <= by_atc[atc] < 10_000_000


def test_ground_truth_covers_the_real_shortage_history(tmp_path: Path):
    bdpm.generate(real_dir(), tmp_path)
    with (tmp_path / "bdpm" / bdpm.GROUND_TRUTH).open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["sentinel"] == "1"]
    assert len(rows) == len(bdpm.SENTINEL_EPISODES)
    # Products with a real ANSM notice follow it: real return (or start) dates.
    for key, status, start, back, _ in bdpm.REAL_SENTINEL_NOTICES:
        mine = [r for r in rows if r["product_key"] == key]
        assert len(mine) == 1  # the hand-written episodes of these products are gone
        if status == 4:
            assert mine[0]["back_in_stock"] == back and mine[0]["rupture_start"]
        else:
            assert mine[0]["start"] == start
    for r in rows:
        assert r["start"] < r["back_in_stock"] < r["shown_until"]
        assert not r["rupture_start"] or r["start"] < r["rupture_start"] < r["back_in_stock"]
    # The ground truth is not a BDPM file: the loader never picks it up.
    assert all(p.name != bdpm.GROUND_TRUTH for p in bdpm_source.snapshot_files(tmp_path / "bdpm"))


def test_replica_snapshots_keep_the_real_file_shape(tmp_path: Path):
    """ISO-8859-1 and CRLF like the live ANSM file, blank CIP13 on most lines, repeated
    lines and lower-case labels somewhere, several notices for one CIS — and the loader
    reads every snapshot."""
    bdpm.generate(real_dir(), tmp_path)
    files = bdpm_source.snapshot_files(tmp_path / "bdpm")
    assert len(files) == len(bdpm.snapshot_days())
    raw = b"".join(f.read_bytes() for f in files[::4])
    assert raw.count(b"\r\n") == raw.count(b"\n") > 0
    assert "Remise à disposition".encode("iso-8859-1") in raw and b"\xc3" not in raw
    lines = raw.split(b"\r\n")
    cip = [ln.split(b"\t")[1] for ln in lines if ln]
    assert 0 < sum(1 for c in cip if c) < 0.1 * len(cip)
    assert b"\ttension d'approvisionnement\t" in raw or b"\tremise" in raw
    per_file = [f.read_bytes().split(b"\r\n") for f in files]
    assert any(len(set(p)) < len(p) - 1 for p in per_file)  # byte-identical repeats
    hist = bdpm_source.load_availability_history(tmp_path / "bdpm")
    per_cis = hist.groupby(["snapshot_date", "cis"]).size()
    assert per_cis.max() >= 2


def test_dispensing_dips_where_the_feed_shows_a_rupture(tmp_path: Path):
    """For chronic products (no seasonality to hide it), each month fully under a BDPM
    rupture dispenses clearly less than the same month of the other years."""
    openmedic.generate(real_dir(), tmp_path)
    monthly = om_source.load_monthly(tmp_path / "openmedic")
    checked = 0
    for ep in bdpm.SENTINEL_EPISODES:
        product = next(p for p in SENTINEL_PRODUCTS if p.key == ep.product_key)
        if product.seasonality != "chronic" or ep.rupture is None or ep.dispensing_effect < 0.2:
            continue
        nat = monthly[monthly["cip13"] == product.cip13].groupby("month")["boxes"].sum()
        for month in nat.index:
            first = month.date()
            last = date(first.year, first.month, 28)
            if not (ep.rupture <= first and last < ep.back_in_stock):
                continue
            same = nat[(nat.index.month == month.month) & (nat.index.year != month.year)]
            assert nat[month] < 0.9 * same.median(), (ep.episode_id, month)
            checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_generators_are_byte_identical_across_runs(tmp_path: Path):
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        files = []
        for gen in (openmedic, bdpm, pathologies):
            files += gen.generate(real_dir(), out)
        runs.append({p.relative_to(out): p.read_bytes() for p in files})
        assert all(p.is_relative_to(out) for p in files)
    assert runs[0].keys() == runs[1].keys()
    assert [k for k in runs[0] if runs[0][k] != runs[1][k]] == []
    gz = runs[0][Path("pathologies/effectifs.csv.gz")]
    assert gz[4:8] == b"\x00\x00\x00\x00"  # no timestamp in the gzip header
    assert gzip.decompress(gz).startswith(b"annee;")
    sizes = sum(len(b) for b in runs[0].values())
    assert sizes < 15_000_000
