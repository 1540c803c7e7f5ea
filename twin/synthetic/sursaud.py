"""Synthetic replica of Santé publique France's daily ED passages by département (SurSaUD).

No real département file exists after April 2020 (data.gouv.fr, "Données des urgences
hospitalières et de SOS médecins relatives à l'épidémie de COVID-19",
``sursaud-corona-quot-dep-YYYY-MM-DD-HHhMM.csv``), so this module writes a
*format-identical* stand-in that an analyst can replace by the real file, **calibrated on the
real regional series** (:mod:`twin.sources.sursaud_regional`, ``data/real/sursaud/``):

* name ``sursaud-corona-quot-dep-2024-12-31-19h00.csv.gz`` (gzip, header ``mtime`` 0 and
  no stored file name, so the bytes are reproducible; the loader also reads plain ``.csv``);
* ``;`` separator, ASCII/UTF-8, LF line ends, one header line, dates ``YYYY-MM-DD``;
* the 18 columns of the real file (header checked against the published file:
  ``dep;date_de_passage;sursaud_cl_age_corona;nbre_pass_corona;nbre_pass_tot;
  nbre_hospit_corona;nbre_pass_corona_h;nbre_pass_corona_f;nbre_pass_tot_h;nbre_pass_tot_f;
  nbre_hospit_corona_h;nbre_hospit_corona_f;nbre_acte_corona;nbre_acte_tot;
  nbre_acte_corona_h;nbre_acte_corona_f;nbre_acte_tot_h;nbre_acte_tot_f``);
* one row per département x day x age class, classes ``0`` (all ages), ``A`` <15,
  ``B`` 15-44, ``C`` 45-64, ``D`` 65-74, ``E`` 75+, in that order; all 101 départements,
  every day 2019-01-01 .. 2024-12-31. (The real file starts on 2020-02-24; the replica
  goes back to 2019 so forecasts have a pre-COVID year to learn from.)

What is synthetic and what is pinned to real data:

* ``nbre_pass_tot`` (all-cause ED passages, the series the forecasts use), régions: on every
  (région, day) the real regional file covers with a value (2020-02-24 → 2022-02-05 and
  2022-12-26 → 2024-06-30, less Martinique's empty days and the provisional 2022-02-05), the
  région's départements sum *exactly* to the real all-ages passages: weekday and seasonal
  shape, holidays, COVID waves and volumes (OSCOUR, about 86 % of the SAE in 2023) are the
  real ones. On the other days (2019, the 2022 gap, after 2024-06-30, empty days) the
  modelled draw is scaled to the real level by a smooth ratio (log real / modelled, 28-day
  centred mean over the real days, linear across days without one, constant before the
  first and after the last real day): see :func:`_regional_targets`.
* Départements: the modelled expectation below has each département's annual total equal
  to the sum of ``PASSU`` over its SAE ``URGENCES2`` units for that year (unit département
  from the SAE ``ID`` register); a région-day's real total is split between its
  départements and age classes in proportion to the noisy modelled draws (largest
  remainder), so each département's share of its région follows its SAE share (within
  2.4 % a year) and its own calendar. Class ``0`` is the exact sum of
  ``A``-``E``. Age shares follow the SAE ``dt18``/``dt80`` shares of the département-year
  (under-15 = 0.80 x under-18, 75+ = 1.45 x over-80; pediatric units count wholly as
  under-18), with a national fallback where too few units report them.
* Modelled daily shape (what the real regional totals replace where they exist, and what
  still drives the split between départements and ages): day-of-week multipliers and
  Sunday-like public holidays from :mod:`twin.profiles` / :mod:`twin.calendar`; winter
  influenza excess following the real weekly Sentinelles influenza-like-illness incidence
  (mostly in <15 and 75+); a
  bronchiolitis wave in <15 with per-season timing and size from Santé publique France
  bulletins (late 2020 epidemic shifted to March 2021; 2022 record, early); fewer
  children's passages during school holidays; a summer rise in tourist départements and an
  August dip in Île-de-France; the spring-2020 lockdown fall (about -45 % overall, children
  -65 %) with a slow, partial recovery through 2021; a smooth level trend between years.
  Overseas départements get no mainland flu/bronchiolitis/winter waves (their epidemics
  have other timings, not modelled).
* Noise: Poisson-gamma (negative binomial) draws with a département-day shock, an AR(1)
  département level (weather spells, local events) and a class-day shock.
* ``nbre_pass_tot_h`` / ``_f``: binomial sex split with a class-specific male share
  (``h + f = tot``; the real file can have ``h + f < tot`` when sex is unknown).
* COVID-19 and SOS Médecins columns (``*_corona*``, ``nbre_hospit_*``, ``nbre_acte_*``)
  are left **empty**: inventing a COVID-suspected or SOS Médecins series would only look
  real. The loader does not read them.
"""

