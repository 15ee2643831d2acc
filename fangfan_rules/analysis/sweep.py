"""Parameter sweeps: how the answers for a set of households move as one parameter changes.

>>> frame = sweep(households, load_pack("qianshan_2023"), parameter="monitoring_income_line",
...               values=range(6000, 9001, 500), as_of=date(2023, 6, 5))  # doctest: +SKIP
>>> sweep_table(frame)                                                      # doctest: +SKIP

Each value is evaluated on its own pack: a value for a parameter the document does not state is
what the caller supplies (``with_parameters``, source ``caller``); a value for a stated parameter
is a reform (:func:`~fangfan_rules.analysis.reform.reform`, source ``reform``), so every row
carries the pack version and content hash its counts come from. With the vectorized engine
(default) the batch is converted to tables and validated once for all values, and the texts
(first reasons, missing facts) are not worded: only counts are kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from fangfan_rules.analysis.reform import with_values
from fangfan_rules.errors import ParameterError
from fangfan_rules.facts import Household
from fangfan_rules.packs import Pack, load_pack
from fangfan_rules.result_rows import split_items
from fangfan_rules.results import BadRow, Outcome
from fangfan_rules.rules.parameters import coerce_value

if TYPE_CHECKING:
    import pandas as pd

    from fangfan_rules.calendar import WorkingDayCalendar

#: Columns of a sweep frame (long form: one row per value × measure × item).
SWEEP_COLUMNS = (
    "pack",
    "parameter",
    "value",
    "source",
    "measure",
    "item",
    "label",
    "count",
    "share",
    "pack_version",
    "pack_hash",
)
OUTCOMES = tuple(o.value for o in Outcome)
#: Outcomes under which a household is (or may be) put under monitoring.
MONITORED = (Outcome.IDENTIFY.value, Outcome.NEEDS_REVIEW.value)


def sweep(
    households: Iterable[Household],
    pack: Pack | str,
    *,
    parameter: str,
    values: Iterable[Any],
    as_of: date,
    parameters: Mapping[str, Any] | None = None,
    calendar: WorkingDayCalendar | None = None,
    engine: str = "vectorized",
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate ``households`` under ``pack`` once per value of ``parameter``; tidy counts.

    Returns one row per value × measure × item with the columns :data:`SWEEP_COLUMNS`:

    - ``measure="outcome"``: one row per outcome (``identify``, ``needs_review``,
      ``not_eligible``, ``out_of_scope``), zero counts included, and ``error`` when some
      households were bad rows (a household id twice in the batch…);
    - ``measure="monitored"``: ``item="identify+needs_review"``, households that are or may be
      monitored;
    - ``measure="key_attention"``: one row per key-attention group of the pack (zero counts
      included), ``label`` the group's English title;
    - ``measure="households"``: the batch size.

    ``value`` holds the typed value (``Decimal`` for money), ``share`` the count over the batch
    size. ``parameters`` supplies other caller values first (e.g. the monitoring line while sweeping
    another parameter). Values are evaluated in the order given. ``engine``: the batch engine
    (``"vectorized"``, default) or ``"native"`` / ``"durable"`` — they give the same counts.
    ``progress=True`` shows a progress bar over the values with a time estimate on standard error.
    """
    from fangfan_rules.engines.vectorized import progress_steps

    base = load_pack(pack) if isinstance(pack, str) else pack
    if parameter not in base.parameters:
        known = ", ".join(sorted(base.parameters))
        raise ParameterError(f"{base.name}: no parameter {parameter!r} (known: {known})")
    if parameters:
        base = base.with_parameters(**dict(parameters))
    batch = list(households)
    groups = _group_labels(base)
    spec = base.parameters[parameter]
    caller = parameter in base.caller_supplied() or (
        parameter in base.overrides and base.overrides[parameter].source == "caller"
    )
    rows: list[dict[str, Any]] = []
    prepared = None
    if engine == "vectorized":
        from fangfan_rules.engines import vectorized

        # converted and validated once for every value, the variables the value does not change
        # computed once; counts need no worded reasons
        prepared = vectorized.prepare(batch, share_variables=True)
    wanted = list(values)
    with progress_steps(progress, f"sweep {parameter}", len(wanted)) as advance:
        for raw in wanted:
            value = coerce_value(parameter, spec.type, raw)
            variant = with_values(base, {parameter: value}, label=f"sweep {parameter}")
            if engine == "native":
                results = variant.identify_many(batch, as_of=as_of, calendar=calendar)
                outcomes = Counter(str(r.outcome) for r in results)
                in_groups = Counter(
                    g.id for r in results if not isinstance(r, BadRow) for g in r.key_attention
                )
            elif prepared is not None:
                frame = vectorized.identify_frame(variant, prepared, as_of=as_of, reasons=False)
                outcomes = Counter(frame["outcome"])
                in_groups = Counter(g for c in frame["key_attention"] for g in split_items(c))
            else:
                frame = variant.identify_frame(batch, as_of=as_of, engine=engine)
                outcomes = Counter(frame["outcome"])
                in_groups = Counter(g for c in frame["key_attention"] for g in split_items(c))
            common = {
                "pack": base.name,
                "parameter": parameter,
                "value": value,
                "source": "caller" if caller else "reform",
                "pack_version": variant.version,
                "pack_hash": variant.content_hash,
            }
            total = len(batch)
            rows.extend(
                _row(common, "outcome", o, Outcome(o).zh, outcomes.get(o, 0), total)
                for o in OUTCOMES
            )
            if outcomes.get("error"):  # bad rows are counted too: the counts add up to the batch
                rows.append(_row(common, "outcome", "error", "无法评估", outcomes["error"], total))
            monitored = sum(outcomes[o] for o in MONITORED)
            rows.append(
                _row(
                    common, "monitored", "+".join(MONITORED), "纳入或可能纳入监测", monitored, total
                )
            )
            rows.extend(
                _row(common, "key_attention", g, groups.get(g, ""), in_groups[g], total)
                for g in sorted({*groups, *in_groups})
            )
            rows.append(_row(common, "households", "all", "households", total, total))
            advance(1)
    import pandas as pd  # imported by the first call that builds a frame

    return pd.DataFrame(rows, columns=list(SWEEP_COLUMNS))


def _row(
    common: Mapping[str, Any], measure: str, item: str, label: str, count: int, total: int
) -> dict[str, Any]:
    return {
        **common,
        "measure": measure,
        "item": item,
        "label": label,
        "count": count,
        "share": count / total if total else 0.0,
    }


def sweep_table(frame: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    """Wide view of a sweep: one row per value, one column per item (default: every measure)."""
    view = frame if measure is None else frame[frame["measure"] == measure]
    order = list(dict.fromkeys(view["item"]))
    wide = view.pivot_table(
        index="value", columns="item", values="count", aggfunc="sum", sort=False
    )
    return wide.reindex(columns=order).astype(int)


def _group_labels(pack: Pack) -> dict[str, str]:
    """Key-attention group ids of ``pack`` (as results name them) → English title."""
    from fangfan_rules.rules.rule import RuleKind

    return {
        f"{pack.name}:{rule.effect.group}": rule.title.en
        for rule in sorted(pack.rules, key=lambda r: r.id)
        if rule.kind == RuleKind.KEY_ATTENTION and rule.effect.group
    }


__all__ = ["MONITORED", "SWEEP_COLUMNS", "sweep", "sweep_table"]
