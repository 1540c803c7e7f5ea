"""WSGI entry point for a production server: ``gunicorn 'dashboard.wsgi:server'``.

Configured by environment variables (see :mod:`dashboard.config`), e.g.::

    TWIN_RESULTS=/srv/twin/results TWIN_DASHBOARD_USERS=/srv/twin/users.txt \\
        gunicorn --workers 2 --threads 4 --bind 127.0.0.1:8050 'dashboard.wsgi:server'

Each worker process has its own figure cache; runs launched from the dashboard are followed
through files on disk (:mod:`dashboard.jobs`), so any worker can show them.
"""

from __future__ import annotations

from dashboard.app import create_app
from dashboard.config import DashboardConfig

app = create_app(DashboardConfig.from_env())
server = app.server
