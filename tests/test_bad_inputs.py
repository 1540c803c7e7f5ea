"""Bad inputs found by an adversarial pass (issue 12), each through the real command line.

Every case builds its inputs in a fresh folder (plus, for the store cases, a copy of one
small results store made once by ``twin run``), runs ``python -m twin ...`` in that folder,
and asserts the promise of the project for bad input:

* exit status 2 and no Python traceback;
* one message that says what was expected and what was found, naming the place (the file
  and line, the field, or the command-line option);
* nothing written: every file of the folder and of the store is byte-identical afterwards
  (sha-256 of every file), and no file appeared.

Then hypothesis feeds the YAML reader and the CSV table reader arbitrary and mutated
input: they must return or raise :class:`~twin.errors.DataError`, never anything else.
Finally the dashboard's server answers hostile requests with a 4xx and a one-line log.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.errors import DataError
from twin.sources.ledger import default_ledger_path

REPO = Path(__file__).resolve().parent.parent
SAE_2023 = REPO / "data" / "real" / "sae" / "2023"
LEDGER = default_ledger_path()
SURSAUD = (REPO / "data" / "synthetic" / "sursaud"
           / "sursaud-corona-quot-dep-2024-12-31-19h00.csv.gz")

SCENARIO = """\
name: corse-ref
description: Référence Corse.
territories:
  regions: ["94"]
period:
  start: 2024-01-08
  days: 3
replications: 1
seed: 11
"""


def twin(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TWIN_DATA_DIR"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "twin", *args], cwd=cwd, env=env, capture_output=True,
        text=True, encoding="utf-8", timeout=300,
    )


def checksums(*roots: Path) -> dict[str, str]:
    """sha-256 of every file under ``roots`` (and the list of entries, so a new file shows)."""
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A small real results store (Corse, 1 replication, 3 days), made once."""
    folder = tmp_path_factory.mktemp("store")
    (folder / "corse-ref.yaml").write_text(SCENARIO, encoding="utf-8")
    run = twin(["run", "corse-ref.yaml", "--out", "ref.zarr", "--quiet", "--workers", "1"],
               folder)
    assert run.returncode == 0, run.stderr
    return folder / "ref.zarr"


# --------------------------------------------------------------------------- inputs


def scenario(extra: str = "", **lines: str) -> str:
    """The small Corse scenario with some lines replaced (by key) and ``extra`` appended."""
    out = []
    for line in SCENARIO.splitlines(keepends=True):
        key = line.strip().split(":", 1)[0]
        out.append(line[: len(line) - len(line.lstrip())] + lines[key] + "\n"
                   if key in lines else line)
    return "".join(out) + extra


def _sae_copy(ws: Path, *names: str) -> Path:
    folder = ws / "sae"
    folder.mkdir()
    for n in ("ID", *names):
        (folder / f"{n}_2023r.csv").write_bytes((SAE_2023 / f"{n}_2023r.csv").read_bytes())
    return folder


