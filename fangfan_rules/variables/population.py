"""Population-level variables: values that depend on other households of the same area.

They are computed once per batch (``Pack.identify_many``) over the households *as known on
as_of*, and each household reads its own value; the aggregate (area, count, cut-off) is recorded
in the trace. Evaluated for a single household (``Pack.identify``) they are unknown, listed as
missing facts, never guessed.

Ranking rule for "bottom share" (e.g. ewenki's 本地区脱贫户后20%): among the 脱贫户 of the same
county whose per-capita net income over the window is known (N of them), a household is in the
bottom share s when the number of those with a strictly lower income is below s × N. Households
tied at the cut are all in; households with unknown income are not ranked (their value is
unknown).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fangfan_rules.dates import DateRange
from fangfan_rules.facts import Household
from fangfan_rules.logic import Missing
from fangfan_rules.money import format_yuan
from fangfan_rules.variables.income import per_capita_net_income
from fangfan_rules.variables.registry import Context, variable


@dataclass(frozen=True)
class PopulationStat:
    """One aggregate computed over a batch (shown in every trace that used it)."""

    variable: str
    arguments: str
    area: str
    count: int
    value: str


def _village(h: Household) -> tuple[str, str, str]:
    return (h.area.county, h.area.town, h.area.village)


def _from_population(ctx: Context, name: str, args: dict[str, Any]) -> Any:
    key = (name, population_key(args))
    if key in ctx.population:
        return ctx.population[key]
    return Missing((f"population-level value {name} (evaluate the area with identify_many)",))


def population_key(args: dict[str, Any]) -> str:
    return ";".join(f"{k}={args[k]}" for k in sorted(args))


def _count_per_village(
    views: Sequence[Household], name: str, counts_if: Any, label: str
) -> tuple[dict[str, Any], list[PopulationStat]]:
    per_village: dict[tuple[str, str, str], int] = defaultdict(int)
    for h in views:
        per_village[_village(h)] += 1 if counts_if(h) else 0
    values = {h.id: per_village[_village(h)] for h in views}
    stats = [
        PopulationStat(name, label, "/".join(v), n, str(n)) for v, n in sorted(per_village.items())
    ]
    return values, stats


def _lifted_count_batch(views: Sequence[Household], as_of: date) -> Any:
    return _count_per_village(
        views, "village_lifted_count", lambda h: h.lifted_out_of_poverty is True, ""
    )


@variable(
    "village_lifted_count",
    value_type="int",
    zh="本村脱贫户数",
    en="脱贫户 in the village",
    batch=_lifted_count_batch,
)
def _village_lifted(ctx: Context) -> Any:
    return _from_population(ctx, "village_lifted_count", {})


def _monitored_since_batch(views: Sequence[Household], as_of: date, since: date) -> Any:
    return _count_per_village(
        views,
        "village_monitored_since",
        lambda h: any(r.identified_on >= since for r in h.monitoring),
        f"since={since}",
    )


@variable(
    "village_monitored_since",
    value_type="int",
    args={"since": "date"},
    zh="本村{since}以来识别的监测户数",
    en="households identified for monitoring in the village since {since}",
    batch=_monitored_since_batch,
)
def _village_monitored_since(ctx: Context, since: date) -> Any:
    return _from_population(ctx, "village_monitored_since", {"since": since})


def _monitored_now_batch(views: Sequence[Household], as_of: date) -> Any:
    return _count_per_village(
        views,
        "village_monitored_count",
        lambda h: any(r.eliminated_on is None for r in h.monitoring),
        "",
    )


@variable(
    "village_monitored_count",
    value_type="int",
    zh="本村现有监测户数",
    en="households under monitoring in the village",
    batch=_monitored_now_batch,
)
def _village_monitored(ctx: Context) -> Any:
    return _from_population(ctx, "village_monitored_count", {})


def _bottom_share_batch(
    views: Sequence[Household], as_of: date, window: DateRange, share: int
) -> Any:
    by_county: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    values: dict[str, Any] = {}
    for h in views:
        if h.lifted_out_of_poverty is not True:
            values[h.id] = (
                False if h.lifted_out_of_poverty is False else Missing(("lifted_out_of_poverty",))
            )
            continue
        income = per_capita_net_income(h, window)
        if isinstance(income, Missing):
            values[h.id] = income
            continue
        by_county[h.area.county].append((income, h.id))
    stats = []
    for county, ranked in sorted(by_county.items()):
        incomes = sorted(v for v, _ in ranked)
        n = len(incomes)
        limit = Decimal(share) / 100 * n
        included = []
        for income, hid in ranked:
            lower = sum(1 for v in incomes if v < income)  # ties at the cut are all included
            values[hid] = lower < limit
            if values[hid]:
                included.append(income)
        cut = format_yuan(max(included)) if included else "—"
        stats.append(
            PopulationStat(
                "lifted_income_bottom_share",
                f"window={window};share={share}%",
                county,
                n,
                f"{len(included)} of {n} 脱贫户, cut-off {cut}",
            )
        )
    return values, stats


@variable(
    "lifted_income_bottom_share",
    value_type="bool",
    args={"window": "window", "share": "int"},
    zh="人均纯收入排在本地区脱贫户后{share}%（{window}）",
    en="per-capita income in the local bottom {share}% of 脱贫户 ({window})",
    batch=_bottom_share_batch,
)
def _bottom_share(ctx: Context, window: DateRange, share: int) -> Any:
    return _from_population(ctx, "lifted_income_bottom_share", {"window": window, "share": share})