from __future__ import annotations

import gzip
import io
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from twin.calendar import is_public_holiday, is_school_holiday
from twin.errors import DataError
from twin.geography import (
    OVERSEAS_DEPS,
    dep_sort_key,
    dep_to_reg,
    departements,
    is_dep,
    normalise_dep,
)
from twin.profiles import day_multipliers
from twin.rng import stream
from twin.sources.sentinelles import load_incidence
from twin.sources.sursaud_regional import load_ed_daily_regional
from twin.sources.tabular import TableSpec, read_table
from twin.synthetic import MASTER_SEED

FILE_NAME = "sursaud-corona-quot-dep-2024-12-31-19h00.csv.gz"
SUBDIR = "sursaud"
HEADER = (
    "dep", "date_de_passage", "sursaud_cl_age_corona", "nbre_pass_corona", "nbre_pass_tot",
    "nbre_hospit_corona", "nbre_pass_corona_h", "nbre_pass_corona_f", "nbre_pass_tot_h",
    "nbre_pass_tot_f", "nbre_hospit_corona_h", "nbre_hospit_corona_f", "nbre_acte_corona",
    "nbre_acte_tot", "nbre_acte_corona_h", "nbre_acte_corona_f", "nbre_acte_tot_h",
    "nbre_acte_tot_f",
)
START = date(2019, 1, 1)
END = date(2024, 12, 31)
YEARS = tuple(range(START.year, END.year + 1))
CLASSES = ("A", "B", "C", "D", "E")

# --- age structure ---------------------------------------------------------------------------
UNDER15_OF_UNDER18 = 0.80  # 0-14 passages / 0-17 passages (infants weigh heavily)
OVER75_OF_OVER80 = 1.45  # 75+ passages / 80+ passages
MIDDLE_SPLIT = np.array([0.55, 0.32, 0.13])  # B, C, D shares of the 15-74 remainder
MIN_COVERAGE = 0.5  # share of PASSU in units reporting dt18/dt80 needed to trust the ratio
MALE_SHARE = np.array([0.54, 0.50, 0.52, 0.52, 0.41])

