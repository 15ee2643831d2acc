"""fangfan-rules: cited, explainable rules for 防止返贫动态监测和帮扶 (anti-relapse monitoring).

Facts about a rural household go in; each jurisdiction's policy pack answers the same questions
(identification today; elimination, timelines and batch engines build on the same rule values)
with the reasons and the clauses behind them.

>>> from datetime import date
>>> import fangfan_rules as ff
>>> pack = ff.load_pack("qianshan_2023").with_parameters(monitoring_income_line=6900)
>>> result = pack.identify(household, as_of=date(2023, 5, 20))  # doctest: +SKIP
>>> print(result.explain("zh"))  # doctest: +SKIP
"""

from fangfan_rules.analysis import compare, disagreements, outcome_table, results_frame
from fangfan_rules.calendar import (
    OfficialCalendar,
    TableCalendar,
    WorkingDayCalendar,
    add_working_days,
    is_working_day,
    natural_day_deadline,
    working_days_between,
)
from fangfan_rules.dates import DateRange
from fangfan_rules.errors import (
    CalendarError,
    FactError,
    FangfanError,
    MissingParameterError,
    NotInForceError,
    PackError,
    ParameterError,
    RuleError,
)
from fangfan_rules.facts import (
    Area,
    AreaTag,
    Disability,
    Expenditure,
    GreenChannelRecord,
    Guarantees,
    Health,
    Household,
    IncomeRecord,
    Livestock,
    Member,
    MonitoringRecord,
    RiskEvent,
    SocialAssistance,
    household_json_schema,
    known_at,
    load_household,
)
from fangfan_rules.idnumber import mask_id_number, validate_id_number
from fangfan_rules.packs import DocumentInfo, Pack, available_packs, load_pack
from fangfan_rules.results import (
    Check,
    Deadline,
    GreenChannel,
    GroupMatch,
    Identification,
    Outcome,
    Reason,
    RuleTrace,
    Trace,
)
from fangfan_rules.rules.parameters import NOT_STATED, LocalText, Parameter, ParameterValue
from fangfan_rules.rules.rule import Effect, Rule, RuleKind
from fangfan_rules.variables import (
    VARIABLES,
    compliant_self_paid,
    net_income,
    per_capita_change,
    per_capita_net_income,
)
from fangfan_rules.vocabulary import (
    AssistanceMeasure,
    DibaoKind,
    EmploymentStability,
    ExpenditureKind,
    HousingGrade,
    HukouKind,
    LabourCapacity,
    MonitoringCategory,
    Relation,
    RiskType,
    SchoolingStage,
)

__version__ = "0.1.0"

__all__ = [
    "NOT_STATED",
    "VARIABLES",
    "Area",
    "AreaTag",
    "AssistanceMeasure",
    "CalendarError",
    "Check",
    "DateRange",
    "Deadline",
    "DibaoKind",
    "Disability",
    "DocumentInfo",
    "Effect",
    "EmploymentStability",
    "Expenditure",
    "ExpenditureKind",
    "FactError",
    "FangfanError",
    "GreenChannel",
    "GreenChannelRecord",
    "GroupMatch",
    "Guarantees",
    "Health",
    "Household",
    "HousingGrade",
    "HukouKind",
    "Identification",
    "IncomeRecord",
    "LabourCapacity",
    "Livestock",
    "LocalText",
    "Member",
    "MissingParameterError",
    "MonitoringCategory",
    "MonitoringRecord",
    "NotInForceError",
    "OfficialCalendar",
    "Outcome",
    "Pack",
    "PackError",
    "Parameter",
    "ParameterError",
    "ParameterValue",
    "Reason",
    "Relation",
    "RiskEvent",
    "RiskType",
    "Rule",
    "RuleError",
    "RuleKind",
    "RuleTrace",
    "SchoolingStage",
    "SocialAssistance",
    "TableCalendar",
    "Trace",
    "WorkingDayCalendar",
    "__version__",
    "add_working_days",
    "available_packs",
    "compare",
    "compliant_self_paid",
    "disagreements",
    "household_json_schema",
    "is_working_day",
    "known_at",
    "load_household",
    "load_pack",
    "mask_id_number",
    "natural_day_deadline",
    "net_income",
    "outcome_table",
    "per_capita_change",
    "per_capita_net_income",
    "results_frame",
    "validate_id_number",
    "working_days_between",
]
