"""The five BDPM files as the ANSM publishes them: one :class:`TableSpec` each, cell rules,
and the byte-level encoding checks that :func:`~twin.sources.tabular.read_table` cannot do.

Every rule here is one the real download of 27-28 January 2026 satisfies (checked on all
its rows, see ``tests/sources/test_bdpm.py``); a rule the real file broke would be a bug in
this module, not in the file. What the real files look like:

* tab-separated, **no header line**, CRLF line ends except ``CIS_CIP_bdpm`` (LF);
* encodings differ per file, exactly as published: ``CIS_CIP_bdpm`` is UTF-8;
  ``CIS_bdpm``, ``CIS_COMPO_bdpm`` and ``CIS_MITM`` are Windows-1252 (they hold byte 0x92,
  the typographic apostrophe ’, which ISO-8859-1 does not have); ``CIS_CIP_Dispo_Spec`` is
  ISO-8859-1 (only à and ê beyond ASCII);
* dates ``DD/MM/YYYY`` (all real calendar days, but not all plausible: a presentation was
  "declared on the market" on 29/11/2924 and several in "19/01/1910"-style years);
* prices with a ``,`` decimal mark **and** ``,`` thousands separators (``12,760,70`` is
  12,760.70 euros), so the last comma is the decimal mark and the cents are always there;
* reimbursement rates ``65%`` and ``65 %`` (both spellings, 15 % to 100 %);
* cells padded with a leading space (the holder ``" BOIRON"``): they are stripped.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from twin.errors import ProblemCollector
from twin.sources.tabular import ENCODING_LABELS, TableSpec

_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_ATC_RE = re.compile(r"^[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?$")
# Cents always present; thousands grouped by ',' (as published) or not grouped at all.
_PRICE_RE = re.compile(r"^(\d{1,3}(,\d{3})*|\d+),\d{2}$")
_RATE_RE = re.compile(r"^(\d{1,3}) ?%$")
_EU_RE = re.compile(r"^EU/\d/\d{2}/\d{3,4}/?$")

ANSM_LINK = "https://ansm.sante.fr/disponibilites-des-produits-de-sante/medicaments"
BDPM_PAGE = "https://base-donnees-publique.medicaments.gouv.fr/extrait.php?specid="

# Windows-1252 leaves these five bytes undefined; Python would turn them into U+FFFD.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# C1 control bytes: never text in ISO-8859-1, typographic characters in Windows-1252.
_C1_BYTE = re.compile(rb"[\x80-\x9f]")


def ean13_check_digit(first12: str) -> int:
    """EAN-13 check digit of a 12-digit prefix (CIP13 and UCD13 are EAN-13 codes)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"expected 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_cip13(code: str) -> bool:
    """13 digits whose last one is the EAN-13 check digit of the first twelve."""
    return (
        isinstance(code, str)
        and len(code) == 13
        and code.isdigit()
        and int(code[-1]) == ean13_check_digit(code[:12])
    )


def is_cis(code: str) -> bool:
    return isinstance(code, str) and len(code) == 8 and code.isdigit()


def is_cip7(code: str) -> bool:
    return isinstance(code, str) and len(code) == 7 and code.isdigit()


def is_date(text: str) -> bool:
    """``DD/MM/YYYY`` and a real calendar day."""
    if not _DATE_RE.match(text):
        return False
    try:
        datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def is_atc(text: str) -> bool:
    """An ATC code at any level, ``A`` to ``A02BC01`` (the MITM list uses levels 3 to 5)."""
    return bool(_ATC_RE.match(text))


def is_price(text: str) -> bool:
    return bool(_PRICE_RE.match(text))


def price_value(text: str) -> float:
    """``"12,760,70"`` -> 12760.7: every comma but the last groups thousands."""
    return int(text.replace(",", "")) / 100


def is_rate(text: str) -> bool:
    m = _RATE_RE.match(text)
    return bool(m) and int(m.group(1)) <= 100


def rate_value(text: str) -> float:
    """``"65 %"`` or ``"65%"`` -> 65.0 (per cent)."""
    return float(text.rstrip("%").strip())


