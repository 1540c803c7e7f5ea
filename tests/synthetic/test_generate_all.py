"""The committed synthetic files are exactly what the seeded generators produce."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from twin.paths import real_dir, synthetic_dir
from twin.synthetic import build_all


def content(path: Path) -> bytes:
    """The file's bytes; for gzip files the decompressed bytes, since compressed bytes may
    legitimately differ between zlib builds while the data is identical."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.slow
def test_committed_synthetic_files_are_rebuilt_byte_identically(tmp_path: Path):
    written = build_all(real_dir(), tmp_path)
    assert written, "generators wrote nothing"
    rebuilt = {p.relative_to(tmp_path) for p in written}
    committed = {p.relative_to(synthetic_dir()) for p in synthetic_dir().rglob("*") if p.is_file()}
    assert rebuilt == committed
    different = [
        str(r) for r in sorted(rebuilt) if content(tmp_path / r) != content(synthetic_dir() / r)
    ]
    assert not different, f"committed files differ from the generator output: {different}"
