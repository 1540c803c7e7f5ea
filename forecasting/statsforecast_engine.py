"""AutoETS from Nixtla's ``statsforecast``: the fast state-space engine (method ``autoets``).

Model (stated so that an analyst can reproduce it):

* target ``log1p(passages)``, back with ``expm1`` and clipped at 0, like every engine here;
* ``statsforecast.models.AutoETS(season_length=7, model="AZA")``: additive error and
  weekly season, the trend (none, additive, damped) chosen by AICc, fitted by maximum
  likelihood in compiled code. Multiplicative forms are left out of the search: on
  ``log1p`` the effects are already multiplicative on counts, and the search over them
  tripled the fit time (0.15 s against 0.04 s on a year of Île-de-France) for the same form
  chosen. No yearly term (the real régional history after the 2022 gap is 6 to 18 months
  long, too short for a yearly cycle);
* training window: the last :data:`TRAIN_WINDOW` observations (one year: the weekly cycle
  and the recent level; a longer window only slows the fit);
* intervals: the model's own Gaussian prediction intervals on the log scale at 80 % and
  95 % (``level=[80, 95]``), i.e. quantiles 0.1/0.9 and 0.025/0.975; the median is the mean
  on the log scale. Totals over several days follow :mod:`forecasting.baselines`.

Why this engine: on the real Santé publique France regional series it is as accurate as
Prophet and ETS(A,Ad,A) at a fraction of their cost (figures in ``benchmarks/README.md``,
``benchmarks/forecast_real.py``). ``statsforecast`` 2.x ships compiled code (no JIT at
import) and needs nothing from the network.

Pure: numpy in, :class:`~forecasting.baselines.Draw` out. Deterministic (no sampling).
"""

from __future__ import annotations

import warnings

import numpy as np

from forecasting.baselines import Draw, finish, to_counts
from forecasting.series import QUANTILES

TRAIN_WINDOW = 365
LEVELS = (80, 95)
MODEL = "AZA"


def autoets_forecast(y: np.ndarray, horizon: int, season: int,
                     train_window: int = TRAIN_WINDOW) -> Draw:
    """AutoETS on ``log1p(y)`` (last ``train_window`` values), ``horizon`` steps ahead.

    Raises ``ValueError`` when the series is too short or constant, for the caller to fall
    back (see :mod:`forecasting.engine`).
    """
    # Deferred: statsforecast takes a second to import; only this engine needs it.
    from statsforecast.models import AutoETS

    z = np.log1p(np.asarray(y, dtype=float)[-train_window:])
    if z.size < 2 * season + 4:
        raise ValueError(f"AutoETS with season {season} needs {2 * season + 4} values")
    if np.ptp(z) == 0:
        raise ValueError("AutoETS cannot fit a constant series")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoETS(season_length=season, model=MODEL)
        out = model.forecast(y=z, h=horizon, level=list(LEVELS))
    cols = {0.025: "lo-95", 0.1: "lo-80", 0.5: "mean", 0.9: "hi-80", 0.975: "hi-95"}
    qz = np.column_stack([np.asarray(out[cols[q]], dtype=float) for q in QUANTILES])
    mean = np.asarray(out["mean"], dtype=float)
    if not (np.isfinite(qz).all() and np.isfinite(mean).all()):
        raise ValueError("AutoETS gave non-finite forecasts")
    return finish(to_counts(mean), qz)
