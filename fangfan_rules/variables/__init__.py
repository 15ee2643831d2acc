"""Variables: named values derived from facts (see :mod:`.registry`).

Importing this package registers every core variable.
"""

from fangfan_rules.variables import clue_visits as _clue_visits  # noqa: F401  (registers)
from fangfan_rules.variables import elimination as _elimination  # noqa: F401  (registers)
from fangfan_rules.variables import events as _events  # noqa: F401  (registers)
from fangfan_rules.variables import feeds as _feeds  # noqa: F401  (registers)
from fangfan_rules.variables import household as _household  # noqa: F401  (registers)
from fangfan_rules.variables import income_recent as _income_recent  # noqa: F401  (registers)
from fangfan_rules.variables import labour as _labour  # noqa: F401  (registers)
from fangfan_rules.variables import lookback as _lookback  # noqa: F401  (registers)
from fangfan_rules.variables import member as _member  # noqa: F401  (registers)
from fangfan_rules.variables import on_record as _on_record  # noqa: F401  (registers)
from fangfan_rules.variables import population as _population  # noqa: F401  (registers)
from fangfan_rules.variables import recorded as _recorded  # noqa: F401  (registers)
from fangfan_rules.variables import status as _status  # noqa: F401  (registers)
from fangfan_rules.variables import warnings as _warnings  # noqa: F401  (registers)
from fangfan_rules.variables.income import (
    compliant_self_paid,
    counted_members,
    net_income,
    per_capita_change,
    per_capita_net_income,
)
from fangfan_rules.variables.registry import VARIABLES, Context, Variable, get_variable, variable

__all__ = [
    "VARIABLES",
    "Context",
    "Variable",
    "compliant_self_paid",
    "counted_members",
    "get_variable",
    "net_income",
    "per_capita_change",
    "per_capita_net_income",
    "variable",
]
