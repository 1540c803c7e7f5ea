"""Replaying the early warning weekly over a ledger's history and scoring it against the
72-h stock-outs that actually followed (and against a naive days-of-cover rule)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.defaults import SHORTAGE_SEED
from forecasting.ledger import rupture_events as ledger_rupture_events
from forecasting.shortages.features import Context
from forecasting.shortages.projection import nanmean_rows, series_state
from forecasting.stock_projection import (
    project,
)

# --- backtest ------------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """Scores per lead (weeks): ``scores`` has one row per (rule, lead) with precision,
    recall, F1 and counts; ``warnings`` one row per (issue date, series) with the
    probabilities; ``events`` the stock-outs scored."""

    scores: pd.DataFrame
    warnings: pd.DataFrame
    events: pd.DataFrame
    threshold: float


def backtest_warnings(
    ctx: Context,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    leads: tuple[int, ...] = (2, 4),
    threshold: float = 0.5,
    n_paths: int = 100,
    seed: int = SHORTAGE_SEED,
    episodes: pd.DataFrame | None = None,
    products: tuple[str, ...] | None = None,
) -> BacktestResult:
    """Replay the early warning every Monday from ``start`` to ``end`` and score it.

    At each issue date ``t`` only data known at ``t`` is used (see :class:`Context`). For a
    lead of ``h`` weeks the warning is ``P(rupture within h weeks) ≥ threshold``.

    * **precision** = warnings followed by a stock-out starting in (t, t + 7h] / warnings,
      over the cells with stock on hand at ``t`` (a cell already at zero is not a forecast);
    * **recall** = stock-outs caught / stock-outs, where a stock-out starting on day ``e`` is
      caught at lead ``h`` if the warning was on at the issue date in [e − 7h, e − 7h + 6]
      (the Monday exactly ``h`` weeks ahead, so ``e`` lies in its window).

    Events are the ledger's 72-h stock-outs (:func:`forecasting.ledger.rupture_events`)
    whose scoring Monday lies in the replayed period. With ``episodes`` (the synthetic
    ground truth of BDPM episodes: ``product_key``, ``start``, ``back_in_stock``), recall is
    also split between stock-outs during an injected episode (start − 14 days … back in
    stock + 14 days) and the others. A naive rule is scored alongside: warn when days of
    cover (on hand / mean dispensing of the last 28 days) < 7h.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    panel = ctx.panel
    mondays = pd.date_range(start, end, freq="W-MON")
    hmax = 7 * max(leads) + 2
    keep_series = None
    if products is not None:
        keep_series = set(np.flatnonzero(panel.series["product"].isin(products)))
    rows = []
    for t_day in mondays:
        t = panel.day_index(t_day)
        state = series_state(ctx, t_day, hmax, ("backtest",))
        res = project(state.inputs, n_paths=n_paths, seed=seed)
        tbl = state.table
        last28 = panel["dispense"][tbl["series_index"].to_numpy(), max(0, t - 27) : t + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            naive_cover = tbl["stock"].to_numpy() / nanmean_rows(last28)
        rec = {
            "date": t_day,
            "series": tbl["series_index"].to_numpy(),
            "stock": tbl["stock"].to_numpy(),
            "naive_cover": naive_cover,
            "statut_bdpm": tbl["statut_bdpm"].to_numpy(),
            "avis_ansm": tbl["avis_ansm"].to_numpy() != "",
        }
        for h in leads:
            rec[f"p_{h}"] = res.p_rupture_within(7 * h)
        rows.append(pd.DataFrame(rec))
    warn = pd.concat(rows, ignore_index=True)
    if keep_series is not None:
        warn = warn[warn["series"].isin(keep_series)].reset_index(drop=True)
    events = ledger_rupture_events(panel)
    if keep_series is not None:
        events = events[events["series"].isin(keep_series)].reset_index(drop=True)
    events["in_episode"] = _in_episode(events, episodes) if episodes is not None else False

    scores = []
    ev_start = events["start"].to_numpy()
    ev_series = events["series"].to_numpy()
    for h in leads:
        # Window truth for precision: a stock-out starts in (t, t + 7h].
        truth = np.zeros(len(warn), dtype=bool)
        by_series = {s: np.sort(g["start"].to_numpy()) for s, g in events.groupby("series")}
        for s, idx in warn.groupby("series").groups.items():
            starts = by_series.get(s)
            if starts is None:
                continue
            d = warn.loc[idx, "date"].to_numpy()
            lo = np.searchsorted(starts, d, side="right")
            hi = np.searchsorted(starts, d + np.timedelta64(7 * h, "D"), side="right")
            truth[np.asarray(idx)] = hi > lo
        eligible = warn["stock"].to_numpy() > 0
        issue = ev_start - np.timedelta64(7 * h, "D")
        issue_monday = issue + ((7 - pd.DatetimeIndex(issue).dayofweek.to_numpy()) % 7
                                ).astype("timedelta64[D]")
        scorable = (issue_monday >= mondays[0].to_datetime64()) & (
            issue_monday <= mondays[-1].to_datetime64()
        )
        key = pd.MultiIndex.from_arrays([warn["date"], warn["series"]])
        look = key.get_indexer(pd.MultiIndex.from_arrays([pd.DatetimeIndex(issue_monday),
                                                          ev_series]))
        for rule in ("projection", "couverture naive"):
            if rule == "projection":
                flag = warn[f"p_{h}"].to_numpy() >= threshold
            else:
                flag = np.nan_to_num(warn["naive_cover"].to_numpy(), nan=np.inf) < 7 * h
            w = flag & eligible
            tp = int((w & truth).sum())
            n_warn = int(w.sum())
            caught = np.zeros(len(events), dtype=bool)
            found = look >= 0
            caught[found] = flag[look[found]]
            denom = scorable & found
            row = {
                "rule": rule,
                "lead_weeks": h,
                "warnings": n_warn,
                "true_warnings": tp,
                "precision": tp / n_warn if n_warn else np.nan,
                "events": int(denom.sum()),
                "caught": int((caught & denom).sum()),
                "recall": (caught & denom).sum() / denom.sum() if denom.sum() else np.nan,
            }
            for name, mask in (("episode", events["in_episode"].to_numpy(dtype=bool)),
                               ("other", ~events["in_episode"].to_numpy(dtype=bool))):
                d2 = denom & mask
                row[f"recall_{name}"] = (caught & d2).sum() / d2.sum() if d2.sum() else np.nan
                row[f"events_{name}"] = int(d2.sum())
            p, r = row["precision"], row["recall"]
            row["f1"] = 2 * p * r / (p + r) if p and r and p + r > 0 else np.nan
            scores.append(row)
    return BacktestResult(pd.DataFrame(scores), warn, events, threshold)


def _in_episode(events: pd.DataFrame, episodes: pd.DataFrame) -> np.ndarray:
    """Whether each stock-out starts within an injected episode of its product (from 14
    days before the notice to 14 days after the return to stock)."""
    eps = episodes[episodes["product_key"].fillna("") != ""]
    out = np.zeros(len(events), dtype=bool)
    for j, ev in enumerate(events.itertuples(index=False)):
        mine = eps[eps["product_key"] == ev.product]
        lo = pd.to_datetime(mine["start"]) - pd.Timedelta(14, "D")
        hi = pd.to_datetime(mine["back_in_stock"]) + pd.Timedelta(14, "D")
        out[j] = bool(((ev.start >= lo) & (ev.start <= hi)).any())
    return out
