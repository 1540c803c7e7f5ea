"""Figure builders: plain data in, ``plotly.graph_objects.Figure`` out (no I/O, no Dash).

Every figure is French (``layout.separators`` and the inline locale of
:data:`dashboard.frenchfmt.PLOTLY_CONFIG`), offline (maps are MapLibre ``Choroplethmap`` on
the ``white-bg`` style with the contours served by this app: no tiles, no fonts, no CDN),
and carries its hover text pre-formatted so that masked observed values reach the browser
as text only, never as numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import frenchfmt as fr
from dashboard.observed import Observed
from twin.geography import departements, regions

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
SCENARIO_COLOURS = ("#1f4e79", "#c0392b", "#27864f", "#8e44ad", "#d35400", "#16a085",
                    "#7f8c8d", "#b7950b", "#2e86c1", "#a93226")
MAP_CENTRE = {"lat": 46.0, "lon": -1.2}
MAP_ZOOM = 4.25
SEQUENTIAL = "YlOrRd"
DIVERGING = "RdBu_r"
MASKED_COLOUR = "#bdbdbd"


def geojson_url(level: str) -> str:
    """Where the browser fetches the contours (served by :mod:`dashboard.geo`)."""
    return f"/geo/{'departements' if level == 'dep' else 'regions'}-carte.geojson"


def base_layout(fig: go.Figure, title: str = "", height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        separators=fr.PLOTLY_SEPARATORS,
        font={"family": FONT, "size": 12},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=height,
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _dates_axis(fig: go.Figure) -> None:
    fig.update_xaxes(tickformat="%d/%m", hoverformat=fr.PLOTLY_DATE, gridcolor="#eee",
                     showline=True, linecolor="#999")
    fig.update_yaxes(gridcolor="#eee", zerolinecolor="#999", rangemode="tozero")


def choropleth(codes: Sequence[str], names: Mapping[str, str], values: np.ndarray,
               level: str, *, title: str, unit: str, decimals: int, diverging: bool = False,
               hover_lines: Sequence[str] | None = None) -> go.Figure:
    """A map of one value per territory; ``hover_lines`` (pre-formatted French text, one
    per territory) replace the default hover."""
    vals = np.asarray(values, dtype=float)
    texts = hover_lines or [f"{fr.number(v, decimals)} {unit}" for v in vals]
    custom = [[names.get(c, c), c, t] for c, t in zip(codes, texts, strict=True)]
    finite = vals[np.isfinite(vals)]
    trace = go.Choroplethmap(
        geojson=geojson_url(level),
        featureidkey="properties.code",
        locations=list(codes),
        z=[None if not np.isfinite(v) else float(v) for v in vals],
        customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]}"
                      "<extra></extra>",
        colorscale=DIVERGING if diverging else SEQUENTIAL,
        marker={"line": {"width": 0.6, "color": "#555"}, "opacity": 0.9},
        colorbar={"title": {"text": unit}, "thickness": 14, "len": 0.8},
    )
    if diverging and finite.size:
        bound = float(np.max(np.abs(finite))) or 1.0
        trace.update(zmin=-bound, zmax=bound, zmid=0)
    fig = go.Figure([background(level), trace])
    fig.update_layout(map={"style": "white-bg", "center": MAP_CENTRE, "zoom": MAP_ZOOM},
                      clickmode="event", uirevision=level)
    return base_layout(fig, title, height=620)


VALUE_TRACE = 1
"""Index of the value trace in a map figure (trace 0 is the grey background of France)."""


def background(level: str) -> go.Choroplethmap:
    """Every territory of France in light grey, under the values: a batch that simulates a
    few départements still shows them in place (not clickable, no hover)."""
    codes = list(departements().index if level == "dep" else regions().index)
    return go.Choroplethmap(
        geojson=geojson_url(level), featureidkey="properties.code", locations=codes,
        z=[0] * len(codes), colorscale=[[0, "#f1f1f1"], [1, "#f1f1f1"]], showscale=False,
        hoverinfo="skip", marker={"line": {"width": 0.4, "color": "#aaa"}}, name="France")


def map_patch_values(codes: Sequence[str], names: Mapping[str, str], values: np.ndarray,
                     *, unit: str, decimals: int, diverging: bool,
                     hover_lines: Sequence[str]) -> dict[str, object]:
    """The trace properties that change when only indicator, scenario, period or statistic
    change (sent as a Dash ``Patch``, the contours and layout stay in the browser)."""
    fig = choropleth(codes, names, values, "dep", title="", unit=unit, decimals=decimals,
                     diverging=diverging, hover_lines=hover_lines)
    t = fig.data[VALUE_TRACE]
    out: dict[str, object] = {
        "z": list(t.z), "customdata": [list(c) for c in t.customdata],
        # Resolved colours: plotly.js does not know Python-side names such as "RdBu_r".
        "colorscale": [list(stop) for stop in t.colorscale],
        "colorbar_title": unit,
    }
    out.update({"zmin": t.zmin, "zmax": t.zmax, "zmid": t.zmid, "zauto": not diverging})
    return out


def observed_choropleth(codes: Sequence[str], names: Mapping[str, str],
                        observed: Mapping[str, Observed], level: str, *, title: str,
                        unit: str) -> go.Figure:
    """Observed values; masked territories drawn grey with their masking label only."""
    shown = [c for c in codes if not observed[c].masked]
    hidden = [c for c in codes if observed[c].masked]
    fig = go.Figure(background(level))
    fig.add_trace(go.Choroplethmap(
        geojson=geojson_url(level), featureidkey="properties.code", locations=shown,
        z=[observed[c].value for c in shown],
        customdata=[[names.get(c, c), c, f"{observed[c].text} {unit}"] for c in shown],
        hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]}"
                      "<extra>observé</extra>",
        colorscale=SEQUENTIAL, marker={"line": {"width": 0.6, "color": "#555"}},
        colorbar={"title": {"text": unit}, "thickness": 14, "len": 0.8}, name="observé"))
    if hidden:
        fig.add_trace(go.Choroplethmap(
            geojson=geojson_url(level), featureidkey="properties.code", locations=hidden,
            z=[0] * len(hidden), showscale=False,
            colorscale=[[0, MASKED_COLOUR], [1, MASKED_COLOUR]],
            customdata=[[names.get(c, c), c, observed[c].text] for c in hidden],
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]}"
                          "<extra>masqué</extra>",
            marker={"line": {"width": 0.6, "color": "#555"}}, name="masqué"))
    fig.update_layout(map={"style": "white-bg", "center": MAP_CENTRE, "zoom": MAP_ZOOM},
                      clickmode="event", uirevision=level)
    return base_layout(fig, title, height=620)


def fan_chart(dates: pd.DatetimeIndex, fans: Mapping[str, Mapping[str, np.ndarray]], *,
              title: str, unit: str, decimals: int = 1,
              capacity: np.ndarray | None = None, capacity_label: str = "Capacité",
              observed: Sequence[Observed] | None = None, observed_label: str = "Observé",
              thresholds: Sequence[float] = ()) -> go.Figure:
    """Per scenario: P5–P95 band, P25–P75 band and median line over time; optional
    capacity line, horizontal thresholds and observed values (masked days left as gaps,
    their label in the hover)."""
    fig = go.Figure()
    x = list(pd.DatetimeIndex(dates))
    for k, (name, f) in enumerate(fans.items()):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        for lo, hi, alpha, label in (("p5", "p95", 0.15, "P5–P95"),
                                     ("p25", "p75", 0.3, "P25–P75")):
            fig.add_trace(go.Scatter(x=x, y=f[hi], mode="lines", line={"width": 0},
                                     hoverinfo="skip", showlegend=False, legendgroup=name))
            fig.add_trace(go.Scatter(
                x=x, y=f[lo], mode="lines", line={"width": 0}, fill="tonexty",
                fillcolor=_rgba(colour, alpha), name=f"{name} {label}", legendgroup=name,
                hoverinfo="skip", showlegend=label == "P5–P95"))
        fig.add_trace(go.Scatter(
            x=x, y=f["p50"], mode="lines", line={"color": colour, "width": 2},
            name=f"{name} (médiane)", legendgroup=name,
            customdata=np.stack([f["p5"], f["p95"]], axis=-1),
            hovertemplate=f"{name}<br>%{{x|%d/%m/%Y}} : %{{y:,.{decimals}f}} {unit}"
                          f"<br>P5–P95 : %{{customdata[0]:,.{decimals}f}} – "
                          f"%{{customdata[1]:,.{decimals}f}}<extra></extra>"))
    if capacity is not None:
        fig.add_trace(go.Scatter(x=x, y=capacity, mode="lines", name=capacity_label,
                                 line={"color": "black", "dash": "dash", "width": 1.5},
                                 hovertemplate=f"{capacity_label} : %{{y:,.0f}}"
                                               "<extra></extra>"))
    for thr in thresholds:
        fig.add_hline(y=thr, line={"color": "#666", "dash": "dot", "width": 1},
                      annotation_text=f"seuil {fr.number(thr, 0)} {unit}",
                      annotation_position="top left")
    if observed is not None:
        fig.add_trace(go.Scatter(
            x=x, y=[None if o.masked else o.value for o in observed], mode="markers",
            marker={"color": "black", "size": 6, "symbol": "x"}, name=observed_label,
            customdata=[o.text for o in observed],
            hovertemplate=f"{observed_label}<br>%{{x|%d/%m/%Y}} : %{{customdata}}"
                          "<extra></extra>"))
    _dates_axis(fig)
    if len(x) <= 31:
        fig.update_xaxes(dtick=86_400_000)  # one tick a day, never twice the same date
    fig.update_yaxes(title={"text": unit})
    return base_layout(fig, title)


def interval_chart(labels: Sequence[str], mean: np.ndarray, p5: np.ndarray, p95: np.ndarray,
                   *, title: str, unit: str, decimals: int = 1) -> go.Figure:
    """Mean difference from the baseline per scenario with its P5–P95 interval."""
    mean, p5, p95 = (np.asarray(a, dtype=float) for a in (mean, p5, p95))
    fig = go.Figure(go.Scatter(
        x=mean, y=list(labels), mode="markers",
        marker={"size": 11, "color": [SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
                                      for i in range(len(labels))]},
        error_x={"type": "data", "symmetric": False, "array": p95 - mean,
                 "arrayminus": mean - p5, "thickness": 2, "width": 8},
        customdata=np.stack([p5, p95], axis=-1),
        hovertemplate=f"%{{y}}<br>écart moyen : %{{x:+,.{decimals}f}} {unit}<br>"
                      f"P5–P95 : %{{customdata[0]:+,.{decimals}f}} – "
                      f"%{{customdata[1]:+,.{decimals}f}}<extra></extra>"))
    fig.add_vline(x=0, line={"color": "#333", "width": 1})
    fig.update_xaxes(title={"text": f"écart au scénario de référence ({unit})"},
                     gridcolor="#eee", zeroline=False)
    return base_layout(fig, title, height=max(220, 80 + 50 * len(labels)))


def exceedance_chart(labels: Sequence[str], p: Sequence[float], low: Sequence[float],
                     high: Sequence[float], *, title: str) -> go.Figure:
    """Probability of exceeding a threshold per scenario, with a 90 % interval."""
    p_, lo, hi = (100 * np.asarray(a, dtype=float) for a in (p, low, high))
    fig = go.Figure(go.Bar(
        x=list(labels), y=p_,
        marker={"color": [SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
                          for i in range(len(labels))]},
        error_y={"type": "data", "symmetric": False, "array": hi - p_, "arrayminus": p_ - lo},
        hovertemplate="%{x}<br>probabilité : %{y:.0f} %<extra></extra>"))
    fig.update_yaxes(range=[0, 100], title={"text": "probabilité (%)"}, gridcolor="#eee")
    return base_layout(fig, title, height=320)


def forecast_chart(dates: pd.DatetimeIndex, quantiles: np.ndarray, point: np.ndarray,
                   quantile_levels: Sequence[float], *, title: str, unit: str,
                   history: pd.Series | None = None) -> go.Figure:
    """A demand forecast: 95 % and 80 % intervals around the point forecast."""
    q = {round(float(level), 3): quantiles[:, i] for i, level in enumerate(quantile_levels)}
    x = list(pd.DatetimeIndex(dates))
    fig = go.Figure()
    if history is not None and len(history):
        fig.add_trace(go.Scatter(x=list(history.index), y=history.values, mode="lines",
                                 line={"color": "#555", "width": 1}, name="Observé",
                                 hovertemplate="%{x|%d/%m/%Y} : %{y:,.0f}<extra></extra>"))
    for lo, hi, alpha, label in ((0.025, 0.975, 0.15, "intervalle 95 %"),
                                 (0.1, 0.9, 0.3, "intervalle 80 %")):
        if lo in q and hi in q:
            fig.add_trace(go.Scatter(x=x, y=q[hi], mode="lines", line={"width": 0},
                                     hoverinfo="skip", showlegend=False))
            fig.add_trace(go.Scatter(x=x, y=q[lo], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=_rgba("#1f4e79", alpha),
                                     name=label, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=point, mode="lines", line={"color": "#1f4e79", "width": 2},
                             name="Prévision", hovertemplate="%{x|%d/%m/%Y} : %{y:,.0f}"
                                                            f" {unit}<extra></extra>"))
    _dates_axis(fig)
    fig.update_yaxes(title={"text": unit})
    return base_layout(fig, title)


def empty(message: str, height: int = 320) -> go.Figure:
    """A blank figure with a French message (no data yet, unknown choice)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 14, "color": "#555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, "", height)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
