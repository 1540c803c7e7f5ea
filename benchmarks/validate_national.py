"""National validation: every région's baseline against SAE, and how long it takes.

Usage: python benchmarks/validate_national.py [--days 28] [--replications 1] [--workers 2]
       [--regions all] [--year 2023] [--out DIR]
Runs exactly what ``twin validate`` runs (one Dask task per région on a local cluster of
single-threaded worker processes), in a fresh folder unless ``--out`` is given (a folder
with the same settings would be resumed, and the wall time would not be a measurement).
Last output line: one JSON object with ``regions``, ``mape_ed_passages``,
``mape_admissions``, ``mape_mco_occupied``, ``icu_occupancy_points``, ``national_ed_ratio``,
``wall_seconds`` and the other headline figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from twin.batch.cluster import ClusterSettings, open_client
from twin.geography import deps_of
from twin.validation import build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--replications", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--regions", nargs="+", default=["all"])
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    codes = [c if c == "all" or c.startswith("R") else f"R{c}" for c in a.regions]
    settings = build.Settings(
        deps=tuple(deps_of(codes)), year=a.year, start=f"{a.year}-03-06", days=a.days,
        warmup_days=7, replications=a.replications, seed=2023, held_out=False,
    )
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp:
        out = a.out or Path(tmp)
        t0 = time.perf_counter()
        with open_client(ClusterSettings(workers=a.workers)) as client:
            result = build.run(settings, out, client)
        build.write(result, out)
        wall = time.perf_counter() - t0
    m = result.metrics
    fig = {
        "regions": len(build.region_tasks(settings, a.year)),
        "departements": len(settings.deps),
        "days": a.days,
        "replications": a.replications,
        "mape_ed_passages": round(m["mape_ed_passages"], 2),
        "mape_admissions": round(m["mape_ed_admissions"], 2),
        "mape_mco_occupied": round(m["mape_mco_occupied"], 2),
        "admissions_excluded_incomplete_sae": m["excluded_ed_admissions"],
        "icu_occupancy_points": round(m["icu_occupancy_points"], 2),
        "icu_occupancy_sim_pct": round(m["icu_occupancy_sim_pct"], 1),
        "icu_occupancy_obs_pct": round(m["icu_occupancy_obs_pct"], 1),
        "mco_occupancy_points": round(m["mco_occupancy_points"], 2),
        "national_ed_ratio": round(m["national_ratio_ed_passages"], 4),
        "wall_seconds": round(wall, 1),
    }
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
