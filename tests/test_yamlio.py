"""Safe YAML with lines: YAML 1.1 traps, duplicate keys, malformed files."""

from __future__ import annotations

import pytest

from tests.conftest import line_of
from twin.errors import DataError
from twin.yamlio import load_yaml


def _problems(path):
    with pytest.raises(DataError) as exc:
        load_yaml(path)
    return exc.value.problems


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("no", "boolean false"),
        ("yes", "boolean true"),
        ("on", "boolean true"),
        ("Off", "boolean false"),
        ("01", "leading zeros"),
        ("010", "leading zeros"),
        ("010000024", "leading zeros"),
        ("08", "leading zeros"),
        ("1:30", "base-60"),
        ("20:00", "base-60"),
        ("1_000", "read differently"),
    ],
)
def test_unquoted_yaml11_traps_are_refused_with_their_line_and_a_hint_to_quote(
    write, value, fragment
):
    p = write(f"name: x\nlist:\n  - a\n  - {value}\n")
    (prob,) = _problems(p)
    assert prob.line == 4
    assert prob.column == "list[1]"
    assert fragment in prob.found and value in prob.found
    assert "quote" in (prob.found + prob.expected)
    assert str(p) in str(prob)


def test_quoted_codes_and_canonical_values_load_as_written(write):
    p = write(
        'deps: ["01", "2A", "010"]\nflag: true\nhours: "20:00-08:00"\n'
        "n: 12\nx: 1.5\nday: 2024-01-08\nanswer: \"no\"\nletter: y\n"
    )
    data, loc = load_yaml(p)
    assert data["deps"] == ["01", "2A", "010"]
    assert data["flag"] is True and data["answer"] == "no" and data["letter"] == "y"
    assert data["hours"] == "20:00-08:00" and data["n"] == 12
    assert loc.lines[("x",)] == (str(p), 5)
    assert loc.lines[("deps", 2)] == (str(p), 1)


def test_duplicate_keys_name_both_lines(write):
    p = write("name: x\nperiod:\n  days: 3\n  start: 2024-01-01\n  days: 4\n")
    (prob,) = _problems(p)
    assert prob.line == 5 and prob.column == "period.days"
    assert "first given on line 3" in prob.expected


def test_every_trap_of_a_file_is_reported_at_once(write):
    p = write("a: no\nb: 01\nc: 20:00\n")
    assert [x.line for x in _problems(p)] == [1, 2, 3]


def test_malformed_yaml_names_the_line(write):
    p = write("name: x\nlist: [1, 2\nother: 3\n")
    (prob,) = _problems(p)
    assert prob.expected == "well-formed YAML"
    assert prob.line == 3 and "flow sequence started on line 2" in prob.found


def test_bad_indentation_is_malformed(write):
    p = write("name: x\n  period: 3\nseed: 1\n")
    (prob,) = _problems(p)
    assert prob.expected == "well-formed YAML" and prob.line == 2


@pytest.mark.parametrize(
    ("text", "expected", "found"),
    [
        ("", "a scenario", "an empty file"),
        ("- a\n- b\n", "a scenario", "a list"),
        ("a: 1\n---\nb: 2\n", "a single YAML document", "several documents"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "extends", "merge key"),
    ],
)
def test_files_that_are_not_one_mapping_are_refused(write, text, expected, found):
    (prob,) = _problems(write(text))
    assert expected in prob.expected and found in prob.found


def test_a_missing_file_is_a_data_error(tmp_path):
    (prob,) = _problems(tmp_path / "absent.yaml")
    assert prob.found == "no such file"


def test_line_of_helper_finds_lines(write):
    assert line_of(write("a: 1\nb: 2\n"), "b:") == 2
