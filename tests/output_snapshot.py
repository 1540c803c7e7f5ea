"""A compact fingerprint of everything the outputs produce, to prove a refactor changed nothing.

``snapshot()`` runs two real short replications of Corse (2A, 2B; 6 days, 1 warm-up day) for
two scenarios on common random numbers (the reference, and the same network started with
empty beds), then records, per variable, a SHA-256 of the values' bytes (bit-identity) and
their attributes for: the replication Dataset, ``by_territory``, the store's
département values (``department_values``), the ``twin compare`` table of an in-memory store
made of them, and the dashboard's period statistics of every catalogued indicator.

The committed fixture ``tests/fixtures/output_snapshot.json`` was recorded with the code
*before* the output registry (commit b6c6aa4) by ``python -m tests.output_snapshot``; the
test ``tests/test_output_registry.py`` recomputes it with today's code and compares.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "output_snapshot.json"
DEPS = ("2A", "2B")
START = date(2024, 1, 8)
DAYS = 6
WARMUP = 1
SEEDS = (11, 12)
SCENARIOS = {"reference": {}, "vide": {"initial_occupancy": "empty"}}


def digest(values: np.ndarray) -> str:
    a = np.ascontiguousarray(values)
    if a.dtype == object:  # hash the strings, not the pointers
        a = a.astype("U")
    return f"{a.dtype.str}{list(a.shape)}:" + hashlib.sha256(a.tobytes()).hexdigest()[:16]


def _attrs(attrs: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(attrs.items())}


def _fingerprint(ds: xr.Dataset) -> dict[str, dict]:
    return {
        str(k): {"dims": list(v.dims), "values": digest(v.values), "attrs": _attrs(v.attrs)}
        for k, v in sorted(ds.variables.items())
    }


def runs() -> dict[str, list[xr.Dataset]]:
    from twin.network import build_network, load_inputs
    from twin.sim.replication import run_replication

    net = build_network(load_inputs(2023, list(DEPS)), list(DEPS), START, DAYS)
    return {
        name: [run_replication(net, s, warmup_days=WARMUP, **kw) for s in SEEDS]
        for name, kw in SCENARIOS.items()
    }


def store(all_runs: dict[str, list[xr.Dataset]]) -> xr.Dataset:
    """An in-memory results store (the batch layout) holding the runs' département values."""
    from twin.batch.aggregate import department_values
    from twin.batch.variables import STORE_VARIABLES, store_attrs
    from twin.geography import departements

    first = all_runs["reference"][0]
    dates = pd.DatetimeIndex(first["date"].values).astype("datetime64[ns]")
    values = np.stack(
        [np.stack([department_values(r, DEPS, dates) for r in reps]) for reps in all_runs.values()]
    )  # (scenario, replication, variable, dep, date)
    ref = departements()
    data = {
        v.name: (
            ("scenario", "replication", "dep", "date"),
            values[:, :, k],
            store_attrs(v),
        )
        for k, v in enumerate(STORE_VARIABLES)
    }
    data["completed"] = (
        ("scenario", "replication", "block"),
        np.ones((len(all_runs), len(SEEDS), 1), bool),
    )
    return xr.Dataset(
        data,
        coords={
            "scenario": list(all_runs),
            "replication": np.arange(len(SEEDS)),
            "dep": list(DEPS),
            "reg": ("dep", [ref.at[d, "reg"] for d in DEPS]),
            "dep_name": ("dep", [ref.at[d, "nom"] for d in DEPS]),
            "date": dates,
            "block": ["94"],
        },
    )


def dashboard_statistics(ds: xr.Dataset) -> dict[str, str]:
    """Period value per (scenario, replication, territory) of every catalogued indicator,
    by département and by région (the Carte page's computation)."""
    from dashboard import stats
    from dashboard.catalogue import INDICATORS

    out = {}
    codes = [str(d) for d in ds["dep"].values]
    groups = {"94": codes}
    for ind in INDICATORS:
        raw = {
            n: ds[n].transpose("scenario", "replication", "dep", "date").values.reshape(
                -1, len(codes), ds.sizes["date"]
            )
            for n in ind.needs()
        }
        for level, matrix in (("dep", None), ("reg", stats.group_matrix(codes, groups))):
            if not ind.output.regional and matrix is not None:
                continue
            parts = stats.make_parts(ind, raw, matrix)
            out[f"{ind.name}/{level}/period"] = digest(stats.over_period(ind, parts, slice(None)))
            out[f"{ind.name}/{level}/daily"] = digest(stats.daily(ind, parts))
    return out


def snapshot() -> dict:
    from twin.batch.compare import compare
    from twin.sim.replication import by_territory

    all_runs = runs()
    rep = all_runs["reference"][0]
    ds = store(all_runs)
    table = compare(ds, "reference").sort_values(
        ["indicator", "level", "territory", "scenario", "quantity"]
    )
    num = table.select_dtypes("number")
    keys = table.select_dtypes(exclude="number").drop(columns=["units", "long_name_fr"])
    return {
        "replication": _fingerprint(rep),
        "by_territory": _fingerprint(by_territory(rep, "dep")),
        "store": _fingerprint(ds),
        "compare": {
            "columns": list(table.columns),
            "keys": digest(np.array(["|".join(map(str, r)) for r in keys.values]).astype("U")),
            "labels": digest(table[["units", "long_name_fr"]].to_numpy().astype("U")),
            "numbers": digest(num.to_numpy(np.float64)),
        },
        "dashboard": dashboard_statistics(ds),
    }


def dumps(snap: dict) -> str:
    """JSON with one line per entry (small diffs when a fixture is re-recorded)."""
    sections = []
    for section, entries in snap.items():
        lines = [
            f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in entries.items()
        ]
        sections.append(f" {json.dumps(section)}: {{\n" + ",\n".join(lines) + "\n }")
    return "{\n" + ",\n".join(sections) + "\n}\n"


def main() -> int:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(dumps(snapshot()), "utf-8")
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
