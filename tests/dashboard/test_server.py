"""The WSGI app without a browser: routes, whitelists, access control, offline assets."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from dashboard.app import create_app
from dashboard.config import DashboardConfig


@pytest.fixture()
def client(results_root):
    return create_app(DashboardConfig(results=results_root)).server.test_client()


def test_index_and_assets_are_local(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "cdn" not in html.lower() and "fonts.googleapis" not in html
    assert client.get("/assets/style.css").status_code == 200
    assert client.get("/_dash-layout").status_code == 200


def test_geojson_route_is_whitelisted(client):
    ok = client.get("/geo/departements-carte.geojson")
    assert ok.status_code == 200 and ok.mimetype == "application/geo+json"
    assert b'"971"' in ok.data
    for bad in ("secret.geojson", "departements-carte.geojson.bak", "regions.GEOJSON"):
        assert client.get(f"/geo/{bad}").status_code == 404
    # Paths with a slash never reach the route: Dash answers with its page, not a file.
    for bad in ("../../pyproject.toml", "..%2F..%2Fpyproject.toml"):
        resp = client.get(f"/geo/{bad}")
        assert b"[build-system]" not in resp.data and resp.mimetype == "text/html"


def test_health(client):
    assert client.get("/sante").get_json() == {"statut": "ok", "jeux_de_resultats": 1}


def test_access_control(results_root, tmp_path):
    users = tmp_path / "users.txt"
    users.write_text(f"# équipe\nalice:{generate_password_hash('correct horse battery')}\n")
    c = create_app(DashboardConfig(results=results_root, users_file=users)).server.test_client()
    assert c.get("/").status_code == 401
    assert c.get("/geo/regions-carte.geojson").status_code == 401
    assert "Basic" in c.get("/_dash-layout").headers["WWW-Authenticate"]
    ok = c.get("/", auth=("alice", "correct horse battery"))
    assert ok.status_code == 200
    assert c.get("/", auth=("alice", "wrong")).status_code == 401
    assert c.get("/", auth=("bob", "correct horse battery")).status_code == 401


def test_bad_users_file_names_the_line(results_root, tmp_path):
    from twin.errors import DataError

    users = tmp_path / "users.txt"
    users.write_text("alice:motdepasse-en-clair\n")
    with pytest.raises(DataError, match=r"users.txt:1: expected user:hash"):
        create_app(DashboardConfig(results=results_root, users_file=users))


def test_read_only_deployment_has_no_run_page(results_root):
    app = create_app(DashboardConfig(results=results_root, allow_runs=False))
    layout = str(app.layout)
    assert "/lancer" not in layout and "/carte" in layout


def test_cli_rejects_bad_port_and_users_file(tmp_path, capsys):
    from twin.cli import main

    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port: expected 1 to 65535" in capsys.readouterr().err
    bad = tmp_path / "u.txt"
    bad.write_text("nobody\n")
    results = tmp_path / "results"  # empty: a fresh results folder is accepted
    results.mkdir()
    assert main(["dashboard", "--results", str(results), "--users", str(bad)]) == 2
    assert "u.txt:1: expected user:hash" in capsys.readouterr().err
