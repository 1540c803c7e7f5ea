"""``load_scenario``: a scenario file → the runs it stands for, in one direction:

read (:mod:`~twin.scenario.reading`: YAML, ``extends``) → validate
(:mod:`~twin.scenario.validate`: models, cross-field checks) → override
(:mod:`~twin.scenario.overrides`, when asked) → expand (:mod:`~twin.scenario.sweep`, once)
→ network checks of every variant → resolve (:mod:`~twin.scenario.resolve`: run table).
Compiling (:mod:`~twin.scenario.compile`) and running (:mod:`~twin.scenario.run`) follow,
per replication and territory block.

Every step reports every problem it finds at once, naming file, line and field
(:class:`twin.errors.DataError`); nothing is run or written before the whole file is valid.
"""

from __future__ import annotations

from pathlib import Path

from twin.scenario.model import Scenario
from twin.scenario.overrides import Overrides, override
from twin.scenario.reading import read
from twin.scenario.resolve import ResolvedScenario, resolve
from twin.scenario.sweep import Variant, expand
from twin.scenario.validate import raise_network_problems, validate


def _validated(path: Path, check_network: bool) -> tuple[Scenario, list[Variant]]:
    """The file's scenario and its variants as written, validated (network checks of every
    variant with ``check_network``)."""
    file = str(path)
    data, loc = read(path)
    scenario = validate(data, loc, file, network=False)
    variants = expand(scenario, loc, file)
    if check_network:
        for v in variants:
            raise_network_problems(v.scenario, loc, file)
    return scenario, variants


def load_scenario(
    path: str | Path, *, check_network: bool = True, overrides: Overrides | None = None
) -> list[ResolvedScenario]:
    """The runs of one scenario file (one, or one per combination of its ``sweep``).

    ``check_network=False`` skips the checks against the care network (FINESS codes,
    resources held, capacity going negative), which read the SAE tables. With
    ``overrides``, the file is validated as written (its variants too, without the network
    checks), then the overridden scenario is validated (network included) and expanded."""
    path = Path(path)
    scenario, variants = _validated(path, check_network and overrides is None)
    if overrides is not None:
        scenario = override(scenario, overrides, check_network=check_network, file=str(path))
        variants = expand(scenario)
    return resolve(scenario.name, variants)


def check_scenario(path: str | Path, *, check_network: bool = True) -> Scenario:
    """The validated scenario of a file as written, ``sweep`` included (for editors such as
    the dashboard form: the same checks and messages as :func:`load_scenario`)."""
    return _validated(Path(path), check_network)[0]
