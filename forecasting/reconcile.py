"""Coherent forecasts across levels: département (or département x age) → région → France.

**Choice: bottom-up.** The point forecast of an aggregate is the sum of the point forecasts
of the bottom series it contains, ``ŷ_agg = S ŷ_bottom`` with ``S`` the 0/1 summing matrix.
Why not MinT or OLS: both need the covariance of base-forecast errors across ~120 series,
estimated from in-sample residuals that Prophet does not give in a comparable form, and they
move the bottom forecasts that the scenario layer consumes per département. Bottom-up keeps
each département's forecast exactly as its own model made it, so a what-if for one
département never depends on which other départements were in the run, and the région and
France figures an ARS sees add up exactly to the départements it can inspect.

**Intervals.** Quantiles do not add up (the 90 % quantile of a sum is not the sum of the
90 % quantiles), so no interval can be both coherent and calibrated without a joint model.
What is done, stated:

* when a *base* forecast of the aggregate itself is available (the aggregate series, summed
  from the bottom data, forecast by the same method), its interval is kept in relative
  terms and re-centred on the bottom-up point:
  ``q_agg(p) = ŷ_agg · q_base(p) / ŷ_base`` (shifted additively when ``ŷ_base`` is 0). The
  aggregate's own history carries the correlation between départements (a regional flu
  wave moves them together), which summing independent bottom intervals would miss;
* without a base forecast, the bottom quantiles are summed (perfect positive dependence:
  conservative, too wide when départements move independently).

The same rule applies to totals over the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from forecasting.engine import Forecast


@dataclass(frozen=True)
class Hierarchy:
    """Bottom series, aggregate series and the summing matrix ``S`` (aggregates x bottom)."""

    bottom: tuple[str, ...]
    aggregates: tuple[str, ...]
    S: np.ndarray

    def children(self, aggregate: str) -> tuple[str, ...]:
        row = self.S[self.aggregates.index(aggregate)]
        return tuple(b for b, keep in zip(self.bottom, row, strict=True) if keep)


def build_hierarchy(parents: Mapping[str, Sequence[str]]) -> Hierarchy:
    """From ``{bottom name: [aggregate names it belongs to]}`` (order kept)."""
    bottom = tuple(parents)
    aggregates: list[str] = []
    for ps in parents.values():
        aggregates.extend(p for p in ps if p not in aggregates)
    S = np.zeros((len(aggregates), len(bottom)))  # noqa: N806 (the usual name in the literature)
    pos = {a: i for i, a in enumerate(aggregates)}
    for j, b in enumerate(bottom):
        for p in parents[b]:
            S[pos[p], j] = 1.0
    return Hierarchy(bottom, tuple(aggregates), S)


def bottom_up(h: Hierarchy, bottom_values: np.ndarray) -> np.ndarray:
    """``S @ bottom`` along the first axis (any trailing shape: dates, quantiles...)."""
    x = np.asarray(bottom_values, dtype=float)
    flat = x.reshape(x.shape[0], -1)
    return (h.S @ flat).reshape((len(h.aggregates), *x.shape[1:]))


def _rescale(base_q: np.ndarray, base_point: np.ndarray, point: np.ndarray) -> np.ndarray:
    base_point = np.asarray(base_point, dtype=float)
    ratio = np.divide(point, base_point, out=np.ones_like(point, dtype=float),
                      where=base_point > 0)
    scaled = base_q * ratio[..., None]
    shifted = base_q + (point - base_point)[..., None]
    out = np.where((base_point > 0)[..., None], scaled, shifted)
    return np.sort(np.clip(out, 0.0, None), axis=-1)


def reconcile(
    h: Hierarchy,
    bottom: Mapping[str, Forecast],
    base: Mapping[str, Forecast] | None = None,
) -> dict[str, Forecast]:
    """Bottom-up forecasts for every aggregate of ``h`` (see module docstring for intervals).

    All bottom forecasts must share dates. Returns ``{aggregate name: Forecast}`` whose
    ``method`` is the bottom method(s) prefixed by ``bottom-up:``.
    """
    base = base or {}
    fcs = [bottom[b] for b in h.bottom]
    dates = fcs[0].dates
    for fc in fcs[1:]:
        if not np.array_equal(fc.dates, dates):
            raise ValueError(f"bottom forecasts {fcs[0].name} and {fc.name} have other dates")
    point = bottom_up(h, np.stack([f.point for f in fcs]))
    quant = bottom_up(h, np.stack([f.quantiles for f in fcs]))
    total_q = bottom_up(h, np.stack([f.total_quantiles for f in fcs]))
    out: dict[str, Forecast] = {}
    for i, agg in enumerate(h.aggregates):
        kids = [bottom[c] for c in h.children(agg)]
        methods = sorted({k.method for k in kids})
        total_point = float(point[i].sum())
        note = "bottom-up point; interval summed from the bottom (comonotone)"
        q, tq = quant[i], total_q[i]
        b = base.get(agg)
        if b is not None and np.array_equal(b.dates, dates):
            q = _rescale(b.quantiles, b.point, point[i])
            tq = _rescale(b.total_quantiles[None, :], np.array([b.total_point]),
                          np.array([total_point]))[0]
            note = "bottom-up point; interval of the aggregate's own forecast, re-centred"
        out[agg] = replace(
            kids[0], name=agg, point=point[i], quantiles=np.sort(q, axis=-1),
            total_point=total_point, total_quantiles=np.sort(tq),
            requested=kids[0].requested, method="bottom-up:" + "+".join(methods), note=note,
        )
    return out
