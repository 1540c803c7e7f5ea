"""Batch results stores: discovery, validation against the contract, cached reads.

The contract is ``docs/reference-outputs.md`` (« The results store »): one zarr store per
batch with dimensions ``scenario`` (baseline first, attr ``baseline``), ``replication``,
``dep`` (coords ``reg``, ``dep_name``), ``date``, ``block``, a ``completed`` mask, and float
variables ``(scenario, replication, dep, date)``.

Security: a store is chosen in the browser by an *identifier* that must be a key of
:meth:`Catalog.stores`, built by scanning the results folder on the server; a path is never
built from what the browser sends. Speed: indicator parts are cached per
(store, completion state, scenario, indicator, level) in a byte-bounded LRU, so a map, a
time series and a ranking drawn from the same indicator read the store once; the
completion state (a digest of the ``completed`` mask) makes a store still being written by
a running batch refresh by itself as tasks finish.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from dashboard import stats
from dashboard.catalogue import BY_NAME, Indicator
from twin.geography import departements, regions

FORMAT_VERSION = 1
REQUIRED_DIMS = ("scenario", "replication", "dep", "date")
CACHE_BYTES = 768 * 2**20
COMPLETION_TTL_S = 2.0


class StoreError(Exception):
    """A store that does not follow the contract (shown to the user, never a traceback)."""


class ByteLRU:
    """Thread-safe LRU bounded by the bytes of the numpy arrays it holds."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _size(value: Any) -> int:
        if isinstance(value, np.ndarray):
            return int(value.nbytes)
        if isinstance(value, dict):
            return sum(ByteLRU._size(v) for v in value.values())
        return 64

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key][0]
        value = compute()  # outside the lock: other keys are served meanwhile
        size = self._size(value)
        with self._lock:
            self.misses += 1
            if key not in self._items:
                self._items[key] = (value, size)
                self._bytes += size
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, s) = self._items.popitem(last=False)
                self._bytes -= s
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


@dataclass
class Store:
    """One opened, validated store."""

    id: str
    path: Path
    ds: xr.Dataset
    scenarios: tuple[str, ...]
    baseline: str
    deps: tuple[str, ...]
    dates: pd.DatetimeIndex
    replications: int
    variables: frozenset[str]
    scenario_specs: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _completion_cache: tuple[np.ndarray, str, float] | None = field(default=None, repr=False)

    @property
    def regs(self) -> tuple[str, ...]:
        ref = departements()
        return tuple(sorted({ref.at[d, "reg"] for d in self.deps}))

    def dep_names(self) -> dict[str, str]:
        ref = departements()
        return {d: str(ref.at[d, "nom"]) for d in self.deps}

    def territories(self, level: str) -> tuple[str, ...]:
        return self.deps if level == "dep" else self.regs

    def members(self, level: str) -> dict[str, list[str]]:
        """The store's départements in each territory of ``level`` (``dep``: itself)."""
        if level == "dep":
            return {d: [d] for d in self.deps}
        ref = departements()
        return {r: [d for d in self.deps if ref.at[d, "reg"] == r] for r in self.regs}

    def territory_names(self, level: str) -> dict[str, str]:
        if level == "dep":
            return self.dep_names()
        ref = regions()
        return {r: str(ref.at[r, "nom"]) for r in self.regs}

    def _completion(self) -> tuple[np.ndarray, str]:
        """(scenario, replication, block) mask and its digest, re-read at most every
        :data:`COMPLETION_TTL_S` while the batch is incomplete, never once it is complete."""
        now = time.monotonic()
        with self._lock:
            cached = self._completion_cache
            if cached is not None and (cached[0].all() or now - cached[2] < COMPLETION_TTL_S):
                return cached[0], cached[1]
            if "completed" not in self.ds:
                mask = np.ones((len(self.scenarios), self.replications, 1), dtype=bool)
                token = "static"
            else:
                raw = open_zarr(self.path)["completed"].values
                mask = np.asarray(raw, dtype=bool)
                if mask.ndim == 2:
                    mask = mask[:, :, None]
                token = hashlib.blake2b(np.packbits(mask).tobytes(),
                                        digest_size=8).hexdigest()
            self._completion_cache = (mask, token, now)
            return mask, token

    def completed(self) -> np.ndarray:
        """(scenario, replication) True where every block of the cell is written."""
        return self._completion()[0].all(axis=2)

    def state_token(self) -> str:
        """Digest of the completion mask: changes when a running batch writes a task."""
        return self._completion()[1]

    def read(self, var: str, scenario: str) -> np.ndarray:
        """(replication, dep, date) float array of one variable for one scenario."""
        if var not in self.variables or scenario not in self.scenarios:
            raise KeyError(f"{var!r} / {scenario!r} not in store {self.id}")
        # A store still being written is re-opened so that the new tasks are seen.
        ds = self.ds if self._completion()[0].all() else open_zarr(self.path)
        arr = ds[var].sel(scenario=scenario).transpose("replication", "dep", "date")
        return np.asarray(arr.values, dtype=np.float32)


