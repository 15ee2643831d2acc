"""Facts: what was observed about a household (pydantic v2, immutable, validated at the edge).

Raw facts only; everything computed from them (net income, per-capita income, spending in a window)
lives in :mod:`fangfan_rules.variables`. ``None`` in an optional fact means *unknown*, never "no".
"""

from fangfan_rules.facts.household import (
    Area,
    AreaTag,
    GreenChannelRecord,
    Guarantees,
    Household,
    Livestock,
    MonitoringRecord,
    SocialAssistance,
)
from fangfan_rules.facts.known import ExcludedFact, known_at
from fangfan_rules.facts.loading import household_json_schema, load_household
from fangfan_rules.facts.member import Disability, Health, Member
from fangfan_rules.facts.records import Expenditure, IncomeRecord, RiskEvent

__all__ = [
    "Area",
    "AreaTag",
    "Disability",
    "ExcludedFact",
    "Expenditure",
    "GreenChannelRecord",
    "Guarantees",
    "Health",
    "Household",
    "IncomeRecord",
    "Livestock",
    "Member",
    "MonitoringRecord",
    "RiskEvent",
    "SocialAssistance",
    "household_json_schema",
    "known_at",
    "load_household",
]
