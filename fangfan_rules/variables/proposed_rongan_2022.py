"""Core variables first needed by the rongan_2022 pack (to be merged into topic modules on review).

Define variables here with :func:`fangfan_rules.variables.registry.variable`, each with a
docstring-worthy label and a hand-worked test in tests/test_variables_rongan_2022.py.

- ``ever_monitored``: the household has a monitoring spell on record by ``as_of``, whether its
  risk has been eliminated or not (监测户含已消除风险户). ``under_monitoring`` only counts open
  spells, and ``village_monitored_since`` is a village count, not a household value.
"""

from __future__ import annotations

from fangfan_rules.variables.registry import Context, variable


@variable(
    "ever_monitored",
    value_type="bool",
    zh="纳入过监测（含已消除风险）",
    en="monitored at some time (risk eliminated or not)",
)
def _ever_monitored(ctx: Context) -> bool:
    # ctx.household is the view known on as_of: spells identified after as_of are left out, so
    # "no record" means never identified as far as as_of knew (a recorded act, not "unknown").
    return bool(ctx.household.monitoring)
