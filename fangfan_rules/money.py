"""Exact money in decimal yuan.

Money is never a float: a float cannot say 0.10 exactly, and the documents' boundaries
("低于1万元", "超过2万元") must be compared exactly (CONVENTIONS.md: fen precision, no float).

The documented forms of a money fact (:data:`Yuan`, :data:`NonNegativeYuan`):

* a decimal string in yuan with ASCII digits: ``"1234.5"``, ``"-20"``, ``"1,234.50"`` (commas only
  as thousands separators), optionally ending in ``元``; surrounding ASCII blanks are ignored;
* a JSON integer, or a JSON number with a fraction — read exactly as a ``Decimal`` by
  :func:`fangfan_rules.facts.load_household`, never as a float (``12.5`` is 12.50 yuan);
* from Python: ``int`` or ``Decimal``.

Refused, naming the value: floats, booleans, full-width or other non-ASCII digits (``"１０００"``),
exponents (``"1e3"``, JSON ``1e3``), underscores (``"1_000"``), a ``+`` sign, negative zero
(``"-0"``, ``"-0.00"``), NaN / Infinity, anything finer than one fen, and amounts of 10^16 yuan or
more. Values serialise to JSON as strings ("1234.50") so a round trip is exact.

:func:`to_yuan` reads the same text forms for pack parameters and also takes a finite float
whose shortest repr has at most two decimals (YAML numbers); facts never take a float.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

FEN = Decimal("0.01")
_ASCII_BLANKS = " \t\n\r\x0b\x0c"
#: A money string (JSON Schema of money facts): ASCII digits, optional thousands separators,
#: optional fraction of at most two digits (then zeros), optional 元.
PATTERN = r"^-?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]{1,2}0*)?元?$"
_TEXT = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?")


def _shown(value: Any) -> str:
    # a Decimal (a JSON number, a sheet's amount) as it was sent: 1234.567, not Decimal('1234.567')
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


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
        text = value.strip(_ASCII_BLANKS).removesuffix("元").strip(_ASCII_BLANKS)
        if not _TEXT.fullmatch(text):
            raise ValueError(
                f"not a money amount: {_shown(value)} (decimal yuan with ASCII digits, "
                "e.g. '1234.50')"
            )
        try:
            result = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ValueError(f"not a money amount: {_shown(value)}") from None
    else:
        raise ValueError(f"not a money amount: {_shown(value)} ({type(value).__name__})")
    if not result.is_finite():
        raise ValueError(f"money must be a finite number, got {_shown(value)}")
    if result.is_zero() and result.is_signed():
        raise ValueError(f"money cannot be negative zero: {_shown(value)}")
    if result.adjusted() > 15:  # 10^15 yuan: far beyond any household, and beyond fen quantize
        raise ValueError(f"money amount out of range: {_shown(value)}")
    if result != result.quantize(FEN, rounding=ROUND_HALF_EVEN):
        raise ValueError(
            f"money has finer precision than one fen (0.01 yuan): {_shown(value)}; "
            "round it at the source, fangfan-rules does not round facts away"
        )
    return result.quantize(FEN) if result.as_tuple().exponent != -2 else result  # type: ignore[operator]


#: A plain amount in fen as most records give it ("30345.90", "-12.00"): read as it is, the very
#: Decimal :func:`to_yuan` gives (no blank, comma or 元 to strip, two decimals, at most 16 digits
#: before the point: below 10^16); every other form takes :func:`to_yuan`'s way.
_PLAIN_FEN = re.compile(r"-?[0-9]{1,16}\.[0-9]{2}")


def fact_yuan(value: Any) -> Decimal:
    """:func:`to_yuan` for facts: a float is refused (JSON numbers arrive as exact Decimals)."""
    if type(value) is str and _PLAIN_FEN.fullmatch(value):
        amount = Decimal(value)
        if amount or not amount.is_signed():  # negative zero: refused below, as to_yuan says
            return amount
    if isinstance(value, float):
        raise ValueError(
            f"money cannot be a float ({value!r}): give a decimal string or an exact number"
        )
    return to_yuan(value)


def _non_negative(value: Any) -> Decimal:
    amount = fact_yuan(value)
    if amount < 0:
        raise ValueError(f"amount cannot be negative here: {_shown(value)}")
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
_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": PATTERN},
        {"type": "integer"},
        {"type": "number", "multipleOf": 0.01},
    ],
    "description": "yuan: a decimal string (ASCII digits) or an exact JSON number, fen precision",
}

#: A signed exact amount in yuan (e.g. a year-on-year change, 财产性 income that can be a loss).
Yuan = Annotated[
    Decimal, BeforeValidator(fact_yuan), _serialise, WithJsonSchema(_SCHEMA, mode="validation")
]
#: An exact amount in yuan that cannot be negative (spending, wages, transfers...).
NonNegativeYuan = Annotated[
    Decimal,
    BeforeValidator(_non_negative),
    _serialise,
    WithJsonSchema({**_SCHEMA, "not": {"type": "string", "pattern": "^-"}}, mode="validation"),
]
