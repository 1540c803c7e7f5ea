"""The quickstart's main job on the embedded data.

1. The national picture by région (SAE capacity and activity, INSEE population).
2. A baseline simulation of one région, its headline indicators next to the observed ones
   they were calibrated on.
3. The baseline and one what-if scenario from the library, replicated in parallel on a
   local Dask cluster into a zarr store, then compared (paired by replication).
4. The next four weeks for that région: daily ED passages and hospitalisations after an ED
   passage, forecast with Prophet (80 % intervals), written where the dashboard reads them
   (``<results>/forecast/``).
5. The top medicine shortage warnings of the embedded pharmacy ledger, 8 weeks ahead
   (``<results>/ruptures/``).
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
DEMO_FORECAST_DAYS = 28
DEMO_TOP_WARNINGS = 5


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
    root = out.parent if out.suffix == ".zarr" else out
    region, deps = _baseline_territory(scenarios / DEMO_BASELINE)
    _forecasts(deps, root / "forecast")
    print("\nAlertes de pénurie de médicaments (registre de stocks embarqué, 8 semaines) :")
    from twin.commands.shortages import run_shortages

    run_shortages(out=root / "ruptures", top=DEMO_TOP_WARNINGS, region=region)
    print(f"\nExplorer les résultats : .venv/bin/twin dashboard --results {out}")
    return 0


def _baseline_territory(baseline_path: Path) -> tuple[str, list[str]]:
    """The baseline's région (COG code) and its départements."""
    from twin.geography import departements
    from twin.scenario import load_scenario, resolve

    deps = list(resolve(load_scenario(baseline_path))[0].departements)
    return str(departements().loc[deps[0], "reg"]), deps


def _forecasts(deps: list[str], out: Path) -> None:
    """Next four weeks of ED passages and admissions for ``deps`` (Prophet), reconciled up
    to their région."""
    from forecasting.demand import admissions_from_forecast, forecast_ed
    from forecasting.output import french_table, write_outputs

    passages = forecast_ed(deps, horizon=DEMO_FORECAST_DAYS)
    admissions = admissions_from_forecast(passages)
    write_outputs(passages, out, "forecast_ed")
    write_outputs(admissions, out, "forecast_admissions")
    from twin.outputs import record_outputs

    record_outputs(out, [f"forecast_{k}.{x}" for k in ("ed", "admissions")
                         for x in ("zarr", "csv")], "twin forecast")
    print("\nPrévision des quatre prochaines semaines (Prophet, à partir de la fin des "
          "données) :")
    print(french_table(passages))
    print()
    print(french_table(admissions))
    print(f"Fichiers : {out}/forecast_ed.{{zarr,csv}}, {out}/forecast_admissions.{{zarr,csv}}")


def _validation(baseline_path: Path, days: int) -> None:
    """One baseline replication of the scenario's région, compared with SAE."""
    from twin.scenario import load_scenario, replicate, resolve, with_overrides
    from twin.scenario.run import block_network, cached_inputs
    from twin.validation import compare, format_comparison

    scenario = load_scenario(baseline_path)
    warmup = scenario.period.warmup_days
    resolved = resolve(with_overrides(scenario, days=days + warmup))[0]
    block = tuple(resolved.departements)
    ds = replicate(resolved, 0, block)
    network = block_network(resolved, block)
    inputs = cached_inputs(resolved.scenario.data_year, block)
    start = scenario.period.start
    end = start + timedelta(days=days + warmup - 1)
    print(f"\nSituation de référence simulée ({', '.join(block)}), "
          f"{start + timedelta(days=warmup):%d/%m/%Y}–{end:%d/%m/%Y}, face à l'observé "
          f"(SAE {inputs.year}, moyennes annuelles corrigées de la saison de la demande) :")
    print(format_comparison(compare(ds, network, inputs, level="reg")))
