"""Pure statistics behind every chart: no I/O, numpy arrays in, numpy arrays out.

The arithmetic (ratios, weighted pooling, period reduction, summaries across replications,
paired differences, exceedance) is :mod:`twin.aggregation`, shared with ``twin compare`` and
the results store; this module arranges it for the dashboard's (replication, territory,
date) arrays.

An indicator is computed from *parts*: arrays ``(replication, territory, date)`` already
summed over the départements of each territory. A count has one part (``x``); an occupancy
rate two (occupied, capacity); a share or mean time two (``x·w``, ``w``, with the weight
``w`` the passages or calls behind it). Keeping the parts rather than the daily ratio is
what lets a région or a period be aggregated correctly: the occupancy rate of a month is
total occupied bed-days over total open bed-days, not the mean of daily rates.

Uncertainty is across replications. Differences from the baseline are *paired* by
replication: the batch runner gives replication ``r`` of every scenario the same random
streams (common random numbers), so the paired difference isolates the scenario's effect
from the noise that both runs share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.catalogue import Indicator
from twin import aggregation as agg
from twin.output_registry import Ratio, Weighted

Parts = dict[str, np.ndarray]
"""Named arrays (replication, territory, date): ``x`` (sum), ``num``/``den`` (ratio),
``xw``/``w`` (weighted)."""


def group_matrix(codes: Sequence[str], groups: Mapping[str, Sequence[str]]) -> np.ndarray:
    """(n_groups, n_codes) 0/1 matrix: row g sums the départements of group g."""
    index = {c: i for i, c in enumerate(codes)}
    m = np.zeros((len(groups), len(codes)), dtype=np.float64)
    for g, members in enumerate(groups.values()):
        for c in members:
            if c in index:
                m[g, index[c]] = 1.0
    return m


def _group(a: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    """Sum (rep, dep, date) over départements into (rep, group, date); NaN stays NaN."""
    if matrix is None:
        return a.astype(np.float64, copy=False)
    nan = np.isnan(a)
    summed = np.einsum("gd,rdt->rgt", matrix, np.where(nan, 0.0, a))
    touched = np.einsum("gd,rdt->rgt", matrix, nan.astype(np.float64))
    summed[touched > 0] = np.nan  # a missing département makes its group unknown, not smaller
    return summed


def make_parts(ind: Indicator, raw: Mapping[str, np.ndarray],
               matrix: np.ndarray | None) -> Parts:
    """Parts of ``ind`` from raw store arrays (rep, dep, date), grouped by ``matrix``."""
    a = ind.output.aggregation
    if isinstance(a, Ratio):
        num, den = ind.needs()
        return {"num": _group(raw[num], matrix), "den": _group(raw[den], matrix)}
    if isinstance(a, Weighted):
        x, w = (raw[n].astype(np.float64) for n in ind.needs())
        xw, ww = agg.weighted_parts(x, w)
        missing = np.isnan(w)  # a département not written yet: its group is unknown
        return {"xw": _group(np.where(missing, np.nan, xw), matrix),
                "w": _group(np.where(missing, np.nan, ww), matrix)}
    if not ind.output.regional and matrix is not None:
        raise ValueError(f"{ind.name} cannot be aggregated above the département")
    return {"x": _group(raw[ind.name], matrix)}


def daily(ind: Indicator, parts: Parts) -> np.ndarray:
    """Daily values (rep, territory, date) in display units."""
    if "x" in parts:
        out = parts["x"]
    elif "num" in parts:
        out = agg.ratio(parts["num"], parts["den"])
    else:
        out = agg.ratio(parts["xw"], parts["w"])
    return out * ind.scale


def over_period(ind: Indicator, parts: Parts, days: slice | np.ndarray) -> np.ndarray:
    """One value per (rep, territory) for the days selected: mean per day for counts (the
    highest day for peaks), ratio of totals for rates and weighted shares."""
    sel = {k: v[:, :, days] for k, v in parts.items()}
    return agg.over_period(ind.output, sel, axis=2) * ind.scale


@dataclass(frozen=True)
class Summary:
    """Statistics across replications for each territory (arrays of length n_territories)."""

    mean: np.ndarray
    p5: np.ndarray
    p95: np.ndarray
    n: int


def summarise(values: np.ndarray) -> Summary:
    """Mean, P5 and P95 across replications (axis 0) of (rep, territory) values."""
    mean, (p5, p95), _ = agg.summary(values, (5.0, 95.0))
    return Summary(mean, p5, p95, int(values.shape[0]))


paired_difference = agg.paired_difference


def statistic(values: np.ndarray, baseline: np.ndarray | None, stat: str) -> np.ndarray:
    """One number per territory for the map: ``mean``, ``p5``, ``p95`` across replications,
    ``diff`` (mean paired difference) or ``diff_pct`` (it, over the baseline mean, in %)."""
    if stat in ("mean", "p5", "p95"):
        return getattr(summarise(values), stat)
    if baseline is None:
        raise ValueError(f"statistic {stat!r} needs the baseline")
    diff = summarise(paired_difference(values, baseline)).mean
    if stat == "diff":
        return diff
    if stat == "diff_pct":
        base = summarise(baseline).mean
        return np.where(base != 0, 100.0 * diff / np.where(base != 0, base, 1.0), np.nan)
    raise ValueError(f"unknown statistic {stat!r}")


def fan(values: np.ndarray) -> dict[str, np.ndarray]:
    """Quantiles across replications of (rep, date) values: p5, p25, p50, p75, p95, mean."""
    qs = (5, 25, 50, 75, 95)
    mean, values_q, _ = agg.summary(values, [float(q) for q in qs])
    return {**{f"p{q}": v for q, v in zip(qs, values_q, strict=True)}, "mean": mean}


def exceedance(daily_values: np.ndarray, threshold: float) -> tuple[float, float, float, int]:
    """Probability that the daily value exceeds ``threshold`` on at least one day, across
    replications of (rep, date) values, with a 90 % Wilson interval: (p, low, high, n)."""
    valid = ~np.isnan(daily_values).all(axis=1)
    hits = agg.exceeds_any_day(daily_values[valid], threshold, axis=1)
    n = int(valid.sum())
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    k = int(hits.sum())
    low, high = wilson(k, n, z=1.6449)
    return (k / n, low, high, n)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (well-behaved at 0 and n)."""
    if n == 0:
        return (np.nan, np.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def ranking(values: np.ndarray, baseline: np.ndarray, higher_is_worse: bool = True
            ) -> dict[str, np.ndarray]:
    """Per territory: mean paired difference, its P5/P95, P(worse than baseline), and the
    order from most to least affected (largest absolute mean difference first)."""
    diff = paired_difference(values, baseline)
    s = summarise(diff)
    worse = diff > 0 if higher_is_worse else diff < 0
    valid = ~np.isnan(diff)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_worse = np.where(valid.sum(axis=0) > 0, (worse & valid).sum(axis=0)
                           / np.maximum(valid.sum(axis=0), 1), np.nan)
    order = np.argsort(-np.nan_to_num(np.abs(s.mean), nan=-1.0), kind="stable")
    return {"mean": s.mean, "p5": s.p5, "p95": s.p95, "p_worse": p_worse, "order": order}
