"""The quickstart's main job on the embedded data.

1. The national picture by région (SAE capacity and activity, INSEE population).
2. A baseline simulation of one région, its headline indicators next to the observed ones
   they were calibrated on.
3. The baseline and one what-if scenario from the library, replicated in parallel on a
   local Dask cluster into a zarr store, then compared (paired by replication).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from twin.paths import scenarios_dir
from twin.summary import format_summary, national_summary

DEMO_BASELINE = "baseline.yaml"
DEMO_WHAT_IF = "grippe-bronchiolite.yaml"


def run_demo(args: argparse.Namespace) -> int:
    print(format_summary(national_summary(args.year)))
    if args.summary_only:
        return 0
    scenarios = scenarios_dir()
    _validation(scenarios / DEMO_BASELINE, args.days)
    from twin.batch import run_and_compare

    out = Path(args.out)
    print(f"\nScénarios « {DEMO_BASELINE} » et « {DEMO_WHAT_IF} » : {args.replications} "
          f"réplications chacun, {args.days} jours, {args.workers} processus → {out}")
    run_and_compare(
        [scenarios / DEMO_BASELINE, scenarios / DEMO_WHAT_IF],
        out,
        replications=args.replications,
        workers=args.workers,
        days=args.days,
        resume=out.exists(),
        stream=sys.stdout,
    )
    print(f"\nExplorer les résultats : .venv/bin/twin dashboard --results {out}")
    return 0


def _validation(baseline_path: Path, days: int) -> None:
    """One baseline replication of the scenario's région, compared with SAE."""
    from twin.network import build_network, load_inputs
    from twin.scenario import load_scenario, resolve
    from twin.sim.replication import run_replication
    from twin.validation import compare, format_comparison

    resolved = resolve(load_scenario(baseline_path))[0]
    scenario = resolved.scenario
    deps = list(resolved.departements)
    start = scenario.period.start
    warmup = scenario.period.warmup_days
    inputs = load_inputs(2023, deps)
    network = build_network(inputs, deps, start, days + warmup)
    ds = run_replication(network, resolved.seed(0), warmup_days=warmup)
    end = start + timedelta(days=days + warmup - 1)
    print(f"\nSituation de référence simulée ({', '.join(deps)}), "
          f"{start + timedelta(days=warmup):%d/%m/%Y}–{end:%d/%m/%Y}, face à l'observé "
          "(SAE 2023, moyennes annuelles corrigées de la saison de la demande) :")
    print(format_comparison(compare(ds, network, inputs, level="reg")))
