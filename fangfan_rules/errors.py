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


class ParameterError(FangfanError):
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


class PackError(FangfanError):
    """A policy pack cannot be found, loaded or validated."""


class RuleError(FangfanError):
    """A rule or condition is malformed (unknown variable, operator or parameter)."""


class NotInForceError(FangfanError):
    """Nothing in the pack is in force at the evaluation date."""


class CalendarError(FangfanError):
    """The working-day calendar cannot answer for a date (e.g. outside its known years)."""


class EngineError(FangfanError):
    """A library the batch engines run on (polars, pyarrow) failed on a batch.

    An internal error, never a verdict on the data (bad rows are reported row by row): the
    message names the operation and the library's own error, ID numbers masked; the library's
    exception is not chained (its text can quote the data).
    """