# --- seasonal and event effects (per class A..E) ---------------------------------------------
FLU_THRESHOLD = 40.0  # Sentinelles ILI incidence per 100,000 below which there is no excess
FLU_EXCESS_PER_100 = np.array([0.030, 0.008, 0.008, 0.015, 0.030])
WINTER_AMPLITUDE = np.array([0.0, 0.0, 0.0, 0.04, 0.04])  # non-flu cold-season rise, mid-Jan
SUMMER_AMPLITUDE = np.array([0.0, 0.03, 0.03, 0.0, 0.0])  # trauma, mid-July
SCHOOL_HOLIDAY_CHILDREN = 0.93
LOCKDOWN_DEPTH = np.array([0.65, 0.45, 0.40, 0.35, 0.30])
# Fraction of the full lockdown fall still in effect (knots, linear in between).
LOCKDOWN_KNOTS = (
    ("2020-03-08", 0.0), ("2020-03-22", 1.0), ("2020-04-19", 1.0), ("2020-05-17", 0.6),
    ("2020-06-30", 0.3), ("2020-10-25", 0.3), ("2020-11-08", 0.5), ("2020-12-13", 0.35),
    ("2021-03-31", 0.3), ("2021-04-11", 0.4), ("2021-05-16", 0.25), ("2021-09-01", 0.1),
    ("2022-01-31", 0.0),
)
# Bronchiolitis epidemics in under-15s: (peak date, relative excess at peak).
BRONCHIOLITIS = (
    ("2018-12-03", 0.12), ("2019-12-02", 0.13), ("2021-03-15", 0.08), ("2021-12-01", 0.14),
    ("2022-11-21", 0.22), ("2023-12-04", 0.13), ("2024-12-02", 0.12),
)
BRONCHIOLITIS_SD_DAYS = 18.0
# Summer (July-August) excess in tourist départements; negative = holiday-season outflow.
SUMMER_TOURISM = {
    **dict.fromkeys(("2A", "2B"), 0.40),
    **dict.fromkeys(("17", "85", "40", "66", "83", "56", "07"), 0.25),
    **dict.fromkeys(
        ("29", "22", "50", "34", "11", "64", "06", "33", "44", "80", "62", "14", "30", "24",
         "46", "48", "05", "04", "84", "35"),
        0.12,
    ),
    **dict.fromkeys(("75", "92", "93", "94", "91", "95", "78", "77"), -0.10),
}
# Ski-season (late December - early April) excess in mountain départements.
SKI_SEASON = {"73": 0.25, "74": 0.15, "05": 0.15, "65": 0.05, "38": 0.05}

# --- noise -----------------------------------------------------------------------------------
DEP_DAY_SHAPE = 500.0  # gamma shape of the département-day shock (CV ~4.5 %)
CLASS_DAY_SHAPE = 250.0  # gamma shape of the class-day shock (CV ~6 %)
LEVEL_AR = 0.85  # daily AR(1) coefficient of the log département level
LEVEL_SD = 0.03  # its stationary standard deviation
TREND_ITERATIONS = 4
# --- calibration on the real regional series -------------------------------------------------
RATIO_WINDOW_DAYS = 28  # four whole weeks: the weekday mismatch averages out


# --- real inputs -----------------------------------------------------------------------------

_URG_SPEC = TableSpec(
    source="SAE URGENCES2",
    sep=";",
    encoding="latin-1",
    columns={"fi": ("FI",), "urg": ("URG",), "passu": ("PASSU",), "dt18": (), "dt80": ()},
    required=frozenset({"fi", "urg", "passu", "dt18", "dt80"}),
    integers=frozenset({"passu", "dt18", "dt80"}),
    allow_unknown_columns=True,
)
_ID_SPEC = TableSpec(
    source="SAE ID",
    sep=";",
    encoding="latin-1",
    columns={"fi": (), "dep": ()},
    required=frozenset({"fi", "dep"}),
    allow_unknown_columns=True,
    key=("fi",),
    code_checks={"dep": lambda v: is_dep(normalise_dep(v)) or v == "9E"},
    code_expectations={"dep": "an SAE département code (01..95, 2A, 2B, 9A..9F)"},
)
def _sae_ed_by_dep(real: Path, year: int) -> pd.DataFrame:
    """ED passages per département from SAE URGENCES2 + ID (private stand-in for
    ``twin.sources.sae.load_ed_units``): columns passages, u18, u18_base, o80, o80_base.

    ``u18``/``o80`` sum ``dt18``/``dt80`` over the units that report them, ``*_base`` the
    ``PASSU`` of those same units, so ratios are not biased by non-reporting units.
    Pediatric units (``URG == 'PED'``) leave ``dt18`` empty: all their passages are minors.
    """
    folder = real / "sae" / str(year)
    urg = read_table(folder / f"URGENCES2_{year}r.csv", _URG_SPEC)
    reg = read_table(folder / f"ID_{year}r.csv", _ID_SPEC)
    units = urg.merge(reg[["fi", "dep"]], on="fi", how="left")
    missing = units["dep"].isna() | units["passu"].isna()
    if missing.any():
        row = units.loc[missing].iloc[0]
        raise DataError.single(
            folder / f"URGENCES2_{year}r.csv",
            "a PASSU value and a FI present in the ID register",
            f"FI {row['fi']!r} without one of them",
            int(row["_line"]),
        )
    units["dep"] = units["dep"].map(normalise_dep)
    ped = units["urg"].str.upper().eq("PED")
    units.loc[ped & units["dt18"].isna(), "dt18"] = units["passu"]
    units.loc[ped & units["dt80"].isna(), "dt80"] = 0.0
    units["u18_base"] = units["passu"].where(units["dt18"].notna(), 0.0)
    units["o80_base"] = units["passu"].where(units["dt80"].notna(), 0.0)
    out = units.groupby("dep")[["passu", "dt18", "u18_base", "dt80", "o80_base"]].sum()
    return out.rename(columns={"passu": "passages", "dt18": "u18", "dt80": "o80"})


