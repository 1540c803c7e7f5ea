"""Hospital admissions after an ED passage, forecast from the passage forecast.

**Why derived, not fitted.** No public file gives daily hospital admissions by
département: SurSaUD's all-cause series is passages (its ``nbre_hospit_corona`` counts
admissions of COVID-suspected patients only), PMSI stays are monthly at best and not open
by day, and the SAE gives the admissions that follow an ED passage *per unit and year*
(``dtHOSP``, or its parts where it is empty: see :mod:`twin.sources.sae`). So the daily
admission forecast is the passage forecast times the département's admitted share::

    admissions[d, t] = share[d] x passages[d, t]
    share[d] = sum of SAE admissions / sum of SAE passages over the units of d that report
               both, in the latest SAE year *before* the origin's year

Units whose admissions are not reported (NaN) are left out of both sums: an unknown cell is
never read as "nobody admitted". A département with no reporting unit takes the national
share of that year, and the result says so (``share_source``).

**No leakage.** The share comes from a year strictly before the origin's year, so a
backtest origin never sees the admissions of the days it forecasts. (The SAE of year Y is
published in the autumn of Y+1; an analyst working before then would have Y-2: the rule
here is slightly optimistic in the first months of a year, and says so.)

**Intervals (stated).** Two independent sources of error, combined on the log scale with a
normal approximation: the passage forecast's own quantiles, ``r_p = log(q_p / point)``,
and the error of carrying last year's share forward, ``sigma`` = robust standard deviation
(1.4826 x MAD) of the year-to-year change of ``log(share)`` over every département and pair
of consecutive years up to the share year (2020 and 2021, the COVID years, excluded)::

    r'_p = sign(r_p) x sqrt(r_p^2 + (z_p sigma)^2),   q'_p = share x point x exp(r'_p)

with ``z_p`` the standard normal quantile. The share error is the same every day, so the
total over the horizon gets the same relative widening. Aggregates (région, France) are
bottom-up sums of the départements' admissions (points); their interval is their passage
interval (already reconciled) times their implied share, widened by the same ``sigma``
(conservative: département errors partly cancel in a sum).

Everything here is pure (tables and Datasets in, Dataset out); reading the SAE files is the
caller's job (:func:`forecasting.demand.forecast_admissions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import norm

from twin.geography import departements

ADMISSION_UNITS = "hospitalisations après passage aux urgences par jour (SAE dtHOSP)"
COVID_YEARS = (2020, 2021)
"""Years whose change in admitted share is not used for ``sigma``: the ED case mix
collapsed and recovered then, which says nothing about an ordinary year-to-year change."""
MIN_CHANGES = 20
"""Fewest year-to-year changes before ``sigma`` is trusted; below, :data:`DEFAULT_SIGMA`."""
DEFAULT_SIGMA = 0.05
"""Fallback spread of ``log(share)`` change (5 %), used only with too little SAE history."""


def admitted_shares(ed_units: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Admitted share after an ED passage per (year, département) from SAE ``URGENCES2``.

    ``ed_units``: ``{year: load_ed_units(year)}``. Returns ``year, dep, passages,
    admissions, share, share_source`` (``dep`` or ``national`` when no unit of the
    département reports admissions that year).
    """
    rows = []
    for year, units in sorted(ed_units.items()):
        known = units[units["admissions"].notna() & units["passages"].notna()
                      & (units["passages"] > 0)]
        nat = float(known["admissions"].sum() / known["passages"].sum())
        by_dep = known.groupby("dep")[["passages", "admissions"]].sum()
        for dep in sorted(set(units["dep"].dropna())):
            if dep in by_dep.index and by_dep.loc[dep, "passages"] > 0:
                p, a = by_dep.loc[dep, ["passages", "admissions"]]
                rows.append((int(year), dep, float(p), float(a), float(a / p), "dep"))
            else:
                rows.append((int(year), dep, np.nan, np.nan, nat, "national"))
    return pd.DataFrame(rows, columns=["year", "dep", "passages", "admissions", "share",
                                       "share_source"])


def share_year(shares: pd.DataFrame, origin: object) -> int:
    """The latest SAE year strictly before the origin's year (raises if there is none)."""
    year = pd.Timestamp(origin).year
    years = sorted(y for y in shares["year"].unique() if y < year)
    if not years:
        raise ValueError(f"no SAE year before the forecast origin {origin} "
                         f"(SAE years available: {sorted(shares['year'].unique())})")
    return int(years[-1])


def share_sigma(shares: pd.DataFrame, up_to: int) -> float:
    """Robust spread of the year-to-year change of ``log(share)`` (see module docstring)."""
    own = shares[(shares["share_source"] == "dep") & (shares["year"] <= up_to)
                 & (shares["share"] > 0)]
    wide = own.pivot(index="dep", columns="year", values="share").sort_index(axis=1)
    changes = []
    years = list(wide.columns)
    for a, b in pairwise(years):
        if b != a + 1 or a in COVID_YEARS or b in COVID_YEARS:
            continue
        d = np.log(wide[b] / wide[a]).dropna().to_numpy()
        changes.append(d)
    flat = np.concatenate(changes) if changes else np.array([])
    if flat.size < MIN_CHANGES:
        return DEFAULT_SIGMA
    return float(1.4826 * np.median(np.abs(flat - np.median(flat))))


