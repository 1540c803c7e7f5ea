"""Synthetic Data pathologies (``effectifs.csv``) for five chronic conditions, 2019-2023.

Writes ``out/pathologies/effectifs.csv.gz`` (gzip, mtime 0, so the bytes never change;
uncompressed the table is about 20 MB, over the 10 MB limit for the embedded dataset). The
content is format-identical to the data.ameli.fr export described in
:mod:`twin.sources.pathologies`: UTF-8, ``;``, decimal point, the 16 published columns.

Conditions (``top``: levels): ``DIA_CAT_CAT`` Diabète; ``MCV_ICA_CAT`` Maladies
cardioneurovasculaires / Insuffisance cardiaque; ``RES_CAT_EXC`` Maladies respiratoires
chroniques (hors mucoviscidose); ``CAN_SEI_ACT`` Cancers / Cancer du sein de la femme /
actif; ``CAN_CRE_ACT`` Cancers / Cancer colorectal / actif. The ``top`` codes follow the
published naming; ``tri`` and ``Niveau prioritaire`` are plausible values (their exact
published values for these rows were not at hand).

How the numbers are made, per year × département × sex × 5-year age class:

* ``Npop``: INSEE population on 1 January (broad bands split into 5-year classes with fixed
  national within-band profiles, women living longer in the 75+ band) × a care-use rate by
  age and sex (young men see a doctor less): the cartography's population is the people who
  had at least one reimbursed care, close to but not the INSEE count.
* ``Ntop`` ~ Binomial(Npop, prevalence), prevalence = age-sex curve of the condition (orders
  of magnitude of the published cartography: diabetes about 6 %, heart failure about 1 %,
  chronic respiratory disease about 5.5 %) × a département factor (known gradients: diabetes
  high overseas, in Seine-Saint-Denis and the north, low in Brittany; plus 8 % noise) × a
  yearly trend (care disruption in 2020 for respiratory disease and cancers).
* Aggregates (``tsage``, ``sexe`` 9, ``dept`` 999 with a région, ``dept`` 999 with région
  99) are sums of the true detail counts, so they are consistent before publication.
* Publication, cell by cell like the publisher: ``prev`` = 100 × Ntop / Npop on the true
  counts, 3 decimals; then ``Ntop`` and ``Npop`` rounded to the ten; ``Ntop`` **and** ``prev``
  left empty when the true count is 0-10 (the published minimum is 10). No secondary
  suppression, as in the published file.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

from twin.geography import dep_sort_key, departements, regions
from twin.rng import stream
from twin.sources.pathologies import AGE_CLASSES, ALL_AGES, ALL_DEPS, ALL_REGS, MASK_MAX
from twin.synthetic import MASTER_SEED
from twin.synthetic.medicines import INSEE_BANDS, population

YEARS = tuple(range(2019, 2024))
HEADER = (
    "annee;patho_niv1;patho_niv2;patho_niv3;top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;"
    "Niveau prioritaire;libelle_classe_age;libelle_sexe;tri"
)
SEX_LABELS = {"1": "hommes", "2": "femmes", "9": "tous sexes"}

# Split of each INSEE broad band into 5-year classes (national profile; 75+ differs by sex).
_BAND_SPLIT = {
    "0-19": {"M": (0.235, 0.250, 0.258, 0.257), "F": (0.235, 0.250, 0.258, 0.257)},
    "20-39": {"M": (0.240, 0.245, 0.255, 0.260), "F": (0.240, 0.245, 0.255, 0.260)},
    "40-59": {"M": (0.245, 0.245, 0.255, 0.255), "F": (0.245, 0.245, 0.255, 0.255)},
    "60-74": {"M": (0.350, 0.340, 0.310), "F": (0.350, 0.340, 0.310)},
    "75+": {"M": (0.370, 0.290, 0.200, 0.110, 0.030), "F": (0.300, 0.260, 0.220, 0.150, 0.070)},
}
# Care users per resident, by 5-year class (men, women): young men see a doctor less; the
# overall scale makes the total match the cartography (68.7 M people in 2022 for 68.0 M
# residents: beneficiaries not resident on 1 January or counted in two régimes).
CARE_SCALE = 1.05
_CARE_RATE_M = np.array([1.0, 0.97, 0.96, 0.95, 0.91, 0.90, 0.91, 0.92, 0.94, 0.95, 0.96, 0.97,
                         0.98, 0.99, 1.0, 1.0, 1.0, 1.01, 1.01, 1.01])  # fmt: skip
_CARE_RATE_F = np.array([1.0, 0.97, 0.97, 0.98, 0.97, 0.98, 0.98, 0.98, 0.98, 0.98, 0.98, 0.99,
                         0.99, 0.99, 1.0, 1.0, 1.0, 1.01, 1.01, 1.01])  # fmt: skip


def _curve(*values: float) -> np.ndarray:
    assert len(values) == len(AGE_CLASSES)
    return np.asarray(values) / 100.0


# (top, niv1, niv2, niv3, niveau prioritaire, tri, prevalence men, prevalence women,
#  yearly growth, 2020 and 2021 factors)
CONDITIONS: tuple[dict, ...] = (
    dict(
        top="MCV_ICA_CAT", niv1="Maladies cardioneurovasculaires", niv2="Insuffisance cardiaque",
        niv3="", prio="2", tri=12,
        curve=_curve(0.01, 0.005, 0.005, 0.01, 0.01, 0.02, 0.03, 0.05, 0.08, 0.15, 0.25, 0.45,
                     0.75, 1.2, 2.0, 3.4, 6.0, 10.0, 14.5, 17.0),
        men=1.2, women=0.85, growth=0.015, covid=(0.99, 1.0),
    ),
    dict(
        top="DIA_CAT_CAT", niv1="Diabète", niv2="", niv3="", prio="1", tri=25,
        curve=_curve(0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.8, 1.2, 2.0, 3.2, 5.0, 7.5, 10.5, 13.5,
                     16.0, 18.0, 18.5, 17.0, 14.0, 10.0),
        men=1.25, women=0.8, growth=0.02, covid=(1.0, 1.0),
    ),
    dict(
        top="CAN_SEI_ACT", niv1="Cancers", niv2="Cancer du sein de la femme",
        niv3="Cancer du sein de la femme actif", prio="3", tri=31,
        curve=_curve(0, 0, 0, 0, 0.002, 0.01, 0.05, 0.15, 0.35, 0.7, 1.1, 1.4, 1.7, 2.0, 2.2, 2.1,
                     1.8, 1.4, 1.0, 0.7),
        men=0.01, women=1.0, growth=0.01, covid=(0.97, 0.99),
    ),
    dict(
        top="CAN_CRE_ACT", niv1="Cancers", niv2="Cancer colorectal",
        niv3="Cancer colorectal actif", prio="3", tri=37,
        curve=_curve(0, 0, 0, 0.001, 0.002, 0.004, 0.008, 0.015, 0.03, 0.06, 0.11, 0.18, 0.28,
                     0.40, 0.52, 0.62, 0.68, 0.66, 0.55, 0.40),
        men=1.3, women=0.75, growth=0.0, covid=(0.96, 0.99),
    ),
    dict(
        top="RES_CAT_EXC", niv1="Maladies respiratoires chroniques (hors mucoviscidose)",
        niv2="", niv3="", prio="1", tri=58,
        curve=_curve(5.5, 7.5, 6.5, 5.0, 3.2, 3.0, 3.1, 3.3, 3.5, 3.7, 4.0, 4.5, 5.2, 6.0, 6.8,
                     7.5, 8.2, 8.6, 8.6, 8.0),
        men=1.0, women=1.0, growth=0.0, covid=(0.96, 0.98),
    ),
)  # fmt: skip

# Known département gradients of treated diabetes (factor on the national curve).
_DIABETES_DEP = {
    "971": 1.6, "972": 1.6, "973": 1.5, "974": 1.8, "976": 1.4, "93": 1.35, "95": 1.15,
    "02": 1.15, "08": 1.15, "59": 1.15, "62": 1.15, "80": 1.12, "60": 1.08, "22": 0.85,
    "29": 0.85, "35": 0.85, "56": 0.85, "75": 0.85,
}  # fmt: skip


def age_label(code: str) -> str:
    if code == ALL_AGES:
        return "tous âges"
    if code == "95et+":
        return "95 ans et plus"
    lo, hi = code.split("-")
    return f"de {int(lo)} à {int(hi)} ans"


def _split_band(total: np.ndarray, shares: tuple[float, ...]) -> np.ndarray:
    """Largest-remainder split of integer totals (any shape) into len(shares) integers."""
    s = np.asarray(shares) / sum(shares)
    raw = total[..., None] * s
    base = np.floor(raw).astype(np.int64)
    short = total - base.sum(axis=-1)
    order = np.argsort(-(raw - base), axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < short[..., None])


def population_5y(real: Path, deps: list[str]) -> np.ndarray:
    """INSEE population as an array [year, dep, sex (M, F), 5-year class]."""
    pop = population(real, list(YEARS))
    pop = pop.set_index(["year", "dep", "sex", "age_band"])["population"]
    out = np.zeros((len(YEARS), len(deps), 2, len(AGE_CLASSES)), dtype=np.int64)
    for si, sex in enumerate(("M", "F")):
        col = 0
        for band in INSEE_BANDS:
            shares = _BAND_SPLIT[band][sex]
            idx = pd.MultiIndex.from_product([YEARS, deps, [sex], [band]])
            totals = pop.reindex(idx).to_numpy().reshape(len(YEARS), len(deps))
            out[:, :, si, col : col + len(shares)] = _split_band(totals, shares)
            col += len(shares)
    return out


def _dep_factors(cond: dict, deps: list[str], rng: np.random.Generator) -> np.ndarray:
    base = np.ones(len(deps))
    if cond["top"] == "DIA_CAT_CAT":
        base = np.array([_DIABETES_DEP.get(d, 1.0) for d in deps])
    return base * rng.lognormal(0.0, 0.08, size=len(deps))


def _publish(ntop: np.ndarray, npop: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """Cell texts for Ntop, Npop, prev: prev on true counts, counts rounded to the ten,
    Ntop and prev empty when the true count is at most MASK_MAX."""
    masked = ntop <= MASK_MAX
    with np.errstate(divide="ignore", invalid="ignore"):
        prev = np.where(npop > 0, 100.0 * ntop / np.maximum(npop, 1), 0.0)
    ntop_r = (ntop + 5) // 10 * 10
    npop_r = (npop + 5) // 10 * 10
    ntop_s = ["" if m else str(v) for m, v in zip(masked.tolist(), ntop_r.tolist(), strict=True)]
    prev_s = ["" if m else f"{v:.3f}" for m, v in zip(masked.tolist(), prev.tolist(), strict=True)]
    return ntop_s, [str(v) for v in npop_r.tolist()], prev_s


def build_table(real: Path) -> pd.DataFrame:
    """The published table (all cells as text, file column order)."""
    deps_df = departements()
    deps = sorted(deps_df.index, key=dep_sort_key)
    dep_reg = deps_df.loc[deps, "reg"].to_numpy()
    regs = sorted(regions().index)
    pop5 = population_5y(real, deps)
    rng = stream(MASTER_SEED, "pathologies", "npop")
    care = CARE_SCALE * np.stack([_CARE_RATE_M, _CARE_RATE_F])[None, None, :, :]
    npop = np.round(pop5 * care * rng.lognormal(0.0, 0.005, size=pop5.shape)).astype(np.int64)

    age_codes = [*AGE_CLASSES, ALL_AGES]
    geo_codes = [(dep_reg[i], d) for i, d in enumerate(deps)]
    geo_codes += [(r, ALL_DEPS) for r in regs] + [(ALL_REGS, ALL_DEPS)]
    frames = []
    for cond in CONDITIONS:
        crng = stream(MASTER_SEED, "pathologies", cond["top"])
        dep_f = _dep_factors(cond, deps, crng)
        sex_f = np.array([cond["men"], cond["women"]])
        year_f = np.array([(1 + cond["growth"]) ** (y - 2019) for y in YEARS])
        year_f[1] *= cond["covid"][0]
        year_f[2] *= cond["covid"][1]
        p = (year_f[:, None, None, None] * dep_f[None, :, None, None] * sex_f[None, None, :, None]
             * cond["curve"][None, None, None, :])  # fmt: skip
        ntop = crng.binomial(npop, np.clip(p, 0.0, 0.95))
        # Aggregate levels: [year, geo(dep..., reg..., FR), sex(1, 2, 9), age(20 + tsage)].
        n_geo = len(geo_codes)
        full_top = np.zeros((len(YEARS), n_geo, 3, len(age_codes)), dtype=np.int64)
        full_pop = np.zeros_like(full_top)
        for full, detail in ((full_top, ntop), (full_pop, npop)):
            full[:, : len(deps), :2, : len(AGE_CLASSES)] = detail
            for ri, r in enumerate(regs):
                full[:, len(deps) + ri] = full[:, : len(deps)][:, dep_reg == r].sum(axis=1)
            full[:, -1] = full[:, : len(deps)].sum(axis=1)
            full[:, :, 2] = full[:, :, :2].sum(axis=2)
            full[:, :, :, -1] = full[:, :, :, :-1].sum(axis=3)
        ntop_s, npop_s, prev_s = _publish(full_top.ravel(), full_pop.ravel())
        yy, gg, ss, aa = np.meshgrid(
            np.arange(len(YEARS)), np.arange(n_geo), np.arange(3), np.arange(len(age_codes)),
            indexing="ij",
        )
        yy, gg, ss, aa = yy.ravel(), gg.ravel(), ss.ravel(), aa.ravel()
        sexes = np.array(["1", "2", "9"])[ss]
        ages = np.array(age_codes)[aa]
        frames.append(
            pd.DataFrame(
                {
                    "annee": np.array(YEARS)[yy].astype(str),
                    "patho_niv1": cond["niv1"],
                    "patho_niv2": cond["niv2"],
                    "patho_niv3": cond["niv3"],
                    "top": cond["top"],
                    "cla_age_5": ages,
                    "sexe": sexes,
                    "region": np.array([g[0] for g in geo_codes])[gg],
                    "dept": np.array([g[1] for g in geo_codes])[gg],
                    "Ntop": ntop_s,
                    "Npop": npop_s,
                    "prev": prev_s,
                    "Niveau prioritaire": cond["prio"],
                    "libelle_classe_age": np.array([age_label(a) for a in age_codes])[aa],
                    "libelle_sexe": np.array([SEX_LABELS[s] for s in ("1", "2", "9")])[ss],
                    "tri": str(cond["tri"]),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    order = table.assign(_y=table["annee"], _t=table["tri"].astype(int))
    order = order.sort_values(["_y", "_t"], kind="stable")
    return order.drop(columns=["_y", "_t"]).reset_index(drop=True)


def generate(real: Path, out: Path) -> list[Path]:
    """Write ``out/pathologies/effectifs.csv.gz``; reads INSEE population from ``real``."""
    folder = out / "pathologies"
    folder.mkdir(parents=True, exist_ok=True)
    table = build_table(real)
    text = io.StringIO()
    text.write(HEADER + "\n")
    table.to_csv(text, sep=";", header=False, index=False, lineterminator="\n")
    path = folder / "effectifs.csv.gz"
    with path.open("wb") as fh, gzip.GzipFile(
        filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9
    ) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return [path]
