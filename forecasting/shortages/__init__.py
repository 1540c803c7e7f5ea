"""Medicine stock-out early warning for hospital pharmacies, weeks ahead.

For every product × site of a PUI stock ledger (:mod:`twin.sources.ledger`) this module
builds, **as of a date and using only what was known then**:

1. a consumption forecast chosen by the Syntetos–Boylan class of the last 365 days
   (:mod:`forecasting.intermittent`: SES with weekday and seasonal adjustment for smooth or
   erratic demand, SBA for intermittent, TSB for lumpy), with negative-binomial day-to-day
   noise and a level uncertainty measured from the series' own past 28-day forecast errors;
2. the lead-time and fill-rate distribution of its orders, rebuilt from the ledger's order →
   delivery history (:func:`forecasting.ledger.match_orders`), and, when the BDPM
   availability feed shows a *tension* (2), *rupture* (1) or *arrêt* (3) for the product, the
   pooled history of every order placed under such a signal (extra delay over the site's
   usual lead time, and fill rate) — so a signalled disruption weighs as much as past ones
   did. With fewer than ten such orders yet, prior pseudo-orders fill in (tension: +7 days,
   65 % filled; rupture: +14 days, 10 % filled);
3. the site's reorder policy (s, S) estimated from its last six orders (``s`` = the highest
   inventory position that triggered an order, ``S`` = the median position reached);
4. the MITM safety-stock rule: a medicine of major therapeutic interest must be covered by
   two months of consumption (61 days), four months (122 days) after **recurrent
   shortages — defined here as at least two distinct shortage notices (tension or rupture)
   for the product in the BDPM feed that started within the last 24 months** (the decree's
   "ruptures régulières au cours des deux dernières années"). It sets the target cover of
   the suggested order quantity;
5. a Monte-Carlo projection of the stock (:mod:`forecasting.stock_projection`, seeded named
   streams) → probability of a stock-out (*rupture*: no stock for 72 h) within 1, 2, 4 and
   8 weeks, days of cover, expected stock-out date;
6. a ranked early-warning list with the reason (supplier disruption signalled in the BDPM
   feed, demand surge, low cover, late order) and suggested actions (order quantity;
   transfer from a site with surplus in the same département, else région).

:class:`~forecasting.disruptions.SupplyDisruption` describes a what-if disruption (delay,
quota, rupture) applied to the projection on the same random numbers as the baseline, so both
can be compared: :func:`early_warnings` on a prepared ledger, or :func:`disruption_scenario`
(reads the ledger itself: the scenario layer's entry point).
:func:`backtest_warnings` replays the early warning weekly over a ledger's history and scores
it against the stock-outs that actually followed.

The package follows those steps: :mod:`~forecasting.shortages.settings` (the rules and
constants), :mod:`~forecasting.shortages.features` (the per-ledger :class:`Context`: demand,
forecasts, order history, BDPM and real ANSM signals), :mod:`~forecasting.shortages.projection`
(the state at a date and the projection inputs, disruption effects),
:mod:`~forecasting.shortages.early_warning` (probabilities, levels, reasons, actions,
territories), :mod:`~forecasting.shortages.backtest`, :mod:`~forecasting.shortages.io` (input
files) and :mod:`~forecasting.shortages.outputs` (dataset and tables), and
:mod:`~forecasting.shortages.run` (one run end to end, as ``twin shortages`` does it). The
names below stay importable from ``forecasting.shortages``.
"""

from forecasting.defaults import MAX_HORIZON_WEEKS
from forecasting.defaults import SHORTAGE_SEED as DEFAULT_SEED
from forecasting.disruptions import SupplyDisruption
from forecasting.ledger import Panel
from forecasting.shortages.backtest import BacktestResult, backtest_warnings
from forecasting.shortages.early_warning import (
    ShortageReport,
    compare,
    disruption_scenario,
    early_warnings,
    territories,
)
from forecasting.shortages.features import Context, prepare, supply_signals
from forecasting.shortages.io import load_disruptions, load_episode_truth, prepared_context
from forecasting.shortages.outputs import QUANTILES, WARNING_COLUMNS, to_dataset, warnings_frame
from forecasting.shortages.projection import State, disruption_effects, series_state
from forecasting.shortages.settings import (
    ALPHA,
    BETA,
    CLASS_WINDOW,
    LEAD_SAMPLE,
    LEVELS,
    MIN_POOLED,
    MITM_RECURRENT_SAFETY_DAYS,
    MITM_SAFETY_DAYS,
    NON_MITM_TARGET_DAYS,
    OPEN_SLOTS,
    POLICY_ORDERS,
    POOLED_SAMPLE,
    PRIOR,
    RECENT_WINDOW,
    RECURRENT_MIN_NOTICES,
    RECURRENT_WINDOW_DAYS,
    STATUS_NAMES,
    SURGE_MIN_UNITS,
    SURGE_RATIO,
    WEEKS,
)

__all__ = [
    "ALPHA", "BETA", "CLASS_WINDOW", "DEFAULT_SEED", "LEAD_SAMPLE", "LEVELS",
    "MAX_HORIZON_WEEKS", "MIN_POOLED", "MITM_RECURRENT_SAFETY_DAYS", "MITM_SAFETY_DAYS",
    "NON_MITM_TARGET_DAYS", "OPEN_SLOTS", "POLICY_ORDERS", "POOLED_SAMPLE", "PRIOR",
    "QUANTILES", "RECENT_WINDOW", "RECURRENT_MIN_NOTICES", "RECURRENT_WINDOW_DAYS",
    "STATUS_NAMES", "SURGE_MIN_UNITS", "SURGE_RATIO", "WARNING_COLUMNS", "WEEKS",
    "BacktestResult", "Context", "Panel", "ShortageReport", "State", "SupplyDisruption",
    "backtest_warnings", "compare", "disruption_effects", "disruption_scenario",
    "early_warnings", "load_disruptions", "load_episode_truth", "prepare", "prepared_context",
    "series_state", "supply_signals", "territories", "to_dataset", "warnings_frame",
]
