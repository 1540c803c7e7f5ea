"""Launching simulations: form and upload validated as in the CLI, runs in the background."""

from __future__ import annotations

import base64
import os
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from dashboard import jobs
from dashboard.pages import lancer

FORM = dict(name="essai", description="Essai", territories=["48"], start="2023-01-09",
            days=3, replications=2, seed=7, lever="capacity", resource="medicine", change=-20)


def _upload(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "data:application/x-yaml;base64," + base64.b64encode(raw).decode()


def _prepare(ctx, upload=None, **over):
    form = {**FORM, **over}
    return lancer.prepare(ctx, upload, *form.values())


def test_form_builds_a_valid_scenario_and_its_reference(app_ctx):
    _, ctx = app_ctx
    texts, problems, _text = _prepare(ctx)
    assert problems == []
    assert list(texts) == ["essai_reference", "essai"]
    ref = yaml.safe_load(texts["essai_reference"])
    assert "interventions" not in ref and ref["seed"] == 7  # same seed: common random numbers
    assert yaml.safe_load(texts["essai"])["interventions"][0]["change"] == "-20%"


def test_form_errors_are_the_cli_messages(app_ctx):
    _, ctx = app_ctx
    texts, problems, text = _prepare(ctx, name="Mauvais Nom", days=0)
    assert texts is None
    assert any(p.startswith("error: formulaire.yaml:") and "field name" in p for p in problems)
    assert any("field period.days" in p for p in problems)
    # The CLI's loader gives the very same lines for the same file.
    from twin.errors import DataError
    from twin.scenario import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "formulaire.yaml"
        path.write_text(text)
        with pytest.raises(DataError) as exc:
            load_scenario(path)
    cli = [f"error: {line}".replace(tmp + "/", "") for line in exc.value.message().splitlines()]
    assert cli == problems


def test_upload_is_size_limited_and_parsed_safely(app_ctx):
    _, ctx = app_ctx
    limit = ctx.config.max_upload_bytes
    with pytest.raises(ValueError, match="trop volumineux"):
        lancer.decode_upload(_upload("a" * (limit + 1)), limit)
    with pytest.raises(ValueError, match="UTF-8"):
        lancer.decode_upload(_upload(b"name: \xff\xfe"), limit)
    with pytest.raises(ValueError, match="illisible"):
        lancer.decode_upload("data:x;base64,@@@", limit)
    texts, problems, _ = _prepare(ctx, upload=_upload("!!python/object:os.system 'echo'"))
    assert texts is None and problems and all(p.startswith("error:") for p in problems)
    good = yaml.safe_dump({"name": "televerse", "description": "Essai", "territories":
                           {"departements": ["48"]}, "period": {"start": "2023-01-09",
                                                                 "days": 2},
                           "replications": 1, "seed": 1})
    texts, problems, _ = _prepare(ctx, upload=_upload(good))
    assert problems == [] and list(texts) == ["televerse"]  # no lever: no reference needed


def test_run_ids_are_validated(tmp_path):
    j = jobs.Jobs(tmp_path)
    for bad in ("../x", "20260101-000000-abcdef/../..", None, 12, "x" * 30):
        assert j.status(bad) is None


def test_background_run_is_supervised_and_its_end_recorded(tmp_path):
    """A run goes through the real supervisor process; the scenario here is broken on
    purpose, so the batch runner fails, and the failure is recorded, never raised."""
    j = jobs.Jobs(tmp_path)
    with pytest.raises(ValueError, match="invalide"):
        j.submit({"Cassé !": "x"})
    run_id = j.submit({"essai": "name: [unterminated\n"})
    assert j.status(run_id).state in ("en cours", "échec")
    deadline = time.monotonic() + 60
    while not j.status(run_id).finished and time.monotonic() < deadline:
        time.sleep(0.2)
    st = j.status(run_id)
    assert st.state == "échec" and st.returncode not in (None, 0)
    assert st.log_tail  # the runner's own error message is shown on the page
    assert (tmp_path / run_id / "essai.yaml").read_text() == "name: [unterminated\n"
    assert "twin" in (tmp_path / run_id / "commande.json").read_text()


def test_one_run_at_a_time(tmp_path):
    running = tmp_path / "20260101-000000-abcdef"
    running.mkdir()
    (running / "pid").write_text(str(os.getpid()))  # alive, and no end recorded
    j = jobs.Jobs(tmp_path)
    assert j.running() == [running.name]
    with pytest.raises(RuntimeError, match="déjà en cours"):
        j.submit({"autre": "x"})
    (running / jobs.STATUS_NAME).write_text('{"returncode": 0}')
    assert j.running() == []
    assert j.status(running.name).state == "terminé"
