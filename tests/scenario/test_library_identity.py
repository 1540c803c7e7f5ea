"""Same seed → same results: a short run of every library scenario against recorded digests.
First recorded at b6c6aa4, before the scenario pipeline was refactored (issue 13, point 2); the
refactor matched them at 695eea4 with the reference pathway model. Re-recorded once for the
deliberate model changes that followed: the fast pathway model (#11) and the SAMU stay-mark /
ICU calibration fix (#14).

Each scenario goes through the path ``twin run`` takes (:func:`twin.batch.prepare.load_runs`:
file, overrides, sweep, run table) on a short horizon and one or two départements, then
replications 0 (central values) and 1 (uncertain inputs drawn from the run table) of the
first and last run of the file (a sweep's first and last variants) are simulated. The digest
of each variable's values must equal the recorded one, byte for byte.

The fixture is recorded by running this file with ``TWIN_RECORD_LIBRARY_DIGESTS=1``; record it
again only when a change is *meant* to alter results (a calibration constant, the model), and
say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from twin.batch.manifest import PeriodOverride
from twin.batch.prepare import load_runs
from twin.paths import scenarios_dir
from twin.scenario import blocks, replicate
from twin.scenario.model import Territories

FIXTURE = Path(__file__).parent / "fixtures" / "library_digests.json"
RECORD = os.environ.get("TWIN_RECORD_LIBRARY_DIGESTS") == "1"
SHORT_DAYS = 3
REPLICATIONS = (0, 1)

SHORT: dict[str, tuple[str, tuple[str, ...]]] = {
    "baseline": ("2024-01-08", ("80",)),
    "baseline-ete": ("2024-07-15", ("80",)),
    "canicule-75-ans": ("2024-07-29", ("80",)),
    "demande-prevue-q90": ("2024-01-08", ("80",)),
    "fermeture-urgences-samu": ("2024-01-15", ("59",)),
    "fermetures-nuit-ete": ("2024-07-22", ("02", "80")),
    "grippe-bronchiolite": ("2024-01-11", ("80",)),
    "lits-supplementaires-somme": ("2024-01-15", ("80",)),
    "penurie-amoxicilline": ("2024-01-15", ("80",)),
    "penurie-infirmiers": ("2024-01-15", ("80",)),
    "plan-blanc-95": ("2024-01-11", ("80",)),
    "reanimation-balayage": ("2024-01-15", ("80",)),
    "reanimation-moins-20": ("2024-01-15", ("80",)),
}
"""Per library scenario: the first short day (where its interventions act) and the
départements simulated (those its interventions name)."""


def _digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    h = hashlib.sha256(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    return h.hexdigest()[:16]


def digest(ds: xr.Dataset) -> dict[str, str]:
    """Per variable and coordinate, a digest of its values (attributes, which carry
    versions and the git revision, are left out)."""
    out = {f"coord:{k}": _digest(np.asarray(ds[k].values)) for k in sorted(ds.coords)}
    out.update({k: _digest(np.asarray(ds[k].values)) for k in sorted(ds.data_vars)})
    return out


def short_digests(stem: str) -> dict[str, dict[str, str]]:
    start, deps = SHORT[stem]
    runs = load_runs(
        scenarios_dir() / f"{stem}.yaml",
        replications=len(REPLICATIONS),
        territories=Territories(departements=list(deps)),
        period=PeriodOverride(start=date.fromisoformat(start), days=SHORT_DAYS, warmup_days=0),
    )
    out = {}
    for run in runs[:1] + runs[1:][-1:]:
        for block in blocks(run):
            for r in REPLICATIONS:
                out[f"{run.name}/{'+'.join(block)}/{r}"] = digest(replicate(run, r, block))
    return out


def test_every_library_scenario_has_a_short_run():
    assert sorted(SHORT) == sorted(p.stem for p in scenarios_dir().glob("*.yaml"))


@pytest.mark.parametrize("stem", sorted(SHORT))
def test_library_scenario_results_are_unchanged(stem):
    got = short_digests(stem)
    if RECORD:
        recorded = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}
        recorded[stem] = got
        FIXTURE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        return
    expected = json.loads(FIXTURE.read_text())[stem]
    assert got.keys() == expected.keys()
    for run, variables in expected.items():
        changed = sorted(k for k in variables if got[run].get(k) != variables[k])
        assert got[run].keys() == variables.keys() and not changed, (run, changed)