def _optional(check):
    return lambda v: v == "" or check(v)


def _one_of(*values: str):
    allowed = frozenset(values)
    return lambda v: v in allowed


DISPO_SPEC = TableSpec(
    source="BDPM CIS_CIP_Dispo_Spec",
    sep="\t",
    encoding="latin-1",
    columns={
        "cis": (),
        "cip13": (),
        "status": (),
        "status_label": (),
        "start": (),
        "updated": (),
        "back_in_stock": (),
        "link": (),
    },
    required=frozenset({"cis", "cip13", "status", "status_label", "start"}),
    header=False,
    # No key: the real feed lists several notices for one product (a tension then its
    # remise à disposition, two successive tensions) and repeats identical lines.
    code_checks={
        "cis": is_cis,
        "cip13": _optional(is_valid_cip13),
        "status": _one_of("1", "2", "3", "4"),
        "start": is_date,
        "updated": is_date,
        "back_in_stock": _optional(is_date),
        "link": lambda v: v.startswith(ANSM_LINK),
    },
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "cip13": "an empty cell or a CIP13 of 13 digits with a valid check digit",
        "status": "a status code 1 (rupture), 2 (tension), 3 (arrêt) or 4 (remise à disposition)",
        "start": "a date DD/MM/YYYY",
        "updated": "a date DD/MM/YYYY",
        "back_in_stock": "an empty cell or a date DD/MM/YYYY",
        "link": f"a link to an ANSM notice ({ANSM_LINK}…)",
    },
)

MITM_SPEC = TableSpec(
    source="BDPM CIS_MITM",
    sep="\t",
    encoding="cp1252",
    columns={"cis": (), "atc": (), "denomination": (), "link": ()},
    required=frozenset({"cis", "atc", "denomination", "link"}),
    header=False,
    key=("cis",),
    code_checks={"cis": is_cis, "atc": is_atc, "link": lambda v: v.startswith(BDPM_PAGE)},
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "atc": "an ATC code such as J01CA04",
        "link": f"a link to the product's BDPM page ({BDPM_PAGE}<CIS>)",
    },
)

PRODUCT_SPEC = TableSpec(
    source="BDPM CIS_bdpm",
    sep="\t",
    encoding="cp1252",
    columns={
        "cis": (),
        "denomination": (),
        "form": (),
        "routes": (),
        "amm_status": (),
        "procedure": (),
        "commercial_status": (),
        "amm_date": (),
        "bdm_status": (),
        "eu_number": (),
        "holder": (),
        "surveillance": (),
    },
    required=frozenset({"cis", "denomination"}),
    header=False,
    key=("cis",),
    code_checks={
        "cis": is_cis,
        "commercial_status": _one_of("Commercialisée", "Non commercialisée"),
        "amm_date": is_date,
        "eu_number": _optional(lambda v: bool(_EU_RE.match(v))),
        "surveillance": _one_of("Oui", "Non"),
    },
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "commercial_status": "'Commercialisée' or 'Non commercialisée'",
        "amm_date": "a date DD/MM/YYYY",
        "eu_number": "an empty cell or a European authorisation number such as EU/1/14/944",
        "surveillance": "'Oui' or 'Non' (reinforced surveillance)",
    },
)

