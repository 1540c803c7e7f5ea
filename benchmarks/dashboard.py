"""Dashboard speed: callback latency on a full-size store, first page load, 20 clients.

Run: ``.venv/bin/python benchmarks/dashboard.py`` (last output line: one JSON object).

Store: 10 scenarios × 30 replications × 101 départements × 365 days, every variable of the
batch contract (docs/reference-outputs.md). It is filled by writing the real template
(``tests/dashboard/store_builder.template``) and **tiling the values of a few real short
runs** (3 replications of Lozère and Cantal over 14 days, ``build_network`` +
``run_replication`` + ``by_territory``) over départements, days and replications; scenario
k scales counts by 1 + 0.02 k. Chunks: one per (scenario, variable), all replications,
départements and days (4.4 MB); the dashboard does not rely on it.

Measured against the real server (``twin dashboard`` in a subprocess on loopback):

* ``first_load_ms``: headless Chromium, from navigation to the map drawn (cold caches);
* ``callback_p50_ms`` / ``callback_p95_ms``: HTTP round trips of the map callback as the
  browser sends them (request captured from Chromium, then replayed), 80 calls with random
  scenario × indicator × statistic × period changes, cold reads of the store included;
  ``territory_p95_ms`` likewise for the Territoire page's callback;
* ``load_errors`` / ``load_p95_ms``: 20 concurrent clients on loopback, each loading the
  page shell, layout and dependencies and making 5 map callbacks (bounded: 20 × 8 requests).
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.dashboard import store_builder as sb  # noqa: E402

N_SCENARIOS, N_REPS, DAYS = 10, 30, 365
CALLS = 80
CLIENTS = 20
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def build_store(root: Path) -> Path:
    from twin.geography import dep_sort_key, departements

    runs = sb.simulate(("15", "48"), date(2023, 1, 9), 14, {"reference": {}}, 3)["reference"]
    deps = sorted(departements().index, key=dep_sort_key)
    dates = pd.date_range("2025-01-01", periods=DAYS, freq="D")
    path = root / "bench.zarr"
    sb.tile_store(path, runs, N_SCENARIOS, N_REPS, deps, dates)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "twin", "dashboard", "--results", str(root),
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=root)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante", timeout=2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise TimeoutError("server did not start")


def first_load_and_capture(base: str) -> tuple[float, dict, dict]:
    """First load in Chromium; also capture the browser's callback requests to replay."""
    from playwright.sync_api import sync_playwright

    captured: dict[str, dict] = {}

    def keep(req) -> None:
        if "_dash-update-component" in req.url and req.post_data:
            body = json.loads(req.post_data)
            key = "map" if '"map-layer"' in req.post_data else \
                "terr" if '"terr-scenarios"' in req.post_data else None
            if key and key not in captured:
                captured[key] = body

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", keep)
        t0 = time.perf_counter()
        page.goto(base + "/carte")
        page.wait_for_function(
            "() => { const g = document.querySelector('#map .js-plotly-plot');"
            " return !!(g && g.data && g.data.length > 1 && g._fullLayout.map"
            " && g._fullLayout.map._subplot.map.loaded()); }", timeout=120_000)
        first_ms = 1000 * (time.perf_counter() - t0)
        page.goto(base + "/territoire?territoire=dep:59")
        page.wait_for_selector("#terr-graph .js-plotly-plot .scatterlayer", timeout=120_000)
        b.close()
    return first_ms, captured["map"], captured["terr"]


