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
    Provenance,
    RecordedJudgement,
    SocialAssistance,
)
from fangfan_rules.facts.known import ExcludedFact, known_at
from fangfan_rules.facts.loading import household_json_schema, load_household
from fangfan_rules.facts.member import ChildStatusRecord, Disability, Health, Member
from fangfan_rules.facts.records import (
    Clue,
    Expenditure,
    HousingRenovation,
    IncomeRecord,
    RiskEvent,
)

__all__ = [
    "Area",
    "AreaTag",
    "ChildStatusRecord",
    "Clue",
    "Disability",
    "ExcludedFact",
    "Expenditure",
    "GreenChannelRecord",
    "Guarantees",
    "Health",
    "Household",
    "HousingRenovation",
    "IncomeRecord",
    "Livestock",
    "Member",
    "MonitoringRecord",
    "Provenance",
    "RecordedJudgement",
    "RiskEvent",
    "SocialAssistance",
    "household_json_schema",
    "known_at",
    "load_household",
]
