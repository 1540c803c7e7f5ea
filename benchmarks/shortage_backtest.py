"""Early-warning backtest on the embedded stock ledger: precision and recall 2 and 4 weeks ahead.

Run from the repository root::

    .venv/bin/python benchmarks/shortage_backtest.py                    # 2023-2024, ~2 min
    .venv/bin/python benchmarks/shortage_backtest.py --start 2024-06-03 --paths 50   # quick

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
    parser.add_argument("--end", default="2024-11-25")
    parser.add_argument("--paths", type=int, default=100)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args(argv)

    import pandas as pd

    from forecasting import shortages as sh

    t0 = time.perf_counter()
    ctx = sh.prepared_context()
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
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
