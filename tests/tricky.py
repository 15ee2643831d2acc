"""A corpus of tricky input values: the forms every input path must accept or refuse alike.

Used by the fuzz suite (``tests/test_fuzz_inputs.py``), the parity test of the two validation
paths (pydantic facts and the columnar tables) and ``benchmarks/robustness.py``, which measures
crashes, coercions, leaks and lost rows before and after a change.

Each :class:`Form` is a value as it appears in a JSON document (``json``: the JSON token) and, when
the value has a text form, as a CSV cell (``cell``). ``accepted`` says whether the documented
forms include it (README, "Guarantees"; the JSON Schema of ``household_json_schema()``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: Valid resident ID numbers (GB 11643 check digit right; 15-digit: a valid 19YYMMDD birth date).
ID18 = ("11010519491231002X", "440304198001011239")
ID15 = ("110105491231002", "440304800101123")
#: The shape of an 18-digit number with a wrong check digit (a typo: still personal data).
ID18_TYPO = "110105194912310021"
ALL_IDS = (*ID18, *ID15, ID18_TYPO)


@dataclass(frozen=True)
class Form:
    """A value of one kind of fact, as a JSON token and (if it has one) as a CSV cell."""

    json: str
    accepted: bool
    cell: str | None = None
    note: str = ""

    @property
    def value(self) -> Any:
        """The value as the standard JSON parser reads it (for Python-level inputs)."""
        return json.loads(self.json)


def _s(text: str, accepted: bool, note: str = "") -> Form:
    """A JSON string (its CSV cell is the same text)."""
    return Form(json.dumps(text), accepted, cell=text, note=note)


def _n(token: str, accepted: bool, note: str = "") -> Form:
    """A bare JSON token (number, boolean, null): its CSV cell is the token's text."""
    return Form(token, accepted, cell=token, note=note)


#: Money in yuan (income, spending): decimal strings or JSON numbers with ASCII digits.
MONEY: tuple[Form, ...] = (
    _s("1000", True),
    _s("1000.5", True),
    _s("0.10", True),
    _n("1000", True),
    _n("12.5", True, "a JSON number with a fraction is read exactly (never a float)"),
    _s("１０００", False, "full-width digits"),
    _s("١٠٠٠", False, "Arabic-Indic digits"),
    _s("1e3", False, "exponent"),
    _s("1E3", False, "exponent"),
    _n("1e3", False, "JSON number in exponent form"),
    _s("1_000", False, "underscore"),
    _s("-0", False, "negative zero"),
    _s("-0.00", False, "negative zero"),
    _n("-0.0", False, "negative zero"),
    _s("+5", False, "explicit plus sign"),
    _s("0x10", False, "hexadecimal"),
    _s("1.001", False, "finer than one fen"),
    _s("NaN", False),
    _s("Infinity", False),
    _s("", False),
    _s("1 000", False, "inner space"),
    _n("true", False, "boolean"),
    _n("[1]", False),
    _s("1" * 40, False, "out of range"),
)

#: Booleans: JSON true / false only (a CSV cell ``true`` / ``false`` is read as that literal).
BOOLEAN: tuple[Form, ...] = (
    _n("true", True),
    _n("false", True),
    _n("null", True, "unknown"),
    _s("yes", False),
    _s("T", False),
    _s("True", False),
    _s("1", False),
    _n("1", False),
    _n("0", False),
    _n("1.0", False),
    _s("是", False),
)

#: Integers (lifted_year): JSON integers or plain ASCII digit strings.
INTEGER: tuple[Form, ...] = (
    _n("2019", True),
    _s("2019", True),
    _s("2019.0", False),
    _n("2019.0", False, "a JSON number with a fraction"),
    _s("２０１９", False, "full-width digits"),
    _s("2_019", False),
    _n("2.019e3", False, "JSON number in exponent form"),
    _s("0x7e3", False),
    _s("+2019", False),
    _n("true", False),
    _s("2019 年", False),
)

#: Dates: ISO YYYY-MM-DD strings.
DATE: tuple[Form, ...] = (
    _s("2020-02-29", True),
    _n("0", False, "a number is not a date"),
    _n("1672531200", False, "epoch seconds"),
    _n("1672531200.5", False, "epoch float"),
    _s("2023-01-01T00:00:00", False, "a datetime"),
    _s("2023-01-01T00:00:00+08:00", False, "a datetime with a time zone"),
    _s("2023-01-01 08:00", False),
    _s("20230101", False),
    _s("2023/01/01", False),
    _s("2023-1-1", False),
    _s("２０２３-０１-０１", False, "full-width digits"),
    _s("2023-02-30", False, "no such day"),
    _n("true", False),
)

