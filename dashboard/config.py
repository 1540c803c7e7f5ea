"""Dashboard settings, from the command line or (for a WSGI server) the environment.

Environment variables read by :meth:`DashboardConfig.from_env` (used by ``dashboard.wsgi``):

``TWIN_RESULTS``            results folder or one ``.zarr`` store (default ``results``)
``TWIN_FORECASTS``          folder of ``twin forecast`` outputs (default ``<results>/forecast``)
``TWIN_SHORTAGES``          folder of ``twin shortages`` outputs (default ``<results>/ruptures``,
                            else ``./ruptures``)
``TWIN_VALIDATION``         folder of ``twin validate`` outputs (default ``<results>/validation``)
``TWIN_DASHBOARD_USERS``    file of ``user:password-hash`` lines: turns on HTTP Basic access
                            control (see ``docs/howto-dashboard.md``)
``TWIN_DASHBOARD_RUNS``     ``0`` to hide the "Lancer une simulation" page (read-only deployment)
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

MAX_UPLOAD_BYTES = 64 * 1024
"""A scenario file is a few kilobytes; anything larger is refused before parsing."""


class DashboardConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    results: Path = Path("results")
    forecasts: Path | None = None
    shortages: Path | None = None
    validation: Path | None = None
    users_file: Path | None = None
    allow_runs: bool = True
    max_upload_bytes: int = MAX_UPLOAD_BYTES

    @property
    def results_root(self) -> Path:
        return self.results.parent if self.results.name.endswith(".zarr") else self.results

    @property
    def forecast_dir(self) -> Path:
        return self.forecasts or self.results_root / "forecast"

    @property
    def shortage_dir(self) -> Path:
        if self.shortages is not None:
            return self.shortages
        inside = self.results_root / "ruptures"
        return inside if inside.is_dir() else Path("ruptures")

    @property
    def validation_dir(self) -> Path:
        """Folder of a ``twin validate`` report (``validation.json`` and its CSV)."""
        return self.validation or self.results_root / "validation"

    @property
    def runs_dir(self) -> Path:
        """Where runs launched from the dashboard are written (one folder each)."""
        return self.results_root / "runs"

    @classmethod
    def from_env(cls) -> DashboardConfig:
        env = os.environ

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        return cls(
            results=path("TWIN_RESULTS") or Path("results"),
            forecasts=path("TWIN_FORECASTS"),
            shortages=path("TWIN_SHORTAGES"),
            validation=path("TWIN_VALIDATION"),
            users_file=path("TWIN_DASHBOARD_USERS"),
            allow_runs=env.get("TWIN_DASHBOARD_RUNS", "1") not in ("0", "false", "non"),
        )
