"""Synthetic Open Medic for the sentinel medicines: annual files 2019-2024 and a monthly
regional extension.

Writes, under ``out/openmedic/``:

* ``OPEN_MEDIC_YYYY.CSV`` for 2019-2024, format-identical to the Assurance Maladie files
  (see :mod:`twin.sources.openmedic`): Windows-1252, ``;``, decimal comma; the 2019 and 2020
  vintages also write ``.`` as thousands separator in ``REM``/``BSE`` as those vintages did.
* ``open_medic_mensuel_region.csv``: the documented synthetic monthly extension (``mois``
  YYYYMM × CIP13 × BEN_REG), whose twelve months add up exactly, boxes and cents, to the
  annual totals per presentation and region after folding.

How the numbers are made:

1. **National monthly series** per product (the Medic'AM-like dynamics): the product's 2019
   volume (:mod:`twin.synthetic.medicines`) × yearly trend × a monthly profile (winter
   antibiotic / paediatric / analgesic peaks, autumn asthma peak for salbutamol, flat with a
   December stock-up for chronic treatments) whose winter excess over the baseline is scaled
   by each winter's epidemic intensity (very weak 2020-21, record 2022-23) × Covid-19
   effects in 2020 (March stockpiling, April-May collapse of acute prescriptions) × the
   dips of the sentinel shortage episodes of :mod:`twin.synthetic.bdpm` (loss =
   ``dispensing_effect`` × share of the month under rupture, plus 30 % of it while a
   tension that later escalates is open, the whole of it for tensions that never escalate)
   × 2.5 % noise.
2. **Annual cells**: each year's national total is split by multinomial draw over age band ×
   sex × region × prescriber, with weights = INSEE population of the cell × the product's
   per-capita use by age × its share of women × a regional factor (antibiotics follow the
   known north-east/south-west gradient) × prescriber shares; 0.3 % is genuinely unknown.
3. **Folding** (statistical secrecy, as the publisher does): cells with 1-9 boxes are moved,
   boxes and euros, into the unknown row (age 99, sexe 9, BEN_REG 99) of the same
   presentation and prescriber; empty cells are not written. Totals are conserved exactly.
4. **Money**: BSE = boxes × price of the year (generic prices fall 1.5 % a year), REM = BSE ×
   effective reimbursement rate (higher for 60+ through ALD), computed in integer cents.
5. **Monthly extension**: each annual (presentation, BEN_REG) total — the folded ``99`` one
   included — is split over its year's months by multinomial draw with the national monthly
   profile (slightly perturbed per region) as probabilities; cents follow the boxes by
   largest remainder, so months sum exactly to the annual file.

Regions use Open Medic's codes: Corse inside ``93``, the five overseas régions as ``5``.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from twin.geography import dep_to_reg
from twin.rng import stream
from twin.sources.openmedic import ANNUAL_SPEC, COG_TO_BEN_REG, MONTHLY_FILE, UNKNOWN
from twin.synthetic import MASTER_SEED
from twin.synthetic.bdpm import SENTINEL_EPISODES, Episode
from twin.synthetic.medicines import INSEE_TO_OM, OM_AGE_BANDS, SENTINEL_PRODUCTS, Product
from twin.synthetic.medicines import population as load_population

YEARS = tuple(range(2019, 2025))
FOLD_BELOW = 10  # BOITES 1..9 are folded into the unknown row
THOUSANDS_VINTAGES = (2019, 2020)
BEN_REGS = ("5", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93")
HEADER = (
    "ATC1;l_ATC1;ATC2;L_ATC2;ATC3;L_ATC3;ATC4;L_ATC4;ATC5;L_ATC5;CIP13;l_cip13;TOP_GEN;"
    "GEN_NUM;age;sexe;BEN_REG;PSP_SPE;BOITES;REM;BSE"
)
MONTHLY_HEADER = "mois;ATC5;L_ATC5;CIP13;l_cip13;BEN_REG;BOITES;REM;BSE"

_PROFILES = {
    "winter_antibiotic": (1.45, 1.30, 1.12, 0.95, 0.85, 0.76, 0.66, 0.60, 0.84, 1.02, 1.12, 1.33),
    "winter_paediatric": (1.55, 1.35, 1.15, 0.95, 0.85, 0.72, 0.60, 0.52, 0.80, 1.05, 1.22, 1.45),
    "winter_analgesic": (1.28, 1.15, 1.05, 0.96, 0.92, 0.88, 0.84, 0.82, 0.94, 1.02, 1.07, 1.20),
    "autumn_respiratory": (1.05, 1.00, 1.00, 0.95, 0.93, 0.88, 0.80, 0.76, 1.12, 1.22, 1.18, 1.10),
    "chronic": (1.02, 0.97, 1.04, 0.99, 0.98, 1.00, 0.99, 0.94, 0.99, 1.02, 0.99, 1.07),
}
# Epidemic intensity of the winter season starting in July of the year (1 = usual).
_SEASON_INTENSITY = {2018: 1.0, 2019: 0.95, 2020: 0.35, 2021: 0.85, 2022: 1.55, 2023: 1.1,
                     2024: 1.0}  # fmt: skip
# Covid-19 in 2020: (month) -> factor per profile kind (March stockpiling, lockdowns).
_COVID_2020 = {
    3: {"chronic": 1.18, "winter_analgesic": 1.35, "winter_antibiotic": 0.85,
        "winter_paediatric": 0.80, "autumn_respiratory": 1.10},
    4: {"chronic": 0.92, "winter_analgesic": 0.80, "winter_antibiotic": 0.55,
        "winter_paediatric": 0.45, "autumn_respiratory": 0.85},
    5: {"chronic": 0.95, "winter_analgesic": 0.85, "winter_antibiotic": 0.65,
        "winter_paediatric": 0.55, "autumn_respiratory": 0.90},
    11: {"winter_antibiotic": 0.85, "winter_paediatric": 0.85},
}  # fmt: skip
# Antibiotic use per inhabitant by region (north/east high, west and Paris low).
_ANTIBIOTIC_REGION = {"5": 0.85, "11": 0.92, "24": 1.02, "27": 1.00, "28": 1.05, "32": 1.15,
                      "44": 1.08, "52": 0.90, "53": 0.93, "75": 0.98, "76": 1.00, "84": 0.97,
                      "93": 1.03}  # fmt: skip
GENUINE_UNKNOWN = 0.003
GENERIC_PRICE_DROP = 0.015


def _profile(kind: str) -> np.ndarray:
    p = np.asarray(_PROFILES[kind], dtype=float)
    return p / p.mean()


def _shortage_loss(episodes: list[Episode], year: int, month: int) -> float:
    """Fraction of the month's boxes lost to the product's open episodes."""
    first = date(year, month, 1)
    n_days = monthrange(year, month)[1]
    loss = 0.0
    for ep in episodes:
        assert ep.back_in_stock is not None
        rupture_days = tension_days = 0
        for d in range(n_days):
            day = first.replace(day=d + 1)
            status = ep.status_on(day)
            if status == 1:
                rupture_days += 1
            elif status == 2:
                tension_days += 1
        weight = 0.3 if ep.rupture is not None else 1.0
        loss += ep.dispensing_effect * (rupture_days + weight * tension_days) / n_days
    return min(loss, 0.9)


def national_monthly(product: Product, rng: np.random.Generator) -> np.ndarray:
    """Expected national boxes per month, 2019-01 … 2024-12 (72 values)."""
    kind = product.seasonality
    prof = _profile(kind)
    episodes = [e for e in SENTINEL_EPISODES if e.product_key == product.key]
    out = np.empty(len(YEARS) * 12)
    for i, (y, m) in enumerate((y, m) for y in YEARS for m in range(1, 13)):
        t = (y - YEARS[0]) + (m - 1) / 12
        level = product.annual_boxes / 12 * (1 + product.trend) ** t
        if kind == "chronic":
            shape = prof[m - 1]
        else:
            k = _SEASON_INTENSITY[y if m >= 7 else y - 1]
            s = prof[m - 1]
            shape = min(s, 1.0) + k * max(s - 1.0, 0.0)
        covid = _COVID_2020.get(m, {}).get(kind, 1.0) if y == 2020 else 1.0
        loss = _shortage_loss(episodes, y, m)
        out[i] = level * shape * covid * (1 - loss)
    return out * rng.lognormal(0.0, 0.025, size=out.size)


def _cell_weights(
    product: Product, pop: pd.DataFrame, reg_factor: dict[str, float]
) -> pd.DataFrame:
    """Share of the year's known boxes per (age, sexe, BEN_REG, PSP_SPE) cell."""
    age_use = dict(zip(OM_AGE_BANDS, product.age_use, strict=True))
    w = pop.copy()
    w["w"] = w["population"] * w["age"].map(age_use) * w["ben_reg"].map(reg_factor)
    for sex, share in (("2", product.female_share), ("1", 1 - product.female_share)):
        sel = w["sexe"] == sex
        w.loc[sel, "w"] *= share / w.loc[sel, "w"].sum()
    rows = []
    for _, cell in w.iterrows():
        shares = dict(product.prescribers)
        if "12" in shares:
            shares["12"] = shares["12"] * 2 if cell["age"] == "0" else 0.0
        total = sum(shares.values())
        for psp, s in shares.items():
            if s > 0:
                rows.append((cell["age"], cell["sexe"], cell["ben_reg"], psp,
                             cell["w"] * s / total))  # fmt: skip
    out = pd.DataFrame(rows, columns=["age", "sexe", "ben_reg", "psp_spe", "w"])
    out["w"] /= out["w"].sum()
    return out


