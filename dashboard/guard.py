"""Hostile or malformed requests get a 4xx and one log line, never a 500 and a traceback.

Dash trusts its own front end: ``/_dash-update-component`` reads the JSON body with
``body.get(...)`` and looks the output up in its callback map, so a body of ``null`` or
``[1, 2]``, or an output id no callback produces, raised ``AttributeError``/``KeyError``
inside Dash (HTTP 500, a traceback in the log); ``/_dash-component-suites/..%2f…`` raised
Dash's ``DependencyException`` the same way. :func:`install` checks the shape of every
callback request before Dash sees it (400) and turns an unknown component-suite path into a
404, each logged as one line naming the method, path and reason.
"""

from __future__ import annotations

from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.exceptions import HTTPException

UPDATE_PATH = "_dash-update-component"


def _refuse(app: Dash, status: int, reason: str) -> Response:
    path = request.path[:200]
    app.server.logger.warning("requête refusée (%d) %s %s : %s", status, request.method, path,
                              reason)
    return Response(f"{status} : {reason}\n", status=status, mimetype="text/plain")


def _problem(app: Dash, body: Any) -> str | None:
    """Why a callback request body cannot be a Dash callback, or None if it can be."""
    if not isinstance(body, dict):
        return f"corps JSON attendu : un objet, reçu {type(body).__name__}"
    output = body.get("output")
    if not isinstance(output, str):
        return "champ « output » absent ou non textuel"
    if output not in app.callback_map:
        return f"aucun callback ne produit « {output[:80]} »"
    for key in ("inputs", "state", "changedPropIds"):
        value = body.get(key, [])
        if not isinstance(value, list):
            return f"champ « {key} » : une liste attendue"
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        entries = item if isinstance(item, list) else [item]
        if not all(isinstance(e, dict) and "id" in e and "property" in e for e in entries):
            return "entrées de callback mal formées"
    spec = app.callback_map[output]
    for key in ("inputs", "state"):
        if len(body.get(key, [])) != len(spec.get(key, [])):
            return f"champ « {key} » : {len(spec.get(key, []))} élément(s) attendu(s)"
    outputs = body.get("outputs")
    if outputs is not None and not isinstance(outputs, dict | list):
        return "champ « outputs » : un objet ou une liste attendu"
    return None


def install(app: Dash) -> None:
    """Check callback requests before Dash and answer unknown assets with 404."""
    server = app.server
    prefix = app.config.requests_pathname_prefix or "/"

    @server.before_request
    def _check_callback_request():
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        if request.path != f"{prefix}{UPDATE_PATH}":
            return None
        body = request.get_json(silent=True, cache=True)
        if body is None and request.get_data(cache=True).strip() not in (b"null",):
            return _refuse(app, 400, "corps JSON illisible")
        reason = _problem(app, body)
        return _refuse(app, 400, reason) if reason else None

    @server.errorhandler(Exception)
    def _callback_failure(exc: Exception):
        """A request that passed the shape check but whose values a callback cannot use
        (a crafted request: the front end only sends values its components produce)."""
        if isinstance(exc, HTTPException):
            return exc
        if not request.path.endswith(UPDATE_PATH):
            raise exc
        return _refuse(app, 400, f"valeurs refusées par le callback ({type(exc).__name__}: "
                                 f"{str(exc)[:160]})")

    @server.errorhandler(DependencyException)
    def _unknown_asset(exc: DependencyException):
        return _refuse(app, 404, "fichier de composant inconnu")