def _flu_weekly(real: Path) -> pd.Series:
    """Real Sentinelles influenza-like-illness incidence per 100,000, indexed by ISO week
    Monday; weeks without an estimate are dropped (interpolated over later)."""
    df = load_incidence("grippe", "france", folder=real / "sentinelles")
    df = df[df["inc100"].notna()]
    inc = df["inc100"].astype(float).to_numpy()
    return pd.Series(inc, index=pd.DatetimeIndex(df["week_start"])).sort_index()


# --- model pieces ----------------------------------------------------------------------------


def _age_shares(sae: dict[int, pd.DataFrame], deps: list[str]) -> np.ndarray:
    """Expected share of each class A..E per (dep, year), from SAE dt18/dt80."""
    shares = np.zeros((len(deps), len(YEARS), len(CLASSES)))
    pooled = pd.concat(sae.values()).groupby(level=0).sum()
    for j, year in enumerate(YEARS):
        df = sae[year].reindex(deps)
        nat_u18 = df["u18"].sum() / df["u18_base"].sum()
        nat_o80 = df["o80"].sum() / df["o80_base"].sum()
        for i, dep in enumerate(deps):
            row = df.loc[dep]
            ratios = []
            for num, base, nat in (("u18", "u18_base", nat_u18), ("o80", "o80_base", nat_o80)):
                if row[base] >= MIN_COVERAGE * row["passages"] and row[base] > 0:
                    ratios.append(row[num] / row[base])
                elif pooled.loc[dep, base] >= MIN_COVERAGE * pooled.loc[dep, "passages"]:
                    ratios.append(pooled.loc[dep, num] / pooled.loc[dep, base])
                else:
                    ratios.append(nat)
            u18 = float(np.clip(ratios[0], 0.10, 0.45))
            o80 = float(np.clip(ratios[1], 0.04, 0.22))
            a, e = UNDER15_OF_UNDER18 * u18, OVER75_OF_OVER80 * o80
            shares[i, j] = [a, *((1.0 - a - e) * MIDDLE_SPLIT), e]
    return shares


def _knots(days: pd.DatetimeIndex, knots: tuple[tuple[str, float], ...]) -> np.ndarray:
    x = days.to_numpy().astype("datetime64[D]").astype(float)
    kx = np.array([np.datetime64(d, "D").astype(float) for d, _ in knots])
    return np.interp(x, kx, [v for _, v in knots], left=knots[0][1], right=knots[-1][1])


def _summer_window(days: pd.DatetimeIndex) -> np.ndarray:
    """0..1 bump over the summer holidays: ramps up 15 June - 5 July, down 20 Aug - 5 Sept."""
    doy = days.dayofyear.to_numpy().astype(float)
    return np.interp(doy, [166, 186, 232, 248], [0.0, 1.0, 1.0, 0.0])


def _ski_window(days: pd.DatetimeIndex) -> np.ndarray:
    """0..1 ski-season weight: 20 Dec - 10 April, strongest in February."""
    doy = days.dayofyear.to_numpy().astype(float)
    return np.interp(doy, [1, 32, 59, 100, 110, 354, 366], [0.8, 1.0, 1.0, 0.3, 0.0, 0.0, 0.8])


