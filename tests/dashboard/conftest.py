"""Fixtures: a small results store written to the batch contract from real short runs.

Two départements of two régions (Lozère 48, Cantal 15), 7 days, 4 replications, three
scenarios on common random numbers: the reference, a 30 % cut of medicine and surgery beds,
and a 40 % surge of ED demand. Built once per test session (about 20 s, mostly reading the
embedded data).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tests.dashboard import store_builder as sb

DEPS = ("15", "48")
START = date(2023, 1, 9)
DAYS = 7
REPLICATIONS = 4
SCENARIOS = ("reference", "lits_reduits", "afflux")


def _scenario_kwargs() -> dict[str, dict]:
    from twin.sim.interventions import CapacityChange, Interventions

    cut = Interventions(capacity=(CapacityChange("medicine", factor=0.7),
                                  CapacityChange("surgery", factor=0.7)))
    surge = {d: np.full((DAYS, 5), 1.4) for d in DEPS}
    return {"reference": {}, "lits_reduits": {"interventions": cut},
            "afflux": {"demand_multiplier": surge}}


SPECS = {
    "reference": {"name": "reference", "description": "Situation de référence"},
    "lits_reduits": {"name": "lits_reduits", "levers": [
        {"type": "capacity", "resource": "medicine", "factor": 0.7},
        {"type": "capacity", "resource": "surgery", "factor": 0.7}]},
    "afflux": {"name": "afflux", "levers": [{"type": "demand", "factor": 1.4}]},
}


@pytest.fixture(scope="session")
def real_runs() -> dict:
    return sb.simulate(DEPS, START, DAYS, _scenario_kwargs(), REPLICATIONS)


@pytest.fixture(scope="session")
def results_root(tmp_path_factory, real_runs) -> Path:
    """A results folder holding one complete store ``essai.zarr``."""
    root = tmp_path_factory.mktemp("results")
    sb.write_store(root / "essai.zarr", real_runs, SPECS)
    return root


@pytest.fixture(scope="session")
def store_path(results_root) -> Path:
    return results_root / "essai.zarr"


@pytest.fixture(scope="session")
def outputs_root(tmp_path_factory, real_runs) -> Path:
    """A results folder as after the quickstart: a batch store, ``twin forecast`` outputs
    (2 départements, 7 days, seasonal naive), ``twin shortages`` outputs (few paths), each
    written by the real command, and a ``twin validate`` report of the same 2 départements
    (2 days, written by the command's own functions: the CLI takes whole régions)."""
    from twin.cli import main

    root = tmp_path_factory.mktemp("outputs")
    sb.write_store(root / "essai.zarr", real_runs, SPECS)
    assert main(["forecast", "--territories", *DEPS, "--method", "seasonal_naive",
                 "--horizon", "7", "--out", str(root / "forecast")]) == 0
    assert main(["shortages", "--paths", "10", "--horizon", "8",
                 "--out", str(root / "ruptures")]) == 0
    from twin.validation import build

    settings = build.Settings(deps=tuple(DEPS), year=2023, start="2023-03-06", days=2,
                              warmup_days=1, replications=2, seed=1, held_out=False)
    build.write(build.run(settings, root / "validation"), root / "validation")
    return root


@pytest.fixture()
def app_ctx(results_root):
    """A dashboard app on the session store, and its context (catalog, jobs)."""
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig

    app = create_app(DashboardConfig(results=results_root))
    return app, app._twin_context