def _population_cells(real: Path) -> pd.DataFrame:
    """Population by year × Open Medic age band × sexe × BEN_REG."""
    pop = load_population(real, list(YEARS))
    reg = pop["dep"].map(dep_to_reg())
    pop["ben_reg"] = reg.map(lambda r: COG_TO_BEN_REG.get(r, r))
    pop["age"] = pop["age_band"].map(INSEE_TO_OM)
    pop["sexe"] = pop["sex"].map({"M": "1", "F": "2"})
    return pop.groupby(["year", "age", "sexe", "ben_reg"], as_index=False)["population"].sum()


def _price(product: Product, year: int) -> float:
    """Reimbursement base per box in ``year`` (generic prices fall over time)."""
    if product.top_gen:
        return product.price_eur * (1 - GENERIC_PRICE_DROP) ** (year - 2023)
    return product.price_eur


def _rem_rate(product: Product, age: pd.Series) -> np.ndarray:
    bump = np.where(age == "60", 0.04, np.where(age == "0", 0.02, 0.0))
    return np.minimum(1.0, product.rem_rate + bump)


def fold(cells: pd.DataFrame) -> pd.DataFrame:
    """Move cells with 1..FOLD_BELOW-1 boxes into the unknown row of their presentation and
    prescriber (age 99, sexe 9, BEN_REG 99); drop empty cells. Boxes and cents are summed,
    so every total over the folded table equals the total before folding."""
    cells = cells[cells["boites"] > 0].copy()
    small = cells["boites"] < FOLD_BELOW
    cells.loc[small, "age"] = UNKNOWN["age"]
    cells.loc[small, "sexe"] = UNKNOWN["sex"]
    cells.loc[small, "ben_reg"] = UNKNOWN["reg"]
    keys = ["cip13", "age", "sexe", "ben_reg", "psp_spe"]
    return cells.groupby(keys, as_index=False, sort=False)[["boites", "rem_c", "bse_c"]].sum()


