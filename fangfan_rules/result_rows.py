"""The result-row schema: the columns a results table has, and one answer as such a row.

Every engine that returns a table (vectorized, durable, distributed) and every analysis that
builds one (``compare``, ``sweep``) fills these columns: defined once, here, below both, so the
engines do not import the analysis layer. pandas is imported by :func:`results_frame` only.

**List columns** (:data:`LIST_COLUMNS`: ``risk_types``, ``key_attention``, ``key_areas``,
``flags``, ``missing_facts``) hold one string, the items joined by ``;`` in the native order —
``"qianshan_2023:①;qianshan_2023:⑥"`` — and ``""`` when there are none, as the CLI's CSV and JSON
Lines output writes them. Why strings, not tuples or Arrow lists: pandas string methods
(``frame.key_attention.str.contains("①")``) and Excel (``to_excel``) read them as they are;
tuples make ``.str`` raise and Excel show ``('qianshan_2023:①',)``, Arrow list columns fail
``.str.contains`` as well and Excel shows ``['a', 'b']``. :func:`split_items` turns a cell back
into its items. An error row (``outcome="error"``) has ``None`` in every answer column (nothing was
answered), so filter with ``.str.contains(..., na=False)`` on a frame that may hold error rows;
``missing_facts`` is ``None`` also where an engine did not word the reasons.

**Deciding rule.** ``deciding_rule`` is a rule id: the rule that decided the outcome (a scope rule
for ``out_of_scope``, a green-channel or outcome rule that fired), ``None`` when no rule decided
(``not_eligible``). ``decided_by_unknown`` is True when the answer is a review because facts are
missing: ``deciding_rule`` is then the first scope / green-channel / outcome rule whose outcome
those facts left unknown.
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
    "decided_by_unknown",
    "first_reason",
    "citation",
    "missing_facts",
    "error",
)
_DECIDING = ("scope", "green_channel", "outcome")
#: The columns that hold several items, joined by :data:`LIST_SEPARATOR` (``""`` for none).
LIST_COLUMNS = ("risk_types", "key_attention", "key_areas", "flags", "missing_facts")
#: What joins the items of a list column (the CLI's CSV / JSON Lines cells use the same).
LIST_SEPARATOR = ";"


def joined(items: Iterable[str]) -> str:
    """The cell of a list column: ``items`` joined by :data:`LIST_SEPARATOR` (``""`` for none)."""
    return LIST_SEPARATOR.join(items)


def split_items(cell: str | None) -> tuple[str, ...]:
    """The items of a list-column cell (``()`` for ``""`` and for the ``None`` of an error row)."""
    return tuple(cell.split(LIST_SEPARATOR)) if isinstance(cell, str) and cell else ()


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
    rule_id, by_unknown = _deciding_rule(result, deciding)
    return {
        "household_id": masked(result.household_id),
        "pack": result.pack,
        "as_of": result.as_of,
        "outcome": result.outcome.value,
        "category": result.category.value if result.category else None,
        "risk_types": joined(r.value for r in result.risk_types),
        "key_attention": joined(g.id for g in result.key_attention),
        "key_areas": joined(g.id for g in result.key_areas),
        "flags": joined(g.id for g in result.flags),
        "must_visit": result.must_visit,
        "green_channel": result.green_channel.applies,
        "deciding_rule": rule_id,
        "decided_by_unknown": by_unknown,
        "first_reason": result.first_reason("zh"),
        "citation": first.citation if first else None,
        "missing_facts": joined(masked(m) for m in result.missing_facts),
        "error": None,
    }


def _deciding_rule(result: Identification, deciding: list[Any]) -> tuple[str | None, bool]:
    """The rule that decided the outcome and whether its outcome was unknown: for a review caused
    by unknown facts, the first deciding-kind rule left unknown; None for not_eligible."""
    if deciding:
        return deciding[0].rule_id, False
    if result.outcome.value == "needs_review":
        for rule_id, kind, status in result.rule_statuses():
            if kind in _DECIDING and status == "unknown":
                return rule_id, True
    return None, False


def results_frame(results: Iterable[Identification | BadRow]) -> pd.DataFrame:
    """A DataFrame with one row per result (the columns of :func:`compare`); a
    :class:`~fangfan_rules.results.BadRow` is a row with ``outcome="error"`` and its reason.
    ID numbers are masked (household ids included) unless revealed.

    The list columns (``risk_types``, ``key_attention``, ``key_areas``, ``flags``,
    ``missing_facts``) are strings, the items joined by ``;`` (``""`` for none), so
    ``frame.key_attention.str.contains("①")`` and ``frame.to_excel(...)`` work as for any text
    column; ``deciding_rule`` is a rule id and ``decided_by_unknown`` says whether that rule's
    outcome was unknown (a review because facts are missing). See :mod:`fangfan_rules.result_rows`.
    """
    import pandas as pd

    return pd.DataFrame([result_row(r) for r in results], columns=list(COLUMNS))
