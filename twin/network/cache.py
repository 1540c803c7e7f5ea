"""Per-process caches of the care network: the SAE/SurSaUD inputs of a territory and its
calibrated network, keyed on hashable arguments (the model parameters included: a network
calibrated with other assumptions is another network).

Reading the tables takes seconds (the daily SurSaUD series most of it) and calibrating a
network a fraction of that; the replications of a block on one worker and the compilation of
its interventions ask for the same network, the checks of a scenario file for its capacities
(SAE tables only), so each is built once per process.
Treat the returned objects as read-only: they are shared.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from twin.network.calibrate import build_capacities, build_network
from twin.network.inputs import NetworkInputs, SaeTables, load_inputs, load_sae_tables
from twin.network.parameters import DEFAULT_PARAMETERS, ModelParameters
from twin.network.spec import Capacities, CareNetwork

INPUTS_CACHE_SIZE = 8
NETWORK_CACHE_SIZE = 32


@lru_cache(maxsize=INPUTS_CACHE_SIZE)
def sae_for(year: int, deps: tuple[str, ...]) -> SaeTables:
    """The SAE tables of ``deps`` for ``year`` (a fraction of the inputs' reading time)."""
    return load_sae_tables(year, list(deps))


@lru_cache(maxsize=INPUTS_CACHE_SIZE)
def inputs_for(year: int, deps: tuple[str, ...]) -> NetworkInputs:
    """The network inputs (SAE, SurSaUD, population, geometry) of ``deps`` for ``year``."""
    return load_inputs(year, list(deps), sae_for(year, deps))


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def capacities_for(
    year: int, deps: tuple[str, ...], parameters: ModelParameters = DEFAULT_PARAMETERS
) -> Capacities:
    """The establishments and base capacities of ``deps`` (no demand series read)."""
    return build_capacities(sae_for(year, deps), list(deps), parameters)


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def network_for(
    year: int,
    deps: tuple[str, ...],
    start: date,
    days: int,
    parameters: ModelParameters = DEFAULT_PARAMETERS,
) -> CareNetwork:
    """The network of ``deps`` for ``days`` days from ``start``, calibrated with ``parameters``."""
    return build_network(inputs_for(year, deps), list(deps), start, days, parameters)
