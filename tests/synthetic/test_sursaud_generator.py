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