PRESENTATION_SPEC = TableSpec(
    source="BDPM CIS_CIP_bdpm",
    sep="\t",
    encoding="utf-8",
    columns={
        "cis": (),
        "cip7": (),
        "label": (),
        "presentation_status": (),
        "commercial_state": (),
        "commercialisation_date": (),
        "cip13": (),
        "collectivities": (),
        "reimbursement_rate": (),
        "price_eur": (),
        "price_with_fee_eur": (),
        "fee_eur": (),
        "reimbursement_indications": (),
    },
    required=frozenset({"cis", "cip7", "cip13"}),
    header=False,
    key=("cip13",),
    code_checks={
        "cis": is_cis,
        "cip7": is_cip7,
        "presentation_status": _one_of("Présentation active", "Présentation abrogée"),
        "commercialisation_date": is_date,
        "cip13": is_valid_cip13,
        "collectivities": _one_of("oui", "non"),
        "reimbursement_rate": _optional(is_rate),
        "price_eur": _optional(is_price),
        "price_with_fee_eur": _optional(is_price),
        "fee_eur": _optional(is_price),
    },
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "cip7": "a CIP7 code of 7 digits",
        "presentation_status": "'Présentation active' or 'Présentation abrogée'",
        "commercialisation_date": "a date DD/MM/YYYY",
        "cip13": "a CIP13 of 13 digits with a valid check digit",
        "collectivities": "'oui' or 'non' (agrément aux collectivités)",
        "reimbursement_rate": "an empty cell or a rate such as '65%' or '65 %' (at most 100)",
        "price_eur": "an empty cell or a price in euros such as '24,34' or '1,234,56'",
        "price_with_fee_eur": "an empty cell or a price in euros such as '25,36' or '1,235,58'",
        "fee_eur": "an empty cell or an amount in euros such as '1,02'",
    },
)

COMPOSITION_SPEC = TableSpec(
    source="BDPM CIS_COMPO_bdpm",
    sep="\t",
    encoding="cp1252",
    columns={
        "cis": (),
        "element": (),
        "substance_code": (),
        "substance": (),
        "dosage": (),
        "dosage_reference": (),
        "nature": (),
        "link_number": (),
    },
    required=frozenset({"cis", "substance_code", "nature"}),
    header=False,
    # No key: one substance can be listed twice for one product and link number (17 real
    # cases, e.g. an element described in two pharmaceutical forms).
    code_checks={
        "cis": is_cis,
        "substance_code": lambda v: v.isascii() and v.isdigit(),
        "nature": _one_of("SA", "FT"),
        "link_number": lambda v: v.isascii() and v.isdigit() and int(v) >= 1,
    },
    code_expectations={
        "cis": "a CIS code of 8 digits",
        "substance_code": "a substance code of digits such as 05319",
        "nature": "'SA' (substance active) or 'FT' (fraction thérapeutique)",
        "link_number": "a link number 1, 2, … between an active substance and its fraction",
    },
)

SPECS = {
    "CIS_CIP_Dispo_Spec": DISPO_SPEC,
    "CIS_bdpm": PRODUCT_SPEC,
    "CIS_CIP_bdpm": PRESENTATION_SPEC,
    "CIS_COMPO_bdpm": COMPOSITION_SPEC,
    "CIS_MITM": MITM_SPEC,
}


def check_bytes(path: Path, raw: bytes, spec: TableSpec, problems: ProblemCollector) -> None:
    """What decoding cannot see: single-byte encodings accept (almost) any byte.

    An ISO-8859-1 file read as such never fails, so a copy saved as Windows-1252 (with ’ as
    0x92) would load with invisible C1 control characters; the real Dispo_Spec file has no
    byte 0x80-0x9F. Windows-1252 leaves five bytes undefined, which Python would replace
    silently; no real BDPM file has them. A file that is valid UTF-8 is left to the reader,
    which reports it as UTF-8. Only the first such byte is reported (with its line and
    column): one wrong encoding, one message.
    """
    if spec.encoding not in ("latin-1", "cp1252") or raw.isascii():
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return
    if spec.encoding == "latin-1":
        m = _C1_BYTE.search(raw)
        if m is None:
            return
        offset = m.start()
        char = raw[offset : offset + 1].decode("cp1252", errors="replace")
        found = f"byte 0x{raw[offset]:02X} ({char!r} in Windows-1252: a Windows-1252 file?)"
    else:
        m = _CP1252_UNDEFINED.search(raw)
        if m is None:
            return
        offset = m.start()
        found = f"byte 0x{raw[offset]:02X}, undefined in Windows-1252"
    start = raw.rfind(b"\n", 0, offset) + 1
    index = raw.count(spec.sep.encode("ascii"), start, offset)
    names = list(spec.columns)
    column = names[index] if index < len(names) else None
    line = raw[:offset].count(b"\n") + 1
    problems.add(path, ENCODING_LABELS[spec.encoding], found, line, column)
