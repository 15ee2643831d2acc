"""The byte tests of validation's text checks never pass a value the regexes refuse.

``columnar_validation._surely_clean`` answers "no value can fail" from a column's UTF-8 bytes
(a byte outside a table of safe bytes, or a value beginning or ending with a blank); when it
answers True, the regexes it stands for (``_ID_BAD`` for ids, ``_TEXT_DIRTY`` for free text,
the blank-at-either-end test of list items) must find nothing. It may answer False for a clean
column (the regex then decides, as before). Checked exhaustively for every character, for every
blank at either end, and on random columns. (That validation words the same errors for ids
and free text with forbidden characters or blanks is ``test_columnar_validation_plan.py``'s.)
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fangfan_rules.engines import columnar_validation as cv
from fangfan_rules.facts.forms import ASCII_BLANKS, ID_FORBIDDEN_RUST, TEXT_FORBIDDEN_RUST

_BLANKS = f"^[{ASCII_BLANKS}]|[{ASCII_BLANKS}]$"
TESTS = [
    (cv._ID_BYTES, cv._ID_BAD),
    (cv._TEXT_BYTES, cv._TEXT_DIRTY),
    (cv._BLANK_ENDS, _BLANKS),
]


def _clean(values: list[str | None], test: cv._ByteTest) -> bool:
    return cv._surely_clean(cv._utf8(pl.Series(values, dtype=pl.String)), test)


def _regex_clean(values: list[str | None], pattern: str) -> bool:
    found = pl.Series(values, dtype=pl.String).str.contains(pattern).fill_null(False)
    return not found.any()


#: Every character a polars string can hold (no surrogates).
_EVERY = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


@pytest.mark.parametrize(("test", "pattern"), TESTS)
def test_every_character_inside_a_value(test: cv._ByteTest, pattern: str) -> None:
    # inside a value: only the forbidden characters count (the blanks are tested at the ends)
    values = pl.Series([f"a{c}a" for c in _EVERY], dtype=pl.String)
    refused = values.str.contains(pattern).to_list()
    for c, bad in zip(_EVERY, refused, strict=True):
        if bad:
            assert not all(test.safe[b] for b in c.encode()), hex(ord(c))


@pytest.mark.parametrize(("test", "pattern"), TESTS)
def test_every_character_at_either_end(test: cv._ByteTest, pattern: str) -> None:
    for shape in ("{}a", "a{}", "{}"):
        values = [shape.format(c) for c in _EVERY]
        refused = pl.Series(values, dtype=pl.String).str.contains(pattern).to_list()
        for value, bad in zip(values, refused, strict=True):
            if bad:
                assert not _clean([value], test), (shape, [hex(ord(c)) for c in value])


def test_usual_values_are_answered_from_the_bytes() -> None:
    ids = [f"HH{i:08d}~{i % 7}" for i in range(1000)] + ["户 12", "m1"]
    text = ["工资性收入", "患病\n住院", "a\tb", "见附件（一）", "—"]
    assert _clean(ids, cv._ID_BYTES)
    assert _clean(["户主", "乡镇 甲", "村"], cv._ID_BYTES)
    assert _clean(text, cv._TEXT_BYTES)
    assert _clean([*text, None, ""], cv._BLANK_ENDS)
    assert _clean([None, None], cv._ID_BYTES)
    assert _clean([], cv._ID_BYTES)


_ALPHABET = st.sampled_from(
    [
        *"aZ09 -_~",
        *("\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1f", "\x7f", "\x85", "\xa0"),
        *("\xad", "\u0600", "\u1680", "\u180e", "\u200b", "\u2028", "\u202f", "\u3000"),
        *("\ufeff", "户", "工", "资", "\U000110bd", "\U000e0001", "\U0001f600", "é", "—"),
        *("…", "\u3001"),
    ]
)
_VALUES = st.lists(st.one_of(st.none(), st.text(_ALPHABET, max_size=6)), max_size=8)


@settings(max_examples=400, deadline=None)
@given(values=_VALUES)
def test_a_column_answered_clean_is_clean(values: list[str | None]) -> None:
    for test, pattern in TESTS:
        if _clean(values, test):
            assert _regex_clean(values, pattern), (values, pattern)


@settings(max_examples=200, deadline=None)
@given(values=_VALUES, start=st.integers(0, 8), stop=st.integers(0, 8))
def test_a_slice_reads_its_own_values(values: list[str | None], start: int, stop: int) -> None:
    # an Arrow array with an offset (a slice of a column): only its own bytes are read
    series = pl.Series(values, dtype=pl.String).slice(start, stop)
    layout = cv._utf8(series)
    for test, pattern in TESTS:
        if cv._surely_clean(layout, test):
            assert _regex_clean(series.to_list(), pattern)


def test_patterns_are_the_validation_patterns() -> None:
    assert cv._ID_BAD.startswith(ID_FORBIDDEN_RUST)
    assert cv._TEXT_DIRTY.startswith(TEXT_FORBIDDEN_RUST)