#: Identifiers (household and member ids, area names): printable text.
IDENTIFIER: tuple[Form, ...] = (
    _s("H-0001", True),
    _s("户 甲-1", True),
    _s(ID18[0], True, "an ID number used as a household id: accepted, masked in every output"),
    _s("\u200b", False, "zero-width space"),
    _s("a\u200bb", False, "zero-width space inside"),
    _s("\ufeff", False, "byte-order mark"),
    _s("\ufeffH1", False, "byte-order mark"),
    _s("a\x00b", False, "NUL"),
    _s("a\nb", False, "line break"),
    _s("\u202eH1", False, "bidi override"),
    Form('"\\ud800"', False, cell=None, note="lone surrogate"),
    _s("", False),
    _n("123", False, "a number is not an id"),
)

#: Free text (names, descriptions): anything printable; line breaks and tabs allowed.
TEXT: tuple[Form, ...] = (
    _s("张三", True),
    _s("第一行\n第二行", True),
    Form('"\\udc80x"', False, cell=None, note="lone surrogate"),
    _s("a\x00b", False, "NUL"),
    _s("a\x1bb", False, "escape character"),
)

#: 居民身份证号码: 18 characters (GB 11643 check digit) or 15 digits (issued before 1999).
ID_NUMBER: tuple[Form, ...] = (
    _s(ID18[1], True),
    _s(ID15[0], True, "15-digit number issued before 1999"),
    _s(ID18[0].lower(), True, "a lower-case check character is the same number"),
    _s(ID18_TYPO, False, "wrong check digit"),
    _s(ID15[0][:6] + "491331002", False, "15 digits with no such birth date"),
    _s(ID18[1][:17], False, "17 digits"),
    _s("".join(chr(ord(c) + 0xFEE0) for c in ID18[1]), False, "full-width digits"),
    _n(ID15[0], False, "a number: leading zeros and the check character matter"),
)

#: Where each kind is placed in :func:`base_household` (a JSON path) for the corpus.
PLACES: dict[str, tuple[tuple[str | int, ...], tuple[Form, ...]]] = {
    "money": (("income", 0, "wage_income"), MONEY),
    "boolean": (("self_coping",), BOOLEAN),
    "integer": (("lifted_year",), INTEGER),
    "date": (("members", 0, "birth_date"), DATE),
    "household id": (("id",), IDENTIFIER),
    "member id": (("members", 0, "id"), IDENTIFIER),
    "village": (("area", "village"), IDENTIFIER),
    "text": (("members", 0, "name"), TEXT),
    "id number": (("members", 1, "id_number"), ID_NUMBER),
}


def base_household(hid: str = "B-1") -> dict[str, Any]:
    """A valid household with (18-digit) ID numbers on its members."""
    return {
        "id": hid,
        "area": {"county": "千山区", "town": "甘泉镇", "village": "东村"},
        "hukou": "rural",
        "lifted_out_of_poverty": True,
        "members": [
            {"id": "m1", "relation": "head", "birth_date": "1949-12-31", "id_number": ID18[0]},
            {"id": "m2", "relation": "spouse", "id_number": ID18[1]},
        ],
        "income": [
            {
                "start": "2022-01-01",
                "end": "2022-12-31",
                "wage_income": "8000",
                "business_income": "0",
                "property_income": "0",
                "transfer_income": "0",
                "business_expense": "0",
            }
        ],
    }


_MARK = "__TRICKY__"


def household_text(path: tuple[str | int, ...], form: Form, hid: str = "B-1") -> str:
    """The base household as JSON text with ``form``'s token at ``path``."""
    data = base_household(hid)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = _MARK
    return json.dumps(data, ensure_ascii=False).replace(json.dumps(_MARK), form.json)


def corpus() -> list[tuple[str, tuple[str | int, ...], Form]]:
    """Every (kind, path, form) of :data:`PLACES`."""
    return [(kind, path, form) for kind, (path, forms) in PLACES.items() for form in forms]


#: Malformed JSON documents (each one line): every reader must report them and go on.
MALFORMED_LINES: tuple[tuple[str, str], ...] = (
    ("deep nesting", '{"id":"X","a":' + "[" * 5000 + "]" * 5000 + "}"),
    ("huge integer", '{"id":"X","lifted_year":' + "9" * 5000 + "}"),
    ("syntax error", '{"id": "X", "hukou": }'),
    ("truncated", '{"id": "X", "hukou": "rural"'),
    ("not an object", "[1, 2, 3]"),
    ("a bare string", '"hello"'),
    ("duplicated key", '{"id":"X","hukou":"rural","hukou":"urban"}'),
    ("NaN literal", '{"id":"X","lifted_year":NaN}'),
    ("lone surrogate id", '{"id":"\\ud800","hukou":"rural"}'),
    ("control character", '{"id":"X\u0001"}'),
)
