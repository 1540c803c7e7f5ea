"""``twin batch MANIFEST.yaml``: the file that names a batch's scenarios, size and cluster.

Example (paths are relative to the manifest's folder)::

    name: hiver-hdf
    scenarios: [../scenarios/baseline.yaml, ../scenarios/reanimation-moins-20.yaml]
    baseline: baseline            # default: the first scenario
    replications: 50              # default: the scenarios' own (they must agree)
    territories: {regions: ["32"]}  # default: the scenarios' own (they must agree)
    period: {days: 14}            # optional override of start / days / warmup_days
    store: ../results/hiver-hdf.zarr
    cluster:
      kind: slurm                 # or local
      workers: 8                  # SLURM: jobs of one worker each
      slurm: {account: ars-hdf, queue: standard, walltime: "02:00:00", memory: 4GB,
              prologue: ["module load python/3.12"], lifetime: 110m, lifetime_stagger: 5m}
    schedule:                     # for `twin batch MANIFEST --schedule sbatch|scrontab`
      cron: "30 2 * * 1"          # every Monday at 02:30
      prologue: ["rsync -a entrepot:/exports/sursaud/ data/real/"]

Validated with the same YAML reader as scenarios (YAML 1.1 traps refused, lines kept) into
frozen pydantic models that reject unknown keys; every problem names the file, line and
field, what was expected and what was found.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from twin.batch.cluster import ClusterSettings
from twin.errors import DataError, DataProblem, problem
from twin.plausibility import BOUND_ERRORS, field_bound, plain_expected
from twin.scenario.model import Territories
from twin.yamlio import Located, PlausibleDate, describe, dotted, load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodOverride(_Strict):
    start: PlausibleDate | None = Field(None, description="First simulated day (YYYY-MM-DD).")
    days: int | None = Field(
        None, ge=1, le=3660, strict=True, description="Simulated days, warm-up included."
    )
    warmup_days: int | None = Field(
        None, ge=0, strict=True, description="Leading days left out."
    )


class Schedule(_Strict):
    """A recurring run (see :mod:`twin.batch.schedule`)."""

    cron: str = Field(
        "30 2 * * *",
        pattern=r"^\S+ \S+ \S+ \S+ \S+$",
        description="When, as five cron fields (minute hour day month weekday).",
    )
    prologue: tuple[str, ...] = Field(
        (), description="Shell lines run first, e.g. to copy this week's data exports."
    )


class Manifest(_Strict):
    """A batch: scenarios, replications, territories, output store, cluster settings."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._=%+-]*$", description="Batch name.")
    description: str | None = Field(None, description="What the batch is for (French).")
    scenarios: tuple[str, ...] = Field(min_length=1, description="Scenario files.")
    baseline: str | None = Field(None, description="Baseline scenario name (default: first).")
    replications: int | None = Field(None, ge=1, le=100_000, strict=True, description="Override.")
    territories: Territories | None = Field(None, description="Override of every scenario's.")
    period: PeriodOverride | None = Field(None, description="Override of every scenario's.")
    store: str = Field(description="Output zarr store (a folder ending in .zarr).")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    schedule: Schedule | None = Field(None, description="Recurring run settings.")


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest; raise :class:`DataError` listing every problem."""
    path = Path(path)
    data, loc = load_yaml(path)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise DataError(_problems(exc, loc, str(path))) from None
    if not manifest.store.rstrip("/").endswith(".zarr"):
        f, line = loc.find(("store",), str(path))
        raise DataError(
            [problem(f, "a store path ending in .zarr", repr(manifest.store), line, "store")]
        )
    missing = []
    for k, s in enumerate(manifest.scenarios):
        if not (path.parent / s).is_file():
            f, line = loc.find(("scenarios", k), str(path))
            missing.append(
                problem(
                    f,
                    "a scenario file (relative to the manifest)",
                    f"{s!r}: no such file",
                    line,
                    f"scenarios[{k}]",
                )
            )
    if missing:
        raise DataError(missing)
    return manifest


def _problems(exc: ValidationError, loc: Located, file: str) -> list[DataProblem]:
    out = []
    for err in exc.errors():
        where = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        f, line = loc.find(where, file)
        if err["type"] == "extra_forbidden":
            expected = "a known field"
            found = f"unknown key {where[-1]!r}"
        elif err["type"] == "missing":
            expected = f"a value for {where[-1]}"
            found = "nothing (the field is missing)"
        elif err["type"] in BOUND_ERRORS and field_bound(where) is not None:
            expected = field_bound(where).expected()
            found = describe(err.get("input"))
        else:
            expected = plain_expected(err)
            found = describe(err.get("input"))
        out.append(problem(f, expected, found, line, dotted(where)))
    return out


def scenario_paths(manifest: Manifest, manifest_path: Path) -> list[Path]:
    return [(Path(manifest_path).parent / s).resolve() for s in manifest.scenarios]


def store_path(manifest: Manifest, manifest_path: Path) -> Path:
    return (Path(manifest_path).parent / manifest.store).resolve()
