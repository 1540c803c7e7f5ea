"""Synthetic hospital pharmacy stock ledger: 24 large hospitals × the sentinel products, daily
2021-01-01 … 2025-12-31, in the PUI export format of :mod:`twin.sources.ledger`.

Writes ``out/ledger/mouvements_stock_pui_2021-2025.csv.gz`` (gzip, mtime 0). No real PUI
ledger is public; this replica exists so that the shortage early-warning module can be run,
tested and backtested against stock-outs whose causes are known. How it is built:

* **Sites**: the three largest MCO establishments (beds ``LIT_MCO`` in SAE 2023) of eight
  régions (Île-de-France, Auvergne-Rhône-Alpes, PACA, Occitanie, Hauts-de-France, Grand Est,
  Nouvelle-Aquitaine, Bretagne): real FINESS from ``data/real/sae/2023``. Several share a
  département, so inter-site transfers can be suggested.
* **Consumption** follows the Open Medic monthly dispensing of the site's région (the
  synthetic ``open_medic_mensuel_region.csv``, read from ``out/openmedic`` when the Open
  Medic generator has just run, else from the embedded copy). Scaling, stated: a hospital's
  internal dispensing of a presentation is :data:`HOSPITAL_FRACTION` (5 %) of the city
  dispensing of its région, shared among the région's hospitals in proportion to their MCO
  beds; so a site dispenses ``boxes(région, month) × 5 % × beds(site) / beds(région)`` per
  month (2025, beyond the Open Medic replica, repeats each 2024 month: the ledger reaches
  2025 only so that the real ANSM notices of 2025 can be scored), spread over the days with
  a weekday profile (weekends lower) and negative-binomial
  day-to-day noise (shape 4). A few site-specific demand surges (+50 … +150 % for two to six
  weeks, about one per site and product over four years) stand for local epidemics.
  Insulins are counted in pens (UCD, 5 per box) at half the sites, in boxes (CIP13) at the
  others.
* **Reorder policy**: continuous review (s, S) at the end of each day — when stock on hand +
  quantity on order falls to ``s`` or below, order up to ``S``. Levels are revised every 13
  weeks from the last 13 weeks' dispensing ``D``: ``s = D × (lead + safety days)``,
  ``S = s + D × cycle days``; safety days are drawn per site and product (10–30 for MITM,
  5–15 otherwise: below the MITM two-month rule, as hospital stocks are), cycle days 14–42.
* **Lead times**: a nominal delay per site (2–5 days, the announced delivery date), actual
  delay ``nominal − 1 + Poisson(1)`` days, deliveries in order; 2 % of orders suffer an
  unexplained supplier delay of 5–15 more days.
* **Supply disruptions follow the BDPM episodes** (:data:`twin.synthetic.bdpm.SENTINEL_EPISODES`,
  the ones in ``episodes_ground_truth.csv``): the supply chain feels an episode a week
  before ANSM publishes it; an order due while the product is under *tension* arrives 2–10
  days late and only 40–90 % filled (quota), under *rupture* 7–21 days late and 0–25 %
  filled, the unfilled remainder being cancelled. Each site has its own exposure per
  episode (some have stock elsewhere or another supplier), so not every site runs out.

Dispensing is capped by the stock on hand (unmet demand is lost: patients are switched or
sent elsewhere), so stock-outs show as days with ``stock_fin`` 0.
"""

from __future__ import annotations

import gzip
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from twin.geography import normalise_dep, normalise_reg
from twin.paths import synthetic_dir
from twin.rng import stream
from twin.sources.ledger import HEADER, SYNTHETIC_LEDGER
from twin.sources.openmedic import COG_TO_BEN_REG, MONTHLY_FILE, load_monthly
from twin.synthetic import MASTER_SEED
from twin.synthetic.bdpm import SENTINEL_EPISODES, Episode
from twin.synthetic.medicines import SENTINEL_PRODUCTS, Product

