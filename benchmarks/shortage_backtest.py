"""Early-warning backtest: precision and recall 2 and 4 weeks ahead, and against real notices.

Run from the repository root::

    .venv/bin/python benchmarks/shortage_backtest.py                    # 2023-2025, 2-4 min
    .venv/bin/python benchmarks/shortage_backtest.py --start 2025-01-06 --paths 50   # quick
    .venv/bin/python benchmarks/shortage_backtest.py \
        --avis ../shared/real-data/bdpm/CIS_CIP_Dispo_Spec.txt

**Real and replica.** The stock ledger is a synthetic replica (24 sites x 12 sentinel
products, 2021-2025); the ANSM availability notices are real (``--avis``, default the
embedded ``data/real/bdpm/CIS_CIP_Dispo_Spec.txt``), mapped to the sentinels through
``data/reference/sentinelles_cis_reels.csv``. The real-notice score
(:func:`forecasting.notices.score_against_notices`) counts the real rupture/tension notices
on followed products that started in the replayed period and were preceded by a warning
(lead in days), and the false-alarm rate (warnings followed by neither a ledger stock-out nor
a real notice within the lead). The replica's sentinel episodes follow the same real notices,
so a warning before a notice's start is not independent evidence: the ledger feels an
episode a week before it is published (see ``twin/synthetic/ledger.py``).

What it does: :func:`forecasting.shortages.backtest_warnings` replays the early warning every
Monday from ``--start`` to ``--end`` on the embedded synthetic PUI ledger (24 sites x 12
sentinel products, 2021-2024) with the embedded BDPM availability archive, each Monday using
only what was known that day, and scores the warnings ``P(stock-out within h weeks) >= 0.5``
against the 72-hour stock-outs that actually followed (h = 2 and 4 weeks). Recall is also
split between stock-outs during the injected BDPM shortage episodes (ground truth of the
synthetic archive) and the others. A naive rule — warn when days of cover (stock / mean
dispensing of the last 28 days) < 7h — is scored on the same cells. Last output line: one
JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2023-01-02")
    parser.add_argument("--end", default="2025-11-24")
    parser.add_argument("--avis", default=None, help="real CIS_CIP_Dispo_Spec.txt")
    parser.add_argument("--paths", type=int, default=100)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)

    import numpy as np
    import pandas as pd

    from forecasting import notices as nt
    from forecasting import shortages as sh
    from forecasting.ledger import rupture_events

    t0 = time.perf_counter()
    ctx = sh.prepared_context(notices=args.avis)
    t1 = time.perf_counter()
    res = sh.backtest_warnings(ctx, args.start, args.end, threshold=args.threshold,
                               n_paths=args.paths, episodes=sh.load_episode_truth())
    wall = time.perf_counter() - t0
    cols = ["rule", "lead_weeks", "warnings", "true_warnings", "precision", "events", "caught",
            "recall", "recall_episode", "recall_other", "f1"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(res.scores[cols].to_string(index=False))
    figures: dict[str, object] = {
        "benchmark": "shortage_backtest", "start": args.start, "end": args.end,
        "paths": args.paths, "threshold": args.threshold, "series": ctx.panel.n_series,
        "mondays": int(res.warnings["date"].nunique()),
        "prepare_seconds": round(t1 - t0, 1), "wall_seconds": round(wall, 1),
        "python": platform.python_version(),
    }
    for _, r in res.scores.iterrows():
        key = "projection" if r["rule"] == "projection" else "naive_cover"
        for m in ("precision", "recall", "recall_episode", "recall_other", "f1"):
            figures[f"{key}_{m}_{r['lead_weeks']}w"] = round(float(r[m]), 3)
        figures[f"{key}_events_{r['lead_weeks']}w"] = int(r["events"])
        figures[f"{key}_events_other_{r['lead_weeks']}w"] = int(r["events_other"])
        figures[f"{key}_warnings_{r['lead_weeks']}w"] = int(r["warnings"])
    real = nt.real_inputs(args.avis)
    if real is not None:
        events = rupture_events(ctx.panel)
        products = ctx.panel.series["product"].to_numpy()
        print("\nAvis ANSM réels (registre de stock : réplique synthétique) :")
        for h in (2, 4):
            sc = nt.score_against_notices(res.warnings, products, events, real.followed,
                                          pd.Timestamp(args.start), pd.Timestamp(args.end), h,
                                          args.threshold)
            print(f"  {h} sem. : {sc['real_notices_preceded']}/{sc['real_notices']} avis "
                  f"rupture/tension précédés d'une alerte (délai médian "
                  f"{sc['median_lead_days']} j) ; {sc['real_remises_unscorable']} remises à "
                  f"disposition non évaluables ; fausses alertes {sc['false_alarms']}/"
                  f"{sc['warnings']}")
            print(sc["per_notice"].to_string(index=False))
            for k in ("real_notices", "real_notices_preceded", "median_lead_days",
                      "real_remises_unscorable", "false_alarms", "false_alarm_rate"):
                v = sc[k]
                figures[f"{k}_{h}w"] = round(float(v), 3) if isinstance(v, float) else v
        figures["backed_warning_rows"] = int(np.sum(res.warnings["avis_ansm"]))
        figures["avis_file_date"] = f"{real.file_date:%Y-%m-%d}"
    else:
        figures["avis_file_date"] = None
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
