"""The quickstart's closing steps: next four weeks for the baseline's région, top warnings."""

from __future__ import annotations

import pytest
import xarray as xr

from twin.demo import DEMO_BASELINE, _baseline_territory, _forecasts
from twin.paths import scenarios_dir


@pytest.mark.slow
def test_demo_forecasts_the_baseline_region_and_writes_what_the_dashboard_reads(
        tmp_path, capsys):
    region, deps = _baseline_territory(scenarios_dir() / DEMO_BASELINE)
    assert region == "32"
    _forecasts(region, deps, tmp_path)
    out = capsys.readouterr().out
    real, replica = out.split("CHIFFRES D'UNE RÉPLIQUE SYNTHÉTIQUE")
    # The région's next four weeks come from the real file, scored on its real history.
    assert "CHIFFRES RÉELS" in real
    assert "Source : données réelles (passages aux urgences OSCOUR" in real
    assert "Passages aux urgences attendus du 01/07/2024 au 28/07/2024 (28 jours)" in real
    assert "Précision sur l'historique réel (OSCOUR) : 4 prévisions" in real
    assert "erreur absolue / celle du naïf hebdomadaire = " in real
    # Départements and admissions come from the replica, and say so.
    assert replica.count("Source : réplique synthétique départementale") == 2
    assert "Passages aux urgences attendus du 01/01/2025 au 28/01/2025 (28 jours)" in replica
    assert "Hospitalisations après passage aux urgences attendues" in replica
    assert real.count("Hauts-de-France (32)") == 1 and replica.count("Hauts-de-France (32)") == 2
    regional = xr.open_zarr(tmp_path / "forecast_ed_regional.zarr", consolidated=False)
    assert list(regional["territory"].values) == ["32"]
    assert regional.attrs["data_kind"] == "real"
    passages = xr.open_zarr(tmp_path / "forecast_ed.zarr", consolidated=False)
    admissions = xr.open_zarr(tmp_path / "forecast_admissions.zarr", consolidated=False)
    assert sorted(passages["territory"].values) == ["02", "32", "59", "60", "62", "80"]
    # Admissions are a share of passages, région by région and day by day.
    ratio = (admissions["point"].values / passages["point"].values)
    assert ((ratio > 0.05) & (ratio < 0.5)).all()