START = date(2021, 1, 1)
END = date(2025, 12, 31)
SAE_YEAR = 2023
SITE_REGIONS = ("11", "84", "93", "76", "32", "44", "75", "53")
SITES_PER_REGION = 3
HOSPITAL_FRACTION = 0.05
WEEKDAY_PROFILE = np.array([1.15, 1.10, 1.10, 1.10, 1.05, 0.80, 0.70])  # Monday … Sunday
NB_SHAPE = 4.0
PRE_NOTICE_DAYS = 7
REVIEW_DAYS = 91
GLITCH_PROBABILITY = 0.02
TENSION = {"delay": (2, 10), "fill": (0.40, 0.90)}
RUPTURE = {"delay": (7, 21), "fill": (0.00, 0.25)}


@dataclass(frozen=True)
class Site:
    """One hospital of the replica, with its share of its région's hospital dispensing."""

    finess: str
    name: str
    dep: str
    reg: str
    beds: int
    share: float


def select_sites(real: Path) -> list[Site]:
    """The :data:`SITES_PER_REGION` largest MCO establishments of each of :data:`SITE_REGIONS`
    (SAE :data:`SAE_YEAR`), with their share of their région's MCO beds."""
    folder = real / "sae" / str(SAE_YEAR)
    ident = pd.read_csv(folder / f"ID_{SAE_YEAR}r.csv", sep=";", dtype=str,
                        encoding="latin-1", keep_default_na=False)
    mco = pd.read_csv(folder / f"MCO_{SAE_YEAR}r.csv", sep=";", dtype=str,
                      encoding="latin-1", keep_default_na=False)
    beds = pd.to_numeric(mco["LIT_MCO"], errors="coerce").fillna(0).astype(int)
    mco = pd.DataFrame({"fi": mco["FI"], "beds": beds})
    df = ident[["fi", "rs", "dep", "reg"]].merge(mco, on="fi")
    df["reg"] = df["reg"].map(normalise_reg)
    df["dep"] = df["dep"].map(normalise_dep)
    totals = df.groupby("reg")["beds"].sum()
    sites = []
    for reg in SITE_REGIONS:
        top = df[df["reg"] == reg].sort_values(["beds", "fi"], ascending=[False, True])
        for row in top.head(SITES_PER_REGION).itertuples(index=False):
            sites.append(Site(row.fi, row.rs, row.dep, reg, int(row.beds),
                              float(row.beds / totals[reg])))
    return sites


def _monthly_folder(out: Path) -> Path:
    fresh = out / "openmedic"
    if (fresh / MONTHLY_FILE).exists():
        return fresh
    return synthetic_dir() / "openmedic"


def regional_daily_boxes(monthly: pd.DataFrame, product: Product, reg: str,
                         days: pd.DatetimeIndex) -> np.ndarray:
    """City boxes of a presentation in a région, per day (month total / days in month)."""
    ben_reg = COG_TO_BEN_REG.get(reg, reg)
    m = monthly[(monthly["cip13"] == product.cip13) & (monthly["reg"] == ben_reg)]
    by_month = m.groupby("month")["boxes"].sum()
    month_start = days.to_period("M").to_timestamp()
    # Months past the replica's last year take the same month of its last year.
    last_year = by_month.index.max().year if len(by_month) else 0
    lookup = month_start.map(lambda m: m if m.year <= last_year else m.replace(year=last_year))
    per_month = by_month.reindex(lookup).to_numpy(dtype=float)
    if np.isnan(per_month).any():
        raise ValueError(f"Open Medic monthly lacks months for {product.key} in région {reg}")
    n_days = np.array([monthrange(d.year, d.month)[1] for d in days])
    return per_month / n_days


@dataclass(frozen=True)
class SeriesSpec:
    """Everything the simulation of one (site, product) series needs."""

    site: Site
    product: Product
    type_code: str
    code: str
    mean_demand: np.ndarray  # expected daily demand in ledger units, before surges
    episodes: tuple[Episode, ...]


