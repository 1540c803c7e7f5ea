"""Helpers for scenario tests: small scenario files on Corse (two départements, cheap)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

CORSE_BASE = """\
name: corse
description: Référence Corse pour les tests.
territories:
  regions: ["94"]
period:
  start: 2024-01-08
  days: 14
  warmup_days: 2
replications: 3
seed: 7
"""
"""A valid base: Corse (2A, 2B), 14 days from Monday 8 January 2024."""

ICU_2A = "2A0004842"  # CH Notre-Dame de la Miséricorde, Ajaccio: ED + 12 ICU beds
ICU_2B = "2B0000012"  # CH de Bastia: ED + 12 ICU beds
ED_CALVI = "2B0005359"  # CH Calvi: ED, no ICU
SSR_ONLY = "2A0000030"  # CRF et maison de repos du Fino: SSR only


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
