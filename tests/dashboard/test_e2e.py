"""End-to-end: the real dashboard server driven by a real headless Chromium (Debian's
``chromium``, installed by tests/setup_chromium.sh), doing what a user does.

The server is ``twin dashboard`` in a subprocess on a free loopback port, waited on by
polling its ``/sante`` endpoint. Every request the page makes is recorded: any URL that is
not on this server fails the test (the dashboard must work on an isolated network).
Screenshots go to ``tests/artifacts/`` (not versioned).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAP_READY = """() => { const g = document.querySelector('#map .js-plotly-plot');
    return !!(g && g.data && g.data.length > 1 && g._fullLayout.map
              && g._fullLayout.map._subplot.map.loaded()); }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s")


@pytest.fixture(scope="module")
def server(outputs_root):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium missing: run tests/setup_chromium.sh (make test does)")
    port = _free_port()
    log = (outputs_root / "serveur.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "twin", "dashboard", "--results", str(outputs_root),
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=outputs_root,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/sante", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, request):
    """A fresh page whose every request is recorded; non-local ones fail the test."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True, locale="fr-FR")
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.set_default_timeout(30_000)
    yield pg
    name = request.node.name
    pg.screenshot(path=str(ARTIFACTS / f"{name}-fin.png"), full_page=True)
    context.close()
    external = [u for u in pg.requests
                if not u.startswith(("data:", "blob:"))
                and urlparse(u).hostname not in LOCAL_HOSTS]
    assert external == [], f"requests outside this machine: {external}"


def _choose(pg, dropdown_id: str, option: str) -> None:
    pg.click(f"#{dropdown_id}")
    pg.get_by_role("option", name=option, exact=True).click()
    pg.keyboard.press("Escape")


def _map_js(pg, expr: str):
    return pg.evaluate(f"() => {{ const g = document.querySelector('#map .js-plotly-plot');"
                       f" return {expr}; }}")


def test_map_to_territory_flow(server, page):
    pg = page
    pg.goto(server + "/carte")
    pg.wait_for_function(MAP_READY)
    assert _map_js(pg, "g.data[1].locations") == ["15", "48"]
    pg.screenshot(path=str(ARTIFACTS / "carte.png"))

    _choose(pg, "map-indicator", "Passages aux urgences (patients/jour)")
    pg.wait_for_function("() => document.querySelector('#map .js-plotly-plot')"
                         ".layout.title.text.startsWith('Passages')")
    ref = _map_js(pg, "g.data[1].z")
    _choose(pg, "map-scenario", "afflux")
    pg.wait_for_function("() => document.querySelector('#map .js-plotly-plot')"
                         ".layout.title.text.includes('afflux')")
    surge = _map_js(pg, "g.data[1].z")
    assert all(s > r for s, r in zip(surge, ref, strict=True))  # 40 % more demand
    _choose(pg, "map-stat", "Écart au scénario de référence")
    pg.wait_for_function("() => document.querySelector('#map .js-plotly-plot')"
                         ".layout.title.text.includes('écart')")
    diff = _map_js(pg, "g.data[1].z")
    assert diff == pytest.approx([s - r for s, r in zip(surge, ref, strict=True)], rel=1e-6)
    # Indicator, scenario and statistic changes patched the trace: contours fetched once.
    assert sum("/geo/departements-carte.geojson" in u for u in pg.requests) == 1
    hover = _map_js(pg, "g.data[1].customdata[1][2]")
    assert "écart à la référence : +" in hover and not re.search(r"\d\.\d", hover)
    pg.screenshot(path=str(ARTIFACTS / "carte-ecart-afflux.png"))

    # A real mouse click on Lozère (its pixel position from the map's own projection).
    x, y = _map_js(pg, "(() => { const m = g._fullLayout.map._subplot.map;"
                       " const p = m.project([3.5, 44.52]);"
                       " const r = m.getContainer().getBoundingClientRect();"
                       " return [r.left + p.x, r.top + p.y]; })()")
    pg.mouse.click(x, y)
    pg.wait_for_url("**/territoire?**")
    pg.wait_for_selector("#terr-title:has-text('Lozère (48)')")
    pg.wait_for_function("() => { const g = document.querySelector("
                         "'#terr-graph .js-plotly-plot'); return g && g.data"
                         " && g.data.some(t => t.name === 'afflux (médiane)'); }")
    names = pg.evaluate("() => document.querySelector('#terr-graph .js-plotly-plot')"
                        ".data.map(t => t.name)")
    assert any(n and n.startswith("Observé (SurSaUD)") for n in names)
    rows = pg.locator("#terr-table tbody tr").all_inner_texts()
    assert any("afflux" in r for r in rows)
    pg.screenshot(path=str(ARTIFACTS / "territoire-lozere.png"), full_page=True)


def test_compare_two_scenarios_and_exports(server, page):
    pg = page
    pg.goto(server + "/carte")
    pg.click("#nav\\/comparer")
    pg.wait_for_url("**/comparer")
    pg.wait_for_function("() => { const g = document.querySelector("
                         "'#cmp-intervals .js-plotly-plot'); return g && g.data"
                         " && g.data.length && g.data[0].y.length === 2; }")
    labels = pg.evaluate("() => document.querySelector("
                         "'#cmp-intervals .js-plotly-plot').data[0].y")
    assert list(labels) == ["lits_reduits", "afflux"]
    pg.wait_for_selector("#cmp-rank tbody tr:has-text('Lozère')")
    pg.screenshot(path=str(ARTIFACTS / "comparer.png"), full_page=True)

    with pg.expect_download() as dl:
        pg.click("#cmp-rank-export")
    path = dl.value.path()
    text = Path(path).read_text(encoding="utf-8")
    head, *lines = text.splitlines()
    assert head.startswith("Rang;Code;Territoire;") and len(lines) == 2
    assert "," in lines[0].split(";")[4]  # decimal comma
    shutil.copy(path, ARTIFACTS / "classement.csv")

    pg.hover("#cmp-intervals .js-plotly-plot")
    titles = pg.evaluate("() => Array.from(document.querySelectorAll("
                         "'#cmp-intervals .modebar-btn')).map(b => b.dataset.title)")
    assert "Réinitialiser les axes" in titles  # French mode bar
    assert not any("Share" in t or "Cloud" in t for t in titles)  # no upload to a cloud
    with pg.expect_download() as dl:
        pg.click("#cmp-intervals .modebar-btn[data-title='Télécharger le graphique en PNG']")
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    (ARTIFACTS / "comparer-intervalles.png").write_bytes(png)


def test_forecasts_and_shortage_table(server, page):
    pg = page
    pg.goto(server + "/previsions")
    pg.wait_for_function("() => { const g = document.querySelector('#fc-graph .js-plotly-plot');"
                         " return g && g.data && g.data.some(t => t.name === 'Prévision'); }")
    pg.wait_for_selector("#sh-table tbody tr td")
    rows = pg.locator("#sh-table tbody tr").all_inner_texts()
    assert any("amoxicilline" in r or "commander" in r for r in rows)
    with pg.expect_download() as dl:
        pg.click("#sh-table-export")
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert text.startswith("Rang;Niveau;Produit;")
    pg.screenshot(path=str(ARTIFACTS / "previsions.png"), full_page=True)


def test_validation_page_shows_the_report_and_switches_the_map(server, page):
    pg = page
    pg.goto(server + "/validation")
    pg.wait_for_selector("#val-headline tbody tr td")
    assert "Passages aux urgences" in pg.locator("#val-national").inner_text()
    pg.wait_for_function("() => { const g = document.querySelector('#val-map .js-plotly-plot');"
                         " return g && g.data && g.data.length > 1; }")
    _choose(pg, "val-indicator", "Lits MCO occupés")
    pg.wait_for_function("() => { const g = document.querySelector('#val-map .js-plotly-plot');"
                         " return g && g.data[1].customdata.length === 2; }")
    pg.screenshot(path=str(ARTIFACTS / "validation.png"), full_page=True)


def test_every_page_is_offline(server, page):
    for path in ("/carte?couche=obs&indicateur=ed_passages&niveau=reg", "/comparer",
                 "/territoire", "/previsions", "/validation", "/lancer", "/inconnue"):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        if path.startswith("/carte"):
            page.wait_for_function(MAP_READY)
    # The fixture fails the test on any request outside this server.
    assert any(u.endswith("/geo/regions-carte.geojson") for u in page.requests)


def test_launch_form_shows_the_cli_messages(server, page):
    pg = page
    pg.goto(server + "/lancer")
    pg.fill("#run-name", "Nom Invalide")
    pg.click("#run-validate")
    pg.wait_for_selector("#run-errors")
    errors = pg.locator("#run-errors li").all_inner_texts()
    assert any(e.startswith("error: formulaire.yaml:") and "field name" in e for e in errors)
    pg.fill("#run-name", "essai_form")
    pg.click("#run-validate")
    pg.wait_for_selector(".note-ok:has-text('Scénario valide')")
    assert "change: -20%" in pg.inner_text("#run-yaml")


def test_launch_small_run_and_open_results(server, page):
    pg = page
    pg.goto(server + "/lancer")
    pg.fill("#run-name", "essai_e2e")
    pg.fill("#run-days", "3")
    pg.fill("#run-replications", "2")
    pg.click("#run-submit")
    pg.wait_for_selector(".note-ok:has-text('Simulation lancée')")
    pg.wait_for_selector("#run-open-link", timeout=300_000)
    assert "terminé" in pg.inner_text("#run-state")
    pg.screenshot(path=str(ARTIFACTS / "lancer-termine.png"), full_page=True)
    pg.click("#run-open-link")
    pg.wait_for_url(re.compile(r"/comparer\?store=runs"))
    pg.wait_for_function("() => { const g = document.querySelector("
                         "'#cmp-intervals .js-plotly-plot'); return g && g.data && g.data.length"
                         " && g.data[0].y.includes('essai_e2e'); }")
    assert "runs/" in pg.inner_text(".header-right")  # the new store is selected
    pg.screenshot(path=str(ARTIFACTS / "lancer-resultats.png"), full_page=True)
