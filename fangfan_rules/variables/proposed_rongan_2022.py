"""Core variables first needed by the rongan_2022 pack (to be merged into topic modules on review).

Define variables here with :func:`fangfan_rules.variables.registry.variable`, each with a
docstring-worthy label and a hand-worked test in tests/test_variables_rongan_2022.py.

- ``ever_monitored``: the household has a monitoring spell on record by ``as_of``, whether its
  risk has been eliminated or not (监测户含已消除风险户). ``under_monitoring`` only counts open
  spells, and ``village_monitored_since`` is a village count, not a household value.
- ``monitoring_risk_types``: the risk points (风险类型) recorded when the latest monitoring spell was
  opened — what 二、(三) "纳入时的风险点" refers to. Used to show them beside the officials' finding
  ``risk_resolved`` (and to flag a spell that records none); never to decide that finding.
"""

from __future__ import annotations

from fangfan_rules.variables.elimination import latest_record
from fangfan_rules.variables.registry import Context, variable
from fangfan_rules.vocabulary import RiskType


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


@variable(
    "monitoring_risk_types",
    value_type="set",
    enum=RiskType,
    zh="纳入监测时记录的风险点",
    en="risk points recorded at inclusion",
)
def _monitoring_risk_types(ctx: Context) -> tuple[RiskType, ...] | None:
    # The risk types of the latest monitoring spell (the one elimination is about), in the order
    # recorded, without repeats. No spell → None (comparisons are false). A spell that records no
    # risk point → () : a recorded record, not an unknown fact, so a rule can flag it
    # (``eq: []``) or show the points (``ne: []``, the check text lists them).
    record = latest_record(ctx.household)
    if record is None:
        return None
    return tuple(dict.fromkeys(record.risk_types))
