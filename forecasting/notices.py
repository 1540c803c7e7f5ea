"""Real ANSM availability notices for the products the early warning follows.

The stock ledger is a replica (no PUI ledger is public), but the ANSM notices are real: the
BDPM file ``CIS_CIP_Dispo_Spec.txt`` lists every notice *still open or recently closed* on
the day it was downloaded (January 2026; older closed episodes are gone from it). This module
turns those notices into supply signals for the sentinel products:

1. **which real CIS a sentinel stands for** — :data:`data/reference/sentinelles_cis_reels.csv`,
   built by :func:`map_sentinels` from the real ``CIS_bdpm`` and ``CIS_COMPO_bdpm`` (same
   active substance(s), compatible form/route and strength class, see :data:`MATCH_RULES`);
2. **what was known on a day** — :func:`signal_arrays`: a tension (2), rupture (1) or arrêt (3)
   on a mapped CIS is a signal from its start date on, never before; a *remise à disposition*
   (4) is no signal (supply is back). The live file keeps the last status of a notice only,
   so a remise's earlier tension is invisible: its start date is the return date;
3. **when supply should return** — the real ``back_in_stock`` when the file gives one, else a
   duration drawn from :func:`duration_samples`: the ages (file date − start) of the notices
   of the same class still open in the file. Stated bias: those ages are censored (an open
   notice lasts at least that long) and length-biased (long notices stay in the file longer);
   the class is MITM vs not (the CIS is on the real ``CIS_MITM`` list);
4. the warning's **backing** — :func:`backing`: the notice behind a warning (status, start,
   expected return, link) or none.

Everything here is pure (frames in, frames out) except :func:`load_real_notices` and
:func:`load_sentinel_map`, which read files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError
from twin.paths import real_dir, reference_dir
from twin.sources import bdpm

SIGNAL_STATUSES = (1, 2, 3)
SHORTAGE_STATUSES = (1, 2)
STATUS_FR = {1: "rupture", 2: "tension", 3: "arrêt", 4: "remise à disposition"}
BACKED_LABEL = "avis ANSM réel"
MAP_FILE = "sentinelles_cis_reels.csv"
DURATION_FROM = pd.Timestamp("2021-01-01")  # older open notices are from another era
DEFAULT_REMAINING_DAYS = 30.0  # only when no open notice of the class is older


@dataclass(frozen=True)
class MatchRule:
    """What a real CIS must have to stand for a sentinel product.

    ``substances``: the active substances, one per COMPO *liaison* group (salts and hydrates
    are ignored, so AMOXICILLINE TRIHYDRATÉE counts as AMOXICILLINE); the CIS must have
    exactly these groups. ``form`` is a regular expression on the plain (lower case, no
    accents) CIS_bdpm form and denomination (the sachet-dose shows in the denomination only),
    ``strength`` on the denomination, ``route`` on the routes.
    """

    substances: tuple[str, ...]
    form: str
    strength: str
    route: str = "orale"


MATCH_RULES: dict[str, MatchRule] = {
    "amoxicilline_1g_cp": MatchRule(("AMOXICILLINE",), r"comprime", r"\b1 g\b(?!\s*/)"),
    "amoxicilline_500mg5ml_susp": MatchRule(
        ("AMOXICILLINE",), r"suspension buvable", r"\b500 mg\s*/\s*5 ml\b"),
    "amoxicilline_clavulanique_1g_sachet": MatchRule(
        ("AMOXICILLINE", "ACIDE CLAVULANIQUE"), r"sachet", r"\b1 g\s*/\s*125 mg\b"),
    # Children's and infants' bottles share the 100 mg/12.5 mg per ml concentration.
    "amoxicilline_clavulanique_enfant_susp": MatchRule(
        ("AMOXICILLINE", "ACIDE CLAVULANIQUE"), r"suspension buvable",
        r"\b100 mg\s*/\s*12,50? mg par ml\b"),
    "paracetamol_1g_cp": MatchRule(("PARACETAMOL",), r"comprime", r"\b(1 g|1000 mg)\b"),
    "paracetamol_enfant_susp": MatchRule(
        ("PARACETAMOL",), r"suspension buvable", r"\b2,4 (pour cent|%)"),
    "salbutamol_inhalateur": MatchRule(
        ("SALBUTAMOL",), r"inhalation", r"\b100 (microgrammes|µg)", r"inhalee"),
    "insuline_glargine_stylo": MatchRule(
        ("INSULINE GLARGINE",), r"solution injectable", r"100 (unites|ui)\s*/\s*ml.*stylo",
        r"sous-cutanee"),
    "insuline_asparte_stylo": MatchRule(
        ("INSULINE ASPARTE",), r"solution injectable", r"100 (unites|ui)\s*/\s*ml.*stylo",
        r"sous-cutanee"),
    "levothyroxine_100ug_cp": MatchRule(
        ("LEVOTHYROXINE",), r"comprime", r"\b100 microgrammes\b"),
    "furosemide_40mg_cp": MatchRule(("FUROSEMIDE",), r"comprime", r"\b40 mg\b"),
    "tamoxifene_20mg_cp": MatchRule(("TAMOXIFENE",), r"comprime", r"\b20 mg\b"),
}

_SALT_WORDS = {"ANHYDRE", "TRIHYDRATEE", "TRIHYDRATE", "SODIQUE", "MONOHYDRATEE",
               "MONOHYDRATE", "BASE", "DIHYDRATEE", "PENTAHYDRATEE"}  # fmt: skip


def plain(text: str) -> str:
    """Lower case, no accents, single spaces (denominations spell forms inconsistently)."""
    text = unicodedata.normalize("NFD", str(text).replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip()


def substance_name(text: str) -> str:
    """A COMPO substance name without salt or hydrate words: ``AMOXICILLINE TRIHYDRATÉE`` →
    ``AMOXICILLINE``; ``SULFATE DE SALBUTAMOL`` → ``SALBUTAMOL``."""
    words = plain(text).upper().split()
    words = [w for w in words if w not in _SALT_WORDS]
    if len(words) > 2 and words[1] in {"DE", "D'"}:
        words = words[2:]
    return " ".join(words)


def map_sentinels(products: pd.DataFrame, composition: pd.DataFrame,
                  rules: dict[str, MatchRule] | None = None) -> pd.DataFrame:
    """The real CIS each sentinel product stands for.

    ``products``: CIS_bdpm with ``cis``, ``denomination``, ``form``, ``routes``;
    ``composition``: CIS_COMPO with ``cis``, ``substance`` (name) and ``link`` (the liaison
    number grouping a salt with its active fraction). Returns ``product_key``, ``cis``,
    ``denomination``, ``form``, ``routes``, one row per match, sorted.
    """
    rules = MATCH_RULES if rules is None else rules
    comp = composition.assign(name=composition["substance"].map(substance_name))
    groups = comp.groupby(["cis", "link"])["name"].agg(frozenset)
    per_cis = groups.groupby(level="cis").agg(list)
    prod = products.assign(
        _den=products["denomination"].map(plain),
        _form=products["form"].fillna("").map(plain),
        _route=products["routes"].fillna("").map(plain),
    ).set_index("cis")
    rows = []
    for key, rule in rules.items():
        wanted = set(rule.substances)
        for cis, glist in per_cis.items():
            if len(glist) != len(wanted):
                continue
            if {next(iter(g & wanted), None) for g in glist} != wanted:
                continue
            if cis not in prod.index:
                continue
            p = prod.loc[cis]
            if (re.search(rule.form, p["_form"] + " | " + p["_den"])
                    and re.search(rule.strength, p["_den"])
                    and re.search(rule.route, p["_route"])):
                rows.append((key, cis, p["denomination"], p["form"], p["routes"]))
    out = pd.DataFrame(rows, columns=["product_key", "cis", "denomination", "form", "routes"])
    return out.sort_values(["product_key", "cis"], ignore_index=True)


def load_sentinel_map(path: str | Path | None = None) -> pd.DataFrame:
    """The frozen sentinel → real CIS table (``data/reference/sentinelles_cis_reels.csv``)."""
    path = Path(path) if path is not None else reference_dir() / MAP_FILE
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise DataError.single(path, "the sentinel → real CIS table", str(exc)) from None
    missing = {"product_key", "cis", "mitm"} - set(df.columns)
    if missing:
        raise DataError.single(path, "columns product_key, cis, mitm",
                               f"missing {sorted(missing)}", 1)
    return df.assign(mitm=df["mitm"] == "oui")


def default_notice_path() -> Path:
    return real_dir() / "bdpm" / "CIS_CIP_Dispo_Spec.txt"


def load_real_notices(path: str | Path | None = None) -> pd.DataFrame | None:
    """The real live ANSM file (default ``data/real/bdpm/CIS_CIP_Dispo_Spec.txt``); None when
    the default file is absent (an explicit path that does not exist is an error).
    ``attrs["file_date"]``: the latest date in the file, the day it describes."""
    explicit = path is not None
    path = Path(path) if explicit else default_notice_path()
    if not path.exists():
        if explicit:
            raise DataError.single(path, "the ANSM file CIS_CIP_Dispo_Spec.txt", "no such file")
        return None
    if hasattr(bdpm, "load_notices"):
        df = bdpm.load_notices(path)
    else:  # before the dedicated loader: same validation, duplicates dropped here
        df = bdpm.read_snapshot(path)
        keys = ["cis", "cip13", "status", "start", "updated", "back_in_stock"]
        dup = df.astype({"cip13": str}).duplicated(keys)
        df = df[~dup].reset_index(drop=True)
        df.attrs["duplicates_dropped"] = int(dup.sum())
    df = df.copy()
    df["cip13"] = df["cip13"].where(df["cip13"].notna(), None)
    if "link" not in df:
        df["link"] = ""
    df.attrs["file_date"] = pd.Timestamp(np.nanmax(df[["start", "updated"]].to_numpy()))
    df.attrs["path"] = str(path)
    return df


# --- durations ------------------------------------------------------------------------------


def notice_class(mitm: pd.Series | np.ndarray) -> np.ndarray:
    """The duration class of a notice: ``MITM`` or ``non MITM``."""
    return np.where(np.asarray(mitm, dtype=bool), "MITM", "non MITM")


def duration_samples(notices: pd.DataFrame, mitm_cis: set[str],
                     file_date: pd.Timestamp | None = None) -> dict[str, np.ndarray]:
    """Sorted duration samples (days) per class: the ages on the file date of the notices
    still open (tension, rupture, arrêt) that started since 2021. See the module docstring
    for what this sample over- and under-states."""
    file_date = file_date if file_date is not None else notices.attrs["file_date"]
    open_ = notices[notices["status"].isin(SIGNAL_STATUSES) & (notices["start"] >= DURATION_FROM)]
    age = (file_date - open_["start"]).dt.days.to_numpy(dtype=float)
    cls = notice_class(open_["cis"].isin(mitm_cis).to_numpy())
    return {c: np.sort(np.maximum(age[cls == c], 1.0)) for c in ("MITM", "non MITM")}


def remaining_days(samples: np.ndarray, elapsed: float, k: int) -> np.ndarray:
    """``k`` evenly spaced quantiles of the remaining duration of a notice open for
    ``elapsed`` days: the class durations longer than ``elapsed``, minus ``elapsed``
    (deterministic: no random draw, so results do not depend on call order)."""
    longer = samples[samples > elapsed] - elapsed
    if longer.size == 0:
        return np.full(k, DEFAULT_REMAINING_DAYS)
    return np.quantile(longer, (np.arange(k) + 0.5) / k)


def duration_table(notices: pd.DataFrame, mitm_cis: set[str], atc: dict[str, str]
                   ) -> pd.DataFrame:
    """Frequency and duration figures by class, for the data card: notices in the file by
    status; shortage notices (tension/rupture) started in the last 365 days and still open;
    remises dated in the last 365 days (≈ closures a year, the steady-state arrival rate);
    median and quartiles of the open notices' ages. Classes: MITM / non MITM and ATC level 1
    (unknown ATC: ``?``, the real CIS_MITM carries the ATC of MITM products only)."""
    fd = notices.attrs["file_date"]
    df = notices.assign(
        mitm=notice_class(notices["cis"].isin(mitm_cis)),
        atc1=notices["cis"].map(atc).fillna("?").str[:1],
    )
    rows = []
    for col in ("mitm", "atc1"):
        for cls, g in df.groupby(col):
            open_ = g[g["status"].isin(SIGNAL_STATUSES) & (g["start"] >= DURATION_FROM)]
            age = (fd - open_["start"]).dt.days
            year = fd - pd.Timedelta(365, "D")
            rows.append({
                "class": f"{col}={cls}", "notices": len(g),
                **{f"status_{s}": int((g["status"] == s).sum()) for s in (1, 2, 3, 4)},
                "new_open_365d": int((g["status"].isin(SHORTAGE_STATUSES)
                                      & (g["start"] > year)).sum()),
                "remises_365d": int(((g["status"] == 4) & (g["start"] > year)).sum()),
                "age_q25": float(age.quantile(0.25)) if len(age) else np.nan,
                "age_median": float(age.median()) if len(age) else np.nan,
                "age_q75": float(age.quantile(0.75)) if len(age) else np.nan,
            })
    return pd.DataFrame(rows)


# --- signals for the ledger's series ---------------------------------------------------------


def followed_notices(notices: pd.DataFrame | None, mapping: pd.DataFrame) -> pd.DataFrame:
    """The real notices on mapped CIS, with the ``product_key`` they stand for and their
    duration class. Empty (same columns) without notices."""
    cols = ["product_key", "cis", "cip13", "status", "start", "updated", "back_in_stock",
            "link", "mitm"]
    if notices is None:
        return pd.DataFrame(columns=cols)
    m = mapping[["product_key", "cis", "mitm"]]
    out = notices.merge(m, on="cis", how="inner")
    out = out.sort_values(["product_key", "start", "cis"], kind="stable", ignore_index=True)
    return out[cols]


@dataclass
class RealSignals:
    """Per series and day: the row in ``notices`` of the real signal active that day (−1:
    none; the strongest status, then the latest start), its status, and the count of real
    shortage notices started in the previous 24 months and already published."""

    notices: pd.DataFrame
    index: np.ndarray
    status: np.ndarray
    recent: np.ndarray
    samples: dict[str, np.ndarray]


def signal_arrays(followed: pd.DataFrame, products: np.ndarray, dates: pd.DatetimeIndex,
                  samples: dict[str, np.ndarray], window_days: int = 730) -> RealSignals:
    """The :class:`RealSignals` of series whose product keys are ``products`` over
    ``dates``. A notice counts from its start date (the day ANSM publishes it) and never
    before; an open notice stays on to the end (the file says it is still open); a remise
    à disposition is no signal."""
    n, t_len = len(products), len(dates)
    index = np.full((n, t_len), -1, dtype=np.int64)
    status = np.zeros((n, t_len), dtype=np.int8)
    recent = np.zeros((n, t_len), dtype=np.int16)
    rank = {1: 3, 3: 2, 2: 1}
    best = np.zeros((n, t_len), dtype=np.int8)
    first = dates[0]
    for j, row in enumerate(followed.itertuples(index=False)):
        rows = np.flatnonzero(products == row.product_key)
        if rows.size == 0:
            continue
        lo = max(0, (row.start - first).days)
        if lo >= t_len:
            continue
        if row.status in SIGNAL_STATUSES:
            r = rank[row.status]
            sl = slice(lo, t_len)
            better = best[rows, sl] <= r
            for i in rows:
                b = better[np.flatnonzero(rows == i)[0]]
                index[i, sl][b] = j
                status[i, sl][b] = row.status
                best[i, sl][b] = r
        if row.status in SHORTAGE_STATUSES:
            hi = (row.start + pd.Timedelta(window_days, "D") - first).days
            recent[rows, lo : min(t_len, hi + 1)] += 1
    return RealSignals(followed.reset_index(drop=True), index, status, recent, samples)


def expected_return(signals: RealSignals, series: np.ndarray, t: int,
                    as_of: pd.Timestamp) -> list[pd.Timestamp | None]:
    """Expected return to stock of the real notice behind each series on day ``t``: its
    ``back_in_stock`` when the file gives one, else start + the median class duration
    among those longer than the time already elapsed."""
    out: list[pd.Timestamp | None] = []
    for i in series:
        j = signals.index[i, t]
        if j < 0:
            out.append(None)
            continue
        row = signals.notices.iloc[j]
        if pd.notna(row["back_in_stock"]):
            out.append(pd.Timestamp(row["back_in_stock"]))
            continue
        elapsed = float((as_of - row["start"]).days)
        cls = str(notice_class([row["mitm"]])[0])
        rem = remaining_days(signals.samples[cls], elapsed, 1)[0]
        out.append(as_of + pd.Timedelta(int(np.rint(rem)), "D"))
    return out


def remaining_samples(signals: RealSignals, i: int, t: int, as_of: pd.Timestamp, k: int
                      ) -> np.ndarray | None:
    """``k`` quantiles of the days until supply returns for series ``i`` on day ``t`` (None
    without a real signal); a known return date gives ``k`` equal values."""
    j = signals.index[i, t]
    if j < 0:
        return None
    row = signals.notices.iloc[j]
    if pd.notna(row["back_in_stock"]):
        return np.full(k, max(0.0, float((row["back_in_stock"] - as_of).days)))
    cls = str(notice_class([row["mitm"]])[0])
    return remaining_days(signals.samples[cls], float((as_of - row["start"]).days), k)


def backing(signals: RealSignals | None, series: np.ndarray, t: int, as_of: pd.Timestamp
            ) -> pd.DataFrame:
    """One row per series: ``avis_ansm`` (``avis ANSM réel`` or empty), ``avis_statut``,
    ``avis_cis``, ``avis_debut``, ``avis_retour_prevu``, ``avis_lien``."""
    n = len(series)
    empty = pd.DataFrame({"avis_ansm": [""] * n, "avis_statut": [""] * n,
                          "avis_cis": [""] * n, "avis_debut": [pd.NaT] * n,
                          "avis_retour_prevu": [pd.NaT] * n, "avis_lien": [""] * n})
    if signals is None or n == 0:
        return empty
    idx = signals.index[np.asarray(series), t]
    ret = expected_return(signals, np.asarray(series), t, as_of)
    for k, j in enumerate(idx):
        if j < 0:
            continue
        row = signals.notices.iloc[j]
        empty.loc[k, ["avis_ansm", "avis_statut", "avis_cis", "avis_lien"]] = [
            BACKED_LABEL, STATUS_FR[int(row["status"])], row["cis"], row["link"]]
        empty.loc[k, "avis_debut"] = row["start"]
        empty.loc[k, "avis_retour_prevu"] = ret[k]
    return empty


# --- building the reference table from the real files -----------------------------------------


def _composition(folder: Path) -> pd.DataFrame:
    """CIS_COMPO as ``cis``, ``substance``, ``link`` (the dedicated loader when present)."""
    if hasattr(bdpm, "load_composition"):
        df = bdpm.load_composition(folder)
        name = next(c for c in df.columns if "substance" in c and "code" not in c)
        link = next(c for c in df.columns if "link" in c or "liaison" in c)
        return df.rename(columns={name: "substance", link: "link"})[["cis", "substance", "link"]]
    path = folder / "CIS_COMPO_bdpm.txt"
    df = pd.read_csv(path, sep="\t", header=None, dtype=str, encoding="cp1252",
                     quoting=3, keep_default_na=False)
    return pd.DataFrame({"cis": df[0].str.strip(), "substance": df[3].str.strip(),
                         "link": df[7].str.strip()})


def build_sentinel_map(folder: str | Path) -> pd.DataFrame:
    """The reference table from the real BDPM files in ``folder`` (CIS_bdpm, CIS_COMPO,
    CIS_MITM): :func:`map_sentinels` plus ``mitm`` (oui/non) and the real ``atc``."""
    folder = Path(folder)
    products = bdpm.load_products(folder)
    mitm = bdpm.load_mitm(folder)
    out = map_sentinels(products, _composition(folder))
    atc = dict(zip(mitm["cis"], mitm["atc"], strict=True))
    out["mitm"] = np.where(out["cis"].isin(atc), "oui", "non")
    out["atc"] = out["cis"].map(atc).fillna("")
    return out


@dataclass
class RealInputs:
    """What the early warning needs from the real file: the followed notices, the class
    duration samples, and where they come from (``source``, ``file_date``)."""

    followed: pd.DataFrame
    samples: dict[str, np.ndarray]
    source: str
    file_date: pd.Timestamp
    duplicates_dropped: int = 0


def real_inputs(path: str | Path | None = None, mapping: pd.DataFrame | None = None
                ) -> RealInputs | None:
    """Read the real notices (default ``data/real/bdpm/CIS_CIP_Dispo_Spec.txt``; None when
    absent) and the real MITM list beside them (``CIS_MITM.txt``, for the duration classes;
    without it every notice is in one class, ``MITM``)."""
    notices = load_real_notices(path)
    if notices is None:
        return None
    mapping = load_sentinel_map() if mapping is None else mapping
    folder = Path(notices.attrs["path"]).parent
    if (folder / "CIS_MITM.txt").exists():
        mitm_cis = set(bdpm.load_mitm(folder)["cis"])
    else:
        mitm_cis = set(notices["cis"])
    return RealInputs(followed_notices(notices, mapping),
                      duration_samples(notices, mitm_cis), notices.attrs["path"],
                      notices.attrs["file_date"], int(notices.attrs.get("duplicates_dropped", 0)))


# --- backtest against the real notices ----------------------------------------------------------


def score_against_notices(warnings: pd.DataFrame, series_product: np.ndarray,
                          events: pd.DataFrame, followed: pd.DataFrame, start: pd.Timestamp,
                          end: pd.Timestamp, lead_weeks: int, threshold: float
                          ) -> dict[str, object]:
    """Score a replayed early warning against the real notices.

    ``warnings``: one row per (Monday ``date``, ``series``) with ``stock`` and ``p_{h}``
    (:func:`forecasting.shortages.backtest_warnings`); ``series_product``: the product key
    of each series; ``events``: the ledger's stock-outs (``series``, ``start``).

    * **notices**: the real rupture/tension notices on followed products that started in
      [start, end] (one per product and start date); a notice is *preceded* when a warning
      (P ≥ threshold, stock on hand) was on for a series of its product at an issue date in
      [notice start − 7h, notice start); the lead is notice start − first such date, days.
      Remises à disposition are counted apart: the live file has lost their start.
    * **false alarms**: warnings followed within (t, t + 7h] by neither a ledger stock-out of
      the series nor the start of a real notice on its product, and issued while no real
      notice was open for it.
    """
    h = 7 * lead_weeks
    flag = (warnings[f"p_{lead_weeks}"].to_numpy() >= threshold) & (
        warnings["stock"].to_numpy() > 0)
    w = warnings.assign(product=series_product[warnings["series"].to_numpy()], flag=flag)
    sh = followed[followed["status"].isin(SHORTAGE_STATUSES)]
    targets = sh[(sh["start"] >= start) & (sh["start"] <= end)].drop_duplicates(
        ["product_key", "start"])
    rows = []
    for row in targets.itertuples(index=False):
        mine = w[(w["product"] == row.product_key) & w["flag"]]
        before = mine[(mine["date"] >= row.start - pd.Timedelta(h, "D"))
                      & (mine["date"] < row.start)]
        lead = (row.start - before["date"].min()).days if len(before) else None
        rows.append({"product_key": row.product_key, "cis": row.cis, "status": row.status,
                     "start": row.start, "preceded": lead is not None, "lead_days": lead})
    per_notice = pd.DataFrame(rows, columns=["product_key", "cis", "status", "start",
                                             "preceded", "lead_days"])
    # False alarms.
    flagged = w[w["flag"]]
    ev = {s: np.sort(g["start"].to_numpy()) for s, g in events.groupby("series")}
    sig = followed[followed["status"].isin(SIGNAL_STATUSES)]
    false = 0
    for r in flagged.itertuples(index=False):
        t0, t1 = r.date, r.date + pd.Timedelta(h, "D")
        starts = ev.get(r.series)
        if starts is not None and ((starts > np.datetime64(t0)) & (starts <= np.datetime64(t1))
                                   ).any():
            continue
        mine = sig[sig["product_key"] == r.product]
        if (mine["start"] <= t1).any():  # open on t0 (open notices never end) or starting
            continue
        false += 1
    n_flag = len(flagged)
    leads = per_notice["lead_days"].dropna()
    remises = followed[(followed["status"] == 4) & (followed["start"] >= start)
                       & (followed["start"] <= end)].drop_duplicates(["product_key", "start"])
    return {
        "lead_weeks": lead_weeks,
        "real_notices": len(per_notice),
        "real_notices_preceded": int(per_notice["preceded"].sum()),
        "median_lead_days": float(leads.median()) if len(leads) else None,
        "real_remises_unscorable": len(remises),
        "warnings": n_flag,
        "false_alarms": false,
        "false_alarm_rate": false / n_flag if n_flag else None,
        "per_notice": per_notice,
    }