def widen(point: np.ndarray, quantiles: np.ndarray, sigma: float,
          probs: tuple[float, ...]) -> np.ndarray:
    """Combine quantiles of a count (last axis ``probs``) with an independent log-normal
    multiplicative error of spread ``sigma``, on the log scale (see module docstring).

    Zero quantiles stay zero (a lower bound of 0 cannot be widened further) and a zero
    point leaves its quantiles as they are. The result is sorted along the last axis.
    """
    point = np.asarray(point, dtype=float)[..., None]
    q = np.asarray(quantiles, dtype=float)
    z = norm.ppf(np.asarray(probs, dtype=float))
    ok = (point > 0) & (q > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(ok, np.log(np.where(ok, q, 1.0) / np.where(point > 0, point, 1.0)), 0.0)
    sign = np.where(r != 0, np.sign(r), np.sign(z))
    r2 = sign * np.sqrt(r**2 + (z * sigma) ** 2)
    out = np.where(ok, point * np.exp(r2), q)
    return np.sort(out, axis=-1)


def admissions_dataset(passages: xr.Dataset, shares: pd.DataFrame) -> xr.Dataset:
    """Daily admissions forecast from a daily all-ages passage forecast (pure).

    ``passages``: the Dataset of :func:`forecasting.demand.forecast_ed` (``by_age`` off).
    ``shares``: :func:`admitted_shares`. Same layout as the passage Dataset, series renamed
    ``adm/...``, plus ``admitted_share (series)`` and the share year, ``sigma`` and sources
    in the attributes.
    """
    if int(passages.attrs.get("by_age", 0)):
        raise ValueError("admissions are derived from all-ages passage forecasts "
                         "(SAE gives no admitted share by age class)")
    origin = passages.attrs["origin"]
    year = share_year(shares, origin)
    sigma = share_sigma(shares, year)
    of_year = shares[shares["year"] == year].set_index("dep")
    probs = tuple(float(p) for p in passages["quantile"].to_numpy())
    level = passages["level"].to_numpy()
    territory = passages["territory"].to_numpy()
    point = passages["point"].to_numpy()
    total_point = passages["total_point"].to_numpy()

    share = np.full(level.size, np.nan)
    source = np.full(level.size, "", dtype=object)
    bottom = level == "dep"
    for i in np.flatnonzero(bottom):
        dep = str(territory[i])
        if dep not in of_year.index:
            raise ValueError(f"département {dep} is not in the SAE {year} ED file")
        share[i] = float(of_year.loc[dep, "share"])
        source[i] = f"SAE {year} ({of_year.loc[dep, 'share_source']})"
    adm_point = point * np.where(bottom, share, 0.0)[:, None]
    adm_total_point = total_point * np.where(bottom, share, 0.0)

    # Aggregates: bottom-up sums over the départements they contain.
    deps_of_bottom = {str(territory[i]): i for i in np.flatnonzero(bottom)}
    reg_of = departements()["reg"]
    for i in np.flatnonzero(~bottom):
        members = [j for d, j in deps_of_bottom.items()
                   if level[i] == "nation" or reg_of.get(d) == territory[i]]
        adm_point[i] = adm_point[members].sum(axis=0)
        adm_total_point[i] = adm_total_point[members].sum()
        share[i] = adm_total_point[i] / total_point[i] if total_point[i] > 0 else np.nan
        source[i] = f"SAE {year} (somme des départements)"
    implied = np.where(np.isfinite(share), share, 0.0)
    q = widen(adm_point, passages["forecast"].to_numpy() * implied[:, None, None], sigma, probs)
    tq = widen(adm_total_point, passages["total"].to_numpy() * implied[:, None], sigma, probs)

    names = [str(s).replace("ed/", "adm/", 1) for s in passages["series"].to_numpy()]
    out = passages.copy(deep=True).assign_coords(series=names)
    out["forecast"] = (("series", "date", "quantile"), q)
    out["point"] = (("series", "date"), adm_point)
    out["total"] = (("series", "quantile"), tq)
    out["total_point"] = (("series",), adm_total_point)
    out["admitted_share"] = (("series",), share)
    out = out.assign_coords(share_source=("series", source.astype(str)))
    out.attrs.update({
        "title": "Prévision des hospitalisations après passage aux urgences",
        "series_kind": "admissions",
        "units": ADMISSION_UNITS,
        "share_year": year,
        "share_sigma_log": sigma,
        "admissions_method": "passages forecast x SAE admitted share of the latest year "
                             "before the origin; intervals widened by the share's "
                             "year-to-year change (see forecasting.admissions)",
    })
    for var in ("forecast", "point"):
        out[var].attrs["units"] = ADMISSION_UNITS
    out["admitted_share"].attrs["description"] = (
        "hospitalisations after an ED passage / ED passages (SAE), aggregates implied")
    out["total"].attrs["description"] = passages["total"].attrs.get("description", "")
    return out
