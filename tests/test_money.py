from decimal import Decimal

import pytest
from pydantic import BaseModel

from fangfan_rules.money import NonNegativeYuan, Yuan, format_yuan, to_yuan


class M(BaseModel):
    a: Yuan
    b: NonNegativeYuan = Decimal("0")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("10000", Decimal("10000.00")),
        (10000, Decimal("10000.00")),
        (0.1, Decimal("0.10")),
        ("1,234.5", Decimal("1234.50")),
        ("99元", Decimal("99.00")),
        (Decimal("-3.2"), Decimal("-3.20")),
    ],
)
def test_exact_yuan(raw, expected):
    assert to_yuan(raw) == expected
    assert to_yuan(raw).as_tuple().exponent == -2


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), "abc", True, "0.001", 0.005, [1]])
def test_rejected(raw):
    with pytest.raises(ValueError):
        to_yuan(raw)


def test_negative_rejected_where_meaningless():
    with pytest.raises(ValueError, match="negative"):
        M(a=1, b=-1)
    assert M(a=-5).a == Decimal("-5.00")


def test_json_is_a_string_and_round_trips():
    m = M(a="0.10", b="12345678901234.56")
    text = m.model_dump_json()
    assert '"a":"0.10"' in text
    assert M.model_validate_json(text) == m


def test_format():
    assert format_yuan(Decimal("12345.5")) == "12,345.50"
