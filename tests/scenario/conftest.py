"""Helpers for scenario tests: small scenario files on Corse (two départements, cheap)."""

from __future__ import annotations

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
