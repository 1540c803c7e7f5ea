"""The rules of the medicine stock-out early warning, in one place: horizons scored, the
MITM safety-stock decree (two months, four after recurrent shortages), the demand
classification window, the smoothing constants of the intermittent forecasts, the order
history samples and the prior of a signalled disruption (see :mod:`forecasting.shortages`).
"""

from __future__ import annotations

WEEKS = (1, 2, 4, 8)
MITM_SAFETY_DAYS = 61  # two months
MITM_RECURRENT_SAFETY_DAYS = 122  # four months
RECURRENT_WINDOW_DAYS = 730  # two years
RECURRENT_MIN_NOTICES = 2
NON_MITM_TARGET_DAYS = 28
CLASS_WINDOW = 365
RECENT_WINDOW = 84
SURGE_RATIO = 1.3
SURGE_MIN_UNITS = 5.0
ALPHA = 0.1
BETA = 0.05
POLICY_ORDERS = 6
LEAD_SAMPLE = 30
POOLED_SAMPLE = 200
MIN_POOLED = 10
OPEN_SLOTS = 6
PRIOR = {2: (7.0, 0.65), 1: (14.0, 0.10)}  # status → (extra lead days, fill) pseudo-orders
STATUS_NAMES = {0: "", 1: "rupture", 2: "tension", 3: "arrêt"}
LEVELS = ("rupture en cours", "rouge", "orange", "jaune")
