"""Hypothesis strategies that draw *valid* fangfan-rules facts, for property-based tests.

Public API: your own property suites can use these to feed a pack every kind of household it must
handle. Every value drawn passes the fact models' validation, and is aimed at the edges a policy
document cares about — **the edges of your pack**, read from its own parameters and rules, when
you pass ``households(pack=...)`` (:func:`pack_edges` shows what it reads):

* money is an exact ``Decimal`` with fen precision (never a float), drawn on every money threshold
  − 0.01, on it and + 0.01 (as per-capita income, self-paid spending, personal burden), and up to
  huge amounts (10**9 yuan); a threshold on a *sum* of spending (a window's 合规自付, a calendar
  year's medical burden through or before a month: :class:`SpendingSum`) gets spending records
  dated inside the days it reads whose parts add up exactly to those three amounts;
* monitoring records name no helper, one or two (the double-helper edge);
* dates are drawn on every date parameter and threshold ± 1 day and on the ends of the pack's
  windows (those relative to ``as_of`` too, when ``as_of`` is given), ages on each age compared;
* income records never overlap and, unless asked otherwise, cover the pack's windows exactly, with
  the per-capita net income of each window *aimed* at a drawn level, so a test can land on a
  threshold exactly (``households(income_per_capita=Decimal("10000.00"))``);
* unknown facts (``None``) are drawn as often as known ones unless ``allow_unknown=False``.

Without ``pack`` the defaults are those of qianshan_2023. Small facts are drawn as few hypothesis
choices (``benchmarks/strategies_speed.py`` prints households per second); failures still shrink
to small households. One runnable example per bundled pack (the figures each leaves to the caller
supplied):

>>> from fangfan_rules import load_pack, strategies as fs
>>> from hypothesis import given, settings
>>> def answers_every_drawn_household(pack):
...     @settings(max_examples=10, deadline=None)
...     @given(fs.households(pack=pack), fs.as_of_dates(pack))
...     def test(household, as_of):
...         assert pack.identify(household, as_of=as_of).outcome
...     test()
>>> answers_every_drawn_household(load_pack("ewenki_2024"))
>>> answers_every_drawn_household(load_pack("jimo_2022").with_parameters(
...     monitoring_income_line=7000, income_window="2021-05-01..2022-04-30"))
>>> answers_every_drawn_household(load_pack("puan_2025").with_parameters(
...     monitoring_income_line=7500, income_window="2024-07-01..2025-06-30", lookback_months=12))
>>> answers_every_drawn_household(load_pack("qianshan_2023").with_parameters(
...     monitoring_income_line=6900))
>>> answers_every_drawn_household(load_pack("rongan_2022").with_parameters(
...     monitoring_income_line=6500, income_window="2021-01-01..2021-12-31"))
"""

from __future__ import annotations

import warnings
from typing import Any

from fangfan_rules.strategies import facts as _facts
from fangfan_rules.strategies.edges import PackEdges, SpendingSum, Threshold, pack_edges
from fangfan_rules.strategies.facts import (
    CALENDAR_LAST_DAY,
    Amount,
    Profile,
    as_of_dates,
    dates,
    expenditures,
    household_lists,
    households,
    id_numbers,
    income_records,
    members,
    parameter_sets,
    per_capita_levels,
    risk_events,
    villages,
    yuan,
)

__all__ = [
    "CALENDAR_LAST_DAY",
    "Amount",
    "PackEdges",
    "Profile",
    "SpendingSum",
    "Threshold",
    "as_of_dates",
    "dates",
    "expenditures",
    "household_lists",
    "households",
    "id_numbers",
    "income_records",
    "members",
    "pack_edges",
    "parameter_sets",
    "per_capita_levels",
    "risk_events",
    "villages",
    "yuan",
]

#: Old public names of qianshan_2023's constants: use ``households(pack=...)`` / pack_edges().
_DEPRECATED = {
    "QIANSHAN_PREVIOUS_YEAR": "_QIANSHAN_PREVIOUS_YEAR",
    "QIANSHAN_REFERENCE_YEAR": "_QIANSHAN_REFERENCE_YEAR",
    "QIANSHAN_INCOME_WINDOW": "_QIANSHAN_INCOME_WINDOW",
    "QIANSHAN_WINDOWS": "_QIANSHAN_WINDOWS",
    "QIANSHAN_MONEY_EDGES": "_QIANSHAN_MONEY_EDGES",
    "QIANSHAN_DATE_EDGES": "_QIANSHAN_DATE_EDGES",
}


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED:
        warnings.warn(
            f"fangfan_rules.strategies.{name} is deprecated: the strategies read a pack's own "
            "edges (households(pack=...), pack_edges(pack))",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_facts, _DEPRECATED[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