def open_zarr(path: Path | str) -> xr.Dataset:
    """``xr.open_zarr`` without dask, quiet about stores written without consolidated
    metadata (the contract does not require it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*consolidated metadata.*")
        return xr.open_zarr(path, chunks=None)


def _json_attr(attrs: dict[str, Any], key: str) -> Any:
    value = attrs.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def open_store(path: Path, store_id: str) -> Store:
    """Open and check a store; :class:`StoreError` names what is wrong."""
    try:
        ds = open_zarr(path)
    except Exception as exc:  # zarr raises many types for a folder that is not a store
        raise StoreError(f"{path}: not a readable zarr store ({exc.__class__.__name__})"
                           ) from None
    missing = [d for d in REQUIRED_DIMS if d not in ds.dims]
    if missing:
        raise StoreError(f"{path}: expected dimensions {', '.join(REQUIRED_DIMS)}, "
                           f"missing {', '.join(missing)}")
    version = ds.attrs.get("twin_format_version")
    if version is None or int(version) != FORMAT_VERSION:
        raise StoreError(f"{path}: expected twin_format_version {FORMAT_VERSION}, "
                           f"found {version!r}")
    scenarios = tuple(str(s) for s in ds["scenario"].values)
    baseline = str(ds.attrs.get("baseline", scenarios[0] if scenarios else ""))
    if baseline not in scenarios:
        raise StoreError(f"{path}: attribute baseline names {baseline!r}, which is not one "
                           f"of the scenarios {', '.join(scenarios)}")
    deps = tuple(str(d) for d in ds["dep"].values)
    unknown = [d for d in deps if d not in departements().index]
    if unknown:
        raise StoreError(f"{path}: unknown département code(s) {', '.join(unknown[:5])}")
    variables = frozenset(
        k for k, v in ds.data_vars.items() if v.dims == ("scenario", "replication", "dep",
                                                         "date")
    )
    specs = _json_attr(ds.attrs, "scenarios")
    return Store(
        id=store_id, path=path, ds=ds, scenarios=scenarios, baseline=baseline, deps=deps,
        dates=pd.DatetimeIndex(ds["date"].values), replications=int(ds.sizes["replication"]),
        variables=variables, scenario_specs=specs if isinstance(specs, dict) else {},
    )


class Catalog:
    """The stores found under a results folder, by identifier, with the shared cache."""

    def __init__(self, root: Path, cache_bytes: int = CACHE_BYTES) -> None:
        root = Path(root)
        self.single = root if root.name.endswith(".zarr") else None
        self.root = root.parent if self.single else root
        self.cache = ByteLRU(cache_bytes)
        self._stores: dict[str, Store] = {}
        self.problems: dict[str, str] = {}
        self._lock = threading.Lock()
        self.refresh()

    def _candidates(self) -> dict[str, Path]:
        if self.single is not None:
            return {self.single.name.removesuffix(".zarr"): self.single}
        if not self.root.is_dir():
            return {}
        found = sorted(p for p in self.root.glob("*.zarr") if p.is_dir())
        found += sorted(p for p in self.root.glob("runs/*/*.zarr") if p.is_dir())
        out: dict[str, Path] = {}
        for p in found:
            rel = p.relative_to(self.root).as_posix().removesuffix(".zarr")
            out[rel] = p
        return out

    def refresh(self) -> None:
        """Rescan the folder (new runs appear without restarting the server)."""
        candidates = self._candidates()
        with self._lock:
            for sid, path in candidates.items():
                if sid in self._stores:
                    continue  # a store that failed is retried: a run may be writing it
                try:
                    self._stores[sid] = open_store(path, sid)
                    self.problems.pop(sid, None)
                except StoreError as exc:
                    self.problems[sid] = str(exc)
            for sid in list(self._stores):
                if sid not in candidates:
                    del self._stores[sid]
            for sid in list(self.problems):
                if sid not in candidates:
                    del self.problems[sid]

    def forget(self, store_id: str) -> None:
        """Drop a store so that the next refresh re-opens it (a run that has finished)."""
        with self._lock:
            self._stores.pop(store_id, None)
            self.problems.pop(store_id, None)

    def stores(self) -> dict[str, Store]:
        with self._lock:
            return dict(self._stores)

    def get(self, store_id: object) -> Store | None:
        """The store for an identifier sent by the browser, or None if it is not one of ours."""
        if not isinstance(store_id, str):
            return None
        return self.stores().get(store_id)

    def default_id(self) -> str | None:
        ids = list(self.stores())
        return ids[0] if ids else None

    # --- cached indicator data ------------------------------------------------------------

    def parts(self, store: Store, scenario: str, ind: Indicator, level: str) -> stats.Parts:
        """Indicator parts (rep, territory, date) for one scenario at ``dep`` or ``reg``."""
        if scenario not in store.scenarios:
            raise KeyError(scenario)
        token = store.state_token()
        key = (store.id, str(store.path), token, scenario, ind.name, level)

        def compute() -> stats.Parts:
            raw = {v: self._raw(store, token, v, scenario) for v in ind.needs()}
            matrix = None
            if level == "reg":
                matrix = stats.group_matrix(store.deps, store.members("reg"))
            elif level == "nation":
                matrix = np.ones((1, len(store.deps)))
            parts = stats.make_parts(ind, raw, matrix)
            return _mask_incomplete(parts, store, scenario)

        return self.cache.get_or_compute(key, compute)

    def _raw(self, store: Store, token: str, var: str, scenario: str) -> np.ndarray:
        return self.cache.get_or_compute(
            ("raw", store.id, str(store.path), token, scenario, var),
            lambda: store.read(var, scenario))


def _mask_incomplete(parts: stats.Parts, store: Store, scenario: str) -> stats.Parts:
    """NaN for replications not yet completely written (a batch still running)."""
    done = store.completed()[store.scenarios.index(scenario)]
    if done.all():
        return parts
    return {k: np.where(done[:, None, None], v, np.nan) for k, v in parts.items()}


def indicator(name: object, store: Store) -> Indicator | None:
    """The whitelisted indicator for a name sent by the browser, if the store can compute it."""
    if not isinstance(name, str) or name not in BY_NAME:
        return None
    ind = BY_NAME[name]
    return ind if set(ind.needs()) <= store.variables else None
