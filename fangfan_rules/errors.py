"""Exceptions raised by fangfan-rules.

Every error names what went wrong in terms a caller can act on: the household, the field and the
value for bad facts; the parameter and its clause for a missing figure; the date for a calendar
that does not know a year. ID numbers never appear unmasked in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def printable(text: str) -> str:
    """``text`` that any UTF-8 output can write: a lone surrogate (text that was not valid
    Unicode or UTF-8) is shown as its escape, ``\\udc80``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class _NoValue:
    """The value of a problem that has none to show (a field that is missing, a key given twice,
    a rule between several fields): the message names the field only, never a stand-in."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


#: See :class:`_NoValue`: ``FactError(hid, [("area", NO_VALUE, "Field required")])`` reads
#: ``area: Field required``.
NO_VALUE = _NoValue()


def shown_value(value: object) -> str:
    """A value as a fact error shows it: what was sent — text quoted, a number as written
    (``1234.567``, not ``Decimal('1234.567')``)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


def validation_message(item: Mapping[str, Any]) -> str:
    """The message of one pydantic error item as the library shows it: a validator's own
    sentence without pydantic's "Value error," / "Assertion failed," prefix (what the
    library raised says what is wrong; the prefix names a Python exception class to town staff)."""
    message = str(item["msg"])
    if item.get("type") in _PREFIXED_TYPES:
        error = (item.get("ctx") or {}).get("error")
        if error is not None and str(error):
            return str(error)
    return message


_PREFIXED_TYPES = frozenset({"value_error", "assertion_error"})


#: The one rule for a household id that appears more than once in a batch, in every engine and
#: in streaming: every copy is a bad row with this reason, every other household is answered.
DUPLICATED_HOUSEHOLD = (
    "household id appears more than once in the batch: every copy is reported, none is answered"
)


class _Masked(str):
    """A value that is not text (a number) whose written form held an ID number: masked, and
    shown as it was written (``110105*******1109``, not quoted as if it were text)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)


class FangfanError(Exception):
    """Base class of every error raised by fangfan-rules.

    Its message is scrubbed of ID numbers whoever raises it: a message built from an id or a
    value cannot leak one (CONVENTIONS: masked in every error message).
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            from fangfan_rules.idnumber import scrub_id_numbers

            args = (scrub_id_numbers(args[0]), *args[1:])
        super().__init__(*args)


class FactError(FangfanError, ValueError):
    """A household's facts are invalid (bad value, unknown enum member, NaN, negative money...)."""

    def __init__(self, household_id: str | None, problems: list[tuple[str, object, str]]):
        from fangfan_rules.idnumber import scrub_id_numbers

        def masked(value: object) -> object:
            if isinstance(value, str):
                return scrub_id_numbers(value)
            text = shown_value(value)  # a number given where an ID number belongs, say
            return value if scrub_id_numbers(text) == text else _Masked(scrub_id_numbers(text))

        # ID numbers are masked in the message and in the attributes, wherever they appear (a
        # number, a household id that is one, a typo'd key): an error is logged and shown.
        #: The household id as given (masked if it is an ID number), None if unknown.
        #: Masked first, then escaped (:func:`printable`): an escape's hex digits (``\\ud800``)
        #: never join the ID number after it.
        self.household_id: str | None = (
            printable(scrub_id_numbers(household_id)) if household_id is not None else None
        )
        #: (field path, offending value, message), masked like the message.
        self.problems = [(str(masked(f)), masked(v), str(masked(m))) for f, v, m in problems]
        hid = self.household_id if self.household_id is not None else "<unknown id>"
        lines = [f"household {hid}: {len(problems)} invalid fact(s)"]
        for field, value, message in self.problems:
            if value is NO_VALUE:
                lines.append(f"  - {field}: {message}")
            else:
                lines.append(f"  - {field} = {shown_value(value)}: {message}")
        super().__init__(printable(scrub_id_numbers("\n".join(lines))))


class BatchTypeError(FangfanError, TypeError):
    """A batch API was given something that is not a batch (a single household, a string, a
    mapping where an iterable of households belongs)."""


class PackError(FangfanError):
    """A policy pack cannot be found, loaded or validated (its rule and parameter problems are
    the more specific :class:`RuleError` and :class:`ParameterError`)."""


class ParameterError(PackError):
    """A pack parameter is malformed, unknown or not in force."""


class MissingParameterError(ParameterError):
    """A rule needs a figure the document does not state and the caller did not supply it."""

    def __init__(self, pack: str, parameter: str, citation: str, rule_id: str | None = None):
        self.pack = pack
        self.parameter = parameter
        self.citation = citation
        self.rule_id = rule_id
        needed_by = f" (needed by rule {rule_id})" if rule_id else ""
        super().__init__(
            f"{pack}: parameter '{parameter}' is not stated in the document ({citation}) and must be "
            f"supplied by the caller{needed_by}, e.g. pack.with_parameters({parameter}=...) or "
            f"--param {parameter}=VALUE on the command line. fangfan-rules never guesses this figure."
        )


class UnsuppliedParameterError(MissingParameterError):
    """A figure the document does not state, declared ``when_not_supplied: review``: the rule that
    needs it is *unknown* (the answer lists the parameter to supply), not an error.

    Engines catch it where a condition reads the parameter; it only escapes from code that has no
    rule to make unknown, and then it is the clear :class:`MissingParameterError` it derives from.
    """


class RuleError(PackError):
    """A rule or condition is malformed (unknown variable, operator or parameter)."""


class NotInForceError(FangfanError):
    """Nothing in the pack is in force at the evaluation date."""


class CalendarError(FangfanError):
    """The working-day calendar cannot answer for a date (e.g. outside its known years)."""


class ScheduleError(FangfanError, ValueError):
    """A holiday schedule file is invalid, given twice, leaves a gap or contradicts the bundled
    calendar. Deliberately not a :class:`CalendarError`: a broken file must stop the run, never
    read as "the calendar does not know this year"."""


class MissingExtraError(FangfanError):
    """A feature needs an optional dependency that is not installed here.

    The message names the extra that installs it (``pip install 'fangfan-rules[EXTRA]'``).
    Deliberately not an :class:`ImportError`: the caller asked for a feature (an engine, plots,
    strategies), and the answer is what to install, like every other :class:`FangfanError`.
    """

    def __init__(self, feature: str, extra: str, *, detail: str | None = None):
        self.feature = feature
        self.extra = extra
        message = f"{feature} needs the '{extra}' extra: pip install 'fangfan-rules[{extra}]'"
        super().__init__(f"{message} ({detail})" if detail else message)


class EngineError(FangfanError):
    """A library the batch engines run on (polars, pyarrow) failed on a batch.

    An internal error, never a verdict on the data (bad rows are reported row by row): the
    message names the operation and the library's own error, ID numbers masked; the library's
    exception is not chained (its text can quote the data).
    """