def post(base: str, body: dict, check: bool = False) -> float:
    data = json.dumps(body).encode()
    req = urllib.request.Request(base + "/_dash-update-component", data=data,
                                 headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        text = r.read()
        if r.status != 200:
            raise RuntimeError(r.status)
    if check and b"invalide" in text:
        raise RuntimeError(f"callback refused its inputs: {text[:300]!r}")
    return 1000 * (time.perf_counter() - t0)


def with_values(body: dict, values: dict[str, object], changed: str) -> dict:
    out = json.loads(json.dumps(body))
    for item in out["inputs"]:
        if item["id"] in values:
            item["value"] = values[item["id"]]
    out["changedPropIds"] = [f"{changed}.value"]
    out["parsedChangedPropsIds"] = [f"{changed}.value"]
    return out


def map_calls(rng: random.Random, body: dict, n: int) -> list[tuple[dict, str]]:
    scenarios = ["reference"] + [f"scenario_{k:02d}" for k in range(1, N_SCENARIOS)]
    indicators = ["mco_occupancy_rate", "ed_passages", "ed_los_over_4h_share",
                  "icu_occupancy_rate", "refused", "samu_calls", "ed_boarding_hours"]
    stats = ["mean", "p5", "p95", "diff", "diff_pct"]
    periods = ["all"] + [f"2025-{m:02d}" for m in range(1, 13)]
    state = {"map-indicator": "mco_occupancy_rate", "map-scenario": "reference",
             "map-stat": "mean", "map-period": "all", "map-level": "dep"}
    out = []
    for _ in range(n):
        key = rng.choice(["map-indicator", "map-scenario", "map-stat", "map-period",
                          "map-scenario", "map-level"])
        choices = {"map-indicator": indicators, "map-scenario": scenarios, "map-stat": stats,
                   "map-period": periods, "map-level": ["dep", "reg"]}[key]
        state[key] = rng.choice(choices)
        out.append((with_values(body, state, key), key))
    return out


def main() -> None:
    t_build = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="twin-bench-dash-") as tmp:
        root = Path(tmp)
        build_store(root)
        build_s = time.perf_counter() - t_build
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(root, port)
        try:
            first_ms, map_body, terr_body = first_load_and_capture(base)
            rng = random.Random(20260101)
            lat = [post(base, body, check=True) for body, _ in map_calls(rng, map_body, CALLS)]
            terr_lat = []
            for dep in rng.sample(["01", "13", "29", "33", "59", "69", "75", "971", "2A", "974"],
                                  10):
                body = with_values(terr_body, {"terr-code": f"dep:{dep}"}, "terr-code")
                terr_lat.append(post(base, body))
            load_lat: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            barrier = threading.Barrier(CLIENTS)

            def client(i: int) -> None:
                r = random.Random(i)
                barrier.wait()
                for path in ("/carte", "/_dash-layout", "/_dash-dependencies"):
                    t0 = time.perf_counter()
                    try:
                        with urllib.request.urlopen(base + path, timeout=60) as resp:
                            resp.read()
                        with lock:
                            load_lat.append(1000 * (time.perf_counter() - t0))
                    except Exception as exc:
                        with lock:
                            errors.append(f"{path}: {exc}")
                for body, _ in map_calls(r, map_body, 5):
                    try:
                        ms = post(base, body)
                        with lock:
                            load_lat.append(ms)
                    except Exception as exc:
                        with lock:
                            errors.append(f"callback: {exc}")

            threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
            load_s = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = {
        "store": f"{N_SCENARIOS} scenarios x {N_REPS} replications x 101 deps x {DAYS} days",
        "store_build_s": round(build_s, 1),
        "first_load_ms": round(first_ms),
        "callback_p50_ms": round(float(np.percentile(lat, 50)), 1),
        "callback_p95_ms": round(float(np.percentile(lat, 95)), 1),
        "callback_max_ms": round(float(np.max(lat)), 1),
        "callback_calls": len(lat),
        "territory_p95_ms": round(float(np.percentile(terr_lat, 95)), 1),
        "load_clients": CLIENTS,
        "load_requests": len(load_lat) + len(errors),
        "load_errors": len(errors),
        "load_p50_ms": round(float(np.percentile(load_lat, 50)), 1) if load_lat else None,
        "load_p95_ms": round(float(np.percentile(load_lat, 95)), 1) if load_lat else None,
        "load_wall_s": round(load_s, 2),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
