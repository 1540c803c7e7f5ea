"""Shared fixtures: where the real public files live for the tests, and small input files
written by a test (``write``) with the line of a given text (``line_of``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REAL = REPO.parent / "shared" / "real-data"


@pytest.fixture(scope="session")
def shared_real() -> Path:
    """The folder of real public files beside the repository (``../shared/real-data``).

    CI lays it beside the clone; a developer machine without it skips only the tests that
    need files not embedded in ``data/real``.
    """
    if not SHARED_REAL.is_dir():
        pytest.skip("../shared/real-data is not present on this machine")
    return SHARED_REAL


@pytest.fixture
def write(tmp_path: Path):
    """``write(text, name="s.yaml")`` → path of a scenario file (dedented)."""

    def _write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text), encoding="utf-8")
        return p

    return _write


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (to test reported lines)."""
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return k
    raise AssertionError(f"{needle!r} not in {path}")
