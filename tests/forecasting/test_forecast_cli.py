"""``twin forecast`` end to end: table, files, exit 2 on bad input."""

from __future__ import annotations

import pytest

from twin.cli import main


def test_cli_prints_a_french_table_and_writes_files(tmp_path, capsys):
    status = main(["forecast", "--territories", "2A", "2B", "--method", "naive",
                   "--origin", "2024-06-01", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "Passages aux urgences attendus du 01/06/2024 au 28/06/2024" in out
    assert "Intervalle 80 %" in out and "2A Corse-du-Sud" in out and "Corse (94)" in out
    assert (tmp_path / "forecast_ed.zarr").is_dir()
    assert (tmp_path / "forecast_ed.csv").stat().st_size > 0


def test_cli_admissions_table_and_files(tmp_path, capsys):
    status = main(["forecast", "--series", "admissions", "--territories", "2A", "2B",
                   "--method", "naive", "--origin", "2024-06-01", "--horizon", "7",
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "Hospitalisations après passage aux urgences attendues du 01/06/2024" in out
    assert "part hospitalisée SAE 2023" in out
    assert (tmp_path / "forecast_admissions.zarr").is_dir()
    assert (tmp_path / "forecast_admissions.csv").stat().st_size > 0


def test_cli_backtest_prints_metrics(tmp_path, capsys):
    status = main(["forecast", "--backtest", "--territories", "2A", "--backtest-start",
                   "2024-09-01", "--backtest-end", "2024-11-30", "--every", "28",
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "1 série(s) x 4 origine(s)" in out
    for name in ("Prophet", "ETS", "Naïf hebdo", "Naïf saisonnier"):
        assert name in out
    assert (tmp_path / "backtest_ed_metrics.csv").is_file()


@pytest.mark.parametrize("argv", [
    ["--territories", "99"],
    ["--region", "55"],
    ["--origin", "2024-13-01"],
    ["--horizon", "0"],
    ["--series", "medicines", "--territories", "42"],
    ["--series", "admissions", "--by-age", "--territories", "2A"],
    ["--series", "admissions", "--backtest", "--territories", "2A"],
])
def test_cli_bad_arguments_exit_2(argv, tmp_path, capsys):
    assert main(["forecast", *argv, "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_cli_bad_data_file_exits_2_naming_file_and_line(tmp_path, capsys):
    header = ("dep;date_de_passage;sursaud_cl_age_corona;nbre_pass_corona;nbre_pass_tot;"
              "nbre_hospit_corona;nbre_pass_corona_h;nbre_pass_corona_f;nbre_pass_tot_h;"
              "nbre_pass_tot_f;nbre_hospit_corona_h;nbre_hospit_corona_f;nbre_acte_corona;"
              "nbre_acte_tot;nbre_acte_corona_h;nbre_acte_corona_f;nbre_acte_tot_h;"
              "nbre_acte_tot_f")
    rows = []
    for day in ("2024-01-01", "2024-01-02"):
        counts = {"A": 3, "B": 4, "C": 5, "D": 6, "E": -7 if day == "2024-01-02" else 7}
        rows.append(f"2A;{day};0;;{sum(counts.values())};;;;;;;;;;;;;")
        rows.extend(f"2A;{day};{k};;{v};;;;;;;;;;;;;" for k, v in counts.items())
    path = tmp_path / "sursaud-corona-quot-dep-2024-01-02-19h00.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    status = main(["forecast", "--territories", "2A", "--data", str(tmp_path), "--out",
                   str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert path.name in err and ":13:" in err and "nbre_pass_tot" in err


def test_a_failed_run_keeps_the_previous_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["forecast", "--territories", "2A", "--method", "naive", "--horizon", "7",
                 "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "sursaud-corona-quot-dep-2024-01-02-19h00.csv").write_text("dep;x\n2A;1\n")
    assert main(["forecast", "--territories", "2A", "--data", str(bad), "--out", str(out)]) == 2
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    # No staging leftovers (the record of what twin forecast wrote is expected).
    from twin.outputs import MARKER

    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != MARKER]
