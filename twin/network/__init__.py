"""The territorial care network a replication simulates, in four modules with one job each:

* :mod:`~twin.network.parameters` — the model assumptions (:class:`ModelParameters`) and the
  hospital/SAMU :class:`Policy`, each declared once with its default, bounds and reason;
* :mod:`~twin.network.spec` — the network as plain immutable data (:class:`CareNetwork` and
  its ward, ED, establishment and territory specs; :class:`Capacities`, the part of it a
  scenario file is checked against);
* :mod:`~twin.network.inputs` — the I/O: the tidy SAE/SurSaUD/INSEE tables it is calibrated
  from (:func:`load_inputs`);
* :mod:`~twin.network.calibrate` — :func:`build_network` (and its first step,
  :func:`build_capacities`), pure, whose docstring explains how every figure is calibrated
  from the year of data it reproduces;

and :mod:`~twin.network.cache`, the per-process caches of inputs and calibrated networks.
"""

from twin.network.calibrate import (
    build_capacities,
    build_network,
    ed_icu_admissions_per_year,
    travel_hours,
)
from twin.network.inputs import (
    NetworkInputs,
    SaeTables,
    load_inputs,
    load_sae_tables,
)
from twin.network.parameters import DEFAULT_PARAMETERS, ModelParameters, Policy
from twin.network.spec import (
    AGE_CLASSES,
    DISCIPLINES,
    Capacities,
    CareNetwork,
    EDSpec,
    EstablishmentSpec,
    SamuCapacity,
    TerritorySpec,
    WardSpec,
)

__all__ = [
    "AGE_CLASSES", "DEFAULT_PARAMETERS", "DISCIPLINES", "Capacities", "CareNetwork", "EDSpec",
    "EstablishmentSpec", "ModelParameters", "NetworkInputs", "Policy", "SaeTables",
    "SamuCapacity", "TerritorySpec", "WardSpec", "build_capacities", "build_network",
    "ed_icu_admissions_per_year", "load_inputs", "load_sae_tables", "travel_hours",
]
