"""The sentinel reference table (data/reference/sentinelles.csv) and the replica generator
describe the same products: the loaders and forecasts read the table, the generator writes
replicas of its own products, so any drift would make a replica row unknown to the model."""

from __future__ import annotations

from twin.sentinels import by_key, sentinels
from twin.sources.bdpm import is_valid_cip13
from twin.synthetic.medicines import SENTINEL_PRODUCTS


def test_reference_table_matches_the_generator_product_by_product():
    table = sentinels()
    assert [s.key for s in table] == [p.key for p in SENTINEL_PRODUCTS]
    for s, p in zip(table, SENTINEL_PRODUCTS, strict=True):
        assert (s.cis, s.cip13, s.ucd, s.pack_size, s.atc5, s.mitm, s.label) == (
            p.cis, p.cip13, p.ucd, p.pack_size, p.atc5, p.mitm, p.label), s.key


def test_identifiers_are_unique_and_format_valid():
    table = sentinels()
    assert len(by_key()) == len(table)
    assert len({s.cip13 for s in table}) == len(table)
    assert all(is_valid_cip13(s.cip13) and len(s.cis) == 8 for s in table)
    assert any(s.ucd for s in table) and any(s.ucd is None for s in table)
