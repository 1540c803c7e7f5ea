"""PUI stock ledger loader: the format, the embedded replica, every bad input located."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from twin.errors import DataError
from twin.sources import ledger as led
from twin.sources.registry import check_path, module_for
from twin.synthetic.medicines import PRODUCTS_BY_KEY

HEADER = ";".join(led.HEADER)
PITIE = "750100125"  # HU Pitié-Salpêtrière (SAE)
TIMONE = "130783293"  # APHM Hôpital de la Timone (SAE)
AMOX = PRODUCTS_BY_KEY["amoxicilline_1g_cp"].cip13
GLARGINE = PRODUCTS_BY_KEY["insuline_glargine_stylo"]


def rows_for(finess: str, code: str, kind: str = "CIP13", days: int = 4,
             start_stock: float = 100) -> list[str]:
    """A consistent series: 10 dispensed a day, an order of 40 on day 2 delivered day 4."""
    out = []
    stock = start_stock
    on_order = 0
    for d in range(1, days + 1):
        recu = 40 if d == 4 else 0
        cmd = 40 if d == 2 else 0
        on_order += cmd - (40 if d == 4 else 0)
        fin = stock + recu - 10
        due = "05/01/2021" if on_order else ""
        out.append(f"{d:02d}/01/2021;{finess};{code};{kind};{stock:g};{recu};10;{fin:g};{cmd};"
                   f"{on_order};{due}")
        stock = fin
    return out


def write(tmp_path: Path, lines: list[str], name: str = "mouvements_stock_test.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs) -> list:
    with pytest.raises(DataError) as exc:
        led.read_ledger(path, **kwargs)
    return exc.value.problems


def test_valid_ledger_reads_with_units_sites_and_products(tmp_path: Path):
    lines = rows_for(PITIE, AMOX) + rows_for(TIMONE, GLARGINE.ucd, "UCD")
    df = led.read_ledger(write(tmp_path, lines))
    assert len(df) == 8
    ucd = df[df["type_code"] == "UCD"]
    assert set(ucd["product"]) == {"insuline_glargine_stylo"}
    assert set(ucd["units_per_box"]) == {5.0} and set(ucd["unit"]) == {"UCD"}
    assert set(df.loc[df["finess"] == PITIE, ["dep", "reg"]].itertuples(index=False)) == {
        ("75", "11")
    }
    first = df[(df["finess"] == PITIE)].iloc[0]
    assert first["stock_fin"] == 90 and first["date"].strftime("%Y-%m-%d") == "2021-01-01"
    assert df["date_livraison_prevue"].notna().sum() == 4  # days 2 and 3 of each series


def test_decimal_comma_quantities_and_bom_are_accepted(tmp_path: Path):
    line = f"01/01/2021;{PITIE};{AMOX};CIP13;10,5;0;2,25;8,25;0;0;"
    path = tmp_path / "mouvements_stock_x.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\n" + line + "\n").encode())
    df = led.read_ledger(path)
    assert df["stock_fin"].iloc[0] == pytest.approx(8.25)


def test_ucd7_codes_map_to_ucd13(tmp_path: Path):
    ucd7 = GLARGINE.ucd[5:12]
    df = led.read_ledger(write(tmp_path, rows_for(PITIE, ucd7, "UCD")))
    assert set(df["produit"]) == {GLARGINE.ucd}


@pytest.mark.parametrize(
    ("mutate", "line", "column", "expected_part", "found_part"),
    [
        # a gap: day 3 missing
        (lambda r: r[:2] + r[3:], 4, "date", "the next day 03/01/2021", "1 day(s) missing"),
        # a duplicate day
        (lambda r: [*r[:2], r[1], *r[2:]], 4, None, "one row per finess/produit/date",
         "duplicate of line 3"),
        # dates out of order
        (lambda r: [r[0], r[2], r[1], r[3]], 4, "date", "a date after 03/01/2021",
         "02/01/2021"),
        # conservation broken on day 2 (stock_fin 80 → 85, and day 3 starts from 85)
        (lambda r: [r[0], r[1].replace(";90;0;10;80;", ";90;0;10;85;"),
                    r[2].replace(";80;0;10;70;", ";85;0;10;75;"), r[3]], 3, "stock_fin",
         "stock_debut + recu − dispense = 80", "85"),
        # day 3 does not start from day 2's closing stock
        (lambda r: [r[0], r[1], r[2].replace(";80;0;10;70;", ";82;0;10;72;"), r[3]], 4,
         "stock_debut", "the previous day's stock_fin 80", "82"),
        # negative stock
        (lambda r: [r[0].replace(";100;0;10;90;", ";5;0;10;-5;")], 2, "stock_fin",
         "a stock ≥ 0", "-5"),
        # en_commande grows without an order
        (lambda r: [r[0], r[1], r[2].replace(";0;40;05/01/2021", ";0;55;05/01/2021"), r[3]], 4,
         "en_commande", "at most previous en_commande + commande = 40", "55"),
        # a bad date
        (lambda r: [r[0].replace("01/01/2021", "2021-01-01")], 2, "date", "a date JJ/MM/AAAA",
         "'2021-01-01'"),
        # type_code says UCD but the code is a CIP13
        (lambda r: [r[0].replace(";CIP13;", ";UCD;")], 2, "produit", "a UCD code",
         repr(AMOX)),
        # an unknown type code
        (lambda r: [r[0].replace(";CIP13;", ";EAN;")], 2, "type_code", "CIP13 or UCD",
         "'EAN'"),
    ],
    ids=["gap", "duplicate", "order", "conservation", "continuity", "negative",
         "on-order", "date-format", "code-type", "type-code"],
)
def test_each_bad_input_is_located(tmp_path: Path, mutate, line, column, expected_part,
                                   found_part):
    path = write(tmp_path, mutate(rows_for(PITIE, AMOX)))
    probs = problems_of(path)
    match = [p for p in probs if p.line == line and p.column == column
             and expected_part in p.expected and found_part in p.found]
    assert match, "\n".join(str(p) for p in probs)
    assert match[0].file == str(path)


def test_unknown_product_and_unknown_site_are_located(tmp_path: Path):
    other_cip = "3400930000007"  # a valid CIP13, not a sentinel
    assert led.is_valid_cip13(other_cip)
    lines = rows_for(PITIE, other_cip, days=1) + rows_for("750000000", AMOX, days=1)
    probs = problems_of(write(tmp_path, lines))
    by_col = {p.column: p for p in probs}
    assert by_col["produit"].line == 2 and "unknown product" in by_col["produit"].found
    assert by_col["finess"].line == 3 and "'750000000'" in by_col["finess"].found
    assert "SAE" in by_col["finess"].expected


def test_a_product_file_makes_a_code_known(tmp_path: Path):
    other_cip = "3400930000007"
    ref = tmp_path / "referentiel_produits.csv"
    ref.write_text("produit;type_code;libelle;cis;atc;mitm;unites_par_boite\n"
                   f"{other_cip};CIP13;FUROSEMIDE TEST 20 MG CPR B/30;60000001;C03CA01;1;1\n",
                   encoding="utf-8")
    path = write(tmp_path, rows_for(PITIE, other_cip))
    df = led.load_ledger(path, product_file=ref)
    assert set(df["product"]) == {"60000001"} and bool(df["mitm"].iloc[0])


def test_bad_product_file_is_located(tmp_path: Path):
    ref = tmp_path / "referentiel_produits.csv"
    ref.write_text("produit;type_code;libelle;cis;atc;mitm;unites_par_boite\n"
                   "3400930000002;CIP13;X;;;2;1\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        led.read_product_file(ref)
    cols = {(p.line, p.column) for p in exc.value.problems}
    assert (2, "mitm") in cols  # mitm must be 0/1
    ref.write_text("produit;type_code;libelle;cis;atc;mitm;unites_par_boite\n"
                   "3400930000002;CIP13;X;;;1;1\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        led.read_product_file(ref)
    assert [(p.line, p.column) for p in exc.value.problems] == [(2, "produit")]  # check digit


def test_one_code_per_product_and_site(tmp_path: Path):
    lines = rows_for(PITIE, GLARGINE.cip13, days=2) + rows_for(PITIE, GLARGINE.ucd, "UCD", 2)
    probs = problems_of(write(tmp_path, lines))
    assert any(p.column == "produit" and "one code per product" in p.expected for p in probs)


def test_missing_column_and_wrong_separator_are_reported(tmp_path: Path):
    path = tmp_path / "mouvements_stock_bad.csv"
    path.write_text(HEADER.replace(";en_commande", "") + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        led.read_ledger(path)
    assert any(p.column == "en_commande" for p in exc.value.problems)
    path.write_text(HEADER.replace(";", ",") + "\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        led.read_ledger(path)
    assert "';'-separated" in exc.value.problems[0].expected


def test_registry_dispatches_ledger_files(tmp_path: Path):
    good = write(tmp_path, rows_for(PITIE, AMOX))
    assert module_for(good) is led
    bad = write(tmp_path, rows_for(PITIE, AMOX)[:1] + rows_for(PITIE, AMOX)[2:],
                name="mouvements_stock_bad.csv")
    report = check_path(tmp_path)
    assert set(report.checked) == {good, bad}
    assert report.problems and all(p.file == str(bad) for p in report.problems)


@pytest.mark.slow
def test_embedded_ledger_is_valid_and_deterministically_compressed():
    path = led.default_ledger_path()
    raw = path.read_bytes()
    assert raw[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0: byte-identical rebuilds
    text = gzip.decompress(raw)
    assert text.startswith(HEADER.encode() + b"\n")
    df = led.load_ledger(path)
    assert df["finess"].nunique() == 24 and df["product"].nunique() == 12
    assert df["date"].min().strftime("%Y-%m-%d") == "2021-01-01"
    assert df["date"].max().strftime("%Y-%m-%d") == "2025-12-31"
    assert df.groupby(["finess", "product"]).size().eq(1826).all()
    assert df["reg"].nunique() == 8
