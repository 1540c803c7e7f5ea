"""Synthetic BDPM availability archive: weekly ``CIS_CIP_Dispo_Spec`` snapshots 2021-2024.

Writes, under ``out/bdpm/``:

* ``CIS_CIP_Dispo_Spec_YYYYMMDD.txt`` every Monday from 2021-01-04 to 2024-12-30 (209 files),
  format-identical to the ANSM/BDPM feed (Windows-1252, tab-separated, no header; see
  :mod:`twin.sources.bdpm`);
* ``CIS_MITM.txt`` (the MITM among the products) and ``CIS_bdpm.txt`` (product identities);
* ``episodes_ground_truth.csv``: the injected episodes. **Synthetic-only**: no real feed has
  such a file; it exists so that an early-warning backtest can be scored against known
  truth. It is UTF-8, comma-separated, ISO dates, and no loader reads it as data.

How an episode shows in the snapshots (the lifecycle seen in the real feed): it starts as a
*tension* (status 2), may escalate to *rupture* (1), and when supply is back it turns into
*remise à disposition* (4, with the date back in stock) for two to four weeks, then the line
disappears. A few filler products show *arrêt de commercialisation* (3) for some months.
Column 6 is the date of the last status change (the notice's update date).

Sentinel episodes (:data:`SENTINEL_EPISODES`) are hand-written after real shortages:
amoxicillin (above all paediatric suspensions) and amoxicillin-clavulanic acid in winter
2022-23 and again in 2023-24, paediatric paracetamol in summer and winter 2022, salbutamol in
autumn 2023, tamoxifen early 2023, a few insulin tensions. Their ``dispensing_effect`` is the
fraction of boxes lost in a month fully under rupture (or under a tension that never
escalates; 30 % of it under a tension that later escalates); :mod:`twin.synthetic.openmedic`
applies it so the dispensing series dip where the availability feed shows a rupture.
Filler lines for about 300 non-sentinel synthetic products (fictional laboratories, real DCI
and ATC codes) arrive at a rate growing from 4 to 9 new notices a week, as ANSM signals grew
2021-2023.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from twin.rng import stream
from twin.sources.bdpm import ANSM_LINK, STATUS_LABELS, ean13_check_digit
from twin.synthetic import MASTER_SEED
from twin.synthetic.medicines import PRODUCTS_BY_KEY, SENTINEL_PRODUCTS

FIRST_SNAPSHOT = date(2021, 1, 4)
LAST_SNAPSHOT = date(2024, 12, 30)
FILLER_FROM = date(2020, 6, 1)  # filler notices start earlier so 2021-01-04 is not empty
GROUND_TRUTH = "episodes_ground_truth.csv"
BDPM_PAGE = "https://base-donnees-publique.medicaments.gouv.fr/extrait.php?specid="


@dataclass(frozen=True)
class Episode:
    """One availability notice from first declaration to the removal of its last line.

    ``rupture`` is the escalation day (None: stayed a tension); ``back_in_stock`` the day
    status 4 starts; ``shown_until`` the first day the line is gone. ``kind`` "stop" is an
    arrêt de commercialisation shown from ``start`` to ``shown_until`` (no return).
    """

    episode_id: str
    cis: str
    cip13: str  # "" = the whole product
    start: date
    rupture: date | None
    back_in_stock: date | None
    shown_until: date
    product_key: str = ""
    dispensing_effect: float = 0.0
    kind: str = "shortage"

    def status_on(self, day: date) -> int | None:
        """Status code shown in the snapshot of ``day`` (None: no line)."""
        if day < self.start or day >= self.shown_until:
            return None
        if self.kind == "stop":
            return 3
        assert self.back_in_stock is not None
        if day >= self.back_in_stock:
            return 4
        if self.rupture is not None and day >= self.rupture:
            return 1
        return 2

    def updated_on(self, day: date) -> date:
        """The last status change on or before ``day``."""
        changes = [d for d in (self.start, self.rupture, self.back_in_stock) if d is not None]
        return max(d for d in changes if d <= day)


def _sentinel(n: int, key: str, start: str, rupture: str | None, back: str, shown_days: int,
              effect: float, whole_product: bool = True) -> Episode:
    p = PRODUCTS_BY_KEY[key]
    b = date.fromisoformat(back)
    return Episode(
        episode_id=f"S{n:02d}",
        cis=p.cis,
        cip13="" if whole_product else p.cip13,
        start=date.fromisoformat(start),
        rupture=date.fromisoformat(rupture) if rupture else None,
        back_in_stock=b,
        shown_until=b + timedelta(days=shown_days),
        product_key=key,
        dispensing_effect=effect,
    )


SENTINEL_EPISODES: tuple[Episode, ...] = (
    _sentinel(1, "amoxicilline_1g_cp", "2021-02-03", None, "2021-03-17", 21, 0.03),
    _sentinel(2, "levothyroxine_100ug_cp", "2021-05-04", None, "2021-07-20", 14, 0.04, False),
    _sentinel(3, "insuline_asparte_stylo", "2021-06-14", None, "2021-08-03", 21, 0.04, False),
    _sentinel(4, "salbutamol_inhalateur", "2021-10-12", None, "2021-12-21", 14, 0.05),
    _sentinel(5, "paracetamol_enfant_susp", "2022-07-26", None, "2022-10-04", 21, 0.06),
    _sentinel(6, "amoxicilline_500mg5ml_susp", "2022-10-18", "2022-11-22", "2023-03-14", 28, 0.35),
    _sentinel(7, "amoxicilline_clavulanique_enfant_susp", "2022-10-25", "2022-12-06",
              "2023-03-28", 21, 0.35),
    _sentinel(8, "amoxicilline_1g_cp", "2022-11-15", "2023-01-10", "2023-04-04", 21, 0.22),
    _sentinel(9, "paracetamol_enfant_susp", "2022-11-29", "2022-12-20", "2023-02-21", 21, 0.30),
    _sentinel(10, "paracetamol_1g_cp", "2022-12-06", None, "2023-02-14", 14, 0.03, False),
    _sentinel(11, "amoxicilline_clavulanique_1g_sachet", "2022-12-13", None, "2023-03-07",
              21, 0.08),
    _sentinel(12, "tamoxifene_20mg_cp", "2023-01-17", "2023-02-14", "2023-05-03", 28, 0.30, False),
    _sentinel(13, "insuline_glargine_stylo", "2023-05-16", None, "2023-08-08", 14, 0.05, False),
    _sentinel(14, "salbutamol_inhalateur", "2023-09-19", "2023-10-24", "2024-01-16", 21, 0.30),
    _sentinel(15, "amoxicilline_500mg5ml_susp", "2023-10-31", None, "2024-02-13", 21, 0.08),
    _sentinel(16, "amoxicilline_1g_cp", "2023-11-21", None, "2024-02-27", 14, 0.06),
    _sentinel(17, "amoxicilline_clavulanique_enfant_susp", "2024-01-16", None, "2024-03-26",
              14, 0.05),
    _sentinel(18, "furosemide_40mg_cp", "2024-01-23", "2024-03-05", "2024-05-28", 21, 0.25, False),
    _sentinel(19, "insuline_asparte_stylo", "2024-04-09", "2024-05-21", "2024-07-30", 21, 0.20),
    _sentinel(20, "insuline_glargine_stylo", "2024-09-17", None, "2024-11-26", 21, 0.04),
)


# --- filler products ------------------------------------------------------------------------

# (DCI as in BDPM denominations, ATC5, strength, form, route)
_FILLER_DCI = (
    ("ATORVASTATINE", "C10AA05", "20 mg", "comprimé pelliculé", "orale"),
    ("ROSUVASTATINE", "C10AA07", "10 mg", "comprimé pelliculé", "orale"),
    ("SIMVASTATINE", "C10AA01", "20 mg", "comprimé pelliculé", "orale"),
    ("METFORMINE", "A10BA02", "1000 mg", "comprimé pelliculé", "orale"),
    ("AMLODIPINE", "C08CA01", "5 mg", "gélule", "orale"),
    ("RAMIPRIL", "C09AA05", "5 mg", "comprimé sécable", "orale"),
    ("BISOPROLOL", "C07AB07", "2,5 mg", "comprimé pelliculé sécable", "orale"),
    ("LOSARTAN", "C09CA01", "50 mg", "comprimé pelliculé", "orale"),
    ("SPIRONOLACTONE", "C03DA01", "25 mg", "comprimé pelliculé", "orale"),
    ("OMÉPRAZOLE", "A02BC01", "20 mg", "gélule gastro-résistante", "orale"),
    ("ÉSOMÉPRAZOLE", "A02BC05", "40 mg", "comprimé gastro-résistant", "orale"),
    ("LÉVÉTIRACÉTAM", "N03AX14", "500 mg", "comprimé pelliculé", "orale"),
    ("SERTRALINE", "N06AB06", "50 mg", "gélule", "orale"),
    ("ESCITALOPRAM", "N06AB10", "10 mg", "comprimé pelliculé sécable", "orale"),
    ("QUÉTIAPINE", "N05AH04", "300 mg", "comprimé à libération prolongée", "orale"),
    ("IBUPROFÈNE", "M01AE01", "400 mg", "comprimé pelliculé", "orale"),
    ("PREDNISOLONE", "H02AB06", "20 mg", "comprimé orodispersible", "orale"),
    ("PREDNISONE", "H02AB07", "20 mg", "comprimé sécable", "orale"),
    ("AZITHROMYCINE", "J01FA10", "250 mg", "comprimé pelliculé", "orale"),
    ("CLARITHROMYCINE", "J01FA09", "500 mg", "comprimé pelliculé", "orale"),
    ("CEFPODOXIME", "J01DD13", "100 mg", "comprimé pelliculé", "orale"),
    ("CÉFIXIME", "J01DD08", "200 mg", "comprimé pelliculé", "orale"),
    ("DOXYCYCLINE", "J01AA02", "100 mg", "comprimé sécable", "orale"),
    ("FLUCONAZOLE", "J02AC01", "50 mg", "gélule", "orale"),
    ("VALACICLOVIR", "J05AB11", "500 mg", "comprimé pelliculé", "orale"),
    ("HYDROXYCHLOROQUINE", "P01BA02", "200 mg", "comprimé pelliculé", "orale"),
    ("ALLOPURINOL", "M04AA01", "100 mg", "comprimé", "orale"),
    ("TRAMADOL", "N02AX02", "50 mg", "gélule", "orale"),
    ("MORPHINE", "N02AA01", "10 mg", "gélule à libération prolongée", "orale"),
    ("APIXABAN", "B01AF02", "5 mg", "comprimé pelliculé", "orale"),
    ("RIVAROXABAN", "B01AF01", "20 mg", "comprimé pelliculé", "orale"),
    ("WARFARINE", "B01AA03", "5 mg", "comprimé sécable", "orale"),
    ("BUDÉSONIDE", "R03BA02", "200 microgrammes/dose", "poudre pour inhalation", "inhalée"),
    ("MONTÉLUKAST", "R03DC03", "10 mg", "comprimé pelliculé", "orale"),
    ("CÉTIRIZINE", "R06AE07", "10 mg", "comprimé pelliculé sécable", "orale"),
    ("ONDANSÉTRON", "A04AA01", "8 mg", "comprimé orodispersible", "orale"),
    ("MÉTOCLOPRAMIDE", "A03FA01", "10 mg", "comprimé sécable", "orale"),
    ("LORAZÉPAM", "N05BA06", "1 mg", "comprimé sécable", "orale"),
    ("ZOLPIDEM", "N05CF02", "10 mg", "comprimé pelliculé sécable", "orale"),
    ("MÉTHYLPHÉNIDATE", "N06BA04", "10 mg", "comprimé sécable", "orale"),
    ("CARBAMAZÉPINE", "N03AF01", "200 mg", "comprimé sécable", "orale"),
    ("LITHIUM", "N05AN01", "400 mg", "comprimé à libération prolongée", "orale"),
    ("NICARDIPINE", "C08CA04", "20 mg", "gélule", "orale"),
    ("MÉTHOTREXATE", "L04AX03", "2,5 mg", "comprimé", "orale"),
    ("CAPÉCITABINE", "L01BC06", "500 mg", "comprimé pelliculé", "orale"),
    ("LETROZOLE", "L02BG04", "2,5 mg", "comprimé pelliculé", "orale"),
    ("ENOXAPARINE", "B01AB05", "4000 UI (40 mg)/0,4 ml", "solution injectable", "sous-cutanée"),
    ("CEFTRIAXONE", "J01DD04", "1 g", "poudre pour solution injectable", "intraveineuse"),
)
_FILLER_LABS = ("ARVELLE", "KELVIA", "ORVANE", "SYNTHELIA", "NOVALYS", "BRIANCE", "TERALIS",
                "VEXOR")  # fmt: skip
N_FILLER = 300


@dataclass(frozen=True)
class FillerProduct:
    cis: str
    denomination: str
    form: str
    route: str
    atc5: str
    holder: str
    mitm: bool
    cip13s: tuple[str, ...]


def _cip13(cip7: str) -> str:
    first12 = "34009" + cip7
    return first12 + str(ean13_check_digit(first12))


def filler_products() -> list[FillerProduct]:
    """Deterministic list of the non-sentinel synthetic products (no randomness needed:
    DCI × laboratory in a fixed order, one to three presentations each)."""
    out = []
    cip_counter = 0
    n_dci, n_lab = len(_FILLER_DCI), len(_FILLER_LABS)
    for i in range(N_FILLER):
        dci, atc, strength, form, route = _FILLER_DCI[i % n_dci]
        lab = _FILLER_LABS[(i // n_dci + i) % n_lab]
        n_pres = 1 + (i * 7) % 3
        cips = []
        for _ in range(n_pres):
            cip_counter += 1
            cips.append(_cip13(f"399{1000 + cip_counter:04d}"))
        out.append(
            FillerProduct(
                cis=f"6998{i + 1:04d}",
                denomination=f"{dci} {lab} {strength}, {form}",
                form=form,
                route=route,
                atc5=atc,
                holder=f"LABORATOIRES {lab}",
                mitm=(i * 37) % 10 < 4,
                cip13s=tuple(cips),
            )
        )
    return out


def filler_episodes(products: list[FillerProduct]) -> list[Episode]:
    """Notices for filler products: Poisson arrivals per week, rate rising from 4 to 9 a
    week; lengths log-normal (median about 8 weeks); 35 % escalate to rupture; 8 % are
    arrêts de commercialisation. One open notice per product at a time, so no snapshot ever
    holds two lines with the same (CIS, CIP13)."""
    rng = stream(MASTER_SEED, "bdpm", "filler")
    busy_until = {p.cis: FILLER_FROM for p in products}
    episodes: list[Episode] = []
    week = FILLER_FROM
    total_days = (LAST_SNAPSHOT - FILLER_FROM).days
    n = 0
    while week <= LAST_SNAPSHOT:
        frac = min(1.0, (week - FILLER_FROM).days / (total_days * 0.75))
        for _ in range(int(rng.poisson(4.0 + 5.0 * frac))):
            start = week + timedelta(days=int(rng.integers(0, 5)))
            free = [p for p in products if busy_until[p.cis] <= start]
            if not free:
                continue
            p = free[int(rng.integers(len(free)))]
            cip13 = "" if rng.random() < 0.6 else p.cip13s[int(rng.integers(len(p.cip13s)))]
            n += 1
            if rng.random() < 0.08:
                shown = start + timedelta(days=int(rng.integers(56, 183)))
                ep = Episode(f"F{n:04d}", p.cis, cip13, start, None, None, shown, kind="stop")
            else:
                length = int(np.clip(rng.lognormal(np.log(56), 0.8), 7, 500))
                back = start + timedelta(days=length)
                rupture = None
                if rng.random() < 0.35:
                    rupture = start + timedelta(days=max(1, int(length * rng.uniform(0.2, 0.6))))
                shown = back + timedelta(days=int(rng.integers(14, 29)))
                ep = Episode(f"F{n:04d}", p.cis, cip13, start, rupture, back, shown)
            busy_until[p.cis] = ep.shown_until + timedelta(days=7)
            episodes.append(ep)
        week += timedelta(days=7)
    return episodes


def snapshot_days() -> list[date]:
    days, d = [], FIRST_SNAPSHOT
    while d <= LAST_SNAPSHOT:
        days.append(d)
        d += timedelta(days=7)
    return days


def _fmt(d: date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def snapshot_lines(episodes: list[Episode], day: date) -> list[str]:
    """The lines of the snapshot of ``day`` in file order (CIS, then CIP13)."""
    rows = []
    for ep in episodes:
        status = ep.status_on(day)
        if status is None:
            continue
        back = ep.back_in_stock if status == 4 else None
        fields = [ep.cis, ep.cip13, str(status), STATUS_LABELS[status], _fmt(ep.start),
                  _fmt(ep.updated_on(day)), _fmt(back), ANSM_LINK]  # fmt: skip
        rows.append((ep.cis, ep.cip13, "\t".join(fields)))
    return [r[2] for r in sorted(rows)]


def _write(path: Path, lines: list[str], encoding: str = "cp1252") -> Path:
    path.write_bytes("".join(line + "\n" for line in lines).encode(encoding))
    return path


def _ground_truth(episodes: list[Episode]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["episode_id", "sentinel", "product_key", "cis", "cip13", "kind", "start",
                "rupture_start", "back_in_stock", "shown_until", "dispensing_effect"])  # fmt: skip
    for ep in episodes:
        w.writerow([
            ep.episode_id, int(bool(ep.product_key)), ep.product_key, ep.cis, ep.cip13, ep.kind,
            ep.start.isoformat(), ep.rupture.isoformat() if ep.rupture else "",
            ep.back_in_stock.isoformat() if ep.back_in_stock else "", ep.shown_until.isoformat(),
            f"{ep.dispensing_effect:.2f}",
        ])  # fmt: skip
    return buf.getvalue()


def all_episodes() -> list[Episode]:
    """Sentinel then filler episodes (deterministic)."""
    return [*SENTINEL_EPISODES, *filler_episodes(filler_products())]


def generate(real: Path, out: Path) -> list[Path]:
    """Write the BDPM replica under ``out/bdpm``; ``real`` is not needed (no real input)."""
    del real
    folder = out / "bdpm"
    folder.mkdir(parents=True, exist_ok=True)
    fillers = filler_products()
    episodes = [*SENTINEL_EPISODES, *filler_episodes(fillers)]
    written = []
    for day in snapshot_days():
        name = f"CIS_CIP_Dispo_Spec_{day:%Y%m%d}.txt"
        written.append(_write(folder / name, snapshot_lines(episodes, day)))

    identity = []
    mitm = []
    for p in SENTINEL_PRODUCTS:
        holder = "LABORATOIRES " + _sentinel_lab(p.denomination)
        identity.append((p.cis, p.denomination, p.form, p.route, holder, "Procédure nationale"))
        if p.mitm:
            mitm.append((p.cis, p.atc5, p.denomination))
    for f in fillers:
        identity.append((f.cis, f.denomination, f.form, f.route, f.holder,
                         "Procédure décentralisée"))  # fmt: skip
        if f.mitm:
            mitm.append((f.cis, f.atc5, f.denomination))
    cis_lines = []
    for cis, denom, form, route, holder, procedure in sorted(identity):
        amm = _fmt(date(2009, 1, 1) + timedelta(days=int(cis[-4:]) * 11))
        fields = [cis, denom, form, route, "Autorisation active", procedure, "Commercialisée",
                  amm, "", "", " " + holder, "Non"]  # fmt: skip
        cis_lines.append("\t".join(fields))
    written.append(_write(folder / "CIS_bdpm.txt", cis_lines))
    mitm_lines = ["\t".join([cis, atc, denom, BDPM_PAGE + cis]) for cis, atc, denom in sorted(mitm)]
    written.append(_write(folder / "CIS_MITM.txt", mitm_lines))
    gt = folder / GROUND_TRUTH
    gt.write_bytes(_ground_truth(episodes).encode("utf-8"))
    written.append(gt)
    return written


def _sentinel_lab(denomination: str) -> str:
    """The fictional laboratory in a sentinel denomination (the word after the DCI)."""
    for lab in _FILLER_LABS:
        if f" {lab} " in f" {denomination} ":
            return lab
    return "ARVELLE"
