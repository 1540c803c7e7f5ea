"""The territorial care network a replication simulates, in four modules with one job each:

* :mod:`~twin.network.parameters` — the model assumptions (:class:`ModelParameters`) and the
  hospital/SAMU :class:`Policy`, each declared once with its default, bounds and reason;
* :mod:`~twin.network.spec` — the network as plain immutable data (:class:`CareNetwork` and
  its ward, ED, establishment and territory specs);
* :mod:`~twin.network.inputs` — the I/O: the tidy SAE/SurSaUD/INSEE tables it is calibrated
  from (:func:`load_inputs`);
* :mod:`~twin.network.calibrate` — :func:`build_network`, pure, whose docstring explains how
  every figure is calibrated from the year of data it reproduces;

and :mod:`~twin.network.cache`, the per-process caches of inputs and calibrated networks.
"""

from twin.network.calibrate import build_network, ed_icu_admissions_per_year, travel_hours
from twin.network.inputs import NetworkInputs, default_network_path, dep_geometry, load_inputs
from twin.network.parameters import DEFAULT_PARAMETERS, ModelParameters, Policy
from twin.network.spec import (
    AGE_CLASSES,
    DISCIPLINES,
    CareNetwork,
    EDSpec,
    EstablishmentSpec,
    TerritorySpec,
    WardSpec,
)

__all__ = [
    "AGE_CLASSES", "DEFAULT_PARAMETERS", "DISCIPLINES", "CareNetwork", "EDSpec",
    "EstablishmentSpec", "ModelParameters", "NetworkInputs", "Policy", "TerritorySpec",
    "WardSpec", "build_network", "default_network_path", "dep_geometry",
    "ed_icu_admissions_per_year", "load_inputs", "travel_hours",
]