def _shape(
    deps: list[str], days: pd.DatetimeIndex, flu: pd.Series
) -> np.ndarray:
    """Unnormalised expected daily passages per (dep, day, class), up to a level."""
    n_dep, n_day = len(deps), len(days)
    doy = days.dayofyear.to_numpy().astype(float)
    weekday = days.weekday.to_numpy()
    # Weekly Sentinelles incidence, centred on Thursday, interpolated to days.
    mid = flu.index.to_numpy().astype("datetime64[D]").astype(float) + 3.0
    x = days.to_numpy().astype("datetime64[D]").astype(float)
    inc = np.interp(x, mid, flu.to_numpy().astype(float))
    flu_excess = np.maximum(inc - FLU_THRESHOLD, 0.0) / 100.0
    winter = np.cos(2 * np.pi * (doy - 15) / 365.25)
    summer = np.cos(2 * np.pi * (doy - 196) / 365.25)
    bronchio = np.zeros(n_day)
    for peak, amp in BRONCHIOLITIS:
        dt = x - np.datetime64(peak, "D").astype(float)
        bronchio += amp * np.exp(-0.5 * (dt / BRONCHIOLITIS_SD_DAYS) ** 2)
    lockdown = _knots(days, LOCKDOWN_KNOTS)
    summer_win, ski_win = _summer_window(days), _ski_window(days)

    shape = np.ones((n_dep, n_day, len(CLASSES)))
    covid = 1.0 - LOCKDOWN_DEPTH[None, :] * lockdown[:, None]
    for i, dep in enumerate(deps):
        s = shape[i]
        s *= day_multipliers(weekday, is_public_holiday(days, dep))[:, None]
        s *= covid
        s *= (1.0 + SUMMER_AMPLITUDE[None, :] * summer[:, None])
        if dep not in OVERSEAS_DEPS:
            s *= 1.0 + FLU_EXCESS_PER_100[None, :] * flu_excess[:, None]
            s *= 1.0 + WINTER_AMPLITUDE[None, :] * winter[:, None]
            s[:, 0] *= 1.0 + bronchio
        s[:, 0] *= np.where(is_school_holiday(days, dep), SCHOOL_HOLIDAY_CHILDREN, 1.0)
        s *= (1.0 + SUMMER_TOURISM.get(dep, 0.0) * summer_win)[:, None]
        s *= (1.0 + SKI_SEASON.get(dep, 0.0) * ski_win)[:, None]
    return shape


def _smooth_level(shape: np.ndarray, targets: np.ndarray, year_of_day: np.ndarray) -> np.ndarray:
    """Expected passages: ``shape`` times a level that moves linearly between mid-years and
    matches each (dep, year, class) target exactly, avoiding 1 January steps."""
    n_year = targets.shape[1]
    starts = np.searchsorted(year_of_day, np.arange(n_year))
    mids = (starts + np.append(starts[1:], len(year_of_day))) / 2.0
    t = np.arange(len(year_of_day), dtype=float)
    k1 = np.clip(np.searchsorted(mids, t), 1, n_year - 1)
    k0 = k1 - 1
    w1 = np.clip((t - mids[k0]) / (mids[k1] - mids[k0]), 0.0, 1.0)
    mu = shape.copy()
    for _ in range(TREND_ITERATIONS):
        ratio = targets / np.add.reduceat(mu, starts, axis=1)  # (dep, year, class)
        level = ratio[:, k0, :] * (1 - w1)[None, :, None] + ratio[:, k1, :] * w1[None, :, None]
        mu *= level
    ratio = targets / np.add.reduceat(mu, starts, axis=1)
    return mu * ratio[:, year_of_day, :]