def annual_cells(product: Product, year: int, national: int, weights: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:  # fmt: skip
    """Draw the year's cells (before folding) with money in integer cents."""
    unknown = int(rng.binomial(national, GENUINE_UNKNOWN))
    counts = rng.multinomial(national - unknown, weights["w"].to_numpy())
    cells = weights[["age", "sexe", "ben_reg", "psp_spe"]].copy()
    cells["boites"] = counts
    extra = pd.DataFrame(
        {"age": [UNKNOWN["age"]], "sexe": [UNKNOWN["sex"]], "ben_reg": [UNKNOWN["reg"]],
         "psp_spe": ["99"], "boites": [unknown]}
    )  # fmt: skip
    cells = pd.concat([cells, extra], ignore_index=True)
    cells.insert(0, "cip13", product.cip13)
    bse = np.round(cells["boites"].to_numpy() * _price(product, year) * 100).astype(np.int64)
    cells["bse_c"] = bse
    cells["rem_c"] = np.round(bse * _rem_rate(product, cells["age"])).astype(np.int64)
    return cells


def _money(cents: np.ndarray, thousands: bool) -> list[str]:
    out = []
    for c in cents.tolist():
        euros, rest = divmod(int(c), 100)
        whole = f"{euros:,}".replace(",", ".") if thousands else str(euros)
        out.append(f"{whole},{rest:02d}")
    return out


def _annual_text(product_rows: list[tuple[Product, pd.DataFrame]], year: int) -> bytes:
    lines = [HEADER]
    thousands = year in THOUSANDS_VINTAGES
    for p, df in product_rows:
        order = df.assign(
            _a=df["age"].astype(int), _s=df["sexe"].astype(int), _r=df["ben_reg"].astype(int),
            _p=df["psp_spe"].astype(int),
        ).sort_values(["_a", "_s", "_r", "_p"], kind="stable")
        prefix = ";".join(
            f for lv in range(1, 6) for f in (p.atc_code(lv), p.atc_label(lv))
        ) + f";{p.cip13};{p.label};{p.top_gen};{p.gen_num}"
        rem = _money(order["rem_c"].to_numpy(), thousands)
        bse = _money(order["bse_c"].to_numpy(), thousands)
        for (a, s, r, ps, b), rm, bs in zip(
            order[["age", "sexe", "ben_reg", "psp_spe", "boites"]].itertuples(index=False),
            rem, bse, strict=True,
        ):
            lines.append(f"{prefix};{a};{s};{r};{ps};{b};{rm};{bs}")
    return ("\r\n".join(lines) + "\r\n").encode(ANNUAL_SPEC.encoding)


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` summing exactly to ``total``."""
    if weights.sum() == 0:
        out = np.zeros(len(weights), dtype=np.int64)
        out[0] = total
        return out
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    short = total - int(base.sum())
    if short:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:short]] += 1
    return base


def _monthly_rows(product: Product, year: int, folded: pd.DataFrame, national: np.ndarray,
                  rng: np.random.Generator) -> list[str]:  # fmt: skip
    """Split each (BEN_REG) annual total of one product-year over its months."""
    by_reg = folded.groupby("ben_reg")[["boites", "rem_c", "bse_c"]].sum()
    prof = national / national.sum()
    rows = []
    for reg in sorted(by_reg.index, key=int):
        boxes, rem_c, bse_c = (int(v) for v in by_reg.loc[reg])
        probs = prof * rng.lognormal(0.0, 0.03, size=12)
        months = rng.multinomial(boxes, probs / probs.sum())
        rem_m = _largest_remainder(rem_c, months.astype(float))
        bse_m = _largest_remainder(bse_c, months.astype(float))
        for m in range(12):
            rows.append(
                f"{year}{m + 1:02d};{product.atc5};{product.atc_label(5)};{product.cip13};"
                f"{product.label};{reg};{months[m]};{_money(rem_m[m:m + 1], False)[0]};"
                f"{_money(bse_m[m:m + 1], False)[0]}"
            )
    return rows


def generate(real: Path, out: Path) -> list[Path]:
    """Write the Open Medic replica under ``out/openmedic``; reads INSEE population from
    ``real``. Deterministic: one named stream per product."""
    folder = out / "openmedic"
    folder.mkdir(parents=True, exist_ok=True)
    pop = _population_cells(real)
    per_year: dict[int, list[tuple[Product, pd.DataFrame]]] = {y: [] for y in YEARS}
    monthly: dict[int, list[str]] = {y: [] for y in YEARS}
    for product in sorted(SENTINEL_PRODUCTS, key=lambda p: (p.atc5, p.cip13)):
        rng = stream(MASTER_SEED, "openmedic", product.key)
        series = national_monthly(product, rng)
        noise = rng.lognormal(0.0, 0.05, size=len(_ANTIBIOTIC_REGION))
        base = _ANTIBIOTIC_REGION if product.atc5.startswith("J01") else dict.fromkeys(
            _ANTIBIOTIC_REGION, 1.0
        )
        reg_factor = {r: base[r] * n for r, n in zip(_ANTIBIOTIC_REGION, noise, strict=True)}
        for i, year in enumerate(YEARS):
            months = series[i * 12 : (i + 1) * 12]
            weights = _cell_weights(product, pop[pop["year"] == year], reg_factor)
            cells = annual_cells(product, year, round(float(months.sum())), weights, rng)
            folded = fold(cells)
            per_year[year].append((product, folded))
            monthly[year].extend(_monthly_rows(product, year, folded, months, rng))
    written = []
    for year in YEARS:
        path = folder / f"OPEN_MEDIC_{year}.CSV"
        path.write_bytes(_annual_text(per_year[year], year))
        written.append(path)
    lines = [MONTHLY_HEADER] + [row for y in YEARS for row in monthly[y]]
    path = folder / MONTHLY_FILE
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(ANNUAL_SPEC.encoding))
    written.append(path)
    return written
