"""One early-warning run end to end, as ``twin shortages`` and the quickstart do it: read the
ledger, the BDPM archive and the real ANSM notices, project, write the outputs (staged: all
or nothing) and describe the result in French, saying which inputs are real and which come
from a synthetic replica. The command line only parses its options and prints this text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecasting.defaults import (
    DEFAULT_HORIZON_WEEKS,
    DEFAULT_PATHS,
    DEFAULT_THRESHOLD,
    SHORTAGE_SEED,
)
from forecasting.disruptions import SupplyDisruption
from forecasting.notices import RealInputs, real_inputs
from forecasting.output import staged_outputs
from forecasting.shortages.early_warning import ShortageReport, early_warnings
from forecasting.shortages.features import prepare
from forecasting.shortages.io import check_disruption_products, load_disruptions, parse_as_of
from forecasting.shortages.outputs import to_dataset, warnings_frame, write_csv
from twin.outputs import record_outputs
from twin.sources.bdpm import load_availability_history
from twin.sources.ledger import default_ledger_path, load_ledger, load_sites

COMMAND = "twin shortages"
OUTPUT_NAMES = ("projection.zarr", "alertes.csv", "alertes_territoires.csv",
                "alertes_perturbation.csv")


@dataclass
class ShortageRun:
    """What a run read and produced: enough to describe it (:func:`summary_text`)."""

    report: ShortageReport
    ledger_path: Path
    user_ledger: bool  # False: the embedded synthetic ledger (a replica)
    n_series: int
    paths: int
    threshold: float
    last_snapshot: pd.Timestamp
    real: RealInputs | None
    disruptions: list[SupplyDisruption] | None
    out: Path


def run_shortages(
    *,
    ledger: Path | None = None,
    produits: Path | None = None,
    bdpm: Path | None = None,
    as_of: str | None = None,
    horizon: int = DEFAULT_HORIZON_WEEKS,
    disruption: Path | None = None,
    out: Path,
    paths: int = DEFAULT_PATHS,
    seed: int = SHORTAGE_SEED,
    seuil: float = DEFAULT_THRESHOLD,
    avis: Path | None = None,
) -> ShortageRun:
    """Project and write the outputs under ``out`` (staged: all or nothing). ``avis``: the
    real ANSM file (default: the embedded one; without it no warning is marked as backed).
    Raises :class:`~twin.errors.DataError` on bad input, each problem located."""
    disruptions = load_disruptions(disruption) if disruption else None
    ledger_path = Path(ledger) if ledger else default_ledger_path()
    sites = load_sites()
    table = load_ledger(ledger_path, produits, sites)
    dates = (table["date"].min(), table["date"].max())
    day = parse_as_of(as_of, dates, "--as-of") if as_of else dates[1]
    availability = load_availability_history(bdpm)
    real = real_inputs(avis)
    ctx = prepare(table, availability, sites, real)
    if disruptions and disruption is not None:
        check_disruption_products(disruptions, ctx.panel.series, disruption)
    report = early_warnings(ctx, day, horizon, paths, seed, disruptions, seuil)
    report.settings.update({
        "ledger": str(ledger_path), "product_file": str(produits or ""),
        "bdpm": str(bdpm or "embedded"), "disruption_file": str(disruption or ""),
        "avis_ansm": real.source if real is not None else "",
    })

    out = Path(out)
    ds = to_dataset(report)
    with staged_outputs(out, stale=("alertes_perturbation.csv",)) as stage:
        ds.to_zarr(stage / "projection.zarr", mode="w", consolidated=False)
        write_csv(warnings_frame(report.warnings), stage / "alertes.csv")
        write_csv(report.territories, stage / "alertes_territoires.csv")
        if report.scenario_warnings is not None:
            write_csv(warnings_frame(report.scenario_warnings),
                      stage / "alertes_perturbation.csv")
    record_outputs(out, OUTPUT_NAMES, COMMAND)
    return ShortageRun(report, ledger_path, ledger is not None, ctx.panel.n_series, paths, seuil,
                       availability["snapshot_date"].max(), real, disruptions, out)


def summary_text(run: ShortageRun, top: int = 10, region: str | None = None) -> str:
    """The run in French: inputs (real or replica), the top warnings, and with ``region``
    (COG code) how many of the warnings concern that région's sites."""
    report, day = run.report, run.report.as_of
    kind = "registre fourni" if run.user_ledger else "registre synthétique (réplique)"
    lines = [f"Stock : {kind} {run.ledger_path} — {run.n_series} séries produit × site, "
             f"situation au {day:%d/%m/%Y}, horizon {report.horizon_weeks} semaines, "
             f"{run.paths} trajectoires."]
    if run.real is None:
        lines.append("Avis ANSM : aucun fichier réel (data/real/bdpm/CIS_CIP_Dispo_Spec.txt "
                     "absent) — aucune alerte adossée à un avis réel.")
    else:
        known = run.real.followed[run.real.followed["start"] <= day]
        lines.append(f"Avis ANSM : réels (fichier du {run.real.file_date:%d/%m/%Y}), "
                     f"{len(known)} avis connus au {day:%d/%m/%Y} sur les CIS réels des "
                     "produits suivis ; le registre de stock reste une réplique.")
    if pd.Timestamp(run.last_snapshot) < day - pd.Timedelta(7, "D"):
        lines.append(f"Attention : dernier instantané BDPM du {run.last_snapshot:%d/%m/%Y}.")
    lines.append(f"{len(report.warnings)} alerte(s) (seuil {100 * run.threshold:.0f} %) — "
                 "principales :")
    lines.append(format_top(report.warnings, top))
    if region is not None and not report.warnings.empty:
        mine = report.warnings[report.warnings["reg"].astype(str) == str(region)]
        lines.append(f"dont {len(mine)} dans la région {region}.")
    if report.scenario_warnings is not None:
        lines.append("")
        lines.append(f"Avec la perturbation ({len(run.disruptions or [])} scénario(s)) : "
                     f"{len(report.scenario_warnings)} alerte(s) — principales :")
        lines.append(format_top(report.scenario_warnings, top))
    lines.append(f"\nRésultats écrits dans {run.out}/ (projection.zarr, alertes.csv, "
                 "alertes_territoires.csv).")
    return "\n".join(lines)


