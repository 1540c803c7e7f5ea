"""``twin shortages``: medicine stock-out early warning from a PUI stock ledger.

Reads a stock ledger (default: the embedded synthetic one — a replica, no PUI ledger is
public), the BDPM availability archive, the **real** ANSM availability notices of the followed
products (default ``data/real/bdpm/CIS_CIP_Dispo_Spec.txt``, see :mod:`forecasting.notices`)
and optionally a YAML file of supply disruptions; projects every product × site stock a few
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
DEFAULT_OUT = Path("ruptures")
DEFAULT_SEED = 20260101
DEFAULT_HORIZON_WEEKS = 8
DEFAULT_PATHS = 200
DEFAULT_THRESHOLD = 0.5
COMMAND = "twin shortages"
OUTPUT_NAMES = ("projection.zarr", "alertes.csv", "alertes_territoires.csv",
                "alertes_perturbation.csv")


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


def _check_products(disruptions, series, source) -> None:
    """A disruption on a product the ledger does not hold would change nothing: refuse it
    (a mistyped code would otherwise give a reassuring, identical projection)."""
    from twin.errors import DataError, DataProblem

    known = set()
    for col in ("product", "produit", "cis"):
        if col in series.columns:
            known.update(series[col].astype(str))
    from twin.scenario.yamlio import read_yaml

    data, loc = read_yaml(Path(source), "a YAML file of supply disruptions")
    prefix = ("disruptions",) if isinstance(data, dict) else ()

    def line(i: int) -> int | None:
        return loc.find((*prefix, i, "product"), str(source))[1]

    bad = [DataProblem(str(source), "a product of the ledger (sentinel key, CIP13/UCD or CIS "
                       "code)", repr(d.product), line(i), f"disruptions[{i}].product")
           for i, d in enumerate(disruptions) if str(d.product) not in known]
    if bad:
        raise DataError(bad)


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


def _backing(row) -> str:
    """``avis ANSM réel (tension)`` when a real notice backs the warning, else ``aucun``."""
    label = str(row.get("avis_ansm", "") or "")
    return f"{label} ({row['avis_statut']})" if label else "aucun"


def _shortages(args: argparse.Namespace) -> int:
    from twin.errors import DataError

    if not 1 <= args.horizon <= MAX_HORIZON_WEEKS:
        raise DataError.single("--horizon", f"a number of weeks from 1 to {MAX_HORIZON_WEEKS}",
                               str(args.horizon))
    if not 0 < args.seuil <= 1:
        raise DataError.single("--seuil", "a probability in (0, 1]", str(args.seuil))
    if args.paths < 10:
        raise DataError.single("--paths", "at least 10 Monte-Carlo paths", str(args.paths))
    from twin.outputs import check_folder

    check_folder(args.out, OUTPUT_NAMES, command=COMMAND, force=args.force)
    run_shortages(ledger=args.ledger, produits=args.produits, bdpm=args.bdpm,
                  as_of=args.as_of, horizon=args.horizon, disruption=args.disruption,
                  out=args.out, paths=args.paths, seed=args.seed, seuil=args.seuil,
                  top=args.top, avis=args.avis)
    return 0


def run_shortages(
    *,
    ledger: Path | None = None,
    produits: Path | None = None,
    bdpm: Path | None = None,
    as_of: str | None = None,
    horizon: int = DEFAULT_HORIZON_WEEKS,
    disruption: Path | None = None,
    out: Path = DEFAULT_OUT,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    seuil: float = DEFAULT_THRESHOLD,
    top: int = 10,
    region: str | None = None,
    avis: Path | None = None,
) -> object:
    """Project, write the outputs under ``out`` (staged: all or nothing) and print the
    French summary; returns the :class:`forecasting.shortages` report. ``region`` (COG
    code) adds how many of the warnings concern that région's sites. ``avis``: the real ANSM
    file (default: the embedded one; without it no warning is marked as backed)."""
    import pandas as pd

    from forecasting import shortages as sh
    from forecasting.notices import real_inputs
    from forecasting.output import staged_outputs
    from twin.sources.bdpm import load_availability_history
    from twin.sources.ledger import default_ledger_path, load_ledger, load_sites

    disruptions = sh.load_disruptions(disruption) if disruption else None
    ledger_path = ledger or default_ledger_path()
    sites = load_sites()
    table = load_ledger(ledger_path, produits, sites)
    dates = (table["date"].min(), table["date"].max())
    day = _parse_date(as_of, dates, "--as-of") if as_of else dates[1]
    availability = load_availability_history(bdpm)
    real = real_inputs(avis)
    ctx = sh.prepare(table, availability, sites, real)
    if disruptions:
        _check_products(disruptions, ctx.panel.series, disruption)
    report = sh.early_warnings(ctx, day, horizon, paths, seed, disruptions, seuil)
    report.settings.update({
        "ledger": str(ledger_path), "product_file": str(produits or ""),
        "bdpm": str(bdpm or "embedded"), "disruption_file": str(disruption or ""),
        "avis_ansm": real.source if real is not None else "",
    })

    out = Path(out)
    ds = sh.to_dataset(report)
    with staged_outputs(out, stale=("alertes_perturbation.csv",)) as stage:
        ds.to_zarr(stage / "projection.zarr", mode="w", consolidated=False)
        _csv(sh.warnings_frame(report.warnings), stage / "alertes.csv")
        _csv(report.territories, stage / "alertes_territoires.csv")
        if report.scenario_warnings is not None:
            _csv(sh.warnings_frame(report.scenario_warnings),
                 stage / "alertes_perturbation.csv")
    from twin.outputs import record_outputs

    record_outputs(out, OUTPUT_NAMES, COMMAND)

    last_snapshot = availability["snapshot_date"].max()
    kind = "registre synthétique (réplique)" if ledger is None else "registre fourni"
    print(f"Stock : {kind} {ledger_path} — {ctx.panel.n_series} séries produit × site, "
          f"situation au {day:%d/%m/%Y}, horizon {horizon} semaines, "
          f"{paths} trajectoires.")
    if real is None:
        print("Avis ANSM : aucun fichier réel (data/real/bdpm/CIS_CIP_Dispo_Spec.txt absent) "
              "— aucune alerte adossée à un avis réel.")
    else:
        known = real.followed[real.followed["start"] <= day]
        print(f"Avis ANSM : réels (fichier du {real.file_date:%d/%m/%Y}), "
              f"{len(known)} avis connus au {day:%d/%m/%Y} sur les CIS réels des produits "
              "suivis ; le registre de stock reste une réplique.")
    if pd.Timestamp(last_snapshot) < day - pd.Timedelta(7, "D"):
        print(f"Attention : dernier instantané BDPM du {last_snapshot:%d/%m/%Y}.")
    print(f"{len(report.warnings)} alerte(s) (seuil {100 * seuil:.0f} %) — principales :")
    print(format_top(report.warnings, top))
    if region is not None and not report.warnings.empty:
        mine = report.warnings[report.warnings["reg"].astype(str) == str(region)]
        print(f"dont {len(mine)} dans la région {region}.")
    if report.scenario_warnings is not None:
        print()
        print(f"Avec la perturbation ({len(disruptions or [])} scénario(s)) : "
              f"{len(report.scenario_warnings)} alerte(s) — principales :")
        print(format_top(report.scenario_warnings, top))
    print(f"\nRésultats écrits dans {out}/ (projection.zarr, alertes.csv, "
          "alertes_territoires.csv).")
    return report


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
    p.add_argument("--avis", type=Path, default=None,
                   help="real ANSM file CIS_CIP_Dispo_Spec.txt (default: embedded real file)")
    p.add_argument("--as-of", dest="as_of", default=None,
                   help="situation date AAAA-MM-JJ (default: last day of the ledger)")
    p.add_argument("--horizon", type=int, default=DEFAULT_HORIZON_WEEKS,
                   help=f"weeks ahead (default {DEFAULT_HORIZON_WEEKS})")
    p.add_argument("--disruption", type=Path, default=None,
                   help="YAML list of supply disruptions to compare with the baseline")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="output folder (default ./ruptures)")
    p.add_argument("--paths", type=int, default=DEFAULT_PATHS,
                   help=f"Monte-Carlo paths (default {DEFAULT_PATHS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    p.add_argument("--seuil", type=float, default=DEFAULT_THRESHOLD,
                   help="probability of stock-out that raises a warning (default 0.5)")
    p.add_argument("--top", type=int, default=10, help="rows of the printed table")
    p.add_argument("--force", action="store_true",
                   help="replace files in --out that twin shortages did not write")
    p.set_defaults(func=_shortages)