def simulate_series(spec: SeriesSpec, start: date, rng: np.random.Generator,
                    nominal_lead: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Day-by-day stock simulation of one series (pure: all randomness from ``rng``).

    Returns the ledger columns as arrays (plus ``expected_day``: the announced delivery day
    of the oldest open order, −1 when nothing is on order) and the true order book, one row
    per order: order day, quantity, arrival day, delivered quantity (−1 arrival: still open
    at the end) — what :func:`forecasting.ledger.match_orders` must recover from the columns.
    """
    n = spec.mean_demand.size
    mitm = spec.product.mitm
    ss_days = rng.uniform(10, 30) if mitm else rng.uniform(5, 15)
    cycle_days = rng.uniform(14, 42)
    # Local surges: Poisson(1) episodes of 2-6 weeks.
    mult = np.ones(n)
    for _ in range(int(rng.poisson(1.0))):
        first = int(rng.integers(0, max(1, n - 14)))
        length = int(rng.integers(14, 43))
        mult[first : first + length] *= rng.uniform(1.5, 2.5)
    mu = spec.mean_demand * mult
    demand = rng.poisson(rng.gamma(NB_SHAPE, mu / NB_SHAPE)).astype(np.int64)
    # Exposure of this site to each episode: 1 = full effect, 0.5 = half the lost supply.
    exposure = {e.episode_id: float(rng.uniform(0.5, 1.0)) for e in spec.episodes}
    # Pre-drawn per-day order randomness (one slot per possible order day).
    base_lead = np.maximum(1, nominal_lead - 1 + rng.poisson(1.0, n))
    glitch = rng.random(n) < GLITCH_PROBABILITY
    glitch_days = rng.integers(5, 16, n)
    u_delay = rng.random(n)
    u_fill = rng.random(n)

    out = {k: np.zeros(n, dtype=np.int64) for k in
           ("stock_debut", "recu", "dispense", "stock_fin", "commande", "en_commande")}
    expected = np.full(n, -1, dtype=np.int64)
    level = float(mu[:REVIEW_DAYS].mean())
    s = up_to = 0
    stock = 0
    outstanding = 0
    pipeline: list[list[int]] = []  # [order_day, qty, arrival_day, delivered]
    book: list[list[int]] = []
    last_arrival = -1
    for d in range(n):
        if d % REVIEW_DAYS == 0:
            if d > 0:
                level = float(out["dispense"][d - REVIEW_DAYS : d].mean())
            s = int(np.ceil(level * (nominal_lead + ss_days)))
            up_to = max(s + 1, s + int(np.ceil(level * cycle_days)))
            if d == 0:
                stock = up_to
        out["stock_debut"][d] = stock
        received = 0
        if pipeline and pipeline[0][2] == d:
            done = pipeline.pop(0)
            book.append(done)
            _, qty, _, delivered = done
            received = delivered
            outstanding -= qty
        avail = stock + received
        served = min(int(demand[d]), avail)
        stock = avail - served
        out["recu"][d] = received
        out["dispense"][d] = served
        out["stock_fin"][d] = stock
        if stock + outstanding <= s:
            qty = up_to - (stock + outstanding)
            due = d + int(base_lead[d]) + (int(glitch_days[d]) if glitch[d] else 0)
            fill = 1.0
            for e in spec.episodes:
                status = e.status_on(start + timedelta(days=due + PRE_NOTICE_DAYS))
                effect = RUPTURE if status == 1 else TENSION if status == 2 else None
                if effect is None:
                    continue
                lo, hi = effect["delay"]
                due += lo + int(u_delay[d] * (hi - lo + 1))
                f_lo, f_hi = effect["fill"]
                lost = 1.0 - (f_lo + u_fill[d] * (f_hi - f_lo))
                fill = min(fill, 1.0 - exposure[e.episode_id] * lost)
                break
            arrival = max(due, last_arrival + 1)
            last_arrival = arrival
            pipeline.append([d, qty, arrival, int(np.floor(qty * fill + 0.5))])
            outstanding += qty
            out["commande"][d] = qty
        out["en_commande"][d] = outstanding
        if pipeline:
            expected[d] = pipeline[0][0] + nominal_lead
    out_arrays: dict[str, np.ndarray] = dict(out)
    out_arrays["expected_day"] = expected
    book.extend([o, q, -1, dlv] for o, q, _, dlv in pipeline)
    return out_arrays, np.array(book, dtype=np.int64).reshape(-1, 4)


def series_specs(sites: list[Site], monthly: pd.DataFrame, days: pd.DatetimeIndex
                 ) -> list[SeriesSpec]:
    """One spec per (site, sentinel product), sites in FINESS order, products in table order."""
    weekday = WEEKDAY_PROFILE / WEEKDAY_PROFILE.mean()
    wd = weekday[days.dayofweek.to_numpy()]
    specs = []
    for i, site in enumerate(sorted(sites, key=lambda x: x.finess)):
        for product in SENTINEL_PRODUCTS:
            ucd = product.ucd is not None and i % 2 == 0
            per_box = product.pack_size if ucd else 1
            base = regional_daily_boxes(monthly, product, site.reg, days)
            mean = base * HOSPITAL_FRACTION * site.share * wd * per_box
            episodes = tuple(e for e in SENTINEL_EPISODES if e.product_key == product.key)
            specs.append(SeriesSpec(site, product, "UCD" if ucd else "CIP13",
                                    product.ucd if ucd else product.cip13, mean, episodes))
    return specs


def simulate_ledger(specs: list[SeriesSpec], days: pd.DatetimeIndex,
                    seed: int = MASTER_SEED) -> pd.DataFrame:
    """The ledger of every series as one DataFrame (typed columns, rows by site, product, day)."""
    cols: dict[str, list[np.ndarray]] = {k: [] for k in HEADER}
    start = days[0].date()
    n = len(days)
    for spec in specs:
        site_rng = stream(seed, "ledger", spec.site.finess, "site")
        nominal_lead = int(site_rng.integers(2, 6))
        rng = stream(seed, "ledger", spec.site.finess, spec.product.key)
        arr, _ = simulate_series(spec, start, rng, nominal_lead)
        exp_day = arr.pop("expected_day")
        first_day = np.datetime64(days[0].date(), "D")
        expected = (first_day + exp_day.astype("timedelta64[D]")).astype("datetime64[ns]")
        expected[exp_day < 0] = np.datetime64("NaT", "ns")
        cols["date"].append(days.to_numpy())
        cols["finess"].append(np.full(n, spec.site.finess, dtype=object))
        cols["produit"].append(np.full(n, spec.code, dtype=object))
        cols["type_code"].append(np.full(n, spec.type_code, dtype=object))
        for k, v in arr.items():
            cols[k].append(v)
        cols["date_livraison_prevue"].append(expected)
    return pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})


def ledger_text(df: pd.DataFrame) -> bytes:
    """The export bytes: UTF-8, ``;``, dates JJ/MM/AAAA, integer quantities, LF line ends."""
    day = df["date"].dt.strftime("%d/%m/%Y")
    exp = df["date_livraison_prevue"].dt.strftime("%d/%m/%Y").fillna("")
    cols = [day, df["finess"], df["produit"], df["type_code"]]
    cols += [df[c].astype(str) for c in HEADER[4:10]]
    cols.append(exp)
    body = cols[0].str.cat(cols[1:], sep=";")
    return (";".join(HEADER) + "\n" + "\n".join(body.tolist()) + "\n").encode("utf-8")


def generate(real: Path, out: Path) -> list[Path]:
    """Write the ledger replica under ``out/ledger``; sites from ``real`` (SAE), consumption
    from the Open Medic replica, disruptions from the BDPM sentinel episodes."""
    days = pd.date_range(START, END, freq="D")
    sites = select_sites(real)
    monthly = load_monthly(_monthly_folder(out))
    monthly = monthly[~monthly["folded"]]
    df = simulate_ledger(series_specs(sites, monthly, days), days)
    folder = out / "ledger"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SYNTHETIC_LEDGER
    path.write_bytes(gzip.compress(ledger_text(df), compresslevel=9, mtime=0))
    return [path]
