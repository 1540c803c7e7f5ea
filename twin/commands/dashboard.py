"""``twin dashboard``: the French web dashboard on the results of the batch runner.

Examples::

    twin dashboard                                  # results/ on http://127.0.0.1:8050
    twin dashboard --results results/hiver.zarr     # one store
    twin dashboard --port 8060 --no-runs            # read-only (no "Lancer" page)
    twin dashboard --hash-password                  # print a users-file line for --users

Binds 127.0.0.1 with debug off: only the local user reaches it. For a shared server use a
WSGI server (``gunicorn 'dashboard.wsgi:server'``) behind a TLS proxy with ``--users``
access control (docs/howto-dashboard.md). Exit 2 on bad input (users file, port).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
DEFAULT_RESULTS = Path("results")


def _hash_password() -> int:
    # Deferred: only --hash-password needs werkzeug.
    from werkzeug.security import generate_password_hash

    user = input("Utilisateur : ").strip()
    if not user or ":" in user:
        print("error: user name: expected a non-empty name without ':'", file=sys.stderr)
        return EXIT_BAD_INPUT
    password = getpass.getpass("Mot de passe : ")
    if len(password) < 12:
        print("error: password: expected at least 12 characters", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{user}:{generate_password_hash(password)}")
    return 0


def _is_store(path: Path) -> bool:
    return path.is_dir() and any(
        (path / n).exists() for n in (".zgroup", "zarr.json", ".zmetadata")
    )


def _results_problem(path: Path) -> str | None:
    """Why ``--results`` cannot be shown (None if it can): a missing path, a file, a .zarr
    folder that is not a store, or a folder with files but no store. An empty folder is
    accepted: runs launched from the dashboard will fill it."""
    if not path.exists():
        return "no such file or folder"
    if not path.is_dir():
        return "a file"
    if path.name.endswith(".zarr"):
        return None if _is_store(path) else "a .zarr folder that is not a zarr store"
    entries = list(path.iterdir())
    if not entries:
        return None
    if any(_is_store(p) for p in path.glob("*.zarr")) or any(
        _is_store(p) for p in path.glob("runs/*/*.zarr")
    ):
        return None
    return f"a folder of {len(entries)} entries without any .zarr results store"


def _dashboard(args: argparse.Namespace) -> int:
    if args.hash_password:
        return _hash_password()
    if not 1 <= args.port <= 65535:
        print(f"error: --port: expected 1 to 65535, found {args.port}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # Deferred: Dash, Plotly and the results readers load only when the server starts.
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig

    if args.results is None:
        args.results = DEFAULT_RESULTS
    else:
        problem = _results_problem(args.results)
        if problem is not None:
            print(f"error: --results {args.results}: expected a results folder (holding "
                  f"*.zarr stores of twin run/batch) or one .zarr store, found {problem}",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
    config = DashboardConfig(results=args.results, forecasts=args.forecasts,
                             shortages=args.shortages, validation=args.validation,
                             users_file=args.users,
                             allow_runs=not args.no_runs)
    app = create_app(config)  # DataError (bad users file) → exit 2 via twin.cli
    stores = app._twin_context.catalog.stores()
    print(f"Tableau de bord : http://{args.host}:{args.port}/  —  {len(stores)} jeu(x) de "
          f"résultats dans {config.results}" + (" (accès protégé)" if args.users else ""))
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.users:
        print("Attention : serveur accessible hors de cette machine sans contrôle d'accès "
              "(voir --users).", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False, threaded=True)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard",
        help="serve the French web dashboard (map, comparisons, forecasts, runs)",
        description="Tableau de bord web (en français, hors ligne) sur les résultats de "
        "simulation, les prévisions et les alertes de pénurie.",
    )
    p.add_argument("--results", type=Path, default=None,
                   help="results folder (every *.zarr store in it) or one .zarr store "
                   "(default results)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--forecasts", type=Path, default=None,
                   help="folder of twin forecast outputs (default <results>/forecast)")
    p.add_argument("--shortages", type=Path, default=None,
                   help="folder of twin shortages outputs (default <results>/ruptures, "
                   "else ./ruptures)")
    p.add_argument("--validation", type=Path, default=None,
                   help="folder of twin validate outputs (default <results>/validation)")
    p.add_argument("--users", type=Path, default=None,
                   help="users file (user:hash lines) to require a login")
    p.add_argument("--no-runs", action="store_true",
                   help="hide the page that launches simulations (read-only)")
    p.add_argument("--hash-password", action="store_true",
                   help="print a users-file line for a new user and exit")
    p.set_defaults(func=_dashboard)