def _edit_sae(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    text = path.read_bytes().decode("latin-1")
    path.write_bytes("\r\n".join(edit(text.split("\r\n"))).encode("latin-1"))


def _set_cell(lines: list[str], line_no: int, column: str, value: str) -> list[str]:
    header = lines[0].split(";")
    fields = lines[line_no - 1].split(";")
    fields[header.index(column)] = value
    lines[line_no - 1] = ";".join(fields)
    return lines


def _drop_column(lines: list[str], column: str) -> list[str]:
    i = lines[0].split(";").index(column)
    return [";".join(f for k, f in enumerate(ln.split(";")) if k != i) if ln else ln
            for ln in lines]


with gzip.open(SURSAUD, "rb") as _fh:
    SURSAUD_HEADER = _fh.readline()


def _ledger_head(n: int) -> bytes:
    with gzip.open(LEDGER, "rb") as fh:
        return b"".join(fh.readline() for _ in range(n))


def _laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def _manifest(extra: str) -> str:
    return "name: lot\nscenarios: [corse-ref.yaml]\nstore: lot.zarr\n" + extra


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(ws, store)`` writes the inputs in ``ws`` and returns the
    arguments of ``twin``; the message must contain every string of ``says``."""

    id: str
    build: Callable[[Path, Path], list[str]]
    says: tuple[str, ...]


def _file(name: str, text: str | bytes, *args: str, command: tuple[str, ...] = ()):
    def build(ws: Path, store: Path) -> list[str]:
        path = ws / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        (ws / "corse-ref.yaml").write_text(SCENARIO, encoding="utf-8")
        return [*command, name, *args]

    return build


CHECK = ("scenario", "check")
NO_NET = ("--no-network",)


def _sc(name: str, text: str | bytes) -> Callable:
    return _file(name, text, *NO_NET, command=CHECK)


def _store_case(args: Callable[[Path, Path], list[str]]) -> Callable:
    """Cases on a copy of the store inside ``ws`` (checked byte for byte afterwards)."""
    import shutil

    def build(ws: Path, store: Path) -> list[str]:
        shutil.copytree(store, ws / "ref.zarr")
        return args(ws, ws / "ref.zarr")

    return build


def _sae_case(edit: Callable[[Path], None], *names: str, command: str = "check"):
    def build(ws: Path, store: Path) -> list[str]:
        folder = _sae_copy(ws, *names)
        edit(folder)
        if command == "summary":
            return ["summary", "--sae", "sae"]
        return ["data", "check", "sae"]

    return build


def _gz_in_csv(folder: Path) -> None:
    p = folder / "URGENCES2_2023r.csv"
    p.write_bytes(gzip.compress(p.read_bytes()))


def _nul_in_line(folder: Path) -> None:
    _edit_sae(folder / "URGENCES2_2023r.csv",
              lambda ls: [*ls[:5], ls[5][:20] + "\x00" + ls[5][20:], *ls[6:]])


def _foreign(ws: Path, rel: str, text: str = "mine\n") -> Path:
    p = ws / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def _ledger_case(data: bytes, *extra: str, name: str = "mouvements_stock_x.csv",
                 command: str = "shortages"):
    def build(ws: Path, store: Path) -> list[str]:
        (ws / name).write_bytes(data)
        if command == "check":
            return ["data", "check", name]
        return ["shortages", "--ledger", name, "--out", "ruptures", *extra]

    return build


def _ledger_inf() -> bytes:
    lines = _ledger_head(400).split(b"\n")
    fields = lines[4].split(b";")
    fields[6] = b"inf"  # dispense
    lines[4] = b";".join(fields)
    return b"\n".join(lines)


def _disruption(text: str):
    def build(ws: Path, store: Path) -> list[str]:
        (ws / "mouvements_stock_x.csv").write_bytes(_ledger_head(3000))
        (ws / "perturbation.yaml").write_text(text, encoding="utf-8")
        return ["shortages", "--ledger", "mouvements_stock_x.csv", "--disruption",
                "perturbation.yaml", "--out", "ruptures", "--paths", "10"]

    return build


DISRUPTION = "- product: paracetamol_1g_cp\n  kind: rupture\n  start: {start}\n  end: 2021-03-31\n"

CASES = [
    # --- YAML: dates, tags, resources (scenario check, run, batch, shortages) -----------
    Case("scenario-date-feb-30", _sc("s.yaml", scenario(start="start: 2024-02-30")),
         ("s.yaml:6", "period.start", "2024-02-30", "February 2024 has 29 days")),
    Case("scenario-date-month-13", _sc("s.yaml", scenario(start="start: 2024-13-01")),
         ("s.yaml:6", "period.start", "no month 13")),
    Case("scenario-date-9999", _sc("s.yaml", scenario(start="start: 9999-12-30")),
         ("s.yaml:6", "period.start", "9999-12-30", "2262")),
    Case("scenario-quoted-date-9999", _sc("s.yaml", scenario(start='start: "9999-12-30"')),
         ("s.yaml:6", "period.start", "to 2200-12-31", "9999-12-30")),
    Case("scenario-tag-python", _sc("s.yaml", scenario(seed="seed: !!python/name:os.system")),
         ("s.yaml:9", "without tags", "!!python/name:os.system")),
    Case("scenario-tag-float", _sc("s.yaml", scenario(days='days: !!float "abc"')),
         ("s.yaml:7", "without tags", "!!float")),
    Case("scenario-tag-custom", _sc("s.yaml", scenario(seed="seed: !foo 11")),
         ("s.yaml:9", "without tags", "!foo")),
    Case("scenario-5000-brackets", _sc("s.yaml", "a: " + "[" * 5000 + "\n"),
         ("s.yaml:1", "nested lists or mappings")),
    Case("scenario-billion-laughs", _sc("s.yaml", _laughs()),
         ("s.yaml", "once aliases are expanded")),
    Case("scenario-too-many-aliases",
         _sc("s.yaml", "a: &a 1\nb: [" + ", ".join(["*a"] * 150) + "]\n"),
         ("s.yaml:2", "at most 100 aliases")),
    Case("scenario-too-large", _sc("s.yaml", SCENARIO + "# " + "x" * 1_100_000 + "\n"),
         ("s.yaml", "at most 1,000,000 bytes")),
    Case("scenario-latin1", _sc("s.yaml", SCENARIO.encode("latin-1")),
         ("s.yaml:2", "UTF-8", "byte offset 30", "0xe9")),
    Case("scenario-nul-byte", _sc("s.yaml", SCENARIO.replace("Corse", "Co\x00rse")),
         ("s.yaml:2", "NUL byte")),
    Case("scenario-folder",
         lambda ws, st_: (ws / "dossier.yaml").mkdir() or [*CHECK, "dossier.yaml"],
         ("dossier.yaml", "a folder")),
    Case("scenario-device", lambda ws, s: [*CHECK, "/dev/zero", *NO_NET],
         ("/dev/zero", "not a regular file")),
    Case("run-date-feb-30",
         _store_case(lambda ws, s: (ws / "s.yaml").write_text(
             scenario(start="start: 2024-02-30"), encoding="utf-8")
             and ["run", "s.yaml", "--out", "ref.zarr", "--resume", "--quiet"]),
         ("s.yaml:6", "period.start", "2024-02-30")),
    Case("batch-date-feb-30",
         _file("lot.yaml", _manifest("period:\n  start: 2024-02-30\n"), command=("batch",)),
         ("lot.yaml:5", "period.start", "February 2024 has 29 days")),
    Case("batch-replications-true",
         _file("lot.yaml", _manifest("replications: true\n"), command=("batch",)),
         ("lot.yaml:4", "replications", "found true", "Monte-Carlo")),
    Case("batch-tag", _file("lot.yaml", _manifest("cluster: !!python/object:os.system {}\n"),
                            command=("batch",)),
         ("lot.yaml:4", "without tags")),
    Case("batch-no-scenario", _file("lot.yaml", "name: lot\nscenarios: []\nstore: l.zarr\n",
                                    command=("batch",)),
         ("lot.yaml:2", "scenarios", "at least 1 item")),
    Case("disruption-date-month-13", _disruption(DISRUPTION.format(start="2021-13-01")),
         ("perturbation.yaml:3", "no month 13")),
    Case("disruption-tag", _disruption(DISRUPTION.format(start="!!timestamp 2021-01-01")),
         ("perturbation.yaml:3", "without tags")),
    Case("disruption-quota-above-1",
         _disruption(DISRUPTION.format(start="2021-02-01").replace("rupture", "quota")
                     + "  quota_share: 2\n"),
         ("perturbation.yaml:5", "quota_share", "at most 1")),
    Case("disruption-unknown-product",
         _disruption(DISRUPTION.format(start="2021-02-01").replace("paracetamol_1g_cp",
                                                                     "produit_inconnu")),
         ("perturbation.yaml:1", "disruptions[0].product", "produit_inconnu")),
    # --- scenario plausibility --------------------------------------------------------------
    Case("scenario-replications-true", _sc("s.yaml", scenario(replications="replications: true")),
         ("s.yaml:8", "replications", "found true", "Monte-Carlo")),
    Case("scenario-replications-1e30",
         _sc("s.yaml", scenario(replications="replications: 1.0e+30")),
         ("s.yaml:8", "replications", "1e+30")),
    Case("scenario-capacity-billion-percent",
         _sc("s.yaml", scenario("interventions:\n  - type: capacity_change\n    resource: icu\n"
                                "    change: +1000000000%\n")),
         ("s.yaml:13", "interventions[0].change", "+1000000000%", "eleven times")),
    Case("scenario-billion-beds",
         _sc("s.yaml", scenario("interventions:\n  - type: capacity_change\n    resource: icu\n"
                                "    beds: 1000000000\n")),
         ("s.yaml:13", "interventions[0].beds", "1000000000", "région")),
    Case("scenario-shock-peak-6-years-out",
         _sc("s.yaml", scenario("interventions:\n  - type: demand_shock\n    kind: epidemic\n"
                                "    shape:\n      curve: gaussian\n      peak: 2030-01-15\n"
                                "      width_days: 10\n      peak_multiplier: 1.3\n")),
         ("s.yaml:15", "shape.peak", "2030-01-15", "days away")),
    Case("scenario-sweep-variant",
         _sc("s.yaml", scenario("interventions:\n  - id: rea\n    type: capacity_change\n"
                                "    resource: icu\n    change: -10%\nsweep:\n  parameters:\n"
                                "    - parameter: interventions.rea.change\n"
                                '      values: ["-10%", "+5000%"]\n')),
         ("s.yaml:18", "interventions[0].change", "in sweep variant corse-ref--change=+5000%")),
    Case("scenario-nan-threshold",
         _sc("s.yaml", scenario("policy:\n  plan_blanc_on: .nan\n")),
         ("s.yaml:11", "policy.plan_blanc_on", "nan")),
    Case("scenario-infinite-width",
         _sc("s.yaml", scenario("interventions:\n  - type: demand_shock\n    kind: epidemic\n"
                                "    shape:\n      curve: gaussian\n      peak: 2024-01-09\n"
                                "      width_days: .inf\n      peak_multiplier: 1.3\n")),
         ("s.yaml:16", "width_days", "a number above 0")),
    # --- command-line options ---------------------------------------------------------------
    Case("run-days-100000", _file("s.yaml", SCENARIO, "--days", "100000", command=("run",)),
         ("--days", "1 to 3,660 days", "100000")),
    Case("run-replications-true", _file("s.yaml", SCENARIO, "--replications", "true",
                                        command=("run",)),
         ("--replications", "'true'")),
    Case("run-out-under-a-file",
         lambda ws, s: _foreign(ws, "rapport.txt") and [
             "run", *_file("s.yaml", SCENARIO)(ws, s), "--out", "rapport.txt/r.zarr"],
         ("--out", "rapport.txt is an existing file")),
    Case("forecast-horizon-100000", lambda ws, s: ["forecast", "--horizon", "100000"],
         ("--horizon", "1 to 366 days", "100000")),
    Case("forecast-origin-2040",
         lambda ws, s: ["forecast", "--territories", "2A", "--method", "naive",
                        "--origin", "2040-01-01", "--out", "prev"],
         ("--origin", "2040-01-01", "days after it")),
    Case("forecast-out-under-a-file",
         lambda ws, s: _foreign(ws, "rapport.txt") and [
             "forecast", "--territories", "2A", "--out", "rapport.txt/prev"],
         ("--out", "rapport.txt is an existing file")),
    Case("forecast-out-over-foreign-csv",
         lambda ws, s: _foreign(ws, "prev/forecast_ed.csv") and [
             "forecast", "--territories", "2A", "--method", "naive", "--out", "prev"],
         ("--out", "forecast_ed.csv", "--force")),
    Case("compare-thresholds-nan",
         _store_case(lambda ws, s: ["compare", "ref.zarr", "--thresholds", "nan",
                                    "--out", "c.csv"]),
         ("--thresholds", "nan")),
    Case("compare-out-existing-store",
         _store_case(lambda ws, s: (__import__("shutil").copytree(s, ws / "autre.zarr")
                                    and ["compare", "ref.zarr", "--out", "autre.zarr"])),
         ("--out", "autre.zarr", "did not write", "--force")),
    Case("compare-out-store-metadata",
         _store_case(lambda ws, s: ["compare", "ref.zarr", "--out", "ref.zarr/.zmetadata"]),
         ("--out", "inside the store")),
    Case("compare-out-foreign-csv",
         _store_case(lambda ws, s: _foreign(ws, "notes.csv", "a,b\n1,2\n") and [
             "compare", "ref.zarr", "--out", "notes.csv"]),
         ("--out", "notes.csv", "did not write")),
    Case("compare-out-is-the-store",
         _store_case(lambda ws, s: ["compare", "ref.zarr", "--out", "ref.zarr"]),
         ("--out", "other than the store")),
    Case("shortages-out-over-foreign-csv",
         lambda ws, s: _foreign(ws, "ruptures/alertes.csv") and ["shortages", "--out",
                                                                  "ruptures"],
         ("--out", "alertes.csv", "--force")),
    Case("batch-schedule-out-over-foreign-file",
         lambda ws, s: _foreign(ws, "job.sh", "#!/bin/sh\necho mine\n") and [
             "batch", *_file("lot.yaml", _manifest(""))(ws, s), "--schedule", "sbatch",
             "--schedule-out", "job.sh"],
         ("--schedule-out", "job.sh", "--force")),
    Case("dashboard-results-missing",
         lambda ws, s: ["dashboard", "--results", "absent"],
         ("--results absent", "no such file or folder")),
    Case("dashboard-results-file",
         lambda ws, s: _foreign(ws, "r.txt") and ["dashboard", "--results", "r.txt"],
         ("--results r.txt", "a file")),
    Case("dashboard-results-not-a-store",
         lambda ws, s: _foreign(ws, "dossier/notes.txt") and [
             "dashboard", "--results", "dossier"],
         ("--results dossier", "without any .zarr results store")),
    # --- data files ---------------------------------------------------------------------------
    Case("sae-passu-1e30",
         _sae_case(lambda f: _edit_sae(f / "URGENCES2_2023r.csv",
                                       lambda ls: _set_cell(ls, 2, "PASSU", "1e30")),
                   "URGENCES2"),
         ("URGENCES2_2023r.csv:2", "1e+30", "establishment")),
    Case("sae-passu-1e30-summary",
         _sae_case(lambda f: _edit_sae(f / "URGENCES2_2023r.csv",
                                       lambda ls: _set_cell(ls, 2, "PASSU", "1e30")),
                   "URGENCES2", "MCO", "REA", command="summary"),
         ("URGENCES2_2023r.csv:2", "1e+30")),
    Case("sae-header-only-summary",
         _sae_case(lambda f: _edit_sae(f / "URGENCES2_2023r.csv", lambda ls: [ls[0], ""]),
                   "URGENCES2", "MCO", "REA", command="summary"),
         ("URGENCES2_2023r.csv:1", "only the header")),
    Case("sae-mco-without-lit-mco",
         _sae_case(lambda f: _edit_sae(f / "MCO_2023r.csv",
                                       lambda ls: _drop_column(ls, "LIT_MCO")), "MCO"),
         ("MCO_2023r.csv:1", "LIT_MCO", "no such column")),
    Case("sae-gzip-bytes-in-csv-summary",
         _sae_case(_gz_in_csv, "URGENCES2", "MCO", "REA", command="summary"),
         ("URGENCES2_2023r.csv:1", "gzip-compressed")),
    Case("sae-nul-byte", _sae_case(_nul_in_line, "URGENCES2"),
         ("URGENCES2_2023r.csv:6", "NUL byte")),
    Case("sursaud-header-only",
         lambda ws, s: (ws / SURSAUD.name.removesuffix(".gz")).write_bytes(SURSAUD_HEADER)
         and ["data", "check", SURSAUD.name.removesuffix(".gz")],
         ("sursaud-corona-quot-dep-2024-12-31-19h00.csv:1", "only the header")),
    Case("ledger-header-only-check", _ledger_case(_ledger_head(1), command="check"),
         ("mouvements_stock_x.csv:1", "only the header")),
    Case("ledger-header-only-shortages", _ledger_case(_ledger_head(1)),
         ("mouvements_stock_x.csv:1", "only the header")),
    Case("ledger-dispense-inf-check", _ledger_case(_ledger_inf(), command="check"),
         ("mouvements_stock_x.csv:5", "'dispense'", "inf")),
    Case("ledger-dispense-inf-shortages", _ledger_case(_ledger_inf()),
         ("mouvements_stock_x.csv:5", "'dispense'", "inf")),
]


@dataclass
class Grouped:
    """The ``twin scenario check`` cases, checked by one command over all their files (the
    command reports each file on its own; one process instead of twenty saves ~25 s)."""

    run: subprocess.CompletedProcess[str]
    files: dict[str, str]
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def grouped(store, tmp_path_factory) -> Grouped:
    base = tmp_path_factory.mktemp("check")
    files, before, folders = {}, {}, {}
    for case in CASES:
        ws = base / case.id
        ws.mkdir()
        args = case.build(ws, store)
        if tuple(args[:2]) != CHECK:
            continue
        (target,) = [a for a in args[2:] if not a.startswith("--")]
        files[case.id] = target if target.startswith("/") else f"{case.id}/{target}"
        folders[case.id] = ws
        before[case.id] = checksums(ws)
    run = twin([*CHECK, *NO_NET, *files.values()], base)
    after = {cid: checksums(ws) for cid, ws in folders.items()}
    return Grouped(run, files, before, after)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_exits_2_with_a_located_message_and_writes_nothing(case, store, tmp_path,
                                                                     grouped):
    if case.id in grouped.files:
        run, target = grouped.run, grouped.files[case.id]
        assert run.returncode == 2, (run.returncode, run.stdout[-2000:], run.stderr[-3000:])
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert f"{target}: OK" not in run.stdout
        message = "\n".join(ln for ln in run.stderr.splitlines() if target in ln)
        assert message.startswith(f"error: {target}"), run.stderr[-3000:]
        assert "expected" in message and "found" in message, message
        for text in case.says:
            assert text in message, f"{text!r} not in:\n{message}"
        assert grouped.after[case.id] == grouped.before[case.id]
        return
    ws = tmp_path / "ws"
    ws.mkdir()
    args = case.build(ws, store)
    before = checksums(ws, store.parent)
    run = twin(args, ws)
    assert run.returncode == 2, (run.returncode, run.stdout[-2000:], run.stderr[-3000:])
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    message = run.stderr
    assert "error" in message and "expected" in message and "found" in message, message
    for text in case.says:
        assert text in message, f"{text!r} not in:\n{message}"
    assert checksums(ws, store.parent) == before


def test_force_replaces_a_foreign_comparison_and_reruns_replace_their_own(store, tmp_path):
    """The refusals above are not blanket: --force replaces, and a command replaces its own
    earlier output without --force."""
    foreign = _foreign(tmp_path, "cmp.csv", "a,b\n1,2\n")
    assert twin(["compare", str(store), "--out", str(foreign)], tmp_path).returncode == 2
    assert foreign.read_text() == "a,b\n1,2\n"
    ok = twin(["compare", str(store), "--out", str(foreign), "--force"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    first = foreign.read_bytes()
    assert first.startswith(b"indicator,")
    again = twin(["compare", str(store), "--out", str(foreign)], tmp_path)
    assert again.returncode == 0, again.stderr
    assert foreign.read_bytes() == first  # same store, same comparison


# --------------------------------------------------------------------------- hypothesis


YAML_PIECES = st.sampled_from([
    "a", "b", ":", " ", "\n", "  ", "- ", "[", "]", "{", "}", ",", "&x ", "*x", "!!str ",
    "!foo ", "!!python/name:os.system ", "2024-02-30", "2024-13-01", "9999-12-30",
    "2024-01-08", "1e30", "1.0e+30", ".inf", ".nan", "true", "no", "010", "20:00", "'",
    '"', "#", "<<: ", "---\n", "\t", "é", "\x00", "%YAML 1.1\n", "? ", "|\n", ">\n",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(YAML_PIECES, max_size=40).map("".join) | st.text(max_size=200))
def test_yaml_reader_returns_or_raises_data_error(tmp_path, text):
    from twin.yamlio import read_yaml

    path = tmp_path / "h.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        read_yaml(path)
    except DataError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_yaml_reader_on_arbitrary_bytes(tmp_path, raw):
    from twin.yamlio import read_yaml

    path = tmp_path / "h.yaml"
    path.write_bytes(raw)
    try:
        read_yaml(path)
    except DataError as exc:
        assert exc.problems


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.integers(min_value=1, max_value=40),
    column=st.sampled_from(["stock_debut", "recu", "dispense", "stock_fin", "commande",
                            "date", "finess", "produit"]),
    value=st.one_of(
        st.sampled_from(["inf", "-inf", "nan", "1e30", "1e308", "-1", "", " ", "1,5",
                         "99999999999999999999", "0x10", "\x00", "2021-02-30", "é"]),
        st.text(max_size=12),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    ),
)
def test_ledger_reader_returns_plausible_numbers_or_raises_data_error(tmp_path, line, column,
                                                                      value):
    """A mutated cell of a real-format ledger: the table read has only finite quantities
    within their bound, or the reader raises one DataError naming the file."""
    import math

    from twin.plausibility import BOUNDS
    from twin.sources.ledger import LEDGER_SPEC, QUANTITIES
    from twin.sources.tabular import read_table

    lines = LEDGER_HEAD.decode("utf-8").split("\n")
    header = lines[0].split(";")
    fields = lines[line].split(";")
    fields[header.index(column)] = value.replace("\n", " ").replace("\r", " ").replace(";", ",")
    lines[line] = ";".join(fields)
    path = tmp_path / "mouvements_stock_h.csv"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    try:
        table = read_table(path, LEDGER_SPEC)
    except DataError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
        return
    bound = BOUNDS["ledger.quantity"]
    for q in QUANTITIES:
        values = table[q].dropna()
        assert all(math.isfinite(v) and bound.low <= v <= bound.high for v in values)


LEDGER_HEAD = _ledger_head(41)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(min_value=2, max_value=30),
       column=st.sampled_from(["PASSU", "FI", "URG", "dt80", "LIT_UHCD", "AN"]),
       value=st.one_of(st.sampled_from(["1e30", "inf", "nan", "-5", "", "1.5", "\x00",
                                        "999999999999"]), st.text(max_size=10)))
def test_sae_reader_returns_bounded_counts_or_raises_data_error(tmp_path, line, column,
                                                                value):
    from twin.plausibility import BOUNDS
    from twin.sources import sae

    folder = tmp_path / "sae"
    folder.mkdir(exist_ok=True)
    (folder / "ID_2023r.csv").write_bytes(SAE_ID)
    lines = SAE_URG.decode("latin-1").split("\r\n")
    clean = value.replace("\r", " ").replace("\n", " ").replace(";", ",")
    lines = _set_cell(lines, line, column, clean)
    path = folder / "URGENCES2_2023r.csv"
    path.write_bytes("\r\n".join(lines).encode("latin-1", "replace"))
    try:
        table = sae.load_ed_units(2023, folder=folder)
    except DataError as exc:
        assert exc.problems
        return
    bound = BOUNDS["sae.count"]
    assert table["passages"].dropna().between(bound.low, bound.high).all()


SAE_ID = (SAE_2023 / "ID_2023r.csv").read_bytes()
SAE_URG = (SAE_2023 / "URGENCES2_2023r.csv").read_bytes()


# --------------------------------------------------------------------------- dashboard


HOSTILE = [
    ("get", "/_dash-component-suites/..%2f..%2fpyproject.toml", None, 404),
    ("get", "/_dash-component-suites/dash/..%2f..%2f..%2fpyproject.toml", None, 404),
    ("get", "/_dash-component-suites/inconnu/x.js", None, 404),
    ("post", "/_dash-update-component", "null", 400),
    ("post", "/_dash-update-component", "[1,2]", 400),
    ("post", "/_dash-update-component", '"texte"', 400),
    ("post", "/_dash-update-component", "{", 400),
    ("post", "/_dash-update-component",
     json.dumps({"output": "inconnu.children", "inputs": [], "changedPropIds": []}), 400),
    ("post", "/_dash-update-component",
     json.dumps({"output": "page.children", "inputs": [], "changedPropIds": []}), 400),
    ("post", "/_dash-update-component", json.dumps({"output": 5}), 400),
]


@pytest.fixture(scope="module")
def dash_app(store):
    from dashboard.app import create_app
    from dashboard.config import DashboardConfig

    return create_app(DashboardConfig(results=store.parent, allow_runs=False))


@pytest.mark.parametrize(("method", "url", "body", "status"), HOSTILE,
                         ids=[f"{m}-{u[:28]}-{(b or '')[:12]}" for m, u, b, _ in HOSTILE])
def test_dashboard_hostile_request_gets_4xx_and_one_log_line(dash_app, method, url, body,
                                                             status, caplog):
    client = dash_app.server.test_client()
    caplog.set_level(logging.INFO)
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    resp = getattr(client, method)(url, **kwargs)
    assert resp.status_code == status
    assert b"pyproject" not in resp.data and b"[build-system]" not in resp.data
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].exc_info is None and "\n" not in records[0].getMessage()
    assert "Traceback" not in caplog.text


def test_dashboard_real_callback_request_still_answers(dash_app):
    """The guard lets a request shaped like the front end's through (not a blanket 400)."""
    body = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": "/carte"},
                       {"id": "url", "property": "search", "value": ""},
                       {"id": "store-select", "property": "value", "value": "ref"}],
            "changedPropIds": ["url.pathname"]}
    resp = dash_app.server.test_client().post("/_dash-update-component",
                                              data=json.dumps(body),
                                              content_type="application/json")
    assert resp.status_code == 200 and b'"page"' in resp.data
