"""The quickstart's main job on the embedded data.

1. The national picture by région (SAE capacity and activity, INSEE population).
2. A baseline simulation of one région, its headline indicators next to the observed ones
   they were calibrated on.
3. The baseline and one what-if scenario from the library, replicated in parallel on a
   local Dask cluster into a zarr store, then compared (paired by replication).
4. The next four weeks of ED passages for that région from the REAL Santé publique France
   series (OSCOUR), with the default engine's score on the real history in the same run (a
   short rolling-origin backtest against the weekday naive); then its départements' ED
   passages and hospitalisations after an ED passage from the synthetic replica (no real
   daily file by département exists after April 2020), labelled as such. All written where
   the dashboard reads them (``<results>/forecast/``).
5. The top medicine shortage warnings of the embedded pharmacy ledger, 8 weeks ahead
   (``<results>/ruptures/``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from forecasting.backtest import metrics_table
from forecasting.demand import (
    DEFAULT_ENGINE,
    admissions_from_forecast,
    backtest_ed_regional,
    forecast_ed,
    forecast_ed_regional,
)
from forecasting.engine import METHOD_LABELS
from forecasting.output import french_table, write_outputs
from forecasting.shortages.run import run_shortages, summary_text
from twin.batch import run_and_compare
from twin.geography import departements
from twin.network.cache import inputs_for
from twin.outputs import record_outputs
from twin.paths import scenarios_dir
from twin.scenario import Overrides, load_scenario, replicate
from twin.scenario.run import block_network
from twin.summary import format_summary, national_summary
from twin.validation import compare, format_comparison

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
    _forecasts(region, deps, root / "forecast")
    print("\nAlertes de pénurie de médicaments (registre de stocks synthétique, avis ANSM "
          "réels, 8 semaines) :")
    run = run_shortages(out=root / "ruptures")
    print(summary_text(run, top=DEMO_TOP_WARNINGS, region=region))
    print(f"\nExplorer les résultats : .venv/bin/twin dashboard --results {out}")
    return 0


def _baseline_territory(baseline_path: Path) -> tuple[str, list[str]]:
    """The baseline's région (COG code) and its départements."""
    deps = list(load_scenario(baseline_path)[0].departements)
    return str(departements().loc[deps[0], "reg"]), deps


DEMO_BACKTEST_ORIGINS = ("2024-02-10", "2024-03-09", "2024-04-06", "2024-05-04")
"""Origins of the quickstart's real-data score: the last four 28-day windows of the real file
(a few seconds; ``twin forecast --backtest`` runs the full 2023-07 → 2024-05 backtest)."""


def _forecasts(region: str, deps: list[str], out: Path) -> None:
    """Next four weeks of ED passages for ``region`` from the real file, scored on its real
    history; then ``deps`` (replica) with admissions, reconciled up to their région."""
    real = forecast_ed_regional([region], horizon=DEMO_FORECAST_DAYS)
    write_outputs(real, out, "forecast_ed_regional")
    print(f"\nPrévision des quatre prochaines semaines après la fin du fichier réel "
          f"({METHOD_LABELS[DEFAULT_ENGINE]}) — CHIFFRES RÉELS :")
    print(french_table(real))
    print(_real_score(region, DEFAULT_ENGINE))

    passages = forecast_ed(deps, horizon=DEMO_FORECAST_DAYS)
    admissions = admissions_from_forecast(passages)
    write_outputs(passages, out, "forecast_ed")
    write_outputs(admissions, out, "forecast_admissions")
    record_outputs(out, [f"forecast_{k}.{x}" for k in ("ed_regional", "ed", "admissions")
                         for x in ("zarr", "csv")], "twin forecast")
    print("\nPar département, à partir de la fin de la réplique — CHIFFRES D'UNE RÉPLIQUE "
          "SYNTHÉTIQUE (pas de série réelle quotidienne par département après avril 2020) :")
    print(french_table(passages))
    print()
    print(french_table(admissions))
    print(f"Fichiers : {out}/forecast_ed_regional.{{zarr,csv}} (réel), "
          f"{out}/forecast_ed.{{zarr,csv}}, {out}/forecast_admissions.{{zarr,csv}} (réplique)")


def _real_score(region: str, method: str) -> str:
    """The engine against the weekday naive on the région's real history (French text)."""
    results = backtest_ed_regional([region], methods=[method, "naive"],
                                   origins=DEMO_BACKTEST_ORIGINS, horizon=DEMO_FORECAST_DAYS)
    table = metrics_table(results, horizons=(), bands=((1, 7), (8, 28))).set_index(
        ["method", "horizon"])
    first, last = DEMO_BACKTEST_ORIGINS[0], DEMO_BACKTEST_ORIGINS[-1]
    e7, e28 = table.loc[(method, "1-7")], table.loc[(method, "8-28")]

    def fr(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    return (
        f"Précision sur l'historique réel (OSCOUR) : {len(DEMO_BACKTEST_ORIGINS)} prévisions "
        f"de 28 jours faites du {first[8:]}/{first[5:7]}/{first[:4]} au "
        f"{last[8:]}/{last[5:7]}/{last[:4]}, chacune avec les seules données antérieures :\n"
        f"  erreur absolue / celle du naïf hebdomadaire = {fr(e7['rel_mae_vs_naive'])} à 1-7 "
        f"jours, {fr(e28['rel_mae_vs_naive'])} à 8-28 jours (< 1 = mieux) ; "
        f"couverture de l'intervalle à 80 % = {fr(e7['coverage_80'])} (1-7 jours).")


def _validation(baseline_path: Path, days: int) -> None:
    """One baseline replication of the scenario's région, compared with SAE."""
    scenario = load_scenario(baseline_path)[0].scenario
    warmup = scenario.period.warmup_days
    resolved = load_scenario(baseline_path, overrides=Overrides(days=days + warmup))[0]
    block = tuple(resolved.departements)
    ds = replicate(resolved, 0, block)
    network = block_network(resolved, block)
    inputs = inputs_for(resolved.scenario.data_year, block)
    start = scenario.period.start
    end = start + timedelta(days=days + warmup - 1)
    print(f"\nSituation de référence simulée ({', '.join(block)}), "
          f"{start + timedelta(days=warmup):%d/%m/%Y}–{end:%d/%m/%Y}, face à l'observé "
          f"(SAE {inputs.year}, moyennes annuelles corrigées de la saison de la demande) :")
    print(format_comparison(compare(ds, network, inputs, level="reg")))
