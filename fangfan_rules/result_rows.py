"""The result-row schema: the columns a results table has, and one answer as such a row.

Every engine that returns a table (vectorized, durable, distributed) and every analysis that
builds one (``compare``, ``sweep``) fills these columns: defined once, here, below both, so the
engines do not import the analysis layer. pandas is imported by :func:`results_frame` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fangfan_rules.idnumber import masked
from fangfan_rules.results import BadRow, Identification

if TYPE_CHECKING:
    import pandas as pd

#: The columns of a results table, in order (every engine fills the same ones).
COLUMNS = (
    "household_id",
    "pack",
    "as_of",
    "outcome",
    "category",
    "risk_types",
    "key_attention",
    "key_areas",
    "flags",
    "must_visit",
    "green_channel",
    "deciding_rule",
    "first_reason",
    "citation",
    "missing_facts",
    "error",
)
_DECIDING = ("scope", "green_channel", "outcome")


def _bad_row(bad: BadRow) -> dict[str, Any]:
    return {
        **dict.fromkeys(COLUMNS),
        "household_id": masked(bad.household_id),
        "pack": bad.pack,
        "as_of": bad.as_of,
        "outcome": "error",
        "error": bad.error,
    }


def result_row(result: Identification | BadRow) -> dict[str, Any]:
    """One result as a row of :data:`COLUMNS` (ID numbers masked unless revealed)."""
    if isinstance(result, BadRow):
        return _bad_row(result)
    deciding = [r for r in result.reasons if r.kind in _DECIDING]
    shows_review = result.outcome.value == "needs_review" and bool(result.review_points)
    first = (
        deciding[0]
        if deciding
        else (None if shows_review or not result.reasons else result.reasons[0])
    )
    return {
        "household_id": masked(result.household_id),
        "pack": result.pack,
        "as_of": result.as_of,
        "outcome": result.outcome.value,
        "category": result.category.value if result.category else None,
        "risk_types": tuple(r.value for r in result.risk_types),
        "key_attention": tuple(g.id for g in result.key_attention),
        "key_areas": tuple(g.id for g in result.key_areas),
        "flags": tuple(g.id for g in result.flags),
        "must_visit": result.must_visit,
        "green_channel": result.green_channel.applies,
        "deciding_rule": _deciding_rule(result, deciding),
        "first_reason": result.first_reason("zh"),
        "citation": first.citation if first else None,
        "missing_facts": tuple(masked(m) for m in result.missing_facts),
        "error": None,
    }


def _deciding_rule(result: Identification, deciding: list[Any]) -> str | None:
    """The rule that decided the outcome; for a review caused by unknown facts, the first outcome
    rule left unknown (marked ``?``); None for not_eligible (no rule fired)."""
    if deciding:
        return deciding[0].rule_id
    if result.outcome.value == "needs_review":
        for trace in result.trace.rules:
            if trace.kind in _DECIDING and trace.status == "unknown":
                return f"{trace.rule_id}?"
    return None


def results_frame(results: Iterable[Identification | BadRow]) -> pd.DataFrame:
    """A DataFrame with one row per result (the columns of :func:`compare`); a
    :class:`~fangfan_rules.results.BadRow` is a row with ``outcome="error"`` and its reason.
    ID numbers are masked (household ids included) unless revealed."""
    import pandas as pd

    return pd.DataFrame([result_row(r) for r in results], columns=list(COLUMNS))
