"""The sentinel medicines: one product master table shared by every medicine replica.

The Open Medic, BDPM and ledger replicas all need the same small set of products (the
"sentinels" whose consumption and stock-outs the twin follows). Their identifiers are
reference data (``data/reference/sentinelles.csv``, read by the model through
:mod:`twin.sentinels`; a test keeps that table equal to the products below); this module
adds what only the generators need: ATC hierarchy labels, price and demand profile.

Identifiers are **synthetic but format-valid**: CIS on 8 digits in the ``6999xxxx`` range,
CIP13 ``34009`` + a 7-digit CIP7 in the ``39990xx`` range + a correct EAN-13 check digit.
Laboratory names are fictional, so no real company is ever shown with an invented shortage.
ATC codes and labels are the real WHO/ANSM ones (Open Medic spells labels in upper case
without accents). Annual volumes are 2019 reimbursed boxes in France (all regimes), set to
the orders of magnitude published by the Assurance Maladie (paracetamol 1 g: about 150
million boxes a year for the leading presentation; amoxicillin: tens of millions across
presentations; insulins: a few million).

This module also reads the population used to scale the replicas (INSEE estimates by
département, sex and age band), through :mod:`twin.sources.insee` when it is available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.geography import is_dep, normalise_dep
from twin.sources.bdpm import ean13_check_digit

# Open Medic beneficiary age bands (``age`` column): 0 = 0-19, 20 = 20-59, 60 = 60 and over.
OM_AGE_BANDS = ("0", "20", "60")
# INSEE broad bands (estim-pop-dep-sexe-gca) and how they map onto the Open Medic bands.
INSEE_BANDS = ("0-19", "20-39", "40-59", "60-74", "75+")
INSEE_TO_OM = {"0-19": "0", "20-39": "20", "40-59": "20", "60-74": "60", "75+": "60"}


@dataclass(frozen=True)
class Product:
    """One sentinel presentation (one CIS with one CIP13 box).

    ``age_use`` is relative use per inhabitant in the Open Medic bands (0-19, 20-59, 60+);
    ``female_share`` the share of boxes dispensed to women; ``seasonality`` names a monthly
    profile in :mod:`twin.synthetic.openmedic`; ``trend`` is the yearly relative change;
    ``prescribers`` maps Open Medic ``PSP_SPE`` codes to shares of boxes; ``rem_rate`` is the
    effective ratio reimbursed / reimbursement base (above the nominal rate when many
    patients are in ALD, the 100 % long-term-illness scheme).
    """

    key: str
    cis: str
    cip7: str
    label: str  # Open Medic l_cip13 spelling
    denomination: str  # BDPM CIS_bdpm spelling (accents, lower case form)
    form: str
    route: str
    pack_size: int
    atc: tuple[tuple[str, str], ...]  # (code, label) for ATC levels 1..5
    mitm: bool
    top_gen: int
    gen_num: int
    annual_boxes: int
    price_eur: float
    rem_rate: float
    age_use: tuple[float, float, float]
    female_share: float
    seasonality: str
    trend: float
    prescribers: dict[str, float] = field(default_factory=dict)
    ucd: str | None = None

    @property
    def cip13(self) -> str:
        first12 = "34009" + self.cip7
        return first12 + str(ean13_check_digit(first12))

    @property
    def atc5(self) -> str:
        return self.atc[4][0]

    def atc_code(self, level: int) -> str:
        return self.atc[level - 1][0]

    def atc_label(self, level: int) -> str:
        return self.atc[level - 1][1]


_J = ("J", "ANTIINFECTIEUX GENERAUX A USAGE SYSTEMIQUE")
_J01 = ("J01", "ANTIBACTERIENS A USAGE SYSTEMIQUE")
_J01C = ("J01C", "BETALACTAMINES : PENICILLINES")
_J01CA = ("J01CA", "PENICILLINES A LARGE SPECTRE")
_J01CR = ("J01CR", "ASSOCIATIONS DE PENICILLINES, INHIBITEURS DES BETALACTAMASES INCLUS")
_N = ("N", "SYSTEME NERVEUX")
_N02 = ("N02", "ANALGESIQUES")
_N02B = ("N02B", "AUTRES ANALGESIQUES ET ANTIPYRETIQUES")
_N02BE = ("N02BE", "ANILIDES")
_A = ("A", "VOIES DIGESTIVES ET METABOLISME")
_A10 = ("A10", "MEDICAMENTS DU DIABETE")
_A10A = ("A10A", "INSULINES ET ANALOGUES")

SENTINEL_PRODUCTS: tuple[Product, ...] = (
    Product(
        key="amoxicilline_1g_cp",
        cis="69990001",
        cip7="3999001",
        label="AMOXICILLINE ARVELLE 1 G CPR DISPERSIBLE B/14",
        denomination="AMOXICILLINE ARVELLE 1 g, comprimé dispersible",
        form="comprimé dispersible",
        route="orale",
        pack_size=14,
        atc=(_J, _J01, _J01C, _J01CA, ("J01CA04", "AMOXICILLINE")),
        mitm=True,
        top_gen=1,
        gen_num=61,
        annual_boxes=14_000_000,
        price_eur=4.04,
        rem_rate=0.68,
        age_use=(0.35, 1.0, 1.15),
        female_share=0.56,
        seasonality="winter_antibiotic",
        trend=0.0,
        prescribers={"1": 0.82, "90": 0.11, "13": 0.02, "99": 0.05},
    ),
    Product(
        key="amoxicilline_500mg5ml_susp",
        cis="69990002",
        cip7="3999002",
        label="AMOXICILLINE ARVELLE 500 MG/5 ML PDR SUSP BUV FL/60 ML",
        denomination="AMOXICILLINE ARVELLE 500 mg/5 ml, poudre pour suspension buvable",
        form="poudre pour suspension buvable",
        route="orale",
        pack_size=1,
        atc=(_J, _J01, _J01C, _J01CA, ("J01CA04", "AMOXICILLINE")),
        mitm=True,
        top_gen=1,
        gen_num=62,
        annual_boxes=6_000_000,
        price_eur=2.41,
        rem_rate=0.68,
        age_use=(7.0, 0.04, 0.02),
        female_share=0.48,
        seasonality="winter_paediatric",
        trend=0.0,
        prescribers={"1": 0.70, "12": 0.20, "90": 0.07, "99": 0.03},
    ),
    Product(
        key="amoxicilline_clavulanique_1g_sachet",
        cis="69990003",
        cip7="3999003",
        label="AMOXICILLINE/AC CLAV ARVELLE 1 G/125 MG PDR SUSP BUV SACH B/8",
        denomination=(
            "AMOXICILLINE/ACIDE CLAVULANIQUE ARVELLE 1 g/125 mg ADULTES, "
            "poudre pour suspension buvable en sachet-dose"
        ),
        form="poudre pour suspension buvable en sachet-dose",
        route="orale",
        pack_size=8,
        atc=(_J, _J01, _J01C, _J01CR, ("J01CR02", "AMOXICILLINE ET INHIBITEUR D'ENZYME")),
        mitm=True,
        top_gen=1,
        gen_num=88,
        annual_boxes=6_000_000,
        price_eur=5.86,
        rem_rate=0.70,
        age_use=(0.2, 1.0, 1.7),
        female_share=0.55,
        seasonality="winter_antibiotic",
        trend=-0.01,
        prescribers={"1": 0.78, "90": 0.15, "13": 0.03, "99": 0.04},
    ),
    Product(
        key="amoxicilline_clavulanique_enfant_susp",
        cis="69990004",
        cip7="3999004",
        label="AMOXICILLINE/AC CLAV ARVELLE 100 MG/12,5 MG/ML ENF PDR SUSP BUV FL/60 ML",
        denomination=(
            "AMOXICILLINE/ACIDE CLAVULANIQUE ARVELLE 100 mg/12,5 mg par ml ENFANTS, "
            "poudre pour suspension buvable en flacon"
        ),
        form="poudre pour suspension buvable",
        route="orale",
        pack_size=1,
        atc=(_J, _J01, _J01C, _J01CR, ("J01CR02", "AMOXICILLINE ET INHIBITEUR D'ENZYME")),
        mitm=True,
        top_gen=1,
        gen_num=89,
        annual_boxes=2_500_000,
        price_eur=3.66,
        rem_rate=0.68,
        age_use=(6.0, 0.03, 0.02),
        female_share=0.47,
        seasonality="winter_paediatric",
        trend=-0.01,
        prescribers={"1": 0.66, "12": 0.22, "90": 0.09, "99": 0.03},
    ),
    Product(
        key="paracetamol_1g_cp",
        cis="69990005",
        cip7="3999005",
        label="PARACETAMOL KELVIA 1 G CPR B/8",
        denomination="PARACETAMOL KELVIA 1 g, comprimé",
        form="comprimé",
        route="orale",
        pack_size=8,
        atc=(_N, _N02, _N02B, _N02BE, ("N02BE01", "PARACETAMOL")),
        mitm=False,
        top_gen=1,
        gen_num=1207,
        annual_boxes=150_000_000,
        price_eur=2.18,
        rem_rate=0.69,
        age_use=(0.3, 1.0, 1.5),
        female_share=0.58,
        seasonality="winter_analgesic",
        trend=0.005,
        prescribers={"1": 0.86, "90": 0.08, "3": 0.01, "99": 0.05},
    ),
    Product(
        key="paracetamol_enfant_susp",
        cis="69990006",
        cip7="3999006",
        label="PARACETAMOL KELVIA 2,4 % SUSP BUV ENF FL/100 ML",
        denomination="PARACETAMOL KELVIA 2,4 POUR CENT ENFANTS, suspension buvable",
        form="suspension buvable",
        route="orale",
        pack_size=1,
        atc=(_N, _N02, _N02B, _N02BE, ("N02BE01", "PARACETAMOL")),
        mitm=False,
        top_gen=1,
        gen_num=1208,
        annual_boxes=14_000_000,
        price_eur=1.67,
        rem_rate=0.67,
        age_use=(9.0, 0.02, 0.01),
        female_share=0.48,
        seasonality="winter_paediatric",
        trend=0.0,
        prescribers={"1": 0.72, "12": 0.19, "90": 0.06, "99": 0.03},
    ),
    Product(
        key="salbutamol_inhalateur",
        cis="69990007",
        cip7="3999007",
        label="SALBUTAMOL ORVANE 100 MICROGRAMMES/DOSE SUSP INHAL FL/200 DOSES",
        denomination=(
            "SALBUTAMOL ORVANE 100 microgrammes/dose, suspension pour inhalation "
            "en flacon pressurisé"
        ),
        form="suspension pour inhalation",
        route="inhalée",
        pack_size=1,
        atc=(
            ("R", "SYSTEME RESPIRATOIRE"),
            ("R03", "MEDICAMENTS POUR LES SYNDROMES OBSTRUCTIFS DES VOIES AERIENNES"),
            ("R03A", "ADRENERGIQUES POUR INHALATION"),
            ("R03AC", "AGONISTES SELECTIFS BETA-2 ADRENERGIQUES"),
            ("R03AC02", "SALBUTAMOL"),
        ),
        mitm=True,
        top_gen=0,
        gen_num=0,
        annual_boxes=10_000_000,
        price_eur=3.96,
        rem_rate=0.72,
        age_use=(1.3, 1.0, 1.25),
        female_share=0.52,
        seasonality="autumn_respiratory",
        trend=0.01,
        prescribers={"1": 0.74, "13": 0.10, "12": 0.05, "90": 0.08, "99": 0.03},
    ),
    Product(
        key="insuline_glargine_stylo",
        cis="69990008",
        cip7="3999008",
        label="INSULINE GLARGINE SYNTHELIA 100 U/ML SOL INJ STYLO 3 ML B/5",
        denomination=(
            "INSULINE GLARGINE SYNTHELIA 100 unités/ml, solution injectable "
            "en stylo prérempli"
        ),
        form="solution injectable",
        route="sous-cutanée",
        pack_size=5,
        atc=(
            _A,
            _A10,
            _A10A,
            ("A10AE", "INSULINES ET ANALOGUES INJECTABLES D'ACTION LENTE"),
            ("A10AE04", "INSULINE GLARGINE"),
        ),
        mitm=True,
        top_gen=0,
        gen_num=0,
        annual_boxes=4_000_000,
        price_eur=49.50,
        rem_rate=0.98,
        age_use=(0.05, 0.55, 3.6),
        female_share=0.44,
        seasonality="chronic",
        trend=0.03,
        prescribers={"1": 0.62, "42": 0.18, "90": 0.17, "99": 0.03},
        ucd="3400893999080",
    ),
    Product(
        key="insuline_asparte_stylo",
        cis="69990009",
        cip7="3999009",
        label="INSULINE ASPARTE SYNTHELIA 100 U/ML SOL INJ STYLO 3 ML B/5",
        denomination=(
            "INSULINE ASPARTE SYNTHELIA 100 unités/ml, solution injectable "
            "en stylo prérempli"
        ),
        form="solution injectable",
        route="sous-cutanée",
        pack_size=5,
        atc=(
            _A,
            _A10,
            _A10A,
            ("A10AB", "INSULINES ET ANALOGUES INJECTABLES D'ACTION RAPIDE"),
            ("A10AB05", "INSULINE ASPARTE"),
        ),
        mitm=True,
        top_gen=0,
        gen_num=0,
        annual_boxes=3_000_000,
        price_eur=37.90,
        rem_rate=0.98,
        age_use=(0.2, 0.75, 2.6),
        female_share=0.45,
        seasonality="chronic",
        trend=0.02,
        prescribers={"1": 0.52, "42": 0.24, "90": 0.21, "99": 0.03},
        ucd="3400893999097",
    ),
    Product(
        key="levothyroxine_100ug_cp",
        cis="69990010",
        cip7="3999010",
        label="LEVOTHYROXINE KELVIA 100 µG CPR SECABLE B/30",
        denomination="LEVOTHYROXINE SODIQUE KELVIA 100 microgrammes, comprimé sécable",
        form="comprimé sécable",
        route="orale",
        pack_size=30,
        atc=(
            ("H", "HORMONES SYSTEMIQUES, HORMONES SEXUELLES EXCLUES"),
            ("H03", "MEDICAMENTS DE LA THYROIDE"),
            ("H03A", "PREPARATIONS THYROIDIENNES"),
            ("H03AA", "HORMONES THYROIDIENNES"),
            ("H03AA01", "LEVOTHYROXINE SODIQUE"),
        ),
        mitm=True,
        top_gen=1,
        gen_num=1406,
        annual_boxes=9_000_000,
        price_eur=2.38,
        rem_rate=0.70,
        age_use=(0.05, 1.0, 2.1),
        female_share=0.82,
        seasonality="chronic",
        trend=-0.01,
        prescribers={"1": 0.84, "42": 0.07, "90": 0.06, "99": 0.03},
    ),
    Product(
        key="furosemide_40mg_cp",
        cis="69990011",
        cip7="3999011",
        label="FUROSEMIDE ORVANE 40 MG CPR SECABLE B/30",
        denomination="FUROSEMIDE ORVANE 40 mg, comprimé sécable",
        form="comprimé sécable",
        route="orale",
        pack_size=30,
        atc=(
            ("C", "SYSTEME CARDIOVASCULAIRE"),
            ("C03", "DIURETIQUES"),
            ("C03C", "DIURETIQUES DE L'ANSE"),
            ("C03CA", "SULFONAMIDES"),
            ("C03CA01", "FUROSEMIDE"),
        ),
        mitm=True,
        top_gen=1,
        gen_num=211,
        annual_boxes=7_000_000,
        price_eur=2.92,
        rem_rate=0.86,
        age_use=(0.005, 0.15, 4.2),
        female_share=0.55,
        seasonality="chronic",
        trend=0.01,
        prescribers={"1": 0.80, "3": 0.08, "90": 0.10, "99": 0.02},
    ),
    Product(
        key="tamoxifene_20mg_cp",
        cis="69990012",
        cip7="3999012",
        label="TAMOXIFENE ORVANE 20 MG CPR PELL B/30",
        denomination="TAMOXIFENE ORVANE 20 mg, comprimé pelliculé",
        form="comprimé pelliculé",
        route="orale",
        pack_size=30,
        atc=(
            ("L", "ANTINEOPLASIQUES ET IMMUNOMODULATEURS"),
            ("L02", "THERAPEUTIQUE ENDOCRINE"),
            ("L02B", "ANTAGONISTES HORMONAUX ET APPARENTES"),
            ("L02BA", "ANTI-ESTROGENES"),
            ("L02BA01", "TAMOXIFENE"),
        ),
        mitm=True,
        top_gen=1,
        gen_num=505,
        annual_boxes=700_000,
        price_eur=8.74,
        rem_rate=1.0,
        age_use=(0.002, 1.0, 1.1),
        female_share=0.99,
        seasonality="chronic",
        trend=-0.02,
        prescribers={"1": 0.55, "90": 0.40, "99": 0.05},
    ),
)

PRODUCTS_BY_KEY: dict[str, Product] = {p.key: p for p in SENTINEL_PRODUCTS}
PRODUCTS_BY_CIP13: dict[str, Product] = {p.cip13: p for p in SENTINEL_PRODUCTS}
PRODUCTS_BY_CIS: dict[str, Product] = {p.cis: p for p in SENTINEL_PRODUCTS}


def products_table() -> pd.DataFrame:
    """The sentinel products as one tidy table (one row per product), for analysts and the
    forecasting module: identifiers, ATC codes and labels, pack, price and demand facts."""
    rows = []
    for p in SENTINEL_PRODUCTS:
        row: dict[str, object] = {
            "key": p.key,
            "cis": p.cis,
            "cip13": p.cip13,
            "ucd": p.ucd,
            "label": p.label,
            "denomination": p.denomination,
            "form": p.form,
            "pack_size": p.pack_size,
        }
        for level in range(1, 6):
            row[f"atc{level}"] = p.atc_code(level)
            row[f"atc{level}_label"] = p.atc_label(level)
        row.update(
            mitm=p.mitm,
            generic=bool(p.top_gen),
            annual_boxes=p.annual_boxes,
            price_eur=p.price_eur,
            seasonality=p.seasonality,
        )
        rows.append(row)
    return pd.DataFrame(rows)


# --- population used to scale the replicas ------------------------------------------------

_SEXES = {"M": 8, "F": 14}  # first column of each sex block in the INSEE sheet
_BAND_OFFSETS = dict(zip(INSEE_BANDS, range(5), strict=True))


def _read_insee_sheet(xls: Path, year: int) -> pd.DataFrame:
    """Minimal reader of one year of ``estim-pop-dep-sexe-gca`` (fallback when
    :mod:`twin.sources.insee` is absent): département rows, both sexes, five bands."""
    raw = pd.read_excel(xls, engine="calamine", sheet_name=str(year), header=None)
    out = []
    for i in range(5, len(raw)):
        code = raw.iat[i, 0]
        if pd.isna(code):
            continue
        dep = normalise_dep(str(code).split(".")[0])
        if not is_dep(dep):
            continue
        for sex, first in _SEXES.items():
            for band, off in _BAND_OFFSETS.items():
                out.append((year, dep, sex, band, int(raw.iat[i, first + off])))
    return pd.DataFrame(out, columns=["year", "dep", "sex", "age_band", "population"])


def population(real: Path, years: list[int]) -> pd.DataFrame:
    """Population on 1 January by ``year``, ``dep``, ``sex`` (M/F), ``age_band`` (INSEE
    broad bands). Years after the last published one reuse it grown by 0.3 % a year (the
    recent French growth rate), so the replicas can run to 2024 on a 2023 file."""
    xls = real / "insee" / "estim-pop-dep-sexe-gca-1975-2023.xls"
    last = 2023
    wanted = sorted({min(y, last) for y in years})
    try:
        from twin.sources.insee import load_population  # type: ignore[import-not-found]
    except ImportError:
        frames = [_read_insee_sheet(xls, y) for y in wanted]
        pop = pd.concat(frames, ignore_index=True)
    else:
        pop = load_population(years=wanted, folder=xls.parent)
        pop = pop[["year", "dep", "sex", "age_band", "population"]].copy()
    pop["population"] = pop["population"].astype(np.int64)
    out = []
    for y in sorted(set(years)):
        part = pop[pop["year"] == min(y, last)].copy()
        if y > last:
            part["population"] = np.round(part["population"] * 1.003 ** (y - last)).astype(
                np.int64
            )
        part["year"] = y
        out.append(part)
    return pd.concat(out, ignore_index=True).sort_values(
        ["year", "dep", "sex", "age_band"], kind="stable", ignore_index=True
    )
