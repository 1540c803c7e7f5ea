"""``twin shortages``: medicine stock-out early warning from a PUI stock ledger.

Reads a stock ledger (default: the embedded synthetic one), the BDPM availability archive and
optionally a YAML file of supply disruptions; projects every product × site stock a few
weeks ahead and writes, under ``--out``:

* ``projection.zarr`` — the xarray dataset (probabilities, stock quantiles per day, cover,
  policy, territorial probabilities; baseline and disruption scenario);
* ``alertes.csv`` — the ranked warnings (``;``, UTF-8, decimal comma, dates JJ/MM/AAAA);
* ``alertes_territoires.csv`` — product × département / région aggregates;
* ``alertes_perturbation.csv`` — the warnings under the disruption scenario, if any.

and prints the top risks as a short French table. Exit status 2 on bad input (ledger,
product file, disruption file, date or horizon), each problem located.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

MAX_HORIZON_WEEKS = 26  # same bound as forecasting.shortages.MAX_HORIZON_WEEKS


def _parse_date(text: str, ledger_range: tuple, source: str):
    import pandas as pd

    from twin.errors import DataError

    first, last = ledger_range
    expected = f"a date AAAA-MM-JJ or JJ/MM/AAAA within the ledger ({first:%d/%m/%Y} … " \
        f"{last:%d/%m/%Y})"
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = pd.Timestamp(datetime.strptime(text, fmt))
        except ValueError:
            continue
        if first <= day <= last:
            return day
        break
    raise DataError.single(source, expected, repr(text))


def _csv(df, path: Path) -> None:
    """French spreadsheet conventions: ``;``, decimal comma, JJ/MM/AAAA, UTF-8."""
    import numpy as np
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]) or out[col].map(
            lambda v: isinstance(v, pd.Timestamp)
        ).any():
            out[col] = pd.to_datetime(out[col]).dt.strftime("%d/%m/%Y").fillna("")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].replace([np.inf, -np.inf], np.nan)
    out.to_csv(path, sep=";", decimal=",", index=False, float_format="%.3f",
               encoding="utf-8", lineterminator="\n")


def _fmt_p(p: float) -> str:
    return "" if p != p else f"{100 * p:.0f} %"


def format_top(warn, top: int) -> str:
    """The top risks as a fixed-width French table."""
    if warn is None or warn.empty:
        return "Aucune alerte : aucun produit ne dépasse le seuil de probabilité de rupture."
    rows = [("rang", "produit", "site", "jours de couv.", "P(rupt.) 2 sem.", "P(rupt.) 4 sem.",
             "motif", "action")]
    for _, r in warn.head(top).iterrows():
        cover = r["jours_couverture"]
        rows.append((
            str(r["rang"]),
            str(r["product"])[:36],
            str(r["site"])[:34],
            "∞" if cover == float("inf") else f"{cover:.0f}",
            _fmt_p(r["p_rupture_2s"]),
            _fmt_p(r["p_rupture_4s"]),
            str(r["motif"]),
            str(r["action"]),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row[:6], widths, strict=True)))
        lines.append(f"{head}  {row[6]} → {row[7]}" if row is not rows[0] else
                     f"{head}  motif → action")
    return "\n".join(lines)


def _shortages(args: argparse.Namespace) -> int:
    import pandas as pd

    from forecasting import shortages as sh
    from twin.errors import DataError
    from twin.sources.bdpm import load_availability_history
    from twin.sources.ledger import default_ledger_path, load_ledger, load_sites

    if not 1 <= args.horizon <= MAX_HORIZON_WEEKS:
        raise DataError.single("--horizon", f"a number of weeks from 1 to {MAX_HORIZON_WEEKS}",
                               str(args.horizon))
    if not 0 < args.seuil <= 1:
        raise DataError.single("--seuil", "a probability in (0, 1]", str(args.seuil))
    if args.paths < 10:
        raise DataError.single("--paths", "at least 10 Monte-Carlo paths", str(args.paths))
    disruptions = sh.load_disruptions(args.disruption) if args.disruption else None
    ledger_path = args.ledger or default_ledger_path()
    sites = load_sites()
    ledger = load_ledger(ledger_path, args.produits, sites)
    dates = (ledger["date"].min(), ledger["date"].max())
    as_of = _parse_date(args.as_of, dates, "--as-of") if args.as_of else dates[1]
    availability = load_availability_history(args.bdpm)
    ctx = sh.prepare(ledger, availability, sites)
    report = sh.early_warnings(ctx, as_of, args.horizon, args.paths, args.seed, disruptions,
                               args.seuil)
    report.settings.update({
        "ledger": str(ledger_path), "product_file": str(args.produits or ""),
        "bdpm": str(args.bdpm or "embedded"), "disruption_file": str(args.disruption or ""),
    })

    from forecasting.output import staged_outputs

    out = Path(args.out)
    ds = sh.to_dataset(report)
    with staged_outputs(out, stale=("alertes_perturbation.csv",)) as stage:
        ds.to_zarr(stage / "projection.zarr", mode="w", consolidated=False)
        _csv(sh.warnings_frame(report.warnings), stage / "alertes.csv")
        _csv(report.territories, stage / "alertes_territoires.csv")
        if report.scenario_warnings is not None:
            _csv(sh.warnings_frame(report.scenario_warnings),
                 stage / "alertes_perturbation.csv")

    last_snapshot = availability["snapshot_date"].max()
    print(f"Registre : {ledger_path} — {ctx.panel.n_series} séries produit × site, "
          f"situation au {as_of:%d/%m/%Y}, horizon {args.horizon} semaines, "
          f"{args.paths} trajectoires.")
    if pd.Timestamp(last_snapshot) < as_of - pd.Timedelta(7, "D"):
        print(f"Attention : dernier instantané BDPM du {last_snapshot:%d/%m/%Y}.")
    print(f"{len(report.warnings)} alerte(s) (seuil {100 * args.seuil:.0f} %) — principales :")
    print(format_top(report.warnings, args.top))
    if report.scenario_warnings is not None:
        print()
        print(f"Avec la perturbation ({len(disruptions or [])} scénario(s)) : "
              f"{len(report.scenario_warnings)} alerte(s) — principales :")
        print(format_top(report.scenario_warnings, args.top))
    print(f"\nRésultats écrits dans {out}/ (projection.zarr, alertes.csv, "
          "alertes_territoires.csv).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "shortages",
        help="medicine stock-out early warning from a hospital pharmacy stock ledger",
    )
    p.add_argument("--ledger", type=Path, default=None,
                   help="stock ledger mouvements_stock_*.csv[.gz] (default: embedded)")
    p.add_argument("--produits", type=Path, default=None,
                   help="product file referentiel_produits*.csv for non-sentinel codes")
    p.add_argument("--bdpm", type=Path, default=None,
                   help="folder of archived BDPM CIS_CIP_Dispo_Spec_YYYYMMDD.txt snapshots")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="situation date AAAA-MM-JJ (default: last day of the ledger)")
    p.add_argument("--horizon", type=int, default=8, help="weeks ahead (default 8)")
    p.add_argument("--disruption", type=Path, default=None,
                   help="YAML list of supply disruptions to compare with the baseline")
    p.add_argument("--out", type=Path, default=Path("ruptures"),
                   help="output folder (default ./ruptures)")
    p.add_argument("--paths", type=int, default=200, help="Monte-Carlo paths (default 200)")
    p.add_argument("--seed", type=int, default=20260101, help="random seed")
    p.add_argument("--seuil", type=float, default=0.5,
                   help="probability of stock-out that raises a warning (default 0.5)")
    p.add_argument("--top", type=int, default=10, help="rows of the printed table")
    p.set_defaults(func=_shortages)
