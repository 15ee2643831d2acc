"""Exceptions raised by fangfan-rules.

Every error names what went wrong in terms a caller can act on: the household, the field and the
value for bad facts; the parameter and its clause for a missing figure; the date for a calendar
that does not know a year. ID numbers never appear unmasked in a message.
"""

from __future__ import annotations


class FangfanError(Exception):
    """Base class of every error raised by fangfan-rules."""


class FactError(FangfanError, ValueError):
    """A household's facts are invalid (bad value, unknown enum member, NaN, negative money...)."""

    def __init__(self, household_id: str | None, problems: list[tuple[str, object, str]]):
        self.household_id = household_id
        #: (field path, offending value — already masked if it is an ID number, message)
        self.problems = problems
        from fangfan_rules.idnumber import scrub_id_numbers

        hid = household_id if household_id is not None else "<unknown id>"
        lines = [f"household {hid}: {len(problems)} invalid fact(s)"]
        for field, value, message in problems:
            lines.append(f"  - {field} = {value!r}: {message}")
        # ID numbers are masked in every message, wherever they appear (a number, a typo'd key).
        super().__init__(scrub_id_numbers("\n".join(lines)))


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