def _largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``x`` summing exactly to ``total`` (Hamilton's method; ties
    go to the earlier cell so the result is deterministic)."""
    scaled = x * (total / x.sum())
    out = np.floor(scaled).astype(np.int64)
    short = total - int(out.sum())
    if short:
        order = np.argsort(-(scaled - out), kind="stable")
        out[order[:short]] += 1
    return out


def simulate(real: Path) -> tuple[list[str], pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """The synthetic counts: (deps, days, passages[dep, day, class], male[dep, day, class])."""
    deps = sorted(departements().index, key=dep_sort_key)
    days = pd.date_range(START, END, freq="D")
    year_of_day = days.year.to_numpy() - START.year
    sae = {y: _sae_ed_by_dep(real, y) for y in YEARS}
    totals = np.array([[sae[y]["passages"].get(d, 0.0) for y in YEARS] for d in deps])
    if (totals <= 0).any():
        i, j = np.argwhere(totals <= 0)[0]
        raise DataError.single(
            real / "sae" / str(YEARS[j]), "ED passages in every département",
            f"none for département {deps[i]}",
        )
    totals = totals.astype(np.int64)
    shares = _age_shares(sae, deps)
    mu = _smooth_level(
        _shape(deps, days, _flu_weekly(real)), totals[:, :, None] * shares, year_of_day
    )

    rng = stream(MASTER_SEED, "sursaud")
    n_dep, n_day, n_cls = mu.shape
    innov = rng.normal(0.0, LEVEL_SD * np.sqrt(1 - LEVEL_AR**2), size=(n_dep, n_day))
    level = np.empty((n_dep, n_day))
    level[:, 0] = rng.normal(0.0, LEVEL_SD, size=n_dep)
    for t in range(1, n_day):
        level[:, t] = LEVEL_AR * level[:, t - 1] + innov[:, t]
    dep_day = rng.gamma(DEP_DAY_SHAPE, 1.0 / DEP_DAY_SHAPE, size=(n_dep, n_day))
    cls_day = rng.gamma(CLASS_DAY_SHAPE, 1.0 / CLASS_DAY_SHAPE, size=(n_dep, n_day, n_cls))
    lam = mu * (np.exp(level - LEVEL_SD**2 / 2) * dep_day)[:, :, None] * cls_day
    draws = rng.poisson(lam).astype(float)

    reg_of = np.array([dep_to_reg()[d] for d in deps])
    regs = sorted(set(reg_of))
    reg_index = np.searchsorted(regs, reg_of)
    real_regional = _real_regional(real, regs, days)
    targets = _regional_targets(real_regional, _by_region(mu, reg_index, len(regs)),
                                _by_region(draws, reg_index, len(regs)))
    passages = _apportion(draws, mu, reg_index, targets)
    male = rng.binomial(passages, MALE_SHARE[None, None, :])
    return deps, days, passages, male


# --- calibration on the real regional series -------------------------------------------------


def _real_regional(real: Path, regs: list[str], days: pd.DatetimeIndex) -> np.ndarray:
    """Real class-0 passages per (région, day) of the replica, NaN where there is no usable
    real value: days no snapshot covers, empty cells (Martinique), provisional days."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 07/08 are not INSEE régions: dropped
        df = load_ed_daily_regional(Path(real) / "sursaud", age_class="0")
    df = df[~df["provisional"]]
    wide = df.pivot(index="reg", columns="date", values="passages")
    return wide.reindex(index=regs, columns=days).to_numpy(dtype=float)


def _by_region(x: np.ndarray, reg_index: np.ndarray, n_reg: int) -> np.ndarray:
    """(dep, day, class) summed to (région, day)."""
    out = np.zeros((n_reg, x.shape[1]))
    np.add.at(out, reg_index, x.sum(axis=2))
    return out


