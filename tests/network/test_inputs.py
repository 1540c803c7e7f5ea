"""The network's input tables: SAMU centres that leave answered calls empty in SAE."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from twin.network import build_network, load_inputs, load_sae_tables
from twin.sources import sae


def test_missing_answered_calls_are_estimated_from_what_the_centre_reports():
    national = sae.load_samu_smur(2023)
    samu = national[national["has_samu"]]
    both = samu.dropna(subset=["calls_answered", "regulation_files"])
    ratio = both["calls_answered"].sum() / both["regulation_files"].sum()
    t = load_sae_tables(2023, ["2A", "2B"]).samu_smur
    bastia = t[t["finess"] == "2B0000012"].iloc[0]
    assert np.isnan(bastia["calls_answered"])  # what SAE says stays as it is
    assert bastia["calls_answered_estimate"] == pytest.approx(bastia["regulation_files"] * ratio)
    assert bastia["calls_answered_source"].startswith("regulation files")
    ajaccio = t[t["finess"] == "2A0004842"].iloc[0]
    assert ajaccio["calls_answered_estimate"] == ajaccio["calls_answered"]
    assert ajaccio["calls_answered_source"] == "reported"


def test_a_centre_without_answered_calls_still_gets_its_calls():
    """Haute-Corse's SAMU reports 41,222 regulation files but no answered calls: its calls
    are of the order of its regulation files, not the 15 a day the passages alone imply, and
    the share passed to a regulating doctor is a share (it was above 1)."""
    inputs = load_inputs(2023, ["2A", "2B"])
    net = build_network(inputs, ["2A", "2B"], date(2023, 3, 6), 7)
    haute_corse = next(t for t in net.territories if t.dep == "2B")
    files_per_day = 41222 / 365
    assert haute_corse.samu_calls_per_day.mean() > files_per_day
    assert 0 < haute_corse.samu_doctor_share <= 1


def test_a_zero_beside_tens_of_thousands_of_regulation_files_is_not_taken_as_reported():
    """SAE 2024: Haute-Corse writes 0 answered calls (and 0 received) next to 42,497
    regulation files; the estimate must not keep that 0."""
    t = load_sae_tables(2024, ["2B"]).samu_smur
    bastia = t[t["finess"] == "2B0000012"].iloc[0]
    assert bastia["calls_answered"] == 0  # as published
    assert bastia["calls_answered_estimate"] > bastia["regulation_files"]
    assert bastia["calls_answered_source"].startswith("regulation files")
