"""Exact money in decimal yuan.

Money is never a float: a float cannot say 0.10 exactly, and the documents' boundaries
("低于1万元", "超过2万元") must be compared exactly (CONVENTIONS.md: fen precision, no float).
Inputs are accepted as ``Decimal``, ``int``, numeric strings or *finite* floats whose shortest
repr has at most two decimals; anything with finer precision than one fen is rejected rather than
rounded away. Values serialise to JSON as strings ("1234.50") so a round trip is exact.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

FEN = Decimal("0.01")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def to_yuan(value: Any) -> Decimal:
    """Convert *value* to an exact ``Decimal`` yuan amount or raise ``ValueError`` saying why."""
    if isinstance(value, bool):
        raise ValueError(f"a money amount cannot be a boolean ({value!r})")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"money must be a finite number, got {value!r}")
        result = Decimal(repr(value))  # shortest round-tripping text, e.g. 0.1 -> Decimal('0.1')
    elif isinstance(value, str):
        text = value.strip().removesuffix("元").strip()
        if _THOUSANDS.match(text):  # "1,234.50" only: "1,00" is an error, not 100
            text = text.replace(",", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a money amount: {value!r}") from None
    else:
        raise ValueError(f"not a money amount: {value!r} ({type(value).__name__})")
    if not result.is_finite():
        raise ValueError(f"money must be a finite number, got {value!r}")
    if result.adjusted() > 15:  # 10^15 yuan: far beyond any household, and beyond fen quantize
        raise ValueError(f"money amount out of range: {value!r}")
    if result != result.quantize(FEN, rounding=ROUND_HALF_EVEN):
        raise ValueError(
            f"money has finer precision than one fen (0.01 yuan): {value!r}; "
            "round it at the source, fangfan-rules does not round facts away"
        )
    return result.quantize(FEN) if result.as_tuple().exponent != -2 else result  # type: ignore[operator]


def _non_negative(value: Any) -> Decimal:
    amount = to_yuan(value)
    if amount < 0:
        raise ValueError(f"amount cannot be negative here: {value!r}")
    return amount


_EXACT = Context(prec=40)


def fraction_to_yuan(value: Fraction) -> Decimal:
    """An exact fraction of yuan as a ``Decimal`` with 40 significant digits, **not** rounded to fen.

    Derived amounts (a per-capita share, a pro-rata part of a record) are compared with the
    documents' boundaries at this precision, so 20,699.99 yuan shared by 3 people (6,899.9966…)
    is 低于 6,900. Fen amounts divided by household sizes and day counts differ from any fen
    boundary by far more than 1e-30 yuan, so the comparison is exact. Reasons display the value
    rounded half to even to the fen (:func:`format_yuan`).
    """
    return _EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))


def format_yuan(amount: Decimal) -> str:
    """``Decimal('12345.5') -> '12,345.50'`` for human-readable reasons."""
    return f"{amount.quantize(FEN, rounding=ROUND_HALF_EVEN):,}"


_serialise = PlainSerializer(lambda v: str(v), return_type=str, when_used="json")

#: A signed exact amount in yuan (e.g. a year-on-year change, 财产性 income that can be a loss).
Yuan = Annotated[Decimal, BeforeValidator(to_yuan), _serialise]
#: An exact amount in yuan that cannot be negative (spending, wages, transfers...).
NonNegativeYuan = Annotated[Decimal, BeforeValidator(_non_negative), _serialise]