def _regional_targets(real: np.ndarray, expected: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Integer all-ages passages per (région, day) that the replica's départements sum to.

    Where the real regional file has a value, it is the target, as is: weekday and seasonal
    shape, holidays, COVID waves and OSCOUR volumes come from the real series. Elsewhere
    (2019, the 2022 gap, after 2024-06-30, Martinique's and other empty days, provisional
    days) the modelled draw is scaled to the real level by a smooth ratio: the log of
    real / modelled expectation, averaged over a centred :data:`RATIO_WINDOW_DAYS` window of
    the days with a real value, interpolated linearly in time across days without one and
    held constant before the first and after the last. So the modelled shape joins the real
    series without a step, at the real (OSCOUR coverage) level.
    """
    out = np.empty_like(real)
    t = np.arange(real.shape[1], dtype=float)
    for r in range(real.shape[0]):
        known = np.isfinite(real[r]) & (expected[r] > 0) & (real[r] > 0)
        if not known.any():
            raise ValueError(f"no real regional SurSaUD value for région index {r}")
        log_ratio = pd.Series(np.where(known, np.log(real[r] / np.where(known, expected[r], 1)),
                                       np.nan))
        smooth = log_ratio.rolling(RATIO_WINDOW_DAYS, center=True, min_periods=7).mean()
        smooth = smooth.where(known)
        ok = smooth.notna().to_numpy()
        scale = np.exp(np.interp(t, t[ok], smooth.to_numpy()[ok]))
        out[r] = np.where(np.isfinite(real[r]), real[r], np.round(drawn[r] * scale))
    return out.astype(np.int64)


def _apportion(draws: np.ndarray, mu: np.ndarray, reg_index: np.ndarray,
               targets: np.ndarray) -> np.ndarray:
    """Integer passages per (dep, day, class) summing exactly to each (région, day) target,
    proportional to the noisy modelled draws (largest remainder within each région-day).

    The draws' split between a région's départements follows each département's SAE
    passages and its own calendar (holidays, tourism), so that split stays SAE-based; a
    région-day whose draws are all zero is split by the expectation ``mu`` instead.
    """
    n_dep, n_day, n_cls = draws.shape
    weights = draws.copy()
    group = np.broadcast_to((reg_index[:, None] * n_day + np.arange(n_day))[:, :, None],
                            draws.shape).ravel()
    flat = weights.ravel()
    sums = np.bincount(group, weights=flat, minlength=targets.size)
    empty = sums[group] <= 0
    flat[empty] = mu.ravel()[empty]
    sums = np.bincount(group, weights=flat, minlength=targets.size)
    total = targets.ravel().astype(float)
    scaled = flat * (total[group] / np.where(sums[group] > 0, sums[group], 1.0))
    out = np.floor(scaled).astype(np.int64)
    short = targets.ravel() - np.bincount(group, weights=out, minlength=targets.size).astype(
        np.int64)
    if (short < 0).any():
        raise AssertionError("largest-remainder apportionment overshot a regional target")
    order = np.lexsort((-(scaled - out), group))  # within a région-day, largest remainder first
    g_sorted = group[order]
    rank = np.arange(len(order)) - np.searchsorted(g_sorted, g_sorted, side="left")
    out[order[rank < short[g_sorted]]] += 1
    return out.reshape(n_dep, n_day, n_cls)


def _render(
    deps: list[str], days: pd.DatetimeIndex, passages: np.ndarray, male: np.ndarray
) -> bytes:
    """The CSV text: per département, per day, classes 0, A..E; unsynthesised columns empty."""
    n_day = passages.shape[1]
    tot = np.concatenate([passages.sum(axis=2, keepdims=True), passages], axis=2)
    h = np.concatenate([male.sum(axis=2, keepdims=True), male], axis=2)
    f = tot - h
    day_txt = days.strftime("%Y-%m-%d").tolist()
    classes = ("0", *CLASSES)
    tail = ";" * 8
    lines = [";".join(HEADER)]
    for i, dep in enumerate(deps):
        t_i, h_i, f_i = tot[i].tolist(), h[i].tolist(), f[i].tolist()
        for d in range(n_day):
            prefix = f"{dep};{day_txt[d]};"
            t_d, h_d, f_d = t_i[d], h_i[d], f_i[d]
            for c, cls in enumerate(classes):
                lines.append(f"{prefix}{cls};;{t_d[c]};;;;{h_d[c]};{f_d[c]}{tail}")
    return ("\n".join(lines) + "\n").encode("ascii")


def generate(real: Path, out: Path) -> list[Path]:
    """Write ``out/sursaud/sursaud-corona-quot-dep-2024-12-31-19h00.csv.gz``; return it."""
    deps, days, passages, male = simulate(Path(real))
    text = _render(deps, days, passages, male)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        gz.write(text)
    target = Path(out) / SUBDIR / FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buf.getvalue())
    return [target]
