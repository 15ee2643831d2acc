"""Attack 2026-12-08 (attack10) findings 1, 5 and 6: ID numbers after an escape, with other
separators, in other scripts' digits — masked in the scrubber, in fact errors and in the rows the
CLI writes; the polars pre-filter (``MAY_HOLD_PATTERN``) never says no where the scrubber masks."""

from __future__ import annotations

import io
import json
import random
import sys
import unicodedata

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fangfan_rules as ff
from fangfan_rules.errors import NO_VALUE, FactError, printable
from fangfan_rules.idnumber import (
    _ANYWHERE,
    _NOT_LEAD,
    _WIDE_DIGIT,
    MAY_HOLD_PATTERN,
    _may_hold_one,
    mask_id_number,
    scrub_id_numbers,
)
from fangfan_rules.io.readers import read_households
from fangfan_rules.io.writers import result_row
from tests.tricky import base_household

ID18 = "11010519491231109X"
ID15 = "110105491231123"
BIRTHS = ("19491231", "491231")
SURROGATES = [chr(c) for c in range(0xD800, 0xE000)]


def _pl_may_hold(texts: list[str]) -> list[bool]:
    return pl.Series(texts, dtype=pl.String).str.contains(MAY_HOLD_PATTERN).to_list()


# ---- finding 1: a lone surrogate (or any character whose escape ends in a digit) before an ID


@pytest.mark.parametrize("number", [ID18, ID15])
def test_every_surrogate_prefix_raw_and_escaped(number: str) -> None:
    shown = mask_id_number(number)
    for p in SURROGATES:
        assert scrub_id_numbers(p + number) == p + shown
        # escaped before scrubbing (as printable / repr write it): the same span is masked
        assert scrub_id_numbers(printable(p + number)) == printable(p) + shown, hex(ord(p))
        assert scrub_id_numbers(f"household {printable(p + number)}: x") == (
            f"household {printable(p)}{shown}: x"
        )


@pytest.mark.parametrize("number", [ID18, ID15])
def test_every_surrogate_prefix_in_a_fact_error(number: str) -> None:
    shown = mask_id_number(number)
    for p in SURROGATES:
        error = FactError(p + number, [("id", p + number, "bad")])
        assert error.household_id == printable(p) + shown
        assert str(error).startswith(f"household {printable(p)}{shown}: 1 invalid fact(s)")
        assert not any(b in str(error) or b in repr(error) for b in BIRTHS[:1])
        # an id given already escaped is masked over the same span
        assert FactError(printable(p + number), []).household_id == printable(p) + shown


def test_load_household_and_the_cli_rows_mask_after_a_surrogate() -> None:
    lines = []
    prefixes = [*SURROGATES[::37], "\ud800", "\ud805", "\udbff", "\udc80"]
    for i, p in enumerate(prefixes):
        number = (ID18, ID15)[i % 2]
        data = base_household(p + number)
        with pytest.raises(ff.FactError) as info:
            ff.load_household(data)
        text = str(info.value)
        assert f"household {printable(p)}{mask_id_number(number)}:" in text
        assert not any(b in text for b in BIRTHS if len(number) == 18 or b == "491231")
        lines.append(json.dumps(data))  # the surrogate as the JSON escape \udXXX
    rows = list(read_households(io.BytesIO("\n".join(lines).encode()), format="jsonl"))
    assert len(rows) == len(prefixes)
    for i, (p, row) in enumerate(zip(prefixes, rows, strict=True)):
        number = (ID18, ID15)[i % 2]
        written = result_row(row.line, None, row.household_id, row.error)
        assert written["household_id"] == printable(p) + mask_id_number(number)
        assert number not in written["error"] and "491231" not in written["error"]


def test_characters_repr_escapes_with_a_final_digit() -> None:
    prefixes = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA1), 0x2028, 0x3000)]
    prefixes += [chr(c) for c in range(0x2000, 0x2010)]
    for p in prefixes:
        for number in (ID18, ID15):
            text = scrub_id_numbers(repr(p + number))
            assert mask_id_number(number) in text, repr(p)


def test_a_literal_backslash_before_a_number_still_masks_it() -> None:
    assert scrub_id_numbers("C:\\x" + ID18) == "C:\\x" + mask_id_number(ID18)
    assert scrub_id_numbers("\\x11" + "010519491231109X") == "\\x110105********109X"


# ---- finding 5: other separators

SEPARATORS = [
    " ", "  ", "\t", "\xa0", "\u2007", "\u202f", "\u3000", "\u3000\u3000", "-", "－", "—", "–",
    "‑", "−", "·", "・", "/", "／", ".", "．", "_", ",", "，", "、", " - ", "\u200b", "\ufeff",
]  # fmt: skip