def _fmt_p(p: float) -> str:
    return "" if p != p else f"{100 * p:.0f} %"


def format_top(warn: pd.DataFrame | None, top: int) -> str:
    """The top risks as a fixed-width French table (level, cover, stock-out probabilities
    at 2 and 4 weeks and at the longest horizon computed, reason → action)."""
    if warn is None or warn.empty:
        return "Aucune alerte : aucun produit ne dépasse le seuil de probabilité de rupture."
    far = next((c for c in ("p_rupture_8s", "p_rupture_4s") if c in warn.columns), None)
    far_label = f"P {far.removeprefix('p_rupture_').removesuffix('s')} sem."
    rows = [("rang", "niveau", "produit", "site", "couv. (j)", "P 2 sem.", "P 4 sem.",
             far_label, "avis ANSM", "motif", "action")]
    for _, r in warn.head(top).iterrows():
        cover = r["jours_couverture"]
        rows.append((
            str(r["rang"]),
            str(r.get("niveau", "")),
            str(r["product"])[:36],
            str(r["site"])[:34],
            "∞" if cover == float("inf") else f"{cover:.0f}",
            _fmt_p(r["p_rupture_2s"]),
            _fmt_p(r["p_rupture_4s"]),
            _fmt_p(r[far]) if far else "",
            _backing(r),
            str(r["motif"]),
            str(r["action"]),
        ))
    n = 9
    widths = [max(len(row[i]) for row in rows) for i in range(n)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(w) if i < 4 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row[:n], widths, strict=True)))
        lines.append(f"{head}  {row[n]} → {row[n + 1]}" if row is not rows[0] else
                     f"{head}  motif → action")
    return "\n".join(lines)


def _backing(row: pd.Series) -> str:
    """``avis ANSM réel (tension)`` when a real notice backs the warning, else ``aucun``."""
    label = str(row.get("avis_ansm", "") or "")
    return f"{label} ({row['avis_statut']})" if label else "aucun"
