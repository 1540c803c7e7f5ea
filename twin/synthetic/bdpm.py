"""Synthetic BDPM availability archive: weekly ``CIS_CIP_Dispo_Spec`` snapshots 2021-2025.

Writes, under ``out/bdpm/``:

* ``CIS_CIP_Dispo_Spec_YYYYMMDD.txt`` every Monday from 2021-01-04 to 2025-12-29 (261 files),
  in the shape of the real live ANSM file of January 2026 (see :mod:`twin.sources.bdpm`):
  ISO-8859-1, CRLF line ends, tab-separated, no header, CIP13 blank on most lines
  (:data:`CIP13_SHARE`), a few byte-identical repeated lines (:data:`DUPLICATE_SHARE`), a few
  labels in lower case (:data:`LOWER_LABEL_SHARE`), several notices for one CIS when their
  episodes overlap, and a per-product ANSM link;
* ``CIS_MITM.txt`` (the MITM among the products) and ``CIS_bdpm.txt`` (product identities);
* ``episodes_ground_truth.csv``: the injected episodes. **Synthetic-only**: no real feed has
  such a file; it exists so that an early-warning backtest can be scored against known
  truth. It is UTF-8, comma-separated, ISO dates, and no loader reads it as data.

How an episode shows in the snapshots (the lifecycle seen in the real feed): it starts as a
*tension* (status 2), may escalate to *rupture* (1), and when supply is back it turns into
*remise à disposition* (4, with the date back in stock) for two to four weeks, then the line
disappears. A few filler products show *arrêt de commercialisation* (3) for some months.
Column 6 is the date of the last status change (the notice's update date).

Sentinel episodes (:data:`SENTINEL_EPISODES`) **follow the real ANSM notices of the real CIS
each sentinel stands for** (``data/reference/sentinelles_cis_reels.csv``,
:mod:`forecasting.notices`) where the real file has some (:data:`REAL_SENTINEL_NOTICES`,
dates copied from it and checked against it by the tests): the four amoxicillin and
amoxicillin-clavulanic acid products returned to supply on 2 April 2025, Lantus SoloStar
(insulin glargine) on 25 June 2025, and Fiasp FlexTouch (insulin aspart) is under tension
since 11 July 2025. The live file only keeps a notice's last status, so a remise's start is
unknown: the episode starts :data:`REAL_MEDIAN_DAYS` (the median age of the real open MITM
notices) before the return and, a replica assumption, escalates to a rupture over its last
eight weeks; an open tension is given the same median length. The products
without a real notice (paracetamol, salbutamol, levothyroxine, furosemide, tamoxifen) keep
hand-written episodes after published shortages (paediatric paracetamol in 2022, salbutamol
in autumn 2021 and 2023, tamoxifen early 2023). Their ``dispensing_effect`` is the
fraction of boxes lost in a month fully under rupture (or under a tension that never
escalates; 30 % of it under a tension that later escalates); :mod:`twin.synthetic.openmedic`
applies it so the dispensing series dip where the availability feed shows a rupture.
Filler lines for 300 non-sentinel synthetic products (fictional laboratories, real DCI and
ATC codes) are calibrated on the real file by class (MITM or not, see
:data:`FILLER_CLASSES`): weekly arrivals are an eighth of the real class's closures a year
(remises dated within the 365 days before the file date: the steady-state arrival rate; an
eighth so the archive stays a few MB), lengths are drawn from the real class's open
notices' ages, 15 % of shortages escalate to rupture and 8 % of notices are arrêts, as in
the real open notices.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from twin.rng import stream
from twin.sources.bdpm import ANSM_LINK, STATUS_LABELS, ean13_check_digit
from twin.synthetic import MASTER_SEED
from twin.synthetic.medicines import PRODUCTS_BY_KEY, SENTINEL_PRODUCTS

FIRST_SNAPSHOT = date(2021, 1, 4)
LAST_SNAPSHOT = date(2025, 12, 29)
ENCODING = "iso-8859-1"  # the live ANSM file's encoding
CIP13_SHARE = 34 / 993  # real file: 34 of 993 lines name a CIP13
DUPLICATE_SHARE = 17 / 993  # real file: 17 byte-identical repeats
LOWER_LABEL_SHARE = 6 / 993  # real file: 6 labels in lower case
REAL_MEDIAN_DAYS = 497  # median age (days) of the real open MITM notices on 26/01/2026
REAL_RUPTURE_DAYS = 56  # replica: a remise's episode is a rupture over its last 8 weeks
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


# Real ANSM notices on the CIS the sentinels stand for (CIS_CIP_Dispo_Spec.txt of 26/01/2026):
# product key, status, start, back in stock ("" = still open), real CIS (one of them).
REAL_SENTINEL_NOTICES: tuple[tuple[str, int, str, str, str], ...] = (
    ("amoxicilline_1g_cp", 4, "2025-04-02", "2025-04-02", "64539416"),
    ("amoxicilline_500mg5ml_susp", 4, "2025-04-02", "2025-04-02", "62607530"),
    ("amoxicilline_clavulanique_1g_sachet", 4, "2025-04-02", "2025-04-02", "66053338"),
    ("amoxicilline_clavulanique_enfant_susp", 4, "2025-04-02", "2025-04-02", "66853013"),
    ("insuline_glargine_stylo", 4, "2025-06-25", "2025-06-25", "65979151"),
    ("insuline_asparte_stylo", 2, "2025-07-11", "", "65741417"),
)


def _from_real(n: int, key: str, status: int, start: str, back: str, effect: float
               ) -> Episode:
    """A sentinel episode after a real notice: a remise à disposition ends the episode on
    its real return date (start :data:`REAL_MEDIAN_DAYS` before: the live file has lost the
    tension's own start), with a rupture over its last :data:`REAL_RUPTURE_DAYS` days (a
    replica assumption: the file does not say whether the tension escalated); an open
    notice starts on its real start date and keeps its real status."""
    p = PRODUCTS_BY_KEY[key]
    rupture = None
    if status == 4:
        b = date.fromisoformat(back)
        first = b - timedelta(days=REAL_MEDIAN_DAYS)
        rupture = b - timedelta(days=REAL_RUPTURE_DAYS)
    else:
        first = date.fromisoformat(start)
        b = first + timedelta(days=REAL_MEDIAN_DAYS)
        rupture = first if status == 1 else None
    return Episode(f"S{n:02d}", p.cis, "", first, rupture, b, b + timedelta(days=21), key,
                   effect)


SENTINEL_EPISODES: tuple[Episode, ...] = (
    # Hand-written (no real notice on these products' CIS in the live file).
    _sentinel(1, "levothyroxine_100ug_cp", "2021-05-04", None, "2021-07-20", 14, 0.04, False),
    _sentinel(2, "salbutamol_inhalateur", "2021-10-12", None, "2021-12-21", 14, 0.05),
    _sentinel(3, "paracetamol_enfant_susp", "2022-07-26", None, "2022-10-04", 21, 0.06),
    _sentinel(4, "paracetamol_enfant_susp", "2022-11-29", "2022-12-20", "2023-02-21", 21, 0.30),
    _sentinel(5, "paracetamol_1g_cp", "2022-12-06", None, "2023-02-14", 14, 0.03, False),
    _sentinel(6, "tamoxifene_20mg_cp", "2023-01-17", "2023-02-14", "2023-05-03", 28, 0.30, False),
    _sentinel(7, "salbutamol_inhalateur", "2023-09-19", "2023-10-24", "2024-01-16", 21, 0.30),
    _sentinel(8, "furosemide_40mg_cp", "2024-01-23", "2024-03-05", "2024-05-28", 21, 0.25, False),
    # After the real notices.
    *(_from_real(9 + i, key, status, start, back, 0.10)
      for i, (key, status, start, back, _) in enumerate(REAL_SENTINEL_NOTICES)),
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


# Real file (26/01/2026) by class: closures a year (remises dated within the last 365 days)
# and deciles of the ages (days) of the open notices started since 2021
# (forecasting.notices.duration_table / duration_samples).
FILLER_CLASSES: dict[str, tuple[int, tuple[int, ...]]] = {
    "MITM": (390, (1, 122, 270, 331, 450, 497, 546, 679, 843, 1211, 1783)),
    "non MITM": (35, (12, 108, 312, 331, 497, 797, 843, 843, 1200, 1267, 1761)),
}
FILLER_RATE_SHARE = 0.125  # the replica carries an eighth of the real national rate
RUPTURE_SHARE = 0.15  # real open notices: 76 ruptures for 434 tensions
STOP_SHARE = 0.08  # real open notices: 45 arrêts of 555


def filler_episodes(products: list[FillerProduct]) -> list[Episode]:
    """Notices for filler products, per class (MITM or not, :data:`FILLER_CLASSES`):
    Poisson arrivals a week at an eighth of the real class rate, lengths drawn from the real
    class's age deciles (linear between deciles), 15 % of shortages escalate to rupture,
    8 % are arrêts de commercialisation. A product may carry a new notice while an older
    one is still shown (as in the real file, several notices for one CIS)."""
    rng = stream(MASTER_SEED, "bdpm", "filler")
    by_class = {c: [p for p in products if p.mitm == (c == "MITM")] for c in FILLER_CLASSES}
    episodes: list[Episode] = []
    week = FILLER_FROM
    n = 0
    while week <= LAST_SNAPSHOT:
        for cls, (per_year, deciles) in FILLER_CLASSES.items():
            pool = by_class[cls]
            for _ in range(int(rng.poisson(per_year / 52 * FILLER_RATE_SHARE))):
                start = week + timedelta(days=int(rng.integers(0, 5)))
                p = pool[int(rng.integers(len(pool)))]
                cip13 = ("" if rng.random() >= CIP13_SHARE
                         else p.cip13s[int(rng.integers(len(p.cip13s)))])
                length = int(np.interp(rng.random(), np.linspace(0, 1, 11), deciles))
                length = max(7, length)
                n += 1
                if rng.random() < STOP_SHARE:
                    shown = start + timedelta(days=length)
                    ep = Episode(f"F{n:04d}", p.cis, cip13, start, None, None, shown,
                                 kind="stop")
                else:
                    back = start + timedelta(days=length)
                    rupture = None
                    if rng.random() < RUPTURE_SHARE:
                        rupture = start + timedelta(
                            days=max(1, int(length * rng.uniform(0.2, 0.6))))
                    shown = back + timedelta(days=int(rng.integers(14, 29)))
                    ep = Episode(f"F{n:04d}", p.cis, cip13, start, rupture, back, shown)
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


def _link(denomination: str) -> str:
    """A per-product ANSM page address, slugged like the real ones."""
    text = unicodedata.normalize("NFD", denomination.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return f"{ANSM_LINK}/{re.sub(r'[^a-z0-9]+', '-', text).strip('-')}"


def snapshot_lines(episodes: list[Episode], day: date, links: dict[str, str] | None = None
                   ) -> list[str]:
    """The lines of the snapshot of ``day`` in file order (CIS, then CIP13), with the real
    file's quirks drawn per snapshot from a stream named after the day: a few labels in lower
    case, a few lines repeated byte for byte."""
    rng = stream(MASTER_SEED, "bdpm", "shape", day.isoformat())
    rows = []
    for ep in episodes:
        status = ep.status_on(day)
        if status is None:
            continue
        back = ep.back_in_stock if status == 4 else None
        label = STATUS_LABELS[status]
        if rng.random() < LOWER_LABEL_SHARE:
            label = label[0].lower() + label[1:]
        link = (links or {}).get(ep.cis, ANSM_LINK)
        fields = [ep.cis, ep.cip13, str(status), label, _fmt(ep.start),
                  _fmt(ep.updated_on(day)), _fmt(back), link]  # fmt: skip
        line = "\t".join(fields)
        rows.append((ep.cis, ep.cip13, ep.start, line))
        if rng.random() < DUPLICATE_SHARE:
            rows.append((ep.cis, ep.cip13, ep.start, line))
    return [r[3] for r in sorted(rows)]


def _write(path: Path, lines: list[str], encoding: str = "cp1252", eol: str = "\n") -> Path:
    path.write_bytes("".join(line + eol for line in lines).encode(encoding))
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
    links = {p.cis: _link(p.denomination) for p in SENTINEL_PRODUCTS}
    links.update({f.cis: _link(f.denomination) for f in fillers})
    for day in snapshot_days():
        name = f"CIS_CIP_Dispo_Spec_{day:%Y%m%d}.txt"
        written.append(_write(folder / name, snapshot_lines(episodes, day, links), ENCODING,
                              "\r\n"))

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
