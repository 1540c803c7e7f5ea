"""Shared fixtures: where the real public files live for the tests."""

from __future__ import annotations

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
