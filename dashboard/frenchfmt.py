"""French number and date formats, for the page text, the CSV exports and plotly.

Users read "1 234,5" and "01/12/2026", not "1,234.5" and "2026-12-01". The thousands
separator is the narrow no-break space (U+202F) recommended by the Imprimerie nationale and
already used by the CLI tables (``forecasting.output``), so numbers never wrap mid-figure.

plotly.js formats hover and tick numbers itself: :data:`PLOTLY_SEPARATORS` goes into each
figure's ``layout.separators`` and :data:`PLOTLY_CONFIG` carries a French locale inline
(month and day names, date format), because the locale bundles of plotly.js are not served
by Dash and must not be fetched from a CDN.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

THIN_NBSP = "\u202f"
PLOTLY_SEPARATORS = "," + THIN_NBSP  # decimal mark, then thousands separator
DATE_FORMAT = "%d/%m/%Y"
PLOTLY_DATE = "%d/%m/%Y"

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc.")
DAYS = ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
SHORT_DAYS = ("dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam.")

_FR_LOCALE = {
    "moduleType": "locale",
    "name": "fr",
    "dictionary": {
        "Download plot as a png": "Télécharger le graphique en PNG",
        "Download plot as a PNG": "Télécharger le graphique en PNG",
        "Autoscale": "Échelle automatique",
        "Reset axes": "Réinitialiser les axes",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "Pan": "Déplacer",
        "Zoom": "Zoom",
        "Box Select": "Sélection rectangulaire",
        "Lasso Select": "Sélection au lasso",
        "Reset view": "Réinitialiser la vue",
        "Double-click on legend to isolate one trace":
            "Double-cliquer sur la légende pour isoler une courbe",
    },
    "format": {
        "days": list(DAYS),
        "shortDays": list(SHORT_DAYS),
        "months": list(MONTHS),
        "shortMonths": list(SHORT_MONTHS),
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": THIN_NBSP,
    },
}

PLOTLY_CONFIG: dict[str, object] = {
    "locale": "fr",
    "locales": {"fr": _FR_LOCALE},
    "displaylogo": False,
    # The PNG export button renders in the browser (no server, no network): "PNG of any chart".
    "toImageButtonOptions": {"format": "png", "scale": 2},
    # Never offer to upload a chart to a cloud service: this dashboard works offline and its
    # figures may be confidential.
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendChartToCloud", "sendDataToCloud"],
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
}


def number(x: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` → ``"1 234,5"`` (narrow no-break space); NaN/None → ``"–"``."""
    if x is None or (isinstance(x, float | np.floating) and not math.isfinite(float(x))):
        return "–"
    text = f"{float(x):,.{decimals}f}"
    return text.replace(",", THIN_NBSP).replace(".", ",")


def signed(x: float | None, decimals: int = 1) -> str:
    """Like :func:`number` with an explicit sign: ``+12,3`` / ``−4,0`` (typographic minus)."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    body = number(abs(x), decimals)
    if round(abs(float(x)), decimals) == 0:
        return body
    return ("+" if x > 0 else "\u2212") + body


def percent(share: float | None, decimals: int = 0) -> str:
    """A share in [0, 1] as ``"12 %"`` (no-break space before the sign, French usage)."""
    if share is None or not math.isfinite(float(share)):
        return "–"
    return f"{number(100 * float(share), decimals)}\u00a0%"


def day(d: date | datetime | np.datetime64 | pd.Timestamp | str) -> str:
    """``01/12/2026``."""
    return pd.Timestamp(d).strftime(DATE_FORMAT)


def period(start: object, end: object) -> str:
    return f"du {day(start)} au {day(end)}"


def month_label(ts: pd.Timestamp) -> str:
    return f"{MONTHS[ts.month - 1]} {ts.year}"


def frame_for_csv(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as JJ/MM/AAAA; the CSV itself is written with ``;`` and a decimal comma
    (see :func:`csv_text`), the conventions of French spreadsheets and of ``twin shortages``."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime(DATE_FORMAT)
    return out


def csv_text(df: pd.DataFrame) -> str:
    """The table as a French CSV string (``;``, decimal comma, UTF-8)."""
    return frame_for_csv(df).to_csv(sep=";", decimal=",", index=False, lineterminator="\n")
