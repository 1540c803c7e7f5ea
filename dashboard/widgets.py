"""Reusable page pieces: labelled controls, French tables with CSV export, graphs.

Tables are ``DataTable`` with numbers kept numeric (so sorting and filtering work) and
displayed the French way through ``locale_format``; the export button next to each table
writes the rows currently shown (after the user's filters and sorting) as a French CSV
(``;``, decimal comma, JJ/MM/AAAA) through ``dcc.Download`` — no server file, no path.
Graphs carry the French plotly config whose mode bar has the offline PNG export.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Group, Scheme

from dashboard import frenchfmt as fr

LOCALE = {"decimal": ",", "group": fr.THIN_NBSP, "separate_4digits": True}


DROPDOWN_LABELS = {
    "select_all": "Tout sélectionner", "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionné(s)", "search": "Rechercher",
    "clear_search": "Effacer la recherche", "clear_selection": "Effacer la sélection",
    "no_options_found": "Aucune option",
}


def labelled(label: str, control: object, width: str = "16rem") -> html.Div:
    return html.Div([html.Label(label, className="ctl-label"), control],
                    className="ctl", style={"minWidth": width})


def dropdown(id_: str, options: Sequence[dict | str], value: object, label: str,
             width: str = "16rem", multi: bool = False, clearable: bool = False) -> html.Div:
    return labelled(label, dcc.Dropdown(id=id_, options=list(options), value=value,
                                        multi=multi, clearable=clearable, searchable=True,
                                        labels=DROPDOWN_LABELS, placeholder="Choisir…"),
                    width)


def graph(id_: str, figure: object = None, height: str | None = None) -> dcc.Graph:
    style = {"height": height} if height else {}
    return dcc.Graph(id=id_, figure=figure or {}, config=fr.PLOTLY_CONFIG, style=style)


def columns(df: pd.DataFrame, labels: dict[str, str] | None = None,
            decimals: dict[str, int] | None = None) -> list[dict]:
    labels, decimals = labels or {}, decimals or {}
    out = []
    for c in df.columns:
        col: dict = {"name": labels.get(c, c), "id": c}
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
            col["type"] = "numeric"
            col["format"] = Format(precision=decimals.get(c, 1), scheme=Scheme.fixed,
                                   group=Group.yes)
        out.append(col)
    return out


def table(id_: str, df: pd.DataFrame, labels: dict[str, str] | None = None,
          decimals: dict[str, int] | None = None, page_size: int = 15) -> html.Div:
    """A sortable, filterable French table and its CSV export button."""
    return html.Div([
        html.Div([
            html.Button("Exporter en CSV", id=f"{id_}-export", className="btn-export",
                        n_clicks=0),
            dcc.Download(id=f"{id_}-download"),
        ], className="table-tools"),
        dash_table.DataTable(
            id=id_, data=records(df), columns=columns(df, labels, decimals),
            locale_format=LOCALE, sort_action="native", filter_action="native",
            page_size=page_size, style_table={"overflowX": "auto"},
            style_cell={"fontFamily": "inherit", "fontSize": "13px", "padding": "4px 8px",
                        "textAlign": "left", "whiteSpace": "normal", "height": "auto"},
            style_header={"fontWeight": "600", "backgroundColor": "#eef2f7"},
            filter_options={"placeholder_text": "filtrer…", "case": "insensitive"},
        ),
    ], className="table-block")


def records(df: pd.DataFrame) -> list[dict]:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime(fr.DATE_FORMAT)
    out = out.astype(object).where(pd.notna(out), None)
    return out.to_dict("records")


def export_rows(rows: list[dict] | None, columns_: list[dict] | None) -> str:
    """The CSV text of the rows shown, with the column headers as displayed."""
    rows = rows or []
    ids = [c["id"] for c in columns_ or []]
    names = {c["id"]: c["name"] for c in columns_ or []}
    df = pd.DataFrame(rows, columns=ids).rename(columns=names)
    return fr.csv_text(df)


def note(text: str, kind: str = "info") -> html.Div:
    return html.Div(text, className=f"note note-{kind}")