def _spaced(sep: str) -> list[str]:
    return [
        f"110105{sep}19491231{sep}109X",
        f"110105{sep}1949{sep}1231{sep}109X",
        f"110105{sep}491231{sep}123",
    ]


@pytest.mark.parametrize("sep", SEPARATORS)
def test_each_separator_is_masked_and_the_prefilters_say_so(sep: str) -> None:
    for number in _spaced(sep):
        for text in (number, f"户主身份证：{number}。", f"household {number}: 1 invalid fact(s)"):
            scrubbed = scrub_id_numbers(text)
            assert not any(b in scrubbed for b in ("1949", "491231")), (sep, text)
            assert scrubbed.count("*") >= 5
            assert _may_hold_one(text)
            assert _pl_may_hold([text]) == [True]
        # as repr writes it (NBSP as \xa0): masked too
        assert "1949" not in scrub_id_numbers(repr(number))


def test_tab_separated_in_a_fact_error() -> None:
    data = base_household("110105\t19491231\t109X")
    with pytest.raises(ff.FactError) as info:
        ff.load_household(data)
    assert "19491231" not in str(info.value) and "19491231" not in repr(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "日期 2023-06-01 至 2023-12-31",
        "电话 0412-1234567",
        "金额 1,234,567.89 元",
        "123,456,789,012,345",  # thousands grouping
        "12.345.678.901",
        "共 12 户 345678 元",
        "210311 991399 977",  # six, six, three digits without a birth date
        "100000, 2000, 3000",
        "2023/06/01 12:00:00",
        "14049.58890410958904109589",
        "收入 123456.78 元 / 1234 户",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert scrub_id_numbers(text) == text


_ALPHABET = "0123456789Xx中a \xa0\u3000-－—·./_,\t\\ud"


@given(st.text(alphabet=_ALPHABET, min_size=0, max_size=60))
def test_the_quick_looks_agree_with_the_scrubber(text: str) -> None:
    if scrub_id_numbers(text) != text:
        assert _may_hold_one(text) or "\\" in text
        assert _pl_may_hold([text]) == [True]


def test_the_polars_prefilter_never_misses() -> None:
    rnd = random.Random(20261208)
    texts = []
    for _ in range(20_000):
        texts.append(
            "".join(
                rnd.choice("0123456789") if rnd.random() < 0.85 else rnd.choice(_ALPHABET)
                for _ in range(rnd.randint(14, 40))
            )
        )
    flags = _pl_may_hold(texts)
    for text, flag in zip(texts, flags, strict=True):
        if not flag:
            assert scrub_id_numbers(text) == text, text
            assert _ANYWHERE.search(text) is None


# ---- finding 6: other scripts' digits


def _zeros() -> list[str]:
    return [
        chr(c)
        for c in range(128, sys.maxunicode + 1)
        if unicodedata.category(chr(c)) == "Nd" and unicodedata.digit(chr(c)) == 0
    ]


def test_every_scripts_digits_are_folded_and_masked() -> None:
    zeros = _zeros()
    assert len(zeros) > 50
    for zero in zeros:
        table = str.maketrans("0123456789", "".join(chr(ord(zero) + i) for i in range(10)))
        for number in (ID18, ID15):
            written = number.translate(table)
            for text in (written, f"身份证 {written} 号", f"id {written}"):
                scrubbed = scrub_id_numbers(text)
                assert "491231".translate(table) not in scrubbed, (hex(ord(zero)), text)
                assert _pl_may_hold([text]) == [True]


def test_the_byte_prefilter_covers_every_digit_of_another_script() -> None:
    for c in range(128, sys.maxunicode + 1):
        if unicodedata.category(chr(c)) == "Nd":
            encoded = chr(c).encode()
            assert encoded.translate(None, _NOT_LEAD) or _WIDE_DIGIT.search(encoded), hex(c)


def test_arabic_indic_id_in_a_result_is_masked() -> None:
    arabic = ID18[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + "X"
    pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=7000)
    household = ff.load_household(base_household(arabic))
    from datetime import date

    result = pack.identify(household, as_of=date(2023, 6, 5))
    for text in (result.model_dump_json(), result.explain(), repr(result), str(result)):
        assert "١٩٤٩١٢٣١" not in text
    with ff.reveal_ids():
        assert arabic in result.model_dump_json()


def test_no_value_problem_still_reads() -> None:  # the FactError change keeps NO_VALUE lines
    error = FactError("\ud800" + ID18, [("area", NO_VALUE, "missing")])
    assert "  - area: missing" in str(error)
